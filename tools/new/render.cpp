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

// Text from the description inside C: a string literal's body (c_string; with percent signs
// doubled when it is a printf format, c_format), or a comment's (no "*/" to end it early).
std::string c_string(const std::string &s, bool format = false)
{
    std::string out;
    for (char c : s) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '%' && format)
            out += '%';
        out += c;
    }
    return out;
}

std::string c_comment(std::string s)
{
    for (size_t at = s.find("*/"); at != std::string::npos; at = s.find("*/", at))
        s.replace(at, 2, "*\\/");
    return s;
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

// Whether the actor on one side of c holds it as a bundle end (sending: the sender's side).
bool bundle_at(const channel &c, bool sending)
{
    return sending ? c.tx_bundle() : c.rx_bundle();
}

uint64_t count_of(const app &a, const std::string &name)
{
    for (const actor &x : a.actors)
        if (x.name == name)
            return x.count;
    return 1;
}

// The label of an actor's first instance: a stand-in's name in tests ("worker" or "worker-0").
std::string first_instance(const app &a, const std::string &name)
{
    return count_of(a, name) > 1 ? name + "-0" : name;
}

// The stage manager's number (steady/testing.h) of lane `lane` of c among the ends of actor
// `who` on one side: its single ends in spawn order, then each bundle end's lanes. The pod
// standing for a bridge's far side has that one end.
unsigned stand_in_index(const app &a, const std::string &who, const channel &c, bool sending,
                        unsigned lane)
{
    if (sending ? c.from.empty() : c.to.empty())
        return 0;
    unsigned singles = 0, single_at = 0, lanes_before = 0;
    bool past = false;
    for (const channel &o : a.channels) {
        if ((sending ? o.from : o.to) != who)
            continue;
        past = past || &o == &c;
        if (!bundle_at(o, sending)) {
            single_at = &o == &c ? singles : single_at;
            singles++;
        } else if (!past) {
            lanes_before += static_cast<unsigned>(o.n);
        }
    }
    return bundle_at(c, sending) ? singles + lanes_before + lane : single_at;
}

// One end of a channel as an actor sees it; index/last: its place in the list it is in. far:
// the other end in words, for comments; bundle: the actor holds it as a bundle end.
data end_data(const channel &c, bool sending, unsigned index, size_t last)
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
    e.set("far_in", c.from.empty() ? other : c.from);
    e.set("far_out", c.to.empty() ? other : c.to);
    bool b = bundle_at(c, sending);
    e.set("bundle", flag(b));
    e.set("field", channel_family(c.type) + (sending ? "_tx" : "_rx") + (b ? "_bundle" : ""));
    e.set("lanes", std::to_string(c.n));
    e.set("feedback", flag(c.feedback));
    return e;
}

// A channel as the graph makes it: its form (model.hpp's shape; egress and ingress: one end in
// another pod), its instances' indexing, showstopper and fingerprint.
data channel_data(const app &a, const channel &c)
{
    data cd = end_data(c, true, 0, 0);
    cd.set("capacity", std::to_string(c.capacity));
    cd.set("keeps", flag(c.feedback || !c.bridge.empty()));
    cd.set("plain", flag(c.bridge.empty() && c.form == shape::plain));
    cd.set("pairwise", flag(c.form == shape::pairwise));
    cd.set("lanes_form", flag(c.form == shape::lanes));
    cd.set("fan_out", flag(c.form == shape::fan_out));
    cd.set("fan_in", flag(c.form == shape::fan_in));
    cd.set("n", std::to_string(c.n));
    cd.set("egress", flag(c.egress()));
    cd.set("ingress", flag(c.ingress()));
    cd.set("bridge", c.bridge);
    cd.set("pod", pod_of(c));
    cd.set("type_id", hex64(c.type_id));
    cd.set("NAME", upper(c.name));
    cd.set("has_showstopper", flag(c.showstopper != 0));
    cd.set("showstopper", std::to_string(c.showstopper));
    cd.set("has_dead", flag(!c.dead_letters.empty()));
    cd.set("dead_letters", c.dead_letters);
    uint64_t to = count_of(a, c.to);
    cd.set("to_count", std::to_string(to));
    cd.set("to_idx", to > 1 ? "[i]" : "");
    return cd;
}

