/* bridge/jetstream.c — the JetStream bridge actors (steady/bridge.h, nats+js://): no loss, no
 * duplicate, in order.
 *
 * Egress: frames are published with js_PublishAsync, up to JS_WINDOW in flight, each with a
 * message id (the generation's nonce and its sequence numbers: the stream drops an id it saw
 * within its Duplicates window) and the id of the frame before it as the stream's expected
 * last (ExpectLastMsgId: the stream never stores them out of order). Elements leave the
 * channel only once the stream acknowledged their frame, in order. When a frame is refused or
 * not acknowledged within RESEND_NS, every frame not yet acknowledged is published again, in
 * order, with the same ids. The end of the stream is a frame like the others, acknowledged
 * before the actor ends.
 *
 * Ingress: a durable pull consumer (acks cover everything before them). The helper thread
 * (js_link.c) fetches no more frames than the channel has room for; the actor delivers them,
 * drops what it already delivered (by sequence number: a redelivery after a restart or an ack
 * lost), and acknowledges a frame once it is delivered, or, with opts.confirm, once the
 * application confirmed it (steady_bridge_confirm) after saving its own state.
 */
#include "js_link.h"

#include <string.h>

#define PERIOD_NS STEADY_MS(100)
#define RESEND_NS STEADY_SEC(2) /* a frame not acknowledged within this is published again */
#define RETRY_NS STEADY_MS(250) /* a publish the client refused is tried again after this */

#define mono steady__nats_mono

/* Clears the link's wake; 1 when its client is ready, 0 when not yet (after a wait for it),
 * -1 when it cannot be (logged: the actor fails). */
static int link_wait(steady_actor *a, js_link *l)
{
    steady__js_drain(l);
    pthread_mutex_lock(&l->mu);
    int r = l->ready ? 1 : l->broken ? -1 : 0;
    pthread_mutex_unlock(&l->mu);
    if (r == 0)
        steady_wait_any(a, STEADY_FD(l->efd, STEADY_FD_READABLE), STEADY_PERIODIC(PERIOD_NS));
    return r;
}

/* ---- egress ---- */

/* A frame's message id: the generation's nonce, and its sequence numbers. A publisher started
 * again sends its stream again under new ids (the ingress drops what it delivered before, by
 * sequence number): with the old ones, a frame that matched an old id would be dropped as a
 * repeat, and the frame after it would expect it as the stream's last forever. */
static void msg_id(char *dst, size_t cap, const js_link *l, uint64_t first, uint32_t count,
                   bool end)
{
    snprintf(dst, cap, "%016llx:%llu:%u%s", (unsigned long long)l->nonce, (unsigned long long)first,
             (unsigned)count, end ? ":end" : "");
}

/* Publishes s's frame (its elements still at the channel's front, `taken` the sequence number
 * of the first there; its payload already in buf when `filled` gives its bytes): true when the
 * client took it. */
static bool publish(js_link *l, const js_slot *s, uint64_t taken, unsigned char *buf,
                    const size_t *filled)
{
    bridge *b = l->b;
    size_t bytes = filled ? *filled : 0;
    if (!filled)
        (void)steady__bridge_fill(b, (size_t)(s->first - taken), s->count,
                                  buf + STEADY_FRAME_HEADER, &bytes);
    steady_frame f = {.elem_size = b->elem_size,
                      .count = s->count,
                      .first_seq = s->first,
                      .type_id = b->type_id,
                      .flags = s->end ? STEADY_FRAME_END : 0,
                      .elems = buf + STEADY_FRAME_HEADER,
                      .bytes = bytes};
    size_t len = steady_frame_encode(buf, b->frame_cap, &f);
    char id[64], prev[64];
    msg_id(id, sizeof id, l, s->first, s->count, s->end);
    msg_id(prev, sizeof prev, l, s->prev_first, s->prev_count, s->prev_end);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    po.ExpectLastMsgId = s->has_prev ? prev : NULL;
    po.MaxWait = RESEND_NS / 1000000; /* then the ack callback reports a timeout */
    return js_PublishAsync(l->js, b->uri.subject, buf, (int)len, &po) == NATS_OK;
}

/* Takes the acknowledged frames at the window's front out of the channel; true once the end
 * of the stream was acknowledged. */
