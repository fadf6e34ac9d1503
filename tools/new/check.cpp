// check.cpp — what a description's values mean together: names, channel ends, types and sizes,
// capacities, cycles (a warning) and the channels' memory against app.memory_limit_mb.
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "model.hpp"

namespace steady_new {
namespace {

const std::set<std::string> &c_keywords()
{
    static const std::set<std::string> k = {
        "auto",     "break",    "case",     "char",     "const",    "continue", "default",
        "do",       "double",   "else",     "enum",     "extern",   "float",    "for",
        "goto",     "if",       "inline",   "int",      "long",     "register", "restrict",
        "return",   "short",    "signed",   "sizeof",   "static",   "struct",   "switch",
        "typedef",  "union",    "unsigned", "void",     "volatile", "while",    "_Alignas",
        "_Alignof", "_Atomic",  "_Bool",    "_Complex", "_Generic", "_Imaginary", "_Noreturn",
        "_Static_assert", "_Thread_local", "bool", "true", "false", "main", "NULL",
        // macros of the C library and of GCC's gnu modes, which would replace the name
        "errno", "stdin", "stdout", "stderr", "assert", "offsetof", "alignas", "alignof",
        "static_assert", "noreturn", "thread_local", "complex", "imaginary", "unix", "linux",
        "i386", "setjmp", "va_arg", "va_start", "va_end", "va_copy", "major", "minor",
        "makedev", "EOF", "BUFSIZ", "FILE"};
    return k;
}

struct fixed {
    const char *name;
    uint64_t size;
};
const fixed fixed_types[] = {{"uint8_t", 1},  {"int8_t", 1},   {"uint16_t", 2}, {"int16_t", 2},
                             {"uint32_t", 4}, {"int32_t", 4},  {"uint64_t", 8}, {"int64_t", 8},
                             {"float", 4},    {"double", 8},   {"bool", 1},     {"char", 1}};

// Why s is not a usable C name, or "" when it is one. Names are lower-case: they become file
// names, program names and prefixes, and "Worker" vs "worker" would collide on some disks.
std::string bad_name(const std::string &s)
{
    if (s.empty())
        return "is empty";
    if (s.size() > 48)
        return "is longer than 48 characters";
    if (!(s[0] >= 'a' && s[0] <= 'z'))
        return "must start with a lower-case letter";
    for (char c : s)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return "may hold only a-z, 0-9 and _";
    if (c_keywords().count(s))
        return "is a C keyword or a name C reserves";
    if (s.find("steady") == 0)
        return "starts with 'steady' (the library's prefix)";
    if (s.size() >= 2 && s.compare(s.size() - 2, 2, "_t") == 0)
        return "ends in _t (POSIX reserves those)";
    return "";
}

void name_ok(diagnostics &d, const where &at, const std::string &what, const std::string &s)
{
    std::string why = bad_name(s);
    if (!why.empty())
        d.error(at, what + " name '" + s + "' " + why + "; use a C identifier such as 'worker'");
}

struct checker {
    app &a;
    diagnostics &d;
    std::map<std::string, msg_type *> types;
    std::map<std::string, actor *> actors;

    // Sizes a struct by C's rules (each field at a multiple of its alignment, the whole padded
    // to the largest); fields of earlier [[type]]s nest.
    bool size_fields(const std::vector<field> &fs, const std::string &owner, uint64_t &size,
                     uint64_t &align)
    {
        size = 0;
        align = 1;
        std::set<std::string> seen;
        bool ok = true;
        for (const field &f : fs) {
            name_ok(d, f.at, "field", f.name);
            if (!seen.insert(f.name).second) {
                d.error(f.at, owner + " has two fields named '" + f.name + "'");
                ok = false;
            }
            uint64_t fs_ = fixed_type_size(f.type), fa = fs_;
            auto t = types.find(f.type);
            if (!fs_ && t != types.end() && t->second->size) {
                fs_ = t->second->size;
                fa = t->second->align;
            }
            if (!fs_) {
                d.error(f.at, "field '" + f.name + "' of " + owner + ": unknown type '" + f.type +
                                  "' (a fixed type such as uint64_t, or a [[type]] declared "
                                  "above this one)");
                ok = false;
                continue;
            }
            uint64_t n = f.count ? f.count : 1;
            size = (size + fa - 1) / fa * fa + fs_ * n;
            align = fa > align ? fa : align;
            if (size > (1u << 20)) {
                d.error(f.at, owner + " is larger than 1 MiB: pass a pointer or split it");
                return false;
            }
        }
        size = (size + align - 1) / align * align;
        return ok;
    }

