/* bridge/nats.c — the core NATS bridge actors (steady/bridge.h), on libnats.
 *
 * The client runs on the actor's thread through libnats's external event loop: libnats tells
 * us (attach, read and write callbacks, possibly from its reconnect thread) which socket to
 * poll and for what; the actor waits on it with STEADY_FD beside its channel condition and
 * calls natsConnection_ProcessReadEvent / ProcessWriteEvent when it is ready. A socket swapped
 * by a reconnect is picked up at the next wake: the attach callback pokes the graph, and every
 * wait is bounded by a 100 ms period anyway.
 *
 * Ownership: the connection and subscription belong to one generation of the actor; they are
 * destroyed by an arena defer, so a failed generation (a panic) leaks neither. The frame buffer
 * is the generation's arena memory.
 */
#include "nats_impl.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#define PERIOD_NS STEADY_MS(100)
#define OUT_BUFFERED (256 * 1024) /* bytes the egress lets its client hold unwritten */
#define READS_PER_WAKE 16         /* reads the ingress makes while its socket stays readable */

/* ---- the client's event loop callbacks (libnats's threads, or the actor's own) ---- */

#define enter steady__nats_enter
#define leave steady__nats_leave

static natsStatus ev_attach(void **user, void *loop, natsConnection *nc, natsSock sock)
{
    (void)nc;
    conn_ctx *c = loop;
    *user = c;
    bridge *b = enter(c);
    if (b) {
        atomic_store(&b->fd, (int)sock);
        atomic_store(&b->want_read, true);
        steady_graph_poke(b->graph); /* a wait on the old socket sees the new one */
        leave(c);
    }
    return NATS_OK;
}

static natsStatus ev_read(void *user, bool add)
{
    bridge *b = enter(user);
    if (b) {
        atomic_store(&b->want_read, add);
        leave(user);
    }
    return NATS_OK;
}

static natsStatus ev_write(void *user, bool add)
{
    bridge *b = enter(user);
    if (b) {
        bool was = atomic_exchange(&b->want_write, add);
        if (add && !was && !pthread_equal(pthread_self(), b->actor_thread))
            steady_graph_poke(b->graph); /* another thread's data: wake the actor to write it */
        leave(user);
    }
    return NATS_OK;
}

static natsStatus ev_detach(void *user)
{
    bridge *b = enter(user);
    if (b) {
        atomic_store(&b->fd, -1);
        leave(user);
    }
    return NATS_OK;
}

/* ---- connecting ---- */

static void destroy_conn(void *p)
{
    bridge *b = p;
    conn_ctx *c = b->client_ctx;
    steady__nats_forget(c); /* no callback reaches the record from here on */
    /* Closed before its subscription goes: destroying a subscription of an open connection
     * queues an UNSUB that only this actor's loop could write, and the close waited 500 ms
     * for it. */
    natsConnection_Close(b->client);
    if (b->client_sub)
        natsSubscription_Destroy(b->client_sub);
    if (b->client_end_sub)
        natsSubscription_Destroy(b->client_end_sub);
    b->client_sub = b->client_end_sub = NULL;
    natsConnection_Destroy(b->client);
    steady__nats_release(c); /* no event loop callback after the close returned */
    b->client = NULL;
    b->client_ctx = NULL;
    steady__bridge_set_connected(b, false);
    atomic_store(&b->ready, false);
    atomic_store(&b->fd, -1);
}

static void destroy_opts(void *p)
{
    natsOptions_Destroy(p);
}

/* A connection that retries in the background (so either pod may start first), or NULL with
 * the actor failed by the caller. */
static natsConnection *connect_nats(steady_actor *a, bridge *b)
{
    natsOptions *o = NULL;
    conn_ctx *c = steady__nats_ctx_new(b);
    if (!c)
        return NULL;
    b->actor_thread = pthread_self();
    natsStatus s = natsOptions_Create(&o);
    if (s == NATS_OK && !steady__bridge_defer(a, b, destroy_opts, o)) {
        steady__nats_ctx_free(c);
        return NULL;
    }
    if (s == NATS_OK)
        s = steady__nats_options(b, c, o);
    if (s == NATS_OK)
        s = natsOptions_SetEventLoop(o, c, ev_attach, ev_read, ev_write, ev_detach);
    natsConnection *nc = s == NATS_OK ? steady__nats_connect(b, c, o) : NULL;
    if (!nc) {
        if (s != NATS_OK)
            STEADY_ERROR("bridge %s: cannot set up its NATS client: %s", b->text,
                         nats_GetLastError(&s));
        steady__nats_ctx_free(c); /* no connection: libnats holds no reference to it */
        return NULL;
    }
    b->client = nc;
    b->client_ctx = c;
    return steady__bridge_defer(a, b, destroy_conn, b) ? nc : NULL;
}