static bool settle(js_link *l)
{
    bridge *b = l->b;
    size_t n = 0, frames = 0;
    bool end = false;
    pthread_mutex_lock(&l->mu);
    while (l->w_len && l->win[l->w_head].state == JS_ACKED) {
        js_slot *s = &l->win[l->w_head];
        n += s->count;
        frames++;
        end |= s->end;
        l->w_head = (l->w_head + 1) % JS_WINDOW;
        l->w_len--;
    }
    pthread_mutex_unlock(&l->mu);
    steady__bridge_take(b, n);
    atomic_fetch_add(&b->frames, frames);
    atomic_fetch_add(&b->elems, n);
    atomic_fetch_add(&b->acked, n);
    return end;
}

/* Publishes again what was refused, or not acknowledged in time. */
static void resend(js_link *l, uint64_t taken, unsigned char *buf)
{
    uint64_t now = mono();
    for (unsigned i = 0;; i++) {
        pthread_mutex_lock(&l->mu);
        js_slot s = i < l->w_len ? l->win[(l->w_head + i) % JS_WINDOW] : (js_slot){0};
        bool last = i >= l->w_len;
        pthread_mutex_unlock(&l->mu);
        if (last)
            return;
        bool due = (s.state == JS_FAILED && now - s.sent_at >= RETRY_NS) ||
                   (s.state == JS_SENT && now - s.sent_at >= 2 * RESEND_NS);
        if (!due && s.state == JS_FAILED)
            return; /* in order: none after a frame that must wait */
        if (!due)
            continue;
        bool took = publish(l, &s, taken, buf, NULL);
        pthread_mutex_lock(&l->mu);
        js_slot *w = &l->win[(l->w_head + i) % JS_WINDOW];
        if (w->state != JS_ACKED) {
            w->state = took ? JS_SENT : JS_FAILED;
            w->sent_at = now;
        }
        pthread_mutex_unlock(&l->mu);
    }
}

/* Publishes new frames while the window has room: returns the elements in flight. */
static size_t publish_new(js_link *l, uint64_t taken, unsigned char *buf, bool *end_sent)
{
    bridge *b = l->b;
    steady_span sp = steady_rx_peek_slice(b->from);
    size_t have = sp.a_len + sp.b_len;
    pthread_mutex_lock(&l->mu);
    size_t flying = 0;
    for (unsigned i = 0; i < l->w_len; i++)
        flying += l->win[(l->w_head + i) % JS_WINDOW].count;
    unsigned room = JS_WINDOW - l->w_len;
    pthread_mutex_unlock(&l->mu);
    while (room && !*end_sent) {
        size_t n = have - flying < b->max_batch ? have - flying : b->max_batch;
        bool end =
            n == 0 && steady_rx_is_closed(b->from) &&
            steady_rx_peek_slice(b->from).a_len + steady_rx_peek_slice(b->from).b_len == flying;
        if (n == 0 && !end)
            break;
        size_t bytes = 0; /* the payload first: a stream's frame ends where 64 KiB is full */
        if (n)
            n = steady__bridge_fill(b, flying, n, buf + STEADY_FRAME_HEADER, &bytes);
        js_slot s = {.first = taken + flying, .count = (uint32_t)n, .end = end};
        if (l->has_last) {
            s.has_prev = true;
            s.prev_first = l->last.first;
            s.prev_count = l->last.count;
            s.prev_end = l->last.end;
        }
        /* In the window before it is published: its ack may come back (on libnats's thread)
         * before js_PublishAsync returns, and an ack finding no slot would be lost (the frame
         * then waited RESEND_NS: the bench ran at 0.17x the raw client). */
        s.sent_at = mono();
        pthread_mutex_lock(&l->mu);
        l->win[(l->w_head + l->w_len++) % JS_WINDOW] = s;
        pthread_mutex_unlock(&l->mu);
        if (!publish(l, &s, taken, buf, &bytes)) {
            pthread_mutex_lock(&l->mu); /* not sent: out again (no ack can match it) */
            l->w_len--;
            pthread_mutex_unlock(&l->mu);
            break; /* the client's buffer is full (no server): try at the next wake */
        }
        l->last = s;
        l->has_last = true;
        atomic_store(&b->next_seq, s.first + n);
        flying += n;
        room--;
        *end_sent = end;
    }
    return flying;
}

