/* bridge/bridge_impl.h — the bridge actors' record (bridge.c), what every transport does with
 * frames (carry.c), and the transports that run them (nats.c, jetstream.c, mqtt.c). Private to
 * libsteady-bridge. */
#ifndef STEADY_BRIDGE_IMPL_H
#define STEADY_BRIDGE_IMPL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <steady/bridge.h>
#include <steady/bridge_uri.h>
#include <steady/steady.h>

#define BRIDGE_MAGIC UINT64_C(0x5354445942524447) /* "STDYBRDG": a bridge's state block */
#define BRIDGE_FRAME_BYTES (64u * 1024u)          /* max_batch 0: frames up to this size */
#define BRIDGE_PATH_MAX 1024                      /* a TLS file's path, its NUL included */

/* One bridge actor: its state block (steady_actor_state), written by the building thread
 * before start, then by the actor; the counters are atomics that any thread may read. */
typedef struct bridge {
    uint64_t magic;
    bool egress;
    steady_uri uri;
    char text[2048]; /* the URI for log lines (the password left out) */
    uint64_t type_id;
    uint32_t max_batch; /* elements (a stream: messages) per frame at most */
    uint32_t elem_size; /* STEADY_FRAME_MESSAGES (0) for a stream's messages */
    size_t frame_cap;   /* bytes of the largest frame the egress sends */
    uint32_t connect_timeout_ms;
    steady_rx *from; /* egress (a stream: its lens channel, which counts the messages) */
    steady_tx *to;   /* ingress (likewise) */
    bool stream;     /* carries a stream's messages (steady/stream.h): srx / stx are its ends */
    steady_stream_rx srx;
    steady_stream_tx stx;
    steady_graph *graph;
    steady_actor *actor;    /* this bridge (its link's state is kept current: steady/link.h) */
    void *client;           /* the generation's natsConnection (nats.c), NULL between them */
    void *client_ctx;       /* the closure its callbacks get (nats.c conn_ctx) */
    void *client_sub;       /* the ingress's natsSubscription of that connection */
    void *client_end_sub;   /* in a queue group: its subscription to the end subject */
    pthread_t actor_thread; /* the thread running the generation */
    /* The client's socket as its event loop reports it (nats.c): written by the client's
     * threads (attach, reconnect), read by the actor. -1: none. */
    _Atomic int fd;
    _Atomic bool want_read, want_write;
    _Atomic bool connected, ready;
    _Atomic uint64_t frames, elems, next_seq, gaps, duplicates, dropped, reconnects;
    _Atomic uint64_t acked;     /* JetStream: elements acknowledged (egress: by the stream) */
    _Atomic uint64_t resent;    /* JetStream egress: frames published again */
    _Atomic uint64_t rewinds;   /* JetStream ingress: consumers made anew after a gap */
    _Atomic uint64_t confirmed; /* ingress with confirm: the application's steady_bridge_confirm */
    bool confirm;               /* ingress: acknowledge only what the application confirmed */
    char tls_ca[BRIDGE_PATH_MAX], tls_cert[BRIDGE_PATH_MAX], tls_key[BRIDGE_PATH_MAX];
    _Atomic uint64_t refused[STEADY_FRAME_FAULTS];
    bool seq_known; /* ingress: next_seq was set by a first frame */
    /* Ingress, its actor's thread only: the sequence number after the last frame accepted
     * (next_seq counts what was delivered; frames set aside lie between the two). Set to
     * next_seq at each generation's start (steady__bridge_ingress_begin). */
    uint64_t accepted;
} bridge;

/* Records whether the client is connected now, in the counters and the actor's link state.
 * Any thread. */
void steady__bridge_set_connected(bridge *b, bool up);

/* Egress (carry.c): writes up to max elements (a stream: messages) from `skip` past the
 * channel's front into payload, as a frame carries them, no more than frame_cap bytes with
 * the header (but always one when one is there); returns how many, with *bytes their payload
 * bytes. Called again with the same skip and count it writes the same payload (a frame sent
 * again). */
uint32_t steady__bridge_fill(bridge *b, size_t skip, size_t max, unsigned char *payload,
                             size_t *bytes);
/* Egress: takes n elements (a stream: messages and their bytes) from the channel's front. */
void steady__bridge_take(bridge *b, size_t n);

/* A received frame being delivered into the ingress's channel. */
typedef struct held {
    void *msg; /* what carries it (the transport's message), owned by the caller */
    steady_frame f;
    uint32_t done; /* elements of f already delivered or skipped */
    size_t at;     /* messages: the payload offset of the next one (steady_frame_message) */
} held;

/* An ingress generation starts: what an earlier one accepted and never delivered is gone. */
void steady__bridge_ingress_begin(bridge *b);

/* size zeroed bytes of a's arena, or NULL, logged ("out of memory"): the actor then fails. */
void *steady__bridge_alloc(steady_actor *a, const bridge *b, size_t size);
/* Registers fn(ctx) to run at the generation's end; when it cannot be (out of memory, logged),
 * runs it now and returns false: the actor then fails. */
bool steady__bridge_defer(steady_actor *a, const bridge *b, void (*fn)(void *), void *ctx);
/* Checks the len bytes at data as the ingress's next frame (carry.c): false when refused
 * (counted and logged). Else fills h->f (pointing into data) and h->done, with gaps counted and
 * repeats skipped; h->msg is the caller's. */
bool steady__bridge_accept(bridge *b, const void *data, size_t len, held *h);
/* Delivers what fits of h into the ingress's channel: true when all of it is (or its end
 * applied: *ended, the channel closed). */
bool steady__bridge_deliver(bridge *b, held *h, bool *ended);

/* The condition of room in the ingress's channel for h's next element (a stream: both of its
 * channels, for the next message). */
steady_cond steady__bridge_room(bridge *b, const held *h);

/* Tests only: core NATS egresses publish the end of their stream once, without repeats, so a
 * test can tell what reached a receiver by another path (a queue group's end subject). */
extern _Atomic bool steady__bridge_no_end_repeats;

/* The actors' run functions of core NATS (nats.c). */
int steady__bridge_nats_egress(steady_actor *a, void *arg);
int steady__bridge_nats_ingress(steady_actor *a, void *arg);
/* ... of JetStream (jetstream.c). */
int steady__bridge_js_egress(steady_actor *a, void *arg);
int steady__bridge_js_ingress(steady_actor *a, void *arg);
/* ... and of MQTT (mqtt.c). */
int steady__bridge_mqtt_egress(steady_actor *a, void *arg);
int steady__bridge_mqtt_ingress(steady_actor *a, void *arg);

#endif