// The list of an actor's ends of one side, with `last` counted within the list.
data end_list(const std::vector<const channel *> &cs, bool sending)
{
    data l{data::type::list};
    for (unsigned i = 0; i < cs.size(); i++)
        l << end_data(*cs[i], sending, i, cs.size());
    return l;
}

// An actor's ends: every input and output (with the stand-in that plays the other end in its
// test, and that one's end number), the outputs the skeleton sends on (not dead letters), and
// the single and bundle ends apart for spawn.
void actor_ends(const app &a, const actor &x, data &d)
{
    std::vector<const channel *> in, out, sends, ins1, insb, outs1, outsb;
    for (const channel &c : a.channels) {
        if (c.to == x.name) {
            in.push_back(&c);
            (c.rx_bundle() ? insb : ins1).push_back(&c);
        }
        if (c.from != x.name)
            continue;
        out.push_back(&c);
        (c.tx_bundle() ? outsb : outs1).push_back(&c);
        bool dead = false;
        for (const channel &o : a.channels)
            dead = dead || (o.to == x.name && o.dead_letters == c.name);
        if (!dead)
            sends.push_back(&c);
    }
    bool bundle_send = false, feedback_send = false;
    for (const channel *c : sends) {
        bundle_send = bundle_send || c->tx_bundle();
        feedback_send = feedback_send || c->feedback;
    }
    d.set("has_feedback_send", flag(feedback_send));
    // A bundle output spreads what the actor sends over its lanes: its test feeds one message
    // (on the first input) and expects one on each output, on lane 0.
    data ins{data::type::list}, outs{data::type::list}, snd{data::type::list};
    for (unsigned i = 0; i < in.size(); i++) {
        data e = end_data(*in[i], false, i, in.size());
        e.set("owner", x.name);
        e.set("peer", in[i]->from.empty() ? pod_of(*in[i]) : first_instance(a, in[i]->from));
        e.set("peer_index", std::to_string(stand_in_index(a, in[i]->from, *in[i], true, 0)));
        e.set("feed", flag(!bundle_send || i == 0));
        ins << e;
    }
    for (unsigned i = 0; i < out.size(); i++) {
        data e = end_data(*out[i], true, i, out.size());
        e.set("owner", x.name);
        outs << e;
    }
    for (unsigned i = 0; i < sends.size(); i++) {
        data e = end_data(*sends[i], true, i, sends.size());
        e.set("owner", x.name);
        e.set("peer", sends[i]->to.empty() ? pod_of(*sends[i]) : first_instance(a, sends[i]->to));
        e.set("peer_index", std::to_string(stand_in_index(a, sends[i]->to, *sends[i], false, 0)));
        snd << e;
    }
    // With several inputs, the test also ends the first input's stand-in and checks that the
    // actor goes on serving the second (when that stand-in plays no other end of it).
    bool close_first = in.size() > 1 && !bundle_send && !in[0]->from.empty();
    for (size_t i = 1; close_first && i < in.size(); i++)
        close_first = in[i]->from != in[0]->from;
    for (const channel *c : sends)
        close_first = close_first && c->to != in[0]->from;
    d.set("close_first", flag(close_first));
    if (close_first) {
        d.set("first_peer", first_instance(a, in[0]->from));
        d.set("second_type", in[1]->type);
        d.set("second_peer", in[1]->from.empty() ? pod_of(*in[1]) : first_instance(a, in[1]->from));
        d.set("second_peer_index", std::to_string(stand_in_index(a, in[1]->from, *in[1], true, 0)));
    }
    d.set("inputs", ins);
    d.set("outputs", outs);
    d.set("sends", snd);
    d.set("has_sends", flag(!sends.empty()));
    d.set("expect_n", std::to_string(bundle_send || in.empty() ? 1 : in.size()));
    d.set("single_ins", end_list(ins1, false));
    d.set("bundle_ins", end_list(insb, false));
    d.set("single_outs", end_list(outs1, true));
    d.set("bundle_outs", end_list(outsb, true));
    d.set("has_single_ins", flag(!ins1.empty()));
    d.set("has_bundle_ins", flag(!insb.empty()));
    d.set("has_single_outs", flag(!outs1.empty()));
    d.set("has_bundle_outs", flag(!outsb.empty()));
    d.set("has_inputs", flag(!in.empty()));
    d.set("has_outputs", flag(!out.empty()));
    d.set("has_ends", flag(!in.empty() || !out.empty()));
    d.set("n_inputs", std::to_string(in.size() ? in.size() : 1));
    d.set("several_inputs", flag(in.size() > 1));
    d.set("producer", flag(in.empty()));
}

