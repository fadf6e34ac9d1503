/* bridge/nats_impl.h — what the core NATS (nats.c) and JetStream (jetstream.c) bridges share
 * (nats_conn.c): the connection's callback context and its options. Private to libsteady-bridge. */
#ifndef STEADY_BRIDGE_NATS_IMPL_H
#define STEADY_BRIDGE_NATS_IMPL_H

#include <nats/nats.h>

#include "bridge_impl.h"

/* The closure of a connection's callbacks. libnats keeps it until the connection's closed
 * callback, which it runs on its own thread, possibly after natsConnection_Destroy returned:
 * later than the actor's generation, after the graph freed the bridge record. So the record is
 * reached only under the lock, while the actor still holds the connection (steady__nats_enter),
 * and the context is freed by the last of the closed callback and the actor's own release. */
typedef struct conn_ctx {
    pthread_mutex_t mu;
    bridge *b;  /* NULL once the actor let the connection go */
    int refs;   /* the actor's (until its close and destroy returned) and the closed callback's */
    void *user; /* the transport's own state for its callbacks (jetstream.c) */
} conn_ctx;

/* A context holding both references, or NULL (out of memory, logged). */
conn_ctx *steady__nats_ctx_new(bridge *b);
/* Frees a context no connection ever took. */
void steady__nats_ctx_free(conn_ctx *c);
/* The record, locked: NULL (and unlocked) when the actor has let the connection go. */
bridge *steady__nats_enter(conn_ctx *c);
void steady__nats_leave(conn_ctx *c);
/* No callback reaches the record after this returns. */
void steady__nats_forget(conn_ctx *c);
/* Drops one reference; the last frees the context. */
void steady__nats_release(conn_ctx *c);

/* Sets the options every bridge connection shares: the URI's server, credentials and TLS,
 * the connect timeout, socket buffers, reconnects forever with backoff and jitter, and the
 * callbacks that keep b's connected / reconnects current and log the changes. */
natsStatus steady__nats_options(bridge *b, conn_ctx *c, natsOptions *o);
/* Connects with o (retrying in the background when no server answers yet): the connection, or
 * NULL with the reason logged. */
natsConnection *steady__nats_connect(bridge *b, conn_ctx *c, natsOptions *o);

/* Network time is real time, whatever clock the graph runs on. */
uint64_t steady__nats_mono(void);

/* Checks message m as the ingress's next frame (steady__bridge_accept): false when refused
 * (m left to the caller), else h holds m. */
static inline bool steady__nats_accept(bridge *b, natsMsg *m, held *h)
{
    if (!steady__bridge_accept(b, natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), h))
        return false;
    h->msg = m;
    return true;
}

#endif
