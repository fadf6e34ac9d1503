// render.cpp — the mustache data of a model (kainjow-mustache, libkainjow-mustache-dev) and the
// list of files each template makes. The templates are plain text under share/steady/new/
// templates; what they may use is listed in templates/README.md.
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>

#include <kainjow/mustache.hpp>

#include "render.hpp"

namespace steady_new {
namespace {

using kainjow::mustache::data;
using kainjow::mustache::mustache;

std::string upper(std::string s)
{
    for (char &c : s)
        if (c >= 'a' && c <= 'z')
            c = static_cast<char>(c - 'a' + 'A');
    return s;
}

// The typed channel family of an element type: uint64_t -> uint64_ch, fizz -> fizz_ch.
std::string channel_family(const std::string &type)
{
    std::string base = type;
    if (base.size() > 2 && base.compare(base.size() - 2, 2, "_t") == 0)
        base.resize(base.size() - 2);
    return base + "_ch";
}

std::string field_decl(const field &f)
{
    std::string s = f.type + " " + f.name;
    if (f.count)
        s += "[" + std::to_string(f.count) + "]";
    return s + ";";
}

data fields_list(const std::vector<field> &fs)
{
    data l{data::type::list};
    for (const field &f : fs)
        l << data{"decl", field_decl(f)};
    return l;
}

const char *restart_name(restart_kind r)
{
    switch (r) {
    case restart_kind::permanent: return "STEADY_RESTART_PERMANENT";
    case restart_kind::temporary: return "STEADY_RESTART_TEMPORARY";
    case restart_kind::transient: break;
    }
    return "STEADY_RESTART_TRANSIENT";
}

// The place of c among its sending actor's outputs (peer_of_input) or its receiving actor's
// inputs: the stage manager's numbering of a stand-in's ends (spawn order). A bridged
// channel's far end is its pod's only end.
unsigned place_at(const app &a, const channel &c, bool among_outputs)
{
    if (!c.bridge.empty())
        return 0;
    unsigned i = 0;
    for (const channel &o : a.channels) {
        if (&o == &c)
            return i;
        if (among_outputs ? o.from == c.from : o.to == c.to)
            i++;
    }
    return i;
}

std::string pod_of(const channel &c)
{
    return c.name + "_pod";
}

std::string hex64(uint64_t v)
{
    char s[32];
    std::snprintf(s, sizeof s, "0x%016llx", static_cast<unsigned long long>(v));
    return s;
}

data flag(bool b)
{
    return b ? data::type::bool_true : data::type::bool_false;
}

// One end of a channel as an actor sees it; index: its place among the actor's ends of that
// direction, in spawn order. peer: who plays the other end in a test (an actor, or the pod
// that stands for a bridge's far side); far: the other end in words, for comments.
data end_data(const channel &c, unsigned index, size_t last)
{
    data e;
    e.set("name", c.name);
    e.set("type", c.type);
    e.set("ch", channel_family(c.type));
    e.set("from", c.from);
    e.set("to", c.to);
    e.set("index", std::to_string(index));
    e.set("last", flag(index + 1 == last));
    std::string other = "another pod over " + c.bridge;
    e.set("peer_in", c.from.empty() ? pod_of(c) : c.from);
    e.set("peer_out", c.to.empty() ? pod_of(c) : c.to);
    e.set("far_in", c.from.empty() ? other : c.from);
    e.set("far_out", c.to.empty() ? other : c.to);
    return e;
}

// A channel as the graph makes it: plain (both ends here), egress or ingress (one end in
// another pod), its showstopper and fingerprint.
data channel_data(const channel &c)
{
    data cd = end_data(c, 0, 0);
    cd.set("capacity", std::to_string(c.capacity));
    cd.set("plain", flag(c.bridge.empty()));
    cd.set("egress", flag(c.egress()));
    cd.set("ingress", flag(c.ingress()));
    cd.set("bridge", c.bridge);
    cd.set("pod", pod_of(c));
    cd.set("type_id", hex64(c.type_id));
    cd.set("has_showstopper", flag(c.showstopper != 0));
    cd.set("showstopper", std::to_string(c.showstopper));
    cd.set("has_dead", flag(!c.dead_letters.empty()));
    cd.set("dead_letters", c.dead_letters);
    return cd;
}

data actor_data(const app &a, const actor &x)
{
    data d;
    d.set("name", x.name);
    d.set("NAME", upper(x.name));
    data ins{data::type::list}, outs{data::type::list}, others{data::type::list};
    std::vector<const channel *> in, out;
    for (const channel &c : a.channels) {
        if (c.to == x.name)
            in.push_back(&c);
        if (c.from == x.name)
            out.push_back(&c);
    }
    for (unsigned i = 0; i < in.size(); i++) {
        data e = end_data(*in[i], i, in.size());
        e.set("owner", x.name);
        e.set("peer", in[i]->from.empty() ? pod_of(*in[i]) : in[i]->from);
        e.set("peer_index", std::to_string(place_at(a, *in[i], true)));
        ins << e;
    }
    data sends{data::type::list}; // the outputs the skeleton sends on: not dead letters
    for (unsigned i = 0; i < out.size(); i++) {
        data e = end_data(*out[i], i, out.size());
        e.set("owner", x.name);
        e.set("peer", out[i]->to.empty() ? pod_of(*out[i]) : out[i]->to);
        e.set("peer_index", std::to_string(place_at(a, *out[i], false)));
        outs << e;
        bool dead = false;
        for (const channel &c : a.channels)
            dead = dead || (c.to == x.name && c.dead_letters == out[i]->name);
        if (!dead)
            sends << e;
    }
    d.set("sends", sends);
    d.set("has_sends", flag(!sends.is_empty_list()));
    for (const actor &y : a.actors)
        if (y.name != x.name)
            others << data{"name", y.name};
    for (const channel &c : a.channels)
        if (!c.bridge.empty())
            others << data{"name", pod_of(c)};
    d.set("inputs", ins);
    d.set("outputs", outs);
    d.set("others", others);
    d.set("has_inputs", flag(!in.empty()));
    d.set("has_outputs", flag(!out.empty()));
    d.set("has_ends", flag(!in.empty() || !out.empty()));
    d.set("n_inputs", std::to_string(in.size() ? in.size() : 1));
    d.set("producer", flag(in.empty()));
    d.set("period_ms", std::to_string(x.period_ms));
    d.set("has_state", flag(!x.state.empty()));
    d.set("state_fields", fields_list(x.state));
    d.set("durable", flag(x.durable));
    d.set("troupe", x.troupe);
    d.set("in_troupe", flag(x.place == placement::troupe));
    d.set("isolated", flag(x.place == placement::isolated));
    d.set("restart", restart_name(x.restart));
    d.set("max_restarts", std::to_string(x.max_restarts));
    d.set("restart_period_ms", std::to_string(x.restart_period_ms));
    return d;
}

data app_data(const app &a, const std::string &description_path)
{
    data d;
    d.set("app", a.name);
    d.set("APP", upper(a.name));
    d.set("summary", a.summary.empty() ? a.name + ", made by steady-new" : a.summary);
    d.set("hash", hex64(fnv1a64(a.source_text)));
    d.set("description", description_path);
    data types{data::type::list};
    for (const msg_type &t : a.types) {
        data td;
        td.set("name", t.name);
        td.set("fields", fields_list(t.fields));
        types << td;
    }
    d.set("types", types);
    data families{data::type::list};
    std::set<std::string> seen;
    for (const channel &c : a.channels)
        if (seen.insert(c.type).second) {
            data f;
            f.set("ch", channel_family(c.type));
            f.set("type", c.type);
            families << f;
        }
    d.set("families", families);
    data chans{data::type::list}, bridges{data::type::list};
    size_t n_bridges = 0, seen_bridges = 0;
    bool egress = false, ingress = false;
    for (const channel &c : a.channels) {
        n_bridges += !c.bridge.empty();
        egress = egress || c.egress();
        ingress = ingress || c.ingress();
    }
    d.set("has_egress", flag(egress));
    d.set("has_ingress", flag(ingress));
    for (const channel &c : a.channels) {
        chans << channel_data(c);
        if (c.bridge.empty())
            continue;
        data b = channel_data(c);
        b.set("last_bridge", flag(++seen_bridges == n_bridges));
        bridges << b;
    }
    d.set("channels", chans);
    d.set("bridges", bridges);
    d.set("has_bridges", flag(!bridges.is_empty_list()));
    data actors{data::type::list}, troupes{data::type::list};
    std::set<std::string> troupe_seen;
    for (const actor &x : a.actors) {
        actors << actor_data(a, x);
        if (!x.troupe.empty() && troupe_seen.insert(x.troupe).second)
            troupes << data{"troupe", x.troupe};
    }
    bool producer = false;
    for (const actor &x : a.actors) {
        bool has_input = false;
        for (const channel &c : a.channels)
            has_input = has_input || c.to == x.name;
        producer = producer || !has_input;
    }
    d.set("actors", actors);
    d.set("troupes", troupes);
    d.set("has_producer", flag(producer));
    bool durable = false;
    for (const actor &x : a.actors)
        durable = durable || x.durable;
    d.set("has_durable", flag(durable));
    return d;
}

bool load(const std::string &dir, const std::string &name, std::string &out, std::string *err)
{
    std::ifstream in(dir + "/" + name, std::ios::binary);
    if (!in) {
        *err = "template " + dir + "/" + name + " cannot be read (reinstall steady, or pass "
                                                "--templates DIR)";
        return false;
    }
    std::ostringstream s;
    s << in.rdbuf();
    out = s.str();
    return true;
}

// Mustache's standalone rule, applied before parsing: a line holding nothing but a section tag
// ({{#x}}, {{^x}}, {{/x}}) makes no line of output. kainjow-mustache 4.1 drops such a line only
// when the section is rendered, and leaves an empty line for a false one; so the tag is joined
// to the next line. It would then take an empty next line with it: empty lines are kept as
// EMPTY_LINE marks, removed after rendering (unmark).
const char EMPTY_LINE = '\x01';

std::string strip_standalone(const std::string &text)
{
    std::string out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        size_t b = line.find_first_not_of(" \t"), e = line.find_last_not_of(" \t");
        bool tag = b != std::string::npos && line.compare(b, 2, "{{") == 0 && b + 2 < line.size() &&
                   (line[b + 2] == '#' || line[b + 2] == '^' || line[b + 2] == '/') &&
                   line.compare(e - 1, 2, "}}") == 0 && line.find("{{", b + 2) == std::string::npos;
        if (tag)
            out += line.substr(b, e - b + 1);
        else
            out += (line.empty() ? std::string(1, EMPTY_LINE) : line) + "\n";
    }
    return out;
}

std::string unmark(std::string s)
{
    s.erase(std::remove(s.begin(), s.end(), EMPTY_LINE), s.end());
    return s;
}

bool render_one(const std::string &dir, const std::string &name, const data &d,
                std::string &out, std::string *err)
{
    std::string text;
    if (!load(dir, name, text, err))
        return false;
    mustache m{strip_standalone(text)};
    if (!m.is_valid()) {
        *err = "template " + dir + "/" + name + ": " + m.error_message();
        return false;
    }
    m.set_custom_escape([](const std::string &s) { return s; }); // C, not HTML
    out = unmark(m.render(d));
    return true;
}

} // namespace