data actor_data(const app &a, const actor &x)
{
    data d;
    d.set("name", x.name);
    d.set("NAME", upper(x.name));
    actor_ends(a, x, d);
    data others{data::type::list}; // every stand-in of this actor's test
    std::string tested = first_instance(a, x.name);
    for (const actor &y : a.actors)
        for (uint64_t i = 0; i < y.count; i++) {
            std::string label = y.count > 1 ? y.name + "-" + std::to_string(i) : y.name;
            if (label != tested)
                others << data{"name", label};
        }
    for (const channel &c : a.channels)
        if (!c.bridge.empty())
            others << data{"name", pod_of(c)};
    d.set("others", others);
    d.set("tested", tested);
    d.set("multi", flag(x.count > 1));
    d.set("count", std::to_string(x.count));
    d.set("idx", x.count > 1 ? "[i]" : "");
    d.set("period_ms", std::to_string(x.period_ms));
    d.set("has_state", flag(!x.state.empty()));
    d.set("state_fields", fields_list(x.state));
    d.set("durable", flag(x.durable));
    d.set("state_id", hex64(x.state_id));
    d.set("troupe", x.troupe);
    d.set("in_troupe", flag(x.place == placement::troupe));
    d.set("isolated", flag(x.place == placement::isolated));
    d.set("restart", restart_name(x.restart));
    d.set("max_restarts", std::to_string(x.max_restarts));
    d.set("restart_period_ms", std::to_string(x.restart_period_ms));
    d.set("backoff_floor_ms", std::to_string(x.backoff_floor_ms));
    d.set("backoff_ceiling_ms", std::to_string(x.backoff_ceiling_ms));
    d.set("escalation", x.escalate_stop_actor ? "STEADY_ESCALATE_STOP_ACTOR"
                                              : "STEADY_ESCALATE_SHUTDOWN_GRAPH");
    return d;
}

data app_data(const app &a, const std::string &description_path)
{
    data d;
    d.set("app", a.name);
    d.set("APP", upper(a.name));
    std::string summary = a.summary.empty() ? a.name + ", made by steady-new" : a.summary;
    d.set("summary", summary);                          // text (README, CMake comment)
    d.set("summary_comment", c_comment(summary));       // in a C comment
    d.set("summary_format", c_string(summary, true));   // in a printf format string
    d.set("hash", hex64(fnv1a64(a.source_text)));
    d.set("description", description_path);
    d.set("description_comment", c_comment(description_path));
    d.set("description_c", c_string(description_path));
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
            bool bundled = false;
            for (const channel &o : a.channels)
                bundled = bundled || (o.type == c.type && (o.tx_bundle() || o.rx_bundle()));
            data f;
            f.set("ch", channel_family(c.type));
            f.set("type", c.type);
            f.set("bundled", flag(bundled));
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
        data cd = channel_data(a, c);
        if (!c.bridge.empty()) {
            data b = cd; // the same channel's data, with its place in the list of bridges
            b.set("last_bridge", flag(++seen_bridges == n_bridges));
            bridges << b;
        }
        chans << cd;
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
    d.set("telemetry", flag(a.telemetry.on));
    d.set("telemetry_port", std::to_string(a.telemetry.port));
    d.set("telemetry_addr", a.telemetry.addr);
    d.set("telemetry_frame_ms", std::to_string(a.telemetry.frame_ms));
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