    void check_types()
    {
        for (msg_type &t : a.types) {
            name_ok(d, t.at, "type", t.name);
            bool clash = fixed_type_size(t.name) || fixed_type_size(t.name + "_t");
            if (clash)
                d.error(t.at, "type '" + t.name + "' is (or would clash with) a fixed type; "
                                                 "name yours differently");
            for (const char *suffix : {"_io", "_state", "_ch", "_graph", "_opts", "_run"}) {
                size_t n = std::strlen(suffix);
                if (t.name.size() > n && t.name.compare(t.name.size() - n, n, suffix) == 0) {
                    d.error(t.at, "type '" + t.name + "' ends in " + suffix +
                                      ", which steady-new's own names use; name it differently");
                    clash = true;
                }
            }
            if (!clash && !types.emplace(t.name, &t).second)
                d.error(t.at, "two [[type]]s named '" + t.name + "'");
            if (t.fields.empty())
                d.error(t.at, "type '" + t.name + "' has no fields; add fields = [\"uint64_t "
                                                 "value\"]");
            else if (size_fields(t.fields, "type '" + t.name + "'", t.size, t.align))
                continue;
            t.size = 0; // unusable: channels of it say so once each
        }
    }

    void check_actors()
    {
        for (actor &x : a.actors) {
            name_ok(d, x.keys.of(x.at, "name"), "actor", x.name);
            if (x.name == "graph")
                d.error(x.at, "actor name 'graph' is taken by the whole-graph test "
                              "(tests/graph_test.c); name it differently");
            if (!actors.emplace(x.name, &x).second)
                d.error(x.at, "two [[actor]]s named '" + x.name + "'");
            if (x.place == placement::troupe && x.troupe.empty())
                d.error(x.at, "actor '" + x.name + "' is placed in a troupe: name it with "
                                                  "troupe = \"...\"");
            if (x.place != placement::troupe && !x.troupe.empty())
                d.error(x.keys.of(x.at, "troupe"), "actor '" + x.name + "' names a troupe but its placement is not "
                                                  "\"troupe\"");
            if (!x.troupe.empty())
                name_ok(d, x.keys.of(x.at, "troupe"), "troupe", x.troupe);
            if (x.period_ms == 0 || x.period_ms > 86400000)
                d.error(x.keys.of(x.at, "period_ms"), "actor '" + x.name + "': period_ms must be 1..86400000");
            if (x.max_restarts > 65536)
                d.error(x.keys.of(x.at, "max_restarts"), "actor '" + x.name + "': max_restarts must be at most 65536");
            if (x.restart_period_ms == 0 || x.restart_period_ms > 86400000)
                d.error(x.keys.of(x.at, "restart_period_ms"), "actor '" + x.name + "': restart_period_ms must be 1..86400000");
            if (x.backoff_floor_ms > 3600000 || x.backoff_ceiling_ms > 3600000 ||
                x.backoff_floor_ms > x.backoff_ceiling_ms)
                d.error(x.keys.of(x.at, "backoff_floor_ms"), "actor '" + x.name + "': backoff_floor_ms <= backoff_ceiling_ms, "
                                                  "both at most 3600000");
            if (x.durable && x.state.empty())
                d.error(x.keys.of(x.at, "durable"), "actor '" + x.name + "' is durable but has no state fields: add "
                                                  "state = [\"uint64_t count\"]");
            if (x.count == 0 || x.count > 64)
                d.error(x.keys.of(x.at, "count"), "actor '" + x.name + "': count must be 1..64 (instances of it)");
            uint64_t size, align;
            size_fields(x.state, "the state of actor '" + x.name + "'", size, align);
            std::string state = "steady-new state ";
            for (const field &f : x.state)
                state += layout(f.type) + " " + f.name + "[" + std::to_string(f.count) + "];";
            x.state_id = fnv1a64(state);
        }
        for (const msg_type &t : a.types)
            if (actors.count(t.name))
                d.error(t.at, "'" + t.name + "' names both a type and an actor");
    }

