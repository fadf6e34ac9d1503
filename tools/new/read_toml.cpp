// read_toml.cpp — a TOML description into the model, through toml++ (libtomlplusplus-dev).
// Every value is checked for its TOML type here, with the line it is on; what the values mean
// together is check()'s work (check.cpp).
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "model.hpp"

namespace steady_new {
namespace {

struct reader {
    const std::string &file;
    diagnostics &d;

    where at(const toml::node &n) const
    {
        return {file, static_cast<unsigned>(n.source().begin.line)};
    }

    // Unknown keys are errors: a misspelt key would otherwise be ignored in silence. The known
    // ones' lines go to *lines (when given), for the checks' messages.
    void known_keys(const toml::table &t, const char *what, std::set<std::string> keys,
                    key_lines *lines = nullptr) const
    {
        for (auto &&[k, v] : t) {
            std::string key(k.str());
            if (keys.count(key) && lines)
                lines->line[key] = at(v).line;
            if (keys.count(key))
                continue;
            std::string list;
            for (auto &s : keys)
                list += (list.empty() ? "" : ", ") + s;
            d.error(at(v), "unknown key '" + key + "' in " + what + " (known: " + list + ")");
        }
    }

    bool str(const toml::table &t, const char *key, const char *what, std::string &out) const
    {
        const toml::node *n = t.get(key);
        if (!n)
            return false;
        if (auto v = n->value<std::string>()) {
            out = *v;
            return true;
        }
        d.error(at(*n), std::string(what) + "." + key + " must be a string");
        return false;
    }

    bool u64(const toml::table &t, const char *key, const char *what, uint64_t &out) const
    {
        const toml::node *n = t.get(key);
        if (!n)
            return false;
        auto v = n->value_exact<int64_t>();
        if (v && *v >= 0) {
            out = static_cast<uint64_t>(*v);
            return true;
        }
        d.error(at(*n), std::string(what) + "." + key + " must be an integer >= 0");
        return false;
    }

    bool boolean(const toml::table &t, const char *key, const char *what, bool &out) const
    {
        const toml::node *n = t.get(key);
        if (!n)
            return false;
        if (auto v = n->value_exact<bool>()) {
            out = *v;
            return true;
        }
        d.error(at(*n), std::string(what) + "." + key + " must be true or false");
        return false;
    }

    // "uint64_t value", "uint8_t bytes[16]": the type is the first word, the rest the name.
    bool one_field(const std::string &s, const where &w, field &f) const
    {
        std::istringstream in(s);
        std::string type, name, extra;
        in >> type >> name >> extra;
        if (type.empty() || name.empty() || !extra.empty()) {
            d.error(w, "a field is \"<type> <name>\" or \"<type> <name>[<count>]\", not \"" + s +
                           "\"");
            return false;
        }
        f = {type, name, 0, w};
        size_t open = name.find('[');
        if (open == std::string::npos)
            return true;
        std::string count = name.substr(open + 1);
        f.name = name.substr(0, open);
        bool digits = count.size() >= 2 && count.back() == ']' &&
                      count.find_first_not_of("0123456789") == count.size() - 1;
        if (digits && count.size() <= 10)
            f.count = std::stoull(count.substr(0, count.size() - 1));
        if (!digits || count.size() > 10 || f.count == 0) {
            d.error(w, "the array length in \"" + s + "\" must be a number from 1 to 999999999");
            return false;
        }
        return true;
    }

    void fields(const toml::table &t, const char *key, const char *what, std::vector<field> &out)
        const
    {
        const toml::node *n = t.get(key);
        if (!n)
            return;
        const toml::array *arr = n->as_array();
        if (!arr) {
            d.error(at(*n), std::string(what) + "." + key +
                                " must be an array of strings such as [\"uint64_t value\"]");
            return;
        }
        for (const toml::node &e : *arr) {
            auto s = e.value<std::string>();
            field f;
            if (!s)
                d.error(at(e), std::string(what) + "." + key + ": each field is a string");
            else if (one_field(*s, at(e), f))
                out.push_back(f);
        }
    }

    // The [[name]] array of tables (or nothing); an entry that is not a table is an error.
    template <typename F> void each(const toml::table &root, const char *name, F &&fn) const
    {
        const toml::node *n = root.get(name);
        if (!n)
            return;
        const toml::array *arr = n->as_array();
        if (!arr || !arr->is_array_of_tables()) {
            d.error(at(*n), std::string("'") + name + "' must be written [[" + name + "]]");
            return;
        }
        for (const toml::node &e : *arr)
            fn(*e.as_table());
    }

    void app_table(const toml::table &root, app &a) const
    {
        const toml::node *n = root.get("app");
        if (!n || !n->is_table()) {
            d.error({file, n ? at(*n).line : 0},
                    "the description needs an [app] table with its name, e.g. [app] name = "
                    "\"pipeline\"");
            return;
        }
        const toml::table &t = *n->as_table();
        a.at = at(t);
        known_keys(t, "[app]", {"name", "summary", "memory_limit_mb"}, &a.keys);
        if (!str(t, "name", "app", a.name) && !t.get("name"))
            d.error(a.at, "[app] needs a name (a C identifier: the program's name)");
        str(t, "summary", "app", a.summary);
        u64(t, "memory_limit_mb", "app", a.memory_limit_mb);
    }

