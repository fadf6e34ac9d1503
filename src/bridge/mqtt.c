/* bridge/mqtt.c — the MQTT bridge actors (steady/bridge.h, mqtt://, mqtts://), on
 * libmosquitto run by the actor itself (mqtt_impl.h).
 *
 * Egress: frames are published at the URI's QoS, up to MQTT_WINDOW not yet completed (QoS 0:
 * written to the socket; 1: PUBACK; 2: PUBCOMP). Elements leave the channel only once their
 * frame completed, in order. After a connection lost, a broker that kept no session of the
 * client (CONNACK without session-present) gets every frame not completed again, as new
 * messages: the ingress drops what it already had by sequence number. The end of the stream is
 * a frame like the others; over QoS 0, which may lose any frame, it is published again 10
 * times, 100 ms apart, each while connected.
 *
 * Ingress: a subscription at the URI's QoS, made again at each connection; with session=NAME
 * the client's session is persistent, so the broker keeps what arrives for it while it is
 * away (QoS 1 and 2). Frames are delivered straight into the channel; what does not fit is
 * copied aside and the socket is not read until it is delivered, so a full channel holds the
 * broker back through TCP. libmosquitto acknowledges a message as it hands it over: an
 * ingress killed loses what it received and had not delivered downstream (gaps, counted).
 */
#include "mqtt_impl.h"

#include <stdlib.h>
#include <string.h>

#define PERIOD_NS STEADY_MS(100)
#define END_REPEAT_NS STEADY_MS(100)
#define END_REPEATS 10 /* QoS 0: the end published again this often, each while connected */
#define CLOSE_MS 200   /* what is left to write at the end, and the DISCONNECT */
#define STALL_NS STEADY_SEC(10) /* frames in flight and none completed: said in the log */

#define mono steady__mqtt_mono

/* ---- egress ---- */

static mqtt_slot *slot_at(mqtt_client *c, unsigned i)
{
    return &c->win[(c->w_head + i) % MQTT_WINDOW];
}

/* Publishes s's frame (its elements still at the channel's front from `taken` on; at most
 * s->count of them, and s->count becomes what the frame holds: a stream's frame ends where
 * 64 KiB is full, the same again when sent again): false when the client refused it (logged
 * when it never can). */
static bool publish(mqtt_client *c, mqtt_slot *s, uint64_t taken)
{
    bridge *b = c->b;
    size_t bytes = 0;
    if (s->count)
        s->count = steady__bridge_fill(b, (size_t)(s->first - taken), s->count,
                                       c->frame + STEADY_FRAME_HEADER, &bytes);
    steady_frame f = {.elem_size = b->elem_size,
                      .count = s->count,
                      .first_seq = s->first,
                      .type_id = b->type_id,
                      .flags = s->end ? STEADY_FRAME_END : 0,
                      .elems = c->frame + STEADY_FRAME_HEADER,
                      .bytes = bytes};
    size_t len = steady_frame_encode(c->frame, b->frame_cap, &f);
    /* Marked sent, with its id written, before the client may write it and call back:
     * without a thread of its own, libmosquitto writes at once and a QoS 0 frame completes
     * inside mosquitto_publish, which writes the id first. */
    s->sent = true;
    s->mid = -1;
    int rc =
        mosquitto_publish(c->mosq, &s->mid, b->uri.subject, (int)len, c->frame, b->uri.qos, false);
    if (rc == MOSQ_ERR_OVERSIZE_PACKET || rc == MOSQ_ERR_PAYLOAD_SIZE) {
        STEADY_ERROR("bridge %s: the broker takes no message of %zu bytes; give the bridge a "
                     "smaller opts.max_batch",
                     b->text, len);
        c->fatal = true;
    }
    s->sent = rc == MOSQ_ERR_SUCCESS;
    return s->sent;
}

/* Publishes what is not on the wire yet, oldest first, while the window has room: returns the
 * elements in the window (they stay in the channel until completed). */