/* Runs the client's read and write events that are due now (poll with no wait). */
static void service(bridge *b, natsConnection *nc)
{
    int fd = atomic_load(&b->fd);
    if (fd < 0)
        return;
    short ev = (short)((atomic_load(&b->want_read) ? POLLIN : 0) |
                       (atomic_load(&b->want_write) ? POLLOUT : 0));
    struct pollfd p = {.fd = fd, .events = ev};
    if (!ev || poll(&p, 1, 0) <= 0)
        return;
    /* Read while the socket stays readable (bounded): one wake, not one per buffer. */
    for (int i = 0; i < READS_PER_WAKE && (p.revents & (POLLIN | POLLERR | POLLHUP)); i++) {
        natsConnection_ProcessReadEvent(nc);
        if (p.revents & (POLLERR | POLLHUP) || atomic_load(&b->fd) != fd ||
            poll(&(struct pollfd){.fd = fd, .events = POLLIN}, 1, 0) <= 0)
            break;
    }
    if ((p.revents & POLLOUT) && atomic_load(&b->want_write))
        natsConnection_ProcessWriteEvent(nc);
}

/* The socket condition for a wait: what the client wants polled, or a plain period when it
 * has no socket (connecting). */
static steady_cond socket_cond(bridge *b)
{
    int fd = atomic_load(&b->fd);
    unsigned ev = (atomic_load(&b->want_read) ? STEADY_FD_READABLE : 0u) |
                  (atomic_load(&b->want_write) ? STEADY_FD_WRITABLE : 0u);
    return fd >= 0 && ev ? STEADY_FD(fd, (steady_fd_events)ev) : STEADY_PERIODIC(PERIOD_NS);
}

/* The subject every member of a queue group also subscribes to, without the group: the end of
 * a stream must reach each of them, and a queue subscription gives each frame to one. */
static void end_subject(char *dst, size_t cap, const char *subject)
{
    snprintf(dst, cap, "_STEADY.END.%s", subject);
}

/* ---- egress ---- */

/* Everything handed to the client has been written to a server. */
static bool flushed(natsConnection *nc)
{
    return natsConnection_Status(nc) == NATS_CONN_STATUS_CONNECTED &&
           natsConnection_Buffered(nc) == 0;
}

/* Publishes up to max_batch elements (or the end of the stream) as one frame: true when the
 * client took it (then they leave the channel), false when it cannot now (no room, lost
 * server: the elements stay). */
static bool publish_batch(bridge *b, natsConnection *nc, unsigned char *buf, bool *ended)
{
    steady_rx *from = b->from;
    size_t bytes;
    uint32_t n = steady__bridge_fill(b, 0, b->max_batch, buf + STEADY_FRAME_HEADER, &bytes);
    if (n == 0 && !steady_rx_is_closed_and_empty(from))
        return false;
    steady_frame f = {.elem_size = b->elem_size,
                      .count = n,
                      .first_seq = steady_channel_taken_total(steady_rx_channel(from)),
                      .type_id = b->type_id,
                      .flags = n ? 0 : STEADY_FRAME_END,
                      .elems = buf + STEADY_FRAME_HEADER,
                      .bytes = bytes};
    size_t len = steady_frame_encode(buf, b->frame_cap, &f);
    if (natsConnection_Publish(nc, b->uri.subject, buf, (int)len) != NATS_OK)
        return false;
    if (n == 0) { /* the end, also to every member of a queue group */
        char subj[STEADY_URI_MAX + 16];
        end_subject(subj, sizeof subj, b->uri.subject);
        (void)natsConnection_Publish(nc, subj, buf, (int)len);
    }
    steady__bridge_take(b, n);
    atomic_fetch_add(&b->frames, 1);
    atomic_fetch_add(&b->elems, n);
    atomic_store(&b->next_seq, f.first_seq + n);
    *ended = n == 0;
    return true;
}

