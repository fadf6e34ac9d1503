/* pods.c — see pods.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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
        steady_wait_avail(a, k->in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(k->in, &v) == STEADY_OK) {
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