    // An end bound to an actor that exists, or (one end only) to another pod through bridge.
    void check_ends(channel &c)
    {
        if (!c.bridge.empty()) {
            if (c.from.empty() == c.to.empty())
                d.error(c.at, "a bridged channel joins this pod to another: bind exactly one end "
                              "here (from = \"<actor>\" to send, or to = \"<actor>\" to "
                              "receive), not " +
                                  std::string(c.from.empty() ? "none" : "both"));
            std::string why = bad_uri(c.bridge, c.to.empty());
            if (!why.empty())
                d.error(c.keys.of(c.at, "bridge"), "bridge \"" + c.bridge + "\" " + why);
        }
        if (c.from.empty() && c.bridge.empty())
            d.error(c.at, "a channel's sending end is bound to no actor: add from = \"<actor>\" "
                          "(or bridge = \"<uri>\" when it comes from another pod)");
        else if (!c.from.empty() && !actors.count(c.from))
            d.error(c.keys.of(c.at, "from"), "channel from unknown actor '" + c.from + "'" + known_actors());
        if (c.to.empty() && c.bridge.empty())
            d.error(c.at, "a channel's receiving end is bound to no actor: add to = \"<actor>\" "
                          "(or bridge = \"<uri>\" when it goes to another pod)");
        else if (!c.to.empty() && !actors.count(c.to))
            d.error(c.keys.of(c.at, "to"), "channel to unknown actor '" + c.to + "'" + known_actors());
    }

    // The fingerprint both pods of a bridged channel compare: the type's name and layout.
    std::string layout(const std::string &type, unsigned depth = 0) const
    {
        auto t = types.find(type);
        if (t == types.end() || depth > 64) // a type nests only types declared above it
            return type;
        std::string s = type + "{";
        for (const field &f : t->second->fields)
            s += layout(f.type, depth + 1) + " " + f.name + "[" + std::to_string(f.count) + "];";
        return s + "}";
    }

    void check_channels()
    {
        std::set<std::string> names;
        for (channel &c : a.channels) {
            check_ends(c);
            if (c.name.empty() && !c.from.empty() && !c.to.empty())
                c.name = c.from + "_to_" + c.to;
            if (!c.name.empty() || !c.bridge.empty() || (!c.from.empty() && !c.to.empty()))
                name_ok(d, c.keys.of(c.at, "name"), "channel", c.name); // else: the missing end is said already
            if (!names.insert(c.name).second)
                d.error(c.at, "two channels named '" + c.name + "': an end would be bound twice; "
                              "give one a name = \"...\"");
            if (!c.bridge.empty() && actors.count(c.name + "_pod"))
                d.error(c.at, "channel '" + c.name + "' is bridged: its other pod is played by "
                              "an actor '" + c.name + "_pod' in tests, and an actor has that "
                              "name; rename one");
            if (c.capacity == 0)
                d.error(c.keys.of(c.at, "capacity"), "channel '" + c.name + "': capacity 0 holds nothing; use at least 1");
            else if (c.capacity > (1ull << 32))
                d.error(c.keys.of(c.at, "capacity"), "channel '" + c.name + "': capacity above 2^32");
            c.elem_size = fixed_type_size(c.type);
            auto t = types.find(c.type);
            if (!c.elem_size && t != types.end())
                c.elem_size = t->second->size;
            if (!c.elem_size && !c.type.empty() && t == types.end())
                d.error(c.keys.of(c.at, "type"), "channel '" + c.name + "': unknown type '" + c.type +
                                  "' (a fixed type such as uint64_t, or a [[type]]'s name)");
            c.type_id = fnv1a64("steady-new type " + layout(c.type));
            check_form(c);
        }
        for (channel &c : a.channels)
            check_showstopper(c);
    }

    uint64_t count_of(const std::string &name) const
    {
        auto x = actors.find(name);
        return x == actors.end() ? 1 : x->second->count;
    }