int steady__bridge_js_egress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    js_link *l = steady__js_open(a, b);
    if (!l)
        return 1;
    unsigned char *buf = steady__bridge_alloc(a, b, b->frame_cap);
    if (!buf)
        return 1;
    bool end_sent = false, stream_end_acknowledged = false;
    while (STEADY_RUNNING(a, STEADY_I(stream_end_acknowledged))) {
        int r = link_wait(a, l);
        if (r <= 0) {
            if (r < 0)
                return 1;
            continue;
        }
        if (settle(l)) {
            stream_end_acknowledged = true;
            steady_actor_request_shutdown(a);
            break;
        }
        uint64_t taken = steady_channel_taken_total(steady_rx_channel(b->from));
        resend(l, taken, buf);
        size_t flying = publish_new(l, taken, buf, &end_sent);
        pthread_mutex_lock(&l->mu);
        bool full = l->w_len == JS_WINDOW;
        pthread_mutex_unlock(&l->mu);
        if (full || end_sent)
            steady_wait_any(a, STEADY_FD(l->efd, STEADY_FD_READABLE), STEADY_PERIODIC(PERIOD_NS));
        else
            steady_wait_any(a, STEADY_FD(l->efd, STEADY_FD_READABLE),
                            steady_cond_avail(b->from, flying + 1), STEADY_PERIODIC(PERIOD_NS));
    }
    return 0;
}

/* ---- ingress ---- */

/* Delivered frames not yet acknowledged, oldest first (the actor's own). */
typedef struct unacked {
    natsMsg *msg[JS_UNACKED];
    uint64_t end[JS_UNACKED]; /* the sequence number after the frame */
    unsigned head, len;
    uint64_t sseq; /* the stream sequence number of the last message taken */
} unacked;

/* The ingress's shutdown vote (its name is what an unclean stop reports). */
static bool stream_end_applied_and_acknowledged(bool ended, const unacked *u)
{
    return ended && u->len == 0;
}

static void destroy_unacked(void *p)
{
    unacked *u = p;
    for (; u->len; u->len--, u->head = (u->head + 1) % JS_UNACKED)
        natsMsg_Destroy(u->msg[u->head]); /* not acknowledged: the stream sends them again */
}

static void destroy_held(void *p)
{
    held *h = p;
    if (h->msg)
        natsMsg_Nak(h->msg, NULL);
    natsMsg_Destroy(h->msg);
    h->msg = NULL;
}

/* Acknowledges the newest delivered frame wholly below what may be acknowledged (the ack
 * covers every frame before it). */
static void ack_ready(bridge *b, unacked *u)
{
    uint64_t upto = b->confirm ? atomic_load(&b->confirmed) : atomic_load(&b->next_seq);
    unsigned k = 0;
    while (k < u->len && u->end[(u->head + k) % JS_UNACKED] <= upto)
        k++;
    if (!k)
        return;
    natsMsg *last = u->msg[(u->head + k - 1) % JS_UNACKED];
    (void)natsMsg_Ack(last, NULL); /* lost: the frames come again and are dropped */
    atomic_store(&b->acked, u->end[(u->head + k - 1) % JS_UNACKED]);
    for (; k; k--, u->len--, u->head = (u->head + 1) % JS_UNACKED)
        natsMsg_Destroy(u->msg[u->head]);
}

static natsMsg *pop(js_link *l)
{
    natsMsg *m = NULL;
    pthread_mutex_lock(&l->mu);
    if (l->q_len && !l->rewind) {
        m = l->q[l->q_head];
        l->q_head = (l->q_head + 1) % JS_QUEUE;
        l->q_len--;
    }
    pthread_mutex_unlock(&l->mu);
    return m;
}

static uint64_t stream_seq(natsMsg *m)
{
    jsMsgMetaData *md = NULL;
    uint64_t seq = 0;
    if (natsMsg_GetMetaData(&md, m) == NATS_OK)
        seq = md->Sequence.Stream;
    jsMsgMetaData_Destroy(md);
    return seq;
}

/* A frame after a gap, unless it is the first the consumer gave since it was made (then the
 * stream itself has the gap: counted, as core NATS counts one). The consumer is then made anew
 * from the message after the last one taken: what went missing comes again, in order. */
