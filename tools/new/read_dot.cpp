// read_dot.cpp — the original Steady State's annotated Graphviz DOT (cargo-steady-state's input)
// into the model, parsed by Graphviz's cgraph (libgraphviz-dev). What it understands:
//   nodes: the id is the actor (CamelCase, made snake_case: HeartBeat -> heart_beat); ids
//     starting with "__" are notes, ignored with their edges; in the label, AtMostEvery(Nms) or
//     AtLeastEvery(Nms) set the actor's period (ms, s, sec units); mod::, OnEvent(...),
//     OnCapacity(...) and Other(...) are the original's code hints, read and not needed here;
//   edges: in the label, name::channel (default <from>_to_<to>), <Type> (a Rust primitive such
//     as u64, or a message name, made a [[type]] with one field "uint64_t value" for the user to
//     fill in), #capacity (default 64); >>Take, >>TakeCopy, >>PeekCopy are read and not needed.
// Several edges of one name between the same actors, of one type and capacity (the original's
// bundles), are one channel with that many lanes. cgraph keeps no line numbers: messages name
// the node or edge.
#include <cctype>
#include <cstring>
#include <map>
#include <string>

#include <graphviz/cgraph.h>

#include "model.hpp"

namespace steady_new {
namespace {

std::string cgraph_errors; // cgraph reports through a global callback: one parse at a time

int collect(char *msg)
{
    cgraph_errors += msg;
    return 0;
}

std::string snake(const std::string &id)
{
    std::string out;
    for (size_t i = 0; i < id.size(); i++) {
        unsigned char c = static_cast<unsigned char>(id[i]);
        bool upper = std::isupper(c);
        if (upper && i > 0 && (std::islower(static_cast<unsigned char>(id[i - 1])) ||
                               std::isdigit(static_cast<unsigned char>(id[i - 1]))))
            out += '_';
        out += upper ? static_cast<char>(std::tolower(c)) : static_cast<char>(c);
    }
    return out;
}

// The annotations are scanned by hand, not with std::regex: its matcher recurses per character
// (a long label would overflow the stack) and GCC 12 warns inside it under ASan.
bool is_ident(char c, bool first)
{
    unsigned char u = static_cast<unsigned char>(c);
    return std::isalpha(u) || c == '_' || (!first && std::isdigit(u));
}

size_t skip_spaces(const std::string &s, size_t i)
{
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

// The identifier at i (empty when none); i moves past it.
std::string ident_at(const std::string &s, size_t &i)
{
    size_t b = i;
    while (i < s.size() && is_ident(s[i], i == b))
        i++;
    return s.substr(b, i - b);
}

// Up to max_digits digits at i (empty when none, or more than max_digits); i moves past them.
std::string digits_at(const std::string &s, size_t &i, size_t max_digits)
{
    size_t b = i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
        i++;
    return i - b > max_digits ? "" : s.substr(b, i - b);
}

// The identifier after the first `prefix` in s ("name::x" -> "x"), or "".
std::string after(const std::string &s, const std::string &prefix)
{
    size_t i = s.find(prefix);
    if (i == std::string::npos)
        return "";
    i += prefix.size();
    return ident_at(s, i);
}

// "<Type>": the first '<' followed by an identifier and '>'.
std::string angle_type(const std::string &s)
{
    for (size_t i = s.find('<'); i != std::string::npos; i = s.find('<', i)) {
        size_t j = skip_spaces(s, i + 1);
        std::string t = ident_at(s, j);
        j = skip_spaces(s, j);
        if (!t.empty() && j < s.size() && s[j] == '>')
            return t;
        i++;
    }
    return "";
}

// "#64": the digits after the first '#' that has any; 0 when none.
uint64_t hash_number(const std::string &s, bool &found)
{
    for (size_t i = s.find('#'); i != std::string::npos; i = s.find('#', i + 1)) {
        size_t j = skip_spaces(s, i + 1);
        std::string n = digits_at(s, j, 10);
        if (!n.empty()) {
            found = true;
            return std::stoull(n);
        }
    }
    return 0;
}

std::string attr(void *obj, const char *name)
{
    char *v = agget(obj, const_cast<char *>(name));
    return v ? v : "";
}

const char *rust_type(const std::string &t)
{
    static const std::map<std::string, const char *> m = {
        {"u8", "uint8_t"},   {"u16", "uint16_t"}, {"u32", "uint32_t"}, {"u64", "uint64_t"},
        {"i8", "int8_t"},    {"i16", "int16_t"},  {"i32", "int32_t"},  {"i64", "int64_t"},
        {"f32", "float"},    {"f64", "double"},   {"bool", "bool"},    {"usize", "uint64_t"},
        {"isize", "int64_t"}};
    auto it = m.find(t);
    return it == m.end() ? nullptr : it->second;
}

// AtMostEvery(100ms) / AtLeastEvery(2sec): the period in ms, or 0 when the label has none.
uint64_t period_of(const std::string &label, const where &at, diagnostics &d)
{
    for (const char *driver : {"AtMostEvery(", "AtLeastEvery("}) {
        size_t i = label.find(driver);
        if (i == std::string::npos)
            continue;
        size_t j = skip_spaces(label, i + std::strlen(driver));
        std::string n = digits_at(label, j, 9);
        size_t u = skip_spaces(label, j);
        std::string unit = ident_at(label, u);
        u = skip_spaces(label, u);
        bool ok = !n.empty() && u < label.size() && label[u] == ')' &&
                  (unit.empty() || unit == "ms" || unit == "s" || unit == "sec" || unit == "secs");
        if (!ok) {
            d.error(at, std::string("'") + driver + "...)' is not a period such as " + driver +
                            "100ms)");
            return 0;
        }
        if (unit.empty())
            d.warn(at, std::string(driver) + n + ") has no unit: read as milliseconds");
        return unit.empty() || unit == "ms" ? std::stoull(n) : std::stoull(n) * 1000;
    }
    return 0;
}

void read_node(Agnode_t *n, const std::string &file, app &a, diagnostics &d)
{
    std::string id = agnameof(n);
    actor x;
    x.at = {file, 0};
    x.name = snake(id);
    uint64_t p = period_of(attr(n, "label"), x.at, d);
    if (p)
        x.period_ms = p;
    a.actors.push_back(x);
}

void read_edge(Agedge_t *e, const std::string &file, app &a, diagnostics &d)
{
    std::string from = snake(agnameof(agtail(e))), to = snake(agnameof(aghead(e)));
    std::string label = attr(e, "label");
    channel c;
    c.at = {file, 0};
    c.from = from;
    c.to = to;
    std::string name = after(label, "name::"), type = angle_type(label);
    if (!name.empty())
        c.name = snake(name);
    if (type.empty())
        type = from + "_to_" + to + "_msg"; // the original's From<A>To<B>
    if (const char *fixed = rust_type(type)) {
        c.type = fixed;
    } else {
        c.type = snake(type);
        bool known = false;
        for (const msg_type &t : a.types)
            known = known || t.name == c.type;
        if (!known) {
            msg_type t;
            t.name = c.type;
            t.at = c.at;
            t.fields.push_back({"uint64_t", "value", 0, c.at});
            a.types.push_back(t);
            d.warn(c.at, "message " + type + " became type '" + c.type +
                             "' with one field uint64_t value: give it its fields");
        }
    }
    bool has_capacity = false;
    uint64_t capacity = hash_number(label, has_capacity);
    if (has_capacity)
        c.capacity = capacity;
    a.channels.push_back(c);
}

bool is_note(void *obj)
{
    return std::string(agnameof(obj)).rfind("__", 0) == 0;
}

} // namespace

// The original's bundles: parallel edges of one name become one channel of as many lanes.
static void merge_bundles(app &a)
{
    auto key = [](const channel &c) { return c.name.empty() ? c.from + "_to_" + c.to : c.name; };
    std::vector<channel> merged;
    for (const channel &c : a.channels) {
        channel *same = nullptr;
        for (channel &m : merged)
            if (key(m) == key(c) && m.from == c.from && m.to == c.to && m.type == c.type &&
                m.capacity == c.capacity)
                same = &m;
        if (same)
            same->lanes = (same->lanes ? same->lanes : 1) + 1;
        else
            merged.push_back(c);
    }
    a.channels = merged;
}

bool read_dot(const std::string &text, const std::string &file, app &out, diagnostics &d)
{
    cgraph_errors.clear();
    agusererrf previous = agseterrf(collect);
    Agraph_t *g = agmemread(text.c_str());
    agseterrf(previous);
    if (!g || text.find('\0') != std::string::npos) {
        std::string why = cgraph_errors.empty() ? "not a graph" : cgraph_errors;
        while (!why.empty() && (why.back() == '\n' || why.back() == ' '))
            why.pop_back();
        if (why.rfind("Error: ", 0) == 0)
            why.erase(0, 7);
        unsigned line = 0;
        size_t at = why.find("in line ");
        if (at != std::string::npos) {
            at += 8;
            std::string n = digits_at(why, at, 9);
            line = n.empty() ? 0 : static_cast<unsigned>(std::stoul(n));
        }
        d.error({file, line}, "not Graphviz DOT: " + why);
        if (g)
            agclose(g);
        return false;
    }
    if (!agisdirected(g)) {
        d.error({file, 0}, "an undirected graph: write digraph, each edge from the sending "
                           "actor to the receiving one (A -> B)");
        agclose(g);
        return false;
    }
    std::string base = file.substr(file.rfind('/') + 1);
    base = base.substr(0, base.find('.'));
    out.name = snake(agnameof(g));
    if (out.name.empty() || out.name.rfind("%", 0) == 0) // an anonymous graph: its file's name
        out.name = snake(base);
    for (char &c : out.name)
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    out.at = {file, 0};
    out.summary = "made from " + base + ".dot (the original's annotated DOT)";
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        if (!is_note(n))
            read_node(n, file, out, d);
    for (Agnode_t *n = agfstnode(g); n; n = agnxtnode(g, n))
        for (Agedge_t *e = agfstout(g, n); e; e = agnxtout(g, e))
            if (!is_note(agtail(e)) && !is_note(aghead(e)))
                read_edge(e, file, out, d);
    agclose(g);
    merge_bundles(out);
    out.source_text = text;
    out.source_path = file;
    return !d.has_errors();
}

} // namespace steady_new