    // How the channel joins the instances of its actors (model.hpp's shape).
    void check_form(channel &c)
    {
        uint64_t from = count_of(c.from), to = count_of(c.to);
        std::string what = "channel '" + c.name + "'";
        c.form = shape::plain;
        c.n = 1;
        if (c.lanes > 1024)
            d.error(c.keys.of(c.at, "lanes"), what + ": lanes must be 1..1024");
        if (!c.bridge.empty() && (from > 1 || to > 1)) {
            d.error(c.at, what + " is bridged: its actor must have count 1 (bridge each instance's "
                                 "channel on its own, or gather them first)");
        } else if (from > 1 && to > 1) {
            if (from != to)
                d.error(c.at, what + " joins " + std::to_string(from) + " instances of '" +
                                  c.from + "' to " + std::to_string(to) + " of '" + c.to +
                                  "': make the counts equal (instance i to instance i), or put an "
                                  "actor of count 1 between them");
            if (c.lanes > 1)
                d.error(c.keys.of(c.at, "lanes"), what + ": lanes with a count on both ends; each instance pair has "
                                     "one channel: leave lanes out");
            c.form = shape::pairwise;
            c.n = from;
        } else if (from > 1 || to > 1) {
            uint64_t n = from > 1 ? from : to;
            if (c.lanes > 1 && c.lanes != n)
                d.error(c.keys.of(c.at, "lanes"), what + ": lanes = " + std::to_string(c.lanes) + " but '" +
                                  (from > 1 ? c.from : c.to) + "' has " + std::to_string(n) +
                                  " instances, one lane each: leave lanes out or make them equal");
            c.form = from > 1 ? shape::fan_in : shape::fan_out;
            c.n = n;
        } else if (c.lanes > 1) {
            c.form = shape::lanes;
            c.n = c.lanes;
        }
    }

    // showstopper = K (2..1000) takes a message K failed generations of the receiver died on
    // off the channel; dead_letters names the receiver's output it goes to (same type).
    void check_showstopper(const channel &c)
    {
        if (!c.dead_letters.empty() && !c.showstopper)
            d.error(c.keys.of(c.at, "dead_letters"), "channel '" + c.name + "' names dead_letters but no showstopper: add "
                          "showstopper = 3 (the failed generations before a message goes there)");
        if (!c.showstopper)
            return;
        if (c.showstopper < 2 || c.showstopper > 1000)
            d.error(c.keys.of(c.at, "showstopper"), "channel '" + c.name + "': showstopper must be 2..1000 (failed "
                          "generations on one message; 1 would take off a message a restart "
                          "could still handle)");
        if (c.to.empty())
            d.error(c.keys.of(c.at, "showstopper"), "channel '" + c.name + "': a showstopper is for a channel an actor "
                          "here receives; this one goes to another pod");
        if (c.rx_bundle())
            d.error(c.keys.of(c.at, "showstopper"), "channel '" + c.name + "': a showstopper is for a single input; '" +
                              c.to + "' receives this one as a bundle of lanes");
        if (c.dead_letters.empty())
            return;
        const channel *dl = nullptr;
        for (const channel &o : a.channels)
            if (o.name == c.dead_letters)
                dl = &o;
        if (!dl)
            d.error(c.keys.of(c.at, "dead_letters"), "channel '" + c.name + "': dead_letters names no channel '" +
                              c.dead_letters + "'");
        else if (dl == &c || dl->from != c.to)
            d.error(c.keys.of(c.at, "dead_letters"), "channel '" + c.name + "': dead_letters '" + c.dead_letters +
                              "' must be a channel from '" + c.to + "' (the actor whose failures "
                              "take the message off), not from '" + dl->from + "'");
        else if (dl->type != c.type)
            d.error(c.keys.of(c.at, "dead_letters"), "channel '" + c.name + "': dead_letters '" + c.dead_letters +
                              "' carries " + dl->type + ", not " + c.type);
        else if (dl->tx_bundle())
            d.error(c.keys.of(c.at, "dead_letters"), "channel '" + c.name + "': dead_letters '" + c.dead_letters +
                              "' is a bundle of lanes at '" + c.to + "'; use a single channel");
    }

    std::string known_actors() const
    {
        std::string s;
        for (auto &[n, x] : actors)
            s += (s.empty() ? " (actors: " : ", ") + n;
        return s.empty() ? " (no [[actor]] is declared)" : s + ")";
    }