bool render(const app &a, const std::string &templates_dir,
            std::map<std::string, out_file> &files, std::string *err)
{
    data d = app_data(a, a.source_path);
    struct one {
        const char *tmpl;
        std::string path;
        owner by;
    };
    const std::string gen = "gen/" + a.name + "_gen";
    const one whole[] = {{"gen.h.mustache", gen + ".h", owner::tool},
                         {"gen.c.mustache", gen + ".c", owner::tool},
                         {"CMakeLists.txt.mustache", "CMakeLists.txt", owner::user},
                         {"README.md.mustache", "README.md", owner::user},
                         {"main.c.mustache", "src/main.c", owner::user},
                         {"graph_test.c.mustache", "tests/graph_test.c", owner::user}};
    for (const one &o : whole) {
        out_file f{o.by, ""};
        if (!render_one(templates_dir, o.tmpl, d, f.text, err))
            return false;
        files[o.path] = f;
    }
    for (const actor &x : a.actors) {
        data ad = app_data(a, a.source_path);
        ad.set("actor", actor_data(a, x));
        out_file body{owner::user, ""}, test{owner::user, ""};
        if (!render_one(templates_dir, "actor.c.mustache", ad, body.text, err) ||
            !render_one(templates_dir, "actor_test.c.mustache", ad, test.text, err))
            return false;
        files["src/" + x.name + ".c"] = body;
        files["tests/" + x.name + "_test.c"] = test;
    }
    return true;
}

} // namespace steady_new