static size_t publish_all(mqtt_client *c, bool *end_sent)
{
    bridge *b = c->b;
    uint64_t taken = steady_channel_taken_total(steady_rx_channel(b->from));
    size_t flying = 0;
    for (unsigned i = 0; i < c->w_len; i++) {
        mqtt_slot *s = slot_at(c, i);
        flying += s->count;
        if (!s->done && !s->sent && !publish(c, s, taken))
            return flying;
    }
    steady_span sp = steady_rx_peek_slice(b->from);
    size_t have = sp.a_len + sp.b_len;
    while (c->w_len < MQTT_WINDOW && !*end_sent) {
        size_t n = have - flying < b->max_batch ? have - flying : b->max_batch;
        bool end = n == 0 && steady_rx_is_closed(b->from) &&
                   (sp = steady_rx_peek_slice(b->from), sp.a_len + sp.b_len == flying);
        if (n == 0 && !end)
            return flying;
        if (c->w_len == 0)
            c->progress_at = mono();
        mqtt_slot *s = slot_at(c, c->w_len++); /* in the window first: it may complete at once */
        *s = (mqtt_slot){.first = taken + flying, .count = (uint32_t)n, .end = end};
        if (!publish(c, s, taken)) {
            c->w_len--; /* not sent (no callback can name it): tried again at the next wake */
            return flying;
        }
        atomic_store(&b->next_seq, s->first + s->count);
        flying += s->count;
        *end_sent = end;
    }
    return flying;
}

/* Takes the completed frames at the window's front out of the channel: true once the end of
 * the stream completed. */
static bool settle(mqtt_client *c)
{
    bridge *b = c->b;
    size_t n = 0, frames = 0;
    bool end = false;
    while (c->w_len && slot_at(c, 0)->done) {
        n += slot_at(c, 0)->count;
        end |= slot_at(c, 0)->end;
        frames++;
        c->w_head = (c->w_head + 1) % MQTT_WINDOW;
        c->w_len--;
    }
    if (!frames)
        return false;
    c->progress_at = mono();
    c->stall_told = false;
    steady__mqtt_progress(c);
    steady__bridge_take(b, n);
    atomic_fetch_add(&b->frames, frames);
    atomic_fetch_add(&b->elems, n);
    if (b->uri.qos > 0)
        atomic_fetch_add(&b->acked, n);
    return end;
}

void steady__mqtt_on_published(mqtt_client *c, int mid)
{
    for (unsigned i = 0; i < c->w_len; i++) {
        mqtt_slot *s = slot_at(c, i);
        if (s->sent && s->mid == mid) {
            s->done = true;
            return;
        }
    }
}

/* Says once when a broker has completed nothing for STALL_NS of connected time while frames
 * wait (the clock starts again at each connection: an outage is not a stall): the stream is
 * stuck (a frozen broker; one holding QoS 2 frames past its own limit never answers them). */
static void tell_stall(mqtt_client *c)
{
    if (c->state != MQTT_UP || !c->w_len || c->stall_told || mono() - c->progress_at < STALL_NS)
        return;
    c->stall_told = true;
    STEADY_WARN("bridge %s: the broker completed no frame for %llu s with %u in flight; the "
                "stream is stuck (a frozen or overloaded broker; at QoS 2, a broker whose "
                "max_inflight_messages is below %d never answers some frames: raise it, or use "
                "QoS 1)",
                c->b->text, (unsigned long long)(STALL_NS / STEADY_SEC(1)), c->w_len,
                MQTT_BROKER_INFLIGHT);
}

static void repeat_end(mqtt_client *c)
{
    bridge *b = c->b;
    steady_frame f = {.elem_size = b->elem_size,
                      .first_seq = atomic_load(&b->next_seq),
                      .type_id = b->type_id,
                      .flags = STEADY_FRAME_END};
    size_t len = steady_frame_encode(c->frame, STEADY_FRAME_HEADER, &f);
    (void)mosquitto_publish(c->mosq, NULL, b->uri.subject, (int)len, c->frame, 0, false);
}

