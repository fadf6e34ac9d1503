// write_toml.cpp — a model as a TOML description (steady-new --to-toml): how a description read
// from DOT is carried on in TOML, the format the tool's messages and the guide use.
#include <sstream>

#include "model.hpp"

namespace steady_new {
namespace {

std::string quoted(const std::string &s)
{
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string fields(const std::vector<field> &fs)
{
    std::string out = "[";
    for (size_t i = 0; i < fs.size(); i++) {
        std::string f = fs[i].type + " " + fs[i].name;
        if (fs[i].count)
            f += "[" + std::to_string(fs[i].count) + "]";
        out += (i ? ", " : "") + quoted(f);
    }
    return out + "]";
}

const char *placement_name(placement p)
{
    return p == placement::troupe ? "troupe" : p == placement::isolated ? "isolated" : "solo";
}

const char *restart_name(restart_kind r)
{
    return r == restart_kind::permanent   ? "permanent"
           : r == restart_kind::temporary ? "temporary"
                                          : "transient";
}

} // namespace

std::string write_toml(const app &a)
{
    std::ostringstream o;
    o << "[app]\nname = " << quoted(a.name) << "\n";
    if (!a.summary.empty())
        o << "summary = " << quoted(a.summary) << "\n";
    if (a.memory_limit_mb != 1024)
        o << "memory_limit_mb = " << a.memory_limit_mb << "\n";
    if (a.telemetry.on) {
        o << "\n[telemetry]\n";
        if (a.telemetry.port)
            o << "port = " << a.telemetry.port << "\n";
        if (a.telemetry.addr != "127.0.0.1")
            o << "addr = " << quoted(a.telemetry.addr) << "\n";
        if (a.telemetry.frame_ms)
            o << "frame_ms = " << a.telemetry.frame_ms << "\n";
    }
    for (const msg_type &t : a.types)
        o << "\n[[type]]\nname = " << quoted(t.name) << "\nfields = " << fields(t.fields) << "\n";
    for (const actor &x : a.actors) {
        o << "\n[[actor]]\nname = " << quoted(x.name) << "\n";
        if (x.place != placement::solo)
            o << "placement = " << quoted(placement_name(x.place)) << "\n";
        if (!x.troupe.empty())
            o << "troupe = " << quoted(x.troupe) << "\n";
        if (x.period_ms != 1000)
            o << "period_ms = " << x.period_ms << "\n";
        if (x.restart != restart_kind::transient)
            o << "restart = " << quoted(restart_name(x.restart)) << "\n";
        if (x.max_restarts != 10)
            o << "max_restarts = " << x.max_restarts << "\n";
        if (x.restart_period_ms != 10000)
            o << "restart_period_ms = " << x.restart_period_ms << "\n";
        if (x.backoff_floor_ms != 1)
            o << "backoff_floor_ms = " << x.backoff_floor_ms << "\n";
        if (x.backoff_ceiling_ms != 1000)
            o << "backoff_ceiling_ms = " << x.backoff_ceiling_ms << "\n";
        if (x.escalate_stop_actor)
            o << "escalation = \"stop_actor\"\n";
        if (!x.state.empty())
            o << "state = " << fields(x.state) << "\n";
        if (x.durable)
            o << "durable = true\n";
        if (x.count != 1)
            o << "count = " << x.count << "\n";
    }
    for (const channel &c : a.channels) {
        o << "\n[[channel]]\nname = " << quoted(c.name) << "\n";
        if (!c.from.empty())
            o << "from = " << quoted(c.from) << "\n";
        if (!c.to.empty())
            o << "to = " << quoted(c.to) << "\n";
        o << "type = " << quoted(c.type) << "\n";
        if (c.capacity != 64)
            o << "capacity = " << c.capacity << "\n";
        if (c.lanes)
            o << "lanes = " << c.lanes << "\n";
        if (!c.bridge.empty())
            o << "bridge = " << quoted(c.bridge) << "\n";
        if (c.showstopper)
            o << "showstopper = " << c.showstopper << "\n";
        if (!c.dead_letters.empty())
            o << "dead_letters = " << quoted(c.dead_letters) << "\n";
    }
    return o.str();
}

} // namespace steady_new