    void telemetry_table(const toml::table &root, app &a) const
    {
        const toml::node *n = root.get("telemetry");
        if (!n)
            return;
        if (!n->is_table()) {
            d.error(at(*n), "'telemetry' must be a table: [telemetry] port = 9900");
            return;
        }
        const toml::table &t = *n->as_table();
        a.telemetry.on = true;
        a.telemetry.at = at(t);
        known_keys(t, "[telemetry]", {"port", "addr", "frame_ms"}, &a.telemetry.keys);
        u64(t, "port", "telemetry", a.telemetry.port);
        str(t, "addr", "telemetry", a.telemetry.addr);
        u64(t, "frame_ms", "telemetry", a.telemetry.frame_ms);
    }

    void type_table(const toml::table &t, app &a) const
    {
        msg_type m;
        m.at = at(t);
        known_keys(t, "[[type]]", {"name", "fields"});
        if (!str(t, "name", "type", m.name) && !t.get("name"))
            d.error(m.at, "a [[type]] needs a name");
        fields(t, "fields", "type", m.fields);
        a.types.push_back(m);
    }

    void actor_table(const toml::table &t, app &a) const
    {
        actor x;
        x.at = at(t);
        known_keys(t, "[[actor]]",
                   {"name", "placement", "troupe", "period_ms", "restart", "max_restarts",
                    "restart_period_ms", "backoff_floor_ms", "backoff_ceiling_ms", "escalation",
                    "state", "durable", "count"},
                   &x.keys);
        if (!str(t, "name", "actor", x.name) && !t.get("name"))
            d.error(x.at, "an [[actor]] needs a name");
        std::string s;
        if (str(t, "placement", "actor", s)) {
            if (s == "solo")
                x.place = placement::solo;
            else if (s == "troupe")
                x.place = placement::troupe;
            else if (s == "isolated")
                x.place = placement::isolated;
            else
                d.error(at(*t.get("placement")),
                        "placement \"" + s + "\" is none of \"solo\", \"troupe\", \"isolated\"");
        }
        str(t, "troupe", "actor", x.troupe);
        u64(t, "period_ms", "actor", x.period_ms);
        if (str(t, "restart", "actor", s)) {
            if (s == "transient")
                x.restart = restart_kind::transient;
            else if (s == "permanent")
                x.restart = restart_kind::permanent;
            else if (s == "temporary")
                x.restart = restart_kind::temporary;
            else
                d.error(at(*t.get("restart")), "restart \"" + s +
                                                   "\" is none of \"transient\", \"permanent\", "
                                                   "\"temporary\"");
        }
        u64(t, "max_restarts", "actor", x.max_restarts);
        u64(t, "restart_period_ms", "actor", x.restart_period_ms);
        u64(t, "backoff_floor_ms", "actor", x.backoff_floor_ms);
        u64(t, "backoff_ceiling_ms", "actor", x.backoff_ceiling_ms);
        if (str(t, "escalation", "actor", s)) {
            if (s == "stop_actor" || s == "stop_graph")
                x.escalate_stop_actor = s == "stop_actor";
            else
                d.error(at(*t.get("escalation")),
                        "escalation \"" + s + "\" is none of \"stop_graph\", \"stop_actor\"");
        }
        fields(t, "state", "actor", x.state);
        boolean(t, "durable", "actor", x.durable);
        u64(t, "count", "actor", x.count);
        a.actors.push_back(x);
    }

    void channel_table(const toml::table &t, app &a) const
    {
        channel c;
        c.at = at(t);
        known_keys(t, "[[channel]]",
                   {"name", "from", "to", "type", "capacity", "bridge", "showstopper",
                    "dead_letters", "lanes"},
                   &c.keys);
        str(t, "name", "channel", c.name);
        str(t, "from", "channel", c.from);
        str(t, "to", "channel", c.to);
        if (!str(t, "type", "channel", c.type) && !t.get("type"))
            d.error(c.at, "a [[channel]] needs a type: a fixed type (uint64_t, double, ...) or "
                          "a [[type]]'s name");
        u64(t, "capacity", "channel", c.capacity);
        str(t, "bridge", "channel", c.bridge);
        u64(t, "showstopper", "channel", c.showstopper);
        str(t, "dead_letters", "channel", c.dead_letters);
        u64(t, "lanes", "channel", c.lanes);
        a.channels.push_back(c);
    }
};

} // namespace

bool read_toml(const std::string &text, const std::string &file, app &out, diagnostics &d)
{
    size_t errors = d.list.size();
    toml::table root;
    try {
        root = toml::parse(text, file);
    } catch (const toml::parse_error &e) {
        d.error({file, static_cast<unsigned>(e.source().begin.line)},
                "not TOML: " + std::string(e.description()));
        return false;
    }
    reader r{file, d};
    r.known_keys(root, "the description", {"app", "type", "actor", "channel", "telemetry"});
    r.app_table(root, out);
    r.telemetry_table(root, out);
    r.each(root, "type", [&](const toml::table &t) { r.type_table(t, out); });
    r.each(root, "actor", [&](const toml::table &t) { r.actor_table(t, out); });
    r.each(root, "channel", [&](const toml::table &t) { r.channel_table(t, out); });
    out.source_text = text;
    out.source_path = file;
    for (size_t i = errors; i < d.list.size(); i++)
        if (d.list[i].level == diagnostic::error)
            return false;
    return true;
}

} // namespace steady_new