int steady__bridge_mqtt_egress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    mqtt_client *c = steady__bridge_alloc(a, b, sizeof *c);
    if (!c || !steady__mqtt_open(a, b, c))
        return 1;
    c->frame = steady__bridge_alloc(a, b, b->frame_cap);
    if (!c->frame)
        return 1;
    atomic_store(&b->next_seq, steady_channel_taken_total(steady_rx_channel(b->from)));
    bool end_sent = false, stream_end_delivered = false;
    uint64_t ended_at = 0, repeated_at = 0;
    unsigned repeats = 0;
    uint64_t capacity = steady_channel_capacity(steady_rx_channel(b->from));
    size_t flying = 0;
    while (STEADY_RUNNING(a, STEADY_I(stream_end_delivered))) {
        steady__mqtt_service(c);
        if (c->fatal)
            return 1;
        if (settle(c))
            ended_at = repeated_at = mono();
        tell_stall(c);
        if (c->state == MQTT_UP && !ended_at) {
            flying = publish_all(c, &end_sent);
            if (c->w_len && slot_at(c, 0)->done)
                continue; /* completed while published (QoS 0, written at once): settle first */
        }
        if (ended_at) {
            /* Counted while connected, not in wall time: a broker away for the whole linger
             * would otherwise get no end at all, and the subscriber would wait for ever. */
            uint64_t now = mono();
            bool lingering = b->uri.qos == 0 && repeats < END_REPEATS;
            if (lingering && c->state == MQTT_UP && now - repeated_at >= END_REPEAT_NS) {
                repeat_end(c); /* repeats: not counted */
                repeated_at = now;
                repeats++;
            }
            if (!lingering) {
                steady__mqtt_flush_close(c, CLOSE_MS);
                stream_end_delivered = true;
                steady_actor_request_shutdown(a);
                continue;
            }
            steady_wait_any(a, steady__mqtt_cond(c), STEADY_PERIODIC(END_REPEAT_NS));
        } else if (c->state == MQTT_UP && c->w_len < MQTT_WINDOW && !end_sent &&
                   flying < capacity) {
            /* More than the window holds already: the elements in flight are still in the
             * channel, so waiting for any one would return at once, again and again. */
            steady_wait_any(a, steady_cond_avail(b->from, flying + 1), steady__mqtt_cond(c),
                            STEADY_PERIODIC(PERIOD_NS));
        } else {
            steady_wait_any(a, steady__mqtt_cond(c), STEADY_PERIODIC(PERIOD_NS));
        }
    }
    return 0;
}

/* ---- both ---- */

void steady__mqtt_on_up(mqtt_client *c)
{
    bridge *b = c->b;
    if (b->egress) {
        atomic_store(&b->ready, true);
        c->progress_at = mono(); /* a stall is counted while connected, not through an outage */
        c->stall_told = false;
        if (!c->session_present) /* the broker forgot what was in flight: all of it again */
            for (unsigned i = 0; i < c->w_len; i++)
                slot_at(c, i)->sent = false;
        return;
    }
    int rc = mosquitto_subscribe(c->mosq, NULL, b->uri.subject, b->uri.qos);
    if (rc != MOSQ_ERR_SUCCESS)
        STEADY_WARN("bridge %s: cannot subscribe now (%s); trying at the next connection", b->text,
                    mosquitto_strerror(rc));
}

void steady__mqtt_on_down(mqtt_client *c)
{
    for (unsigned i = 0; c->b->egress && i < c->w_len; i++)
        if (c->b->uri.qos == 0) /* QoS 0 in flight is dropped by the client: again */
            slot_at(c, i)->sent = slot_at(c, i)->done;
}

/* ---- ingress ---- */

void steady__mqtt_on_subscribed(mqtt_client *c)
{
    atomic_store(&c->b->ready, true);
}

/* Delivers the frames set aside, oldest first, while the channel has room. */
static void drain(mqtt_client *c)
{
    while (c->p_len && !c->ended) {
        mqtt_pending *p = &c->pend[c->p_head];
        bool ended = false;
        if (!steady__bridge_deliver(c->b, &p->h, &ended))
            return;
        c->ended = ended;
        c->p_head = (c->p_head + 1) % c->p_cap;
        c->p_len--;
    }
}

/* A free pending slot at the ring's back, the ring grown when full: NULL when out of memory. */
static mqtt_pending *pend_slot(mqtt_client *c)
{
    if (c->p_len == c->p_cap) {
        unsigned cap = c->p_cap ? c->p_cap * 2 : 4;
        mqtt_pending *n = calloc(cap, sizeof *n);
        if (!n)
            return NULL;
        for (unsigned i = 0; i < c->p_cap; i++) /* oldest first; the rest keep their buffers */
            n[i] = c->pend[(c->p_head + i) % c->p_cap];
        free(c->pend);
        c->pend = n;
        c->p_head = 0;
        c->p_cap = cap;
    }
    return &c->pend[(c->p_head + c->p_len) % c->p_cap];
}