/* The end of the stream, published again every END_REPEAT_NS for END_LINGER_NS: core NATS may
 * lose any one frame (a subscriber reconnecting at that moment), and a lost end would leave
 * the receiving pod waiting. Repeats are harmless: an ingress ends at the first. */
#define END_REPEAT_NS STEADY_MS(100)
#define END_LINGER_NS STEADY_SEC(1)

#define mono steady__nats_mono

_Atomic bool steady__bridge_no_end_repeats;

/* The egress's shutdown vote (its name is what an unclean stop reports): the end crossed,
 * lingered, and the client wrote everything out. */
static bool stream_end_written(natsConnection *nc, bool ended, uint64_t ended_at)
{
    return ended && mono() - ended_at >= END_LINGER_NS && flushed(nc);
}

static void repeat_end(bridge *b, natsConnection *nc, unsigned char *buf)
{
    steady_frame f = {.elem_size = b->elem_size,
                      .first_seq = atomic_load(&b->next_seq),
                      .type_id = b->type_id,
                      .flags = STEADY_FRAME_END};
    size_t len = steady_frame_encode(buf, STEADY_FRAME_HEADER, &f);
    char subj[STEADY_URI_MAX + 16];
    end_subject(subj, sizeof subj, b->uri.subject);
    (void)natsConnection_Publish(nc, b->uri.subject, buf, (int)len); /* repeats: not counted */
    (void)natsConnection_Publish(nc, subj, buf, (int)len);
}

int steady__bridge_nats_egress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    natsConnection *nc = connect_nats(a, b);
    if (!nc)
        return 1;
    atomic_store(&b->ready, true);
    unsigned char *buf = steady__bridge_alloc(a, b, b->frame_cap);
    if (!buf)
        return 1;
    bool ended = false;
    uint64_t ended_at = 0, repeated_at = 0;
    /* Done once the end crossed, lingered, and the client wrote everything out. */
    while (STEADY_RUNNING(a, STEADY_I(stream_end_written(nc, ended, ended_at)))) {
        service(b, nc);
        if (!ended) {
            /* Only while the client's buffer is short: a write the socket takes in part makes
             * libnats move the rest to the buffer's front, a cost that grows with it. */
            while (natsConnection_Buffered(nc) < OUT_BUFFERED && !ended &&
                   publish_batch(b, nc, buf, &ended))
                ;
            if (ended)
                ended_at = repeated_at = mono();
        }
        if (ended) {
            uint64_t now = mono();
            if (now - ended_at < END_LINGER_NS && now - repeated_at >= END_REPEAT_NS &&
                !atomic_load_explicit(&steady__bridge_no_end_repeats, memory_order_relaxed)) {
                repeat_end(b, nc, buf);
                repeated_at = now;
            }
            if (now - ended_at >= END_LINGER_NS && flushed(nc))
                steady_actor_request_shutdown(a);
            steady_wait_any(a, socket_cond(b), STEADY_PERIODIC(END_REPEAT_NS));
            continue;
        }
        if (natsConnection_Buffered(nc) >= OUT_BUFFERED) /* the socket first */
            steady_wait_any(a, socket_cond(b), STEADY_PERIODIC(PERIOD_NS));
        else
            steady_wait_any(a, steady_cond_avail(b->from, 1), socket_cond(b),
                            STEADY_PERIODIC(PERIOD_NS));
    }
    return 0;
}

/* ---- ingress ---- */

/* Takes the next message off the subscription into h: false when there is none. A frame
 * refused is counted and dropped; sequence gaps and repeats are counted, repeats skipped. */
static bool next_frame(bridge *b, natsSubscription *sub, held *h)
{
    natsMsg *m = NULL;
    while (natsSubscription_NextMsg(&m, sub, 0) == NATS_OK) {
        if (steady__nats_accept(b, m, h))
            return true;
        natsMsg_Destroy(m);
    }
    return false;
}

/* Delivers what fits of h; true when all of it is delivered (or its end applied). */
static bool deliver(bridge *b, held *h, bool *ended)
{
    if (!steady__bridge_deliver(b, h, ended))
        return false;
    natsMsg_Destroy(h->msg);
    h->msg = NULL;
    return true;
}

static void destroy_held(void *p)
{
    held *h = p;
    natsMsg_Destroy(h->msg);
    h->msg = NULL;
}