static bool rewound(js_link *l, unacked *u, natsMsg *m)
{
    bridge *b = l->b;
    steady_frame f;
    uint64_t sseq = stream_seq(m);
    pthread_mutex_lock(&l->mu);
    uint64_t start = l->start;
    pthread_mutex_unlock(&l->mu);
    bool gap = b->seq_known &&
               steady_frame_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m),
                                   b->elem_size, b->type_id, &f) == STEADY_FRAME_OK &&
               f.first_seq > atomic_load(&b->next_seq) && sseq != start;
    if (!gap) {
        if (sseq > u->sseq)
            u->sseq = sseq;
        return false;
    }
    uint64_t n = atomic_fetch_add(&b->rewinds, 1) + 1;
    if ((n & (n - 1)) == 0)
        STEADY_INFO("bridge %s: frames from %llu missing (stream message %llu came after %llu); "
                    "asking again from %llu (%llu times so far)",
                    b->text, (unsigned long long)atomic_load(&b->next_seq),
                    (unsigned long long)sseq, (unsigned long long)u->sseq,
                    (unsigned long long)u->sseq + 1, (unsigned long long)n);
    natsMsg_Destroy(m);
    pthread_mutex_lock(&l->mu);
    l->rewind = u->sseq + 1;
    l->want = 0;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
    return true;
}

/* Delivers fetched frames while the channel has room. */
static void deliver_all(js_link *l, held *h, unacked *u, bool *ended)
{
    bridge *b = l->b;
    while (!*ended && u->len < JS_UNACKED) {
        if (!h->msg) {
            natsMsg *m = pop(l);
            if (!m || rewound(l, u, m))
                return;
            if (!steady__nats_accept(b, m, h)) { /* refused (counted): acknowledged in turn */
                u->msg[(u->head + u->len) % JS_UNACKED] = m;
                u->end[(u->head + u->len++) % JS_UNACKED] = atomic_load(&b->next_seq);
                continue;
            }
        }
        if (!steady__bridge_deliver(b, h, ended))
            return;
        u->msg[(u->head + u->len) % JS_UNACKED] = h->msg;
        u->end[(u->head + u->len++) % JS_UNACKED] = h->f.first_seq + h->f.count;
        h->msg = NULL;
    }
}

/* Asks the helper for as many frames as the channel has room for. */
static void ask(js_link *l, const held *h, const unacked *u)
{
    bridge *b = l->b;
    uint64_t vacant = steady_tx_vacant(b->to);
    uint32_t per = h->f.count ? h->f.count : b->max_batch;
    uint64_t n = h->msg ? 0 : vacant / per;
    if (n == 0 && vacant && !h->msg)
        n = 1; /* a frame bigger than the room: held until it fits */
    if (n > JS_FETCH_MAX)
        n = JS_FETCH_MAX;
    if (n > JS_UNACKED - u->len)
        n = JS_UNACKED - u->len;
    pthread_mutex_lock(&l->mu);
    int64_t want = (int64_t)n - (int64_t)l->q_len - l->fetching;
    if (want > (int64_t)(JS_QUEUE - l->q_len) - l->fetching)
        want = (int64_t)(JS_QUEUE - l->q_len) - l->fetching;
    l->want = want > 0 ? (int)want : 0;
    if (l->want)
        pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);
}

int steady__bridge_js_ingress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    steady__bridge_ingress_begin(b);
    held *h = steady__bridge_alloc(a, b, sizeof *h);
    unacked *u = h ? steady__bridge_alloc(a, b, sizeof *u) : NULL;
    if (!u)
        return 1;
    js_link *l = steady__js_open(a, b);
    if (!l)
        return 1;
    /* Deferred after the link: run before its close (defers run last first), whose flush
     * writes the naks they leave. */
    if (!steady__bridge_defer(a, b, destroy_unacked, u) ||
        !steady__bridge_defer(a, b, destroy_held, h))
        return 1;
    bool ended = false;
    while (STEADY_RUNNING(a, STEADY_I(stream_end_applied_and_acknowledged(ended, u)))) {
        int r = link_wait(a, l);
        if (r <= 0) {
            if (r < 0)
                return 1;
            continue;
        }
        if (!u->sseq) {
            pthread_mutex_lock(&l->mu);
            u->sseq = l->start - 1; /* what the consumer was made after */
            pthread_mutex_unlock(&l->mu);
        }
        deliver_all(l, h, u, &ended);
        ack_ready(b, u);
        if (ended && u->len == 0)
            break;
        if (!ended)
            ask(l, h, u);
        if (h->msg)
            steady_wait_any(a, STEADY_FD(l->efd, STEADY_FD_READABLE), steady__bridge_room(b, h),
                            STEADY_PERIODIC(PERIOD_NS));
        else
            steady_wait_any(a, STEADY_FD(l->efd, STEADY_FD_READABLE), STEADY_PERIODIC(PERIOD_NS));
    }
    return 0;
}
