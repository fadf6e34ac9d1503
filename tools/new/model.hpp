// model.hpp — steady-new's model of an application: what a description (TOML or annotated DOT)
// says, with the place in the file each item came from, and the diagnostics found on the way.
// The readers fill it; check() validates it; nothing is written until it holds no error.
#ifndef STEADY_NEW_MODEL_HPP
#define STEADY_NEW_MODEL_HPP

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace steady_new {

// A place in the description: its file and 1-based line (0: the file as a whole).
struct where {
    std::string file;
    unsigned line = 0;
};

// The line each key of a table was written on (TOML; a DOT description leaves it empty), so
// that an error about a value points at the value, not at the table's header.
struct key_lines {
    std::map<std::string, unsigned> line;
    // Where `key` was written in the table at `table`; the table itself when it was not.
    where of(const where &table, const std::string &key) const
    {
        auto k = line.find(key);
        return k == line.end() ? table : where{table.file, k->second};
    }
};

struct diagnostic {
    enum kind { error, warning } level;
    where at;
    std::string text; // what is wrong and how to fix it
};

struct diagnostics {
    std::vector<diagnostic> list;
    void error(const where &at, const std::string &text)
    {
        list.push_back({diagnostic::error, at, text});
    }
    void warn(const where &at, const std::string &text)
    {
        list.push_back({diagnostic::warning, at, text});
    }
    bool has_errors() const;
    std::string format() const; // "file:line: error: text\n" per entry, in order
};

// A field of a message or state struct: "uint64_t value" or "uint8_t bytes[16]".
struct field {
    std::string type, name;
    uint64_t count = 0; // array length; 0: not an array
    where at;
};

struct msg_type {
    std::string name;
    std::vector<field> fields;
    where at;
    uint64_t size = 0, align = 1; // C's sizeof / _Alignof, by check()
};

enum class placement { solo, troupe, isolated };
enum class restart_kind { transient, permanent, temporary };

struct actor {
    std::string name;
    placement place = placement::solo;
    std::string troupe;         // placement troupe: the troupe's name
    uint64_t period_ms = 1000;  // an actor with no input: one message on each output per period
    restart_kind restart = restart_kind::transient;
    uint64_t max_restarts = 10; // within period: the graph's default policy's values
    uint64_t restart_period_ms = 10000;
    uint64_t backoff_floor_ms = 1, backoff_ceiling_ms = 1000; // before each restart of a streak
    bool escalate_stop_actor = false; // past max_restarts: stop the actor (true) or the graph
    std::vector<field> state; // the state block's fields (none: no state block)
    bool durable = false;     // the state block is saved to <state_dir>/<name>.state
    uint64_t state_id = 0;    // by check(): the state block's layout fingerprint (durable files)
    uint64_t count = 1;       // instances, labelled <name>-0 .. <name>-<count-1> when more than one
    where at;
    key_lines keys;
};

// How a channel joins its actors' instances (by check()): one channel (plain); count
// channels, instance i to instance i (pairwise: both actors have that count); one bundle of
// `lanes` lanes between two single actors (lanes); or a bundle whose lanes go one to each
// instance of the receiver (fan_out) or come one from each instance of the sender (fan_in).
enum class shape { plain, pairwise, lanes, fan_out, fan_in };

struct channel {
    std::string name, from, to, type;
    uint64_t capacity = 64;
    // A transport URI (steady/bridge_uri.h): the end bound to no actor lives in another pod,
    // over shm (the ring itself) or a bridge actor (nats, nats+js, mqtt). "": both ends here.
    std::string bridge;
    // Failed generations of the receiving actor dying on one head message before the supervisor
    // takes it off (0: never), and the channel it goes to then ("": it is dropped).
    uint64_t showstopper = 0;
    std::string dead_letters;
    uint64_t lanes = 0; // a bundle of this many lanes (0: as the actors' counts make it)
    where at;
    key_lines keys;
    shape form = shape::plain; // by check()
    uint64_t n = 1;                         // by check(): channels, or lanes of the bundle
    uint64_t elem_size = 0; // by check()
    uint64_t type_id = 0;   // by check(): the element type's fingerprint (bridges check it)
    // By check(): the channel closes a cycle (a back edge of the graph). Its receiver's vote does
    // not wait for it to close, since its sender closes it only after that vote.
    bool feedback = false;
    bool egress() const { return !bridge.empty() && to.empty(); }
    bool ingress() const { return !bridge.empty() && from.empty(); }
    // Whether the sending (receiving) actor holds this channel as a bundle end.
    bool tx_bundle() const { return form == shape::lanes || form == shape::fan_out; }
    bool rx_bundle() const { return form == shape::lanes || form == shape::fan_in; }
};

// [telemetry]: the program serves its graph's dashboard, metrics, DOT and JSON over HTTP
// (libsteady-telemetry, steady/telemetry.h).
struct telemetry {
    bool on = false;                // the table is there
    uint64_t port = 0;              // 0: 9900, or the next free one
    std::string addr = "127.0.0.1"; // the address it binds
    uint64_t frame_ms = 0;          // the sampling period (0: the library's 100)
    where at;
    key_lines keys;
};

struct app {
    std::string name;    // C identifier: the program and the prefix of generated names
    std::string summary; // one line for --help and the README
    uint64_t memory_limit_mb = 1024; // the channels' rings together must fit
    where at;
    key_lines keys;
    std::vector<msg_type> types;
    std::vector<actor> actors;
    std::vector<channel> channels;
    steady_new::telemetry telemetry;
    std::string source_text; // the description's bytes (its hash is checked at start)
    std::string source_path;
};

// The C type a channel or field names: a fixed type's size, or 0 when it is none of them.
uint64_t fixed_type_size(const std::string &type);

// Reads a description from text (file: its name for the messages). False when it could not be
// read as one (the reasons are in d); the model holds what was read.
bool read_toml(const std::string &text, const std::string &file, app &out, diagnostics &d);
bool read_dot(const std::string &text, const std::string &file, app &out, diagnostics &d);

// Validates the model (names, ends, types, capacities, cycles, the memory budget) and fills in
// sizes. False when there is an error.
bool check(app &a, diagnostics &d);

// The model as a TOML description (after check(): every channel has its name).
std::string write_toml(const app &a);

// Why uri is not a transport URI a channel can use ("" when it is one): parsed by
// libsteady-bridge's steady_uri_parse when steady-new is built with it, else by scheme only. A
// wildcard subject or topic is refused for a sending end (egress).
std::string bad_uri(const std::string &uri, bool egress);

// 64-bit FNV-1a of bytes: the description's hash the generated program compares at start.
uint64_t fnv1a64(const std::string &bytes);

} // namespace steady_new

#endif
