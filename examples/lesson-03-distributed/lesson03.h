/* lesson03.h — lesson 03: one pipeline split into two pods, two programs joined by a bridge.
 *
 *   lesson-03-publish:    heartbeat --beats--> generator --values--> [egress | shm end]
 *   lesson-03-subscribe:  [ingress | shm end] --values--> worker --fizzbuzz--> logger
 *
 * The values are 0, 1, 2, ... and each value is its own sequence number, so the subscriber
 * audits the stream: a value lower than the next expected was applied already (dropped, counted
 * as a repeat), a higher one means values were lost (counted as a gap). */
#ifndef LESSON03_H
#define LESSON03_H

#include <stdbool.h>
#include <stdint.h>

#include <steady/bridge.h>
#include <steady/steady.h>

/* What the worker makes of a value: FizzBuzz for multiples of 15, Fizz of 3, Buzz of 5. */
typedef enum fizzbuzz_kind { FB_VALUE = 0, FB_FIZZ, FB_BUZZ, FB_FIZZBUZZ } fizzbuzz_kind;

typedef struct fizzbuzz_msg {
    uint64_t value;
    uint32_t kind; /* fizzbuzz_kind */
} fizzbuzz_msg;

static inline fizzbuzz_msg fizzbuzz_of(uint64_t v)
{
    fizzbuzz_msg m = {v, v % 15 == 0  ? FB_FIZZBUZZ
                         : v % 3 == 0 ? FB_FIZZ
                         : v % 5 == 0 ? FB_BUZZ
                                      : FB_VALUE};
    return m;
}

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_CHANNEL_TYPE(fbch, fizzbuzz_msg);

/* The fingerprint of the values crossing (u64 sequence numbers): both pods give it, so a pod
 * of another program on the subject is refused, never misread. */
#define LESSON03_TYPE_ID UINT64_C(0x4c33d15702f1e5a1)

/* What a pod is told on its command line (both pods take the transport options). */
typedef struct lesson03_args {
    const char *transport; /* shm, nats, nats-js, mqtt */
    const char *url;       /* the server (nats://HOST:PORT, mqtt://HOST:PORT) or the shm name */
    const char *subject;
    const char *stream;  /* nats-js */
    const char *state;   /* subscriber: its durable state file (nats-js) */
    uint64_t rate_ms;    /* publisher */
    uint64_t beats;      /* publisher */
    uint64_t batch;      /* publisher: values per beat */
    uint64_t capacity;   /* channel capacity */
    uint64_t replicas;   /* nats-js: copies of the stream (3 in a cluster of three) */
    uint64_t qos;        /* mqtt: 0, 1 or 2 */
    const char *session; /* mqtt, subscriber: its persistent session ("" or NULL: none) */
} lesson03_args;

/* The transport options both pods take (lesson_text_opt entries; lesson_cli.h). */
/* clang-format off */
#define LESSON03_TRANSPORT_OPTS(args)                                                       \
    {"transport", 't', "NAME", "shm, nats, nats-js or mqtt", &(args).transport},            \
    {"url", 'u', "URL", "nats://HOST:PORT (127.0.0.1:4222), mqtt://HOST:PORT "               \
     "(127.0.0.1:1883), or the shm name (lesson-03)", &(args).url},                         \
    {"subject", 0, "SUBJECT", "the NATS subject or MQTT topic", &(args).subject},           \
    {"stream", 0, "STREAM", "the JetStream stream (nats-js)", &(args).stream}

/* The numeric option both pods take for MQTT (a lesson_opt entry). */
#define LESSON03_QOS_OPT(args)                                                              \
    {"qos", 0, "N", "MQTT quality of service, 0 to 2 (mqtt)", &(args).qos, 0, 2}
/* clang-format on */

/* The defaults of both pods, and their shared options for lesson_cli (lesson03.c). */
void lesson03_defaults(lesson03_args *a);

/* The bridge URI for the transport, or for shm the mapping's name ("/NAME"), into dst. false
 * (the reason printed to stderr) when the transport is unknown or not built. */
bool lesson03_endpoint(const lesson03_args *a, char *dst, size_t cap);

/* A pod's own part of running: build its graph (where: the endpoint), say what runs, and
 * what to do once the graph runs (NULL: nothing). */
typedef struct lesson03_pod {
    const char *name; /* the program, for messages; also the graph's name */
    steady_err (*build)(steady_graph *g, void *pod, const char *where);
    void (*announce)(void *pod, const char *where);
    void (*started)(void *pod);
    void *pod;
} lesson03_pod;

struct lesson_telemetry_args;
/* Builds and runs the pod until its graph stops, its dashboard as the flags say. The exit
 * status: 0 a clean stop, 1 a failure, 2 refused (a bad argument; the detail printed). */
int lesson03_run_pod(const lesson03_pod *p, const char *where,
                     const struct lesson_telemetry_args *tele);

#endif
