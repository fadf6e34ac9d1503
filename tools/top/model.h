/* model.h — one /snapshot.json frame as plain C structs: the only module that knows the schema.
 *
 * The document (schema version TOP_SCHEMA_VERSION; tests/telemetry/fixtures/snapshot.json is a
 * full example) is read tolerantly: a missing field, a null or a value of the wrong type leaves
 * the field "absent" (NAN for a number, NULL for a string, TOP_NO_ID for an id) and the view
 * prints "-". Only three things make a document unusable: it is not JSON, its top level is not
 * an object, or its "v" is missing or not TOP_SCHEMA_VERSION.
 *
 * Strings are copied and made safe to print: control characters (C0, DEL, C1, which could move
 * the cursor or change the terminal's state) and bidirectional overrides become '?'.
 */
#ifndef TOP_MODEL_H
#define TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOP_SCHEMA_VERSION 1
#define TOP_NO_ID INT64_C(-1)

typedef struct top_actor {
    int64_t id;                                             /* TOP_NO_ID when absent */
    char *label, *placement, *phase, *color, *last_failure; /* NULL when absent */
    char *lints; /* the lints joined with ",", NULL when there are none */
    double troupe, regeneration, failures, mcpu, load; /* NAN when absent; load in % */
    bool bottleneck;
    /* Its link to the outside (a bridge: steady/link.h); all NULL when it has none. */
    char *link_kind, *link_endpoint, *link_state;
} top_actor;

typedef struct top_channel {
    int64_t id, from, to; /* actor ids; TOP_NO_ID when absent (an endpoint outside the graph) */
    char *name, *color;
    double capacity, inflight, fill, rate, latency_s; /* fill 0..1, rate per second */
    double sent_total, taken_total;                   /* NAN when absent */
    bool backpressure;
} top_channel;

typedef struct top_actor_ref {
    int64_t id;
    size_t pos;
} top_actor_ref;

typedef struct top_snapshot {
    int64_t v;
    double seq, unix_ms, frame_ms, window_s, total_rate;
    char *graph_name, *graph_state;
    top_actor *actors;
    size_t n_actors;
    top_channel *channels;
    size_t n_channels;
    int64_t bottleneck_actor, bottleneck_channel; /* TOP_NO_ID when there is none */
    struct top_actor_ref *actor_index; /* (id, position) sorted by id; absent ids left out */
    size_t n_indexed;
} top_snapshot;

typedef enum top_parse_result {
    TOP_PARSE_OK = 0,
    TOP_PARSE_NOT_JSON,    /* not JSON, or its top level is not an object */
    TOP_PARSE_BAD_VERSION, /* "v" missing, or a version this program does not understand */
    TOP_PARSE_OUT_OF_MEMORY,
} top_parse_result;

/* Parses body[0..len) into *out (which the caller frees with top_snapshot_free, also after a
 * failure). On failure writes a one-line reason to err (e.g. "schema version 2; steady-top
 * understands version 1"). */
top_parse_result top_snapshot_parse(const char *body, size_t len, top_snapshot *out, char *err,
                                    size_t errlen);

/* Frees what *s owns and zeroes it. Idempotent. */
void top_snapshot_free(top_snapshot *s);

/* The actor with this id, or NULL (one of them when ids repeat). O(1) when ids are positions,
 * as the library serves them; O(log n) through actor_index otherwise. */
const top_actor *top_snapshot_actor(const top_snapshot *s, int64_t id);

/* A copy of src with control characters and bidirectional overrides replaced by '?'; src is
 * valid UTF-8 (jansson guarantees it). NULL when out of memory. Exposed for the tests. */
char *top_safe_strdup(const char *src);

#endif
