/* bridge/js_link.h — one generation's JetStream client (js_link.c), shared by the JetStream
 * bridge actors (jetstream.c) and the helper thread that makes its blocking calls. Private to
 * libsteady-bridge.
 *
 * JetStream's management calls (stream and consumer) and its pull (natsSubscription_Fetch) are
 * requests that block until the server replies. They never run on the actor's thread: the
 * link's helper thread makes them, on a connection served by libnats's own threads, and hands
 * results to the actor through an eventfd the actor waits on (STEADY_FD). Publishing
 * (js_PublishAsync) does not block and runs on the actor's thread.
 *
 * Lock order: the registry's lock, then a link's mu. No lock is held across a libnats call. */
#ifndef STEADY_BRIDGE_JS_LINK_H
#define STEADY_BRIDGE_JS_LINK_H

#include "nats_impl.h"

#define JS_WINDOW 32    /* egress: frames published and not yet acknowledged, at most */
#define JS_QUEUE 128    /* ingress: fetched frames waiting for the actor, at most */
#define JS_UNACKED 1024 /* ingress: frames delivered and not yet acknowledged (MaxAckPending) */
#define JS_FETCH_MAX 64 /* frames one fetch asks for, at most */

enum { JS_SENT, JS_ACKED, JS_FAILED };

/* A frame in flight (egress). */
typedef struct js_slot {
    uint64_t first;   /* its first sequence number */
    uint32_t count;   /* elements */
    bool end;         /* the end of the stream */
    uint8_t state;    /* JS_SENT, JS_ACKED, JS_FAILED */
    uint64_t sent_at; /* monotonic ns of its last publish */
    /* The frame before it in the stream (its id is the ExpectLastMsgId of this one); none for
     * a generation's first frame. */
    bool has_prev, prev_end;
    uint64_t prev_first;
    uint32_t prev_count;
} js_slot;

typedef struct js_link {
    uint64_t id; /* its key in the registry (the ack callback's closure) */
    struct js_link *next;
    bridge *b;
    conn_ctx *ctx;
    natsOptions *opts;
    /* Written by the helper before `ready`; read by the actor after it, and by close after
     * the join. */
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub;
    char durable[STEADY_URI_MAX];
    int efd; /* eventfd: helper and ack callback -> actor */
    pthread_t helper;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    /* Under mu. */
    bool stop, ready, broken;
    js_slot win[JS_WINDOW];
    js_slot last; /* the actor's: the frame published last, and whether there is one */
    bool has_last;
    uint64_t nonce; /* this generation's, in its message ids */
    unsigned w_head, w_len;
    int want, fetching; /* frames the helper may fetch next / is fetching now */
    uint64_t start;     /* the stream sequence number the consumer was made to start at */
    uint64_t rewind;    /* set by the actor: make the consumer anew from this (0: none) */
    natsMsg *q[JS_QUEUE];
    unsigned q_head, q_len;
} js_link;

/* Opens a link for b's generation and starts its helper, which connects, makes the stream
 * (and the ingress's consumer) and then, for an ingress, fetches what `want` allows. Closed by
 * an arena defer of a. NULL (logged) when it cannot start. */
js_link *steady__js_open(steady_actor *a, bridge *b);
/* Wakes the actor (the eventfd); any thread. */
void steady__js_notify(js_link *l);
/* Clears the eventfd after a wake; the actor. */
void steady__js_drain(js_link *l);
/* The ack callback for js_PublishAsync (jsOptions.PublishAsync.AckHandler). */
void steady__js_on_ack(jsCtx *js, natsMsg *msg, jsPubAck *pa, jsPubAckErr *pae, void *closure);

#endif