    void check_budget()
    {
        uint64_t bytes = 0;
        for (const channel &c : a.channels)
            if (c.elem_size && c.capacity && c.capacity <= (1ull << 32) && c.n <= 1024) {
                uint64_t slots = 1; // a ring's slots: the power of two at or above its capacity
                while (slots < c.capacity)
                    slots <<= 1;
                bytes += c.elem_size * slots * c.n;
            }
        if (bytes > a.memory_limit_mb * (1ull << 20))
            d.error(a.at, "the channels need " + std::to_string(bytes >> 20) +
                              " MiB, over the budget of " + std::to_string(a.memory_limit_mb) +
                              " MiB: lower capacities or raise [app] memory_limit_mb");
    }

    // A cycle is allowed (a feedback loop): its closing channel becomes a feedback channel,
    // which its receiver's vote does not wait for (each vote waits for its inputs to close, and
    // around a loop they would wait for each other at every stop). Warned with the path.
    void check_cycles()
    {
        std::map<std::string, std::vector<channel *>> out;
        for (channel &c : a.channels)
            if (actors.count(c.from) && actors.count(c.to))
                out[c.from].push_back(&c);
        std::map<std::string, int> mark; // 0 new, 1 on the path, 2 done
        std::vector<std::string> path;
        std::function<void(const std::string &)> visit = [&](const std::string &n) {
            mark[n] = 1;
            path.push_back(n);
            for (channel *c : out[n]) {
                if (mark[c->to] == 1) {
                    c->feedback = true;
                    std::string loop;
                    bool on = false;
                    for (auto &p : path)
                        if (on || p == c->to) {
                            on = true;
                            loop += p + " -> ";
                        }
                    d.warn(c->at, "cycle " + loop + c->to + ": '" + c->name + "' is a feedback "
                                  "channel: " + c->to + "'s vote does not wait for it to close, "
                                  "and what it holds at the stop is not taken; a full channel "
                                  "on the loop can stall every actor of it");
                } else if (mark[c->to] == 0) {
                    visit(c->to);
                }
            }
            path.pop_back();
            mark[n] = 2;
        };
        for (const actor &x : a.actors)
            if (mark[x.name] == 0)
                visit(x.name);
    }
};

} // namespace

uint64_t fixed_type_size(const std::string &type)
{
    for (const fixed &f : fixed_types)
        if (type == f.name)
            return f.size;
    return 0;
}

uint64_t fnv1a64(const std::string &bytes)
{
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool diagnostics::has_errors() const
{
    for (const diagnostic &x : list)
        if (x.level == diagnostic::error)
            return true;
    return false;
}

std::string diagnostics::format() const
{
    std::ostringstream o;
    for (const diagnostic &x : list) {
        o << x.at.file;
        if (x.at.line)
            o << ':' << x.at.line;
        o << (x.level == diagnostic::error ? ": error: " : ": warning: ") << x.text << '\n';
    }
    return o.str();
}

bool check(app &a, diagnostics &d)
{
    size_t before = d.list.size();
    name_ok(d, a.keys.of(a.at, "name"), "app", a.name);
    for (char ch : a.summary)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
            d.error(a.keys.of(a.at, "summary"), "[app] summary is one line of text: no line breaks or control "
                          "characters");
            break;
        }
    if (a.memory_limit_mb == 0 || a.memory_limit_mb > (1u << 20))
        d.error(a.keys.of(a.at, "memory_limit_mb"), "[app] memory_limit_mb must be 1..1048576");
    if (a.actors.empty())
        d.error(a.at, "the description has no [[actor]]");
    const telemetry &t = a.telemetry;
    if (t.on && t.port > 65535)
        d.error(t.keys.of(t.at, "port"), "[telemetry] port must be 0..65535 (0: 9900, or the next free port)");
    if (t.on && t.frame_ms && (t.frame_ms < 10 || t.frame_ms > 60000))
        d.error(t.keys.of(t.at, "frame_ms"), "[telemetry] frame_ms must be 10..60000 (or 0: 100)");
    if (t.on && (t.addr.empty() || t.addr.find_first_of("\"\\ \n") != std::string::npos))
        d.error(t.keys.of(t.at, "addr"), "[telemetry] addr must be an address such as \"127.0.0.1\"");
    checker c{a, d, {}, {}};
    c.check_types();
    c.check_actors();
    c.check_channels();
    c.check_budget();
    c.check_cycles();
    for (size_t i = before; i < d.list.size(); i++)
        if (d.list[i].level == diagnostic::error)
            return false;
    return true;
}

} // namespace steady_new
