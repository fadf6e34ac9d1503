/* pods.c — see pods.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "pods.h"

/* ---- the pods ------------------------------------------------------------------------------ */

int source_run(steady_actor *a, void *arg)
{
    source *s = arg;
    steady_channel *ch = steady_tx_channel(s->out.raw);
    unsigned since = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(s->out)))) {
        uint64_t v = steady_channel_sent_total(ch);
        if (v == s->n) {
            u64ch_tx_close(s->out);
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        if (s->pace && ++since >= s->pace) {
            since = 0;
            steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(1)));
        }
        if (u64ch_tx_try_send(s->out, v) != STEADY_OK)
            steady_wait_vacant(a, s->out, 1);
    }
    return 0;
}

int sink_run(steady_actor *a, void *arg)
{
    sink *k = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(k->in)))) {
        if (u64ch_rx_is_closed_and_empty(k->in)) { /* the end crossed the bridge */
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        if (k->hold_at && k->count >= k->hold_at) { /* its channel fills up behind it */
            if (k->hold_for_good) {
                steady_wait_one(a, STEADY_TIMEOUT(STEADY_MS(10)));
                continue;
            }
            k->hold_at = 0;
            steady_wait_shutdown(a);
            continue;
        }
        steady_wait_avail(a, k->in, 1);
        uint64_t v;
        while ((!k->hold_at || k->count < k->hold_at) &&
               u64ch_rx_try_take(k->in, &v) == STEADY_OK) {
            k->out_of_order += k->any && v <= k->last;
            k->last = v;
            k->any = true;
            k->count++;
        }
    }
    return 0;
}

/* The subscribing pod: ingress -> sink. */
steady_graph *subscriber(const char *uri, sink *k, uint64_t type_id, steady_actor **in)
{
    steady_bridge_opts o = {.uri = uri, .type_id = type_id};
    return subscriber_opts(&o, k, in);
}

steady_graph *subscriber_opts(const steady_bridge_opts *o, sink *k, steady_actor **in)
{
    steady_graph *g = new_graph("subscribe");
    u64ch_tx tx;
    assert_int_equal(u64ch_new(g, "received", 4096, &tx, &k->in), STEADY_OK);
    assert_int_equal(steady_bridge_ingress(g, tx.raw, o, in), STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "sink", .run = sink_run, .arg = k, .rxs = STEADY_RXS(k->in)},
                           NULL),
        STEADY_OK);
    return g;
}

/* The publishing pod: source -> egress. */
steady_graph *publisher(const char *uri, source *s, steady_actor **out)
{
    steady_bridge_opts o = {.uri = uri};
    return publisher_opts(&o, s, out);
}

steady_graph *publisher_opts(const steady_bridge_opts *o, source *s, steady_actor **out)
{
    steady_graph *g = new_graph("publish");
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "generated", 4096, &s->out, &rx), STEADY_OK);
    assert_int_equal(steady_bridge_egress(g, rx.raw, o, out), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "source",
                                                             .run = source_run,
                                                             .arg = s,
                                                             .txs = STEADY_TXS(s->out)},
                                        NULL),
                     STEADY_OK);
    return g;
}

steady_bridge_stats stats(const steady_actor *a)
{
    steady_bridge_stats st;
    assert_int_equal(steady_bridge_stats_get(a, &st), STEADY_OK);
    return st;
}

/* Waits (bounded) until the ingress's subscription is on the wire. */
void await_ready(const steady_actor *in)
{
    uint64_t t0 = now_ns();
    while (!stats(in).ready && ms_since(t0) < 10000)
        sleep_ms(2);
    assert_true(stats(in).ready);
}

/* ---- bad peers ----------------------------------------------------------------------------- */

/* A frame of `count` u64 values from `first`, with the given header tweaks. */
static size_t frame_of(unsigned char *buf, size_t cap, uint64_t first, uint32_t count,
                       uint32_t elem, uint64_t type, uint32_t flags)
{
    uint64_t v[16];
    for (uint32_t i = 0; i < count; i++)
        v[i] = first + i;
    steady_frame f = {.elem_size = elem,
                      .count = elem == 8 ? count : count / 2,
                      .first_seq = first,
                      .type_id = type,
                      .flags = flags,
                      .elems = v};
    return steady_frame_encode(buf, cap, &f);
}

void send_bad_peers(void (*publish)(void *ctx, const void *p, size_t n), void *ctx)
{
    unsigned char buf[256];
    size_t n;
    const char *json = "{\"temperature\": 21.5, \"room\": \"kitchen\", \"sensor\": 7}";
    publish(ctx, json, strlen(json)); /* a stranger */
    n = frame_of(buf, sizeof buf, 0, 4, 8, 0xfeed, 0);
    publish(ctx, buf, n - 5); /* truncated */
    n = frame_of(buf, sizeof buf, 0, 4, 16, 0xfeed, 0);
    publish(ctx, buf, n); /* another element size */
    n = frame_of(buf, sizeof buf, 0, 4, 8, 0xbeef, 0);
    publish(ctx, buf, n); /* another type */
    n = frame_of(buf, sizeof buf, 0, 4, 8, 0xfeed, 0);
    buf[4] = 9;
    publish(ctx, buf, n); /* another format version */
    n = frame_of(buf, sizeof buf, 0, 10, 8, 0xfeed, 0);
    publish(ctx, buf, n);                                         /* good: 0..9 */
    publish(ctx, buf, n);                                         /* the same again */
    n = frame_of(buf, sizeof buf, 12, 4, 8, 0, STEADY_FRAME_END); /* 10, 11 lost; no type */
    publish(ctx, buf, n);
}

void assert_bad_peers_outcome(const sink *k, const steady_actor *in)
{
    assert_int_equal(k->count, 14); /* 0..9 and 12..15, in order */
    assert_int_equal(k->out_of_order, 0);
    assert_int_equal(k->last, 15);
    steady_bridge_stats i = stats(in);
    assert_int_equal(i.refused[STEADY_FRAME_MAGIC], 1);
    assert_int_equal(i.refused[STEADY_FRAME_TRUNCATED], 1);
    assert_int_equal(i.refused[STEADY_FRAME_ELEM_SIZE], 1);
    assert_int_equal(i.refused[STEADY_FRAME_TYPE], 1);
    assert_int_equal(i.refused[STEADY_FRAME_VERSION_MISMATCH], 1);
    assert_int_equal(i.duplicates, 10);
    assert_int_equal(i.gaps, 2);
    assert_int_equal(i.next_seq, 16);
}