void steady__mqtt_on_message(mqtt_client *c, const void *payload, size_t len)
{
    bridge *b = c->b;
    held h = {0};
    /* An egress subscribes to nothing; a session it shares with an ingress (one client id
     * for two clients: a mistake the broker answers by dropping one) may still hand it some. */
    if (b->egress || c->ended || !steady__bridge_accept(b, payload, len, &h))
        return; /* after the end, or refused (counted, logged) */
    bool ended = false;
    if (c->p_len == 0 && steady__bridge_deliver(b, &h, &ended)) {
        c->ended = ended;
        return;
    }
    mqtt_pending *p = pend_slot(c);
    if (p && p->cap < len) {
        unsigned char *grown = realloc(p->bytes, len);
        if (grown) {
            p->bytes = grown;
            p->cap = len;
        }
    }
    if (!p || p->cap < len) {
        STEADY_ERROR("bridge %s: out of memory for a frame of %zu bytes; the bridge fails", b->text,
                     len);
        c->fatal = true;
        return;
    }
    memcpy(p->bytes, payload, len);
    if (c->p_len == 0) {
        c->held_at = mono();
        c->hold_told = false;
    }
    p->h = h;
    p->h.f.elems = p->bytes + ((const unsigned char *)h.f.elems - (const unsigned char *)payload);
    c->p_len++;
}

/* Says once per hold, at the keepalive, that the consumer keeps the ingress from reading: it
 * sends nothing either, so the broker will drop the connection at 1.5x the keepalive, and
 * without a session what it queued for this client is then lost. Reading on would take the
 * broker's whole backlog into memory; holding keeps back-pressure, and says what it costs. */
static void tell_hold(mqtt_client *c)
{
    if (!c->p_len || c->hold_told || mono() - c->held_at < STEADY_SEC(MQTT_KEEPALIVE_S))
        return;
    c->hold_told = true;
    STEADY_WARN("bridge %s: its channel has had no room for %d s, and the ingress reads nothing "
                "meanwhile (back-pressure through TCP), nor answers the broker's keepalive: the "
                "broker drops the connection at %d s of silence; %s",
                c->b->text, MQTT_KEEPALIVE_S, MQTT_KEEPALIVE_S * 3 / 2,
                c->b->uri.durable[0]
                    ? "its session keeps what comes meanwhile"
                    : "without a session= what comes meanwhile is lost (give one, or a consumer "
                      "that keeps up)");
}

static void free_pending(void *arg)
{
    mqtt_client *c = arg;
    for (unsigned i = 0; i < c->p_cap; i++)
        free(c->pend[i].bytes);
    free(c->pend);
    c->pend = NULL;
    c->p_cap = c->p_len = 0;
}

/* The ingress's vote, evaluated only once its graph is stopping. Its client acknowledged every
 * frame it read (at QoS 1 and 2 the broker forgets it then), so a frame held for want of room
 * would be lost with the stop: the ingress reads no more, agrees once what it holds is in its
 * channel, and its consumer drains that before it ends. */
static bool holds_nothing(mqtt_client *c)
{
    c->stopping = true;
    return c->p_len == 0;
}

/* Logs what an ingress stopped without agreeing (its graph's grace ran out) still held. */
static void tell_held(mqtt_client *c)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < c->p_len; i++) {
        const held *h = &c->pend[(c->p_head + i) % c->p_cap].h;
        n += h->f.count - (c->b->stream ? 0 : h->done);
    }
    if (c->p_len)
        STEADY_ERROR("bridge %s: stopped holding %u frame(s) (%s%llu %s) its channel had no room "
                     "for; acknowledged to the broker, they are lost (its consumer did not drain "
                     "the channel within the graph's grace)",
                     c->b->text, c->p_len, c->b->stream ? "up to " : "", (unsigned long long)n,
                     c->b->stream ? "messages" : "elements");
}

int steady__bridge_mqtt_ingress(steady_actor *a, void *arg)
{
    (void)arg;
    bridge *b = steady_actor_state(a);
    steady__bridge_ingress_begin(b);
    mqtt_client *c = steady__bridge_alloc(a, b, sizeof *c);
    if (!c || !steady__mqtt_open(a, b, c))
        return 1;
    if (!steady__bridge_defer(a, b, free_pending, c))
        return 1;
    while (!c->ended && STEADY_RUNNING(a, STEADY_I(holds_nothing(c)))) {
        drain(c);
        steady__mqtt_service(c);
        drain(c);
        if (c->fatal)
            return 1;
        if (c->ended)
            break;
        tell_hold(c);
        if (c->p_len)
            steady_wait_any(a, steady__bridge_room(b, &c->pend[c->p_head].h), steady__mqtt_cond(c),
                            STEADY_PERIODIC(PERIOD_NS));
        else
            steady_wait_any(a, steady__mqtt_cond(c), STEADY_PERIODIC(PERIOD_NS));
    }
    tell_held(c);
    steady__mqtt_flush_close(c, CLOSE_MS);
    return 0;
}