/* An end frame arrived on a queue group's end subject. */
static bool end_arrived(bridge *b)
{
    natsMsg *m = NULL;
    bool end = false;
    while (!end && natsSubscription_NextMsg(&m, b->client_end_sub, 0) == NATS_OK) {
        steady_frame f;
        end = steady_frame_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m),
                                  b->elem_size, b->type_id, &f) == STEADY_FRAME_OK &&
              (f.flags & STEADY_FRAME_END);
        natsMsg_Destroy(m);
    }
    return end;
}

static natsSubscription *subscribe(bridge *b, natsConnection *nc)
{
    natsSubscription *sub = NULL;
    natsStatus s = b->uri.queue[0]
                       ? natsConnection_QueueSubscribeSync(&sub, nc, b->uri.subject, b->uri.queue)
                       : natsConnection_SubscribeSync(&sub, nc, b->uri.subject);
    if (s == NATS_OK)
        s = natsSubscription_SetPendingLimits(sub, 65536, 256 * 1024 * 1024);
    natsSubscription *end = NULL;
    if (s == NATS_OK && b->uri.queue[0]) {
        char subj[STEADY_URI_MAX + 16];
        end_subject(subj, sizeof subj, b->uri.subject);
        s = natsConnection_SubscribeSync(&end, nc, subj);
    }
    if (s != NATS_OK) {
        STEADY_ERROR("bridge %s: cannot subscribe: %s", b->text, nats_GetLastError(&s));
        if (sub)
            natsSubscription_Destroy(sub);
        return NULL;
    }
    b->client_sub = sub; /* both destroyed with the connection (destroy_conn) */
    b->client_end_sub = end;
    return sub;
}

/* An ingress that stops before its stream's end: the frames its client received and it never
 * delivered are lost (core NATS keeps nothing for it), so they are counted as dropped and said. */
static void tell_undelivered(bridge *b, natsSubscription *sub, const held *h)
{
    int msgs = 0, bytes = 0;
    if (natsSubscription_GetPending(sub, &msgs, &bytes) != NATS_OK)
        msgs = 0;
    uint64_t n = (uint64_t)msgs + (h->msg ? 1 : 0);
    int64_t dropped = 0;
    if (natsSubscription_GetDropped(sub, &dropped) != NATS_OK)
        dropped = 0;
    atomic_store(&b->dropped, (uint64_t)dropped + n);
    if (n)
        STEADY_WARN("bridge %s: stopped with %llu frame(s) received and not delivered: dropped "
                    "(core NATS is at most once; nats+js:// keeps them for the next ingress)",
                    b->text, (unsigned long long)n);
}

int steady__bridge_nats_ingress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    steady__bridge_ingress_begin(b);
    natsConnection *nc = connect_nats(a, b);
    natsSubscription *sub = nc ? subscribe(b, nc) : NULL;
    if (!sub)
        return 1;
    held *h = steady__bridge_alloc(a, b, sizeof *h);
    if (!h)
        return 1;
    if (!steady__bridge_defer(a, b, destroy_held, h))
        return 1;
    bool ended = false;
    while (!ended && STEADY_RUNNING(a, true)) {
        service(b, nc);
        if (!atomic_load(&b->ready) && atomic_load(&b->connected) &&
            natsConnection_Buffered(nc) == 0)
            atomic_store(&b->ready, true); /* the SUB line is on the wire */
        while ((h->msg || next_frame(b, sub, h)) && deliver(b, h, &ended) && !ended)
            ;
        int64_t dropped = 0;
        if (natsSubscription_GetDropped(sub, &dropped) == NATS_OK)
            atomic_store(&b->dropped, (uint64_t)dropped);
        /* A queue group's end, once every frame read before it was delivered: the server
         * forwards the publisher's frames in order, so they were parsed before it. */
        if (!ended && !h->msg && b->client_end_sub && end_arrived(b))
            ended = b->stream ? steady_stream_tx_close(b->stx) : steady_tx_close(b->to);
        if (ended)
            break;
        if (h->msg)
            steady_wait_any(a, steady__bridge_room(b, h), socket_cond(b),
                            STEADY_PERIODIC(PERIOD_NS));
        else
            steady_wait_any(a, socket_cond(b), STEADY_PERIODIC(PERIOD_NS));
    }
    if (!ended)
        tell_undelivered(b, sub, h);
    return 0;
}
