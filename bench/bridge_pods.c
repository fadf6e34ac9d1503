/* bridge_pods.c — see bridge_pods.h. */
#define _GNU_SOURCE
#include "bridge_pods.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <steady/bridge.h>
#include <steady/steady.h>

#include "bench_common.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct pods {
    u64ch_tx gen;
    u64ch_rx in;
    uint64_t n, got, sum;
} pods;

static int source_run(steady_actor *a, void *arg)
{
    pods *p = arg;
    steady_channel *ch = steady_tx_channel(p->gen.raw);
    while (STEADY_RUNNING(a, u64ch_tx_close(p->gen))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next >= p->n) {
            u64ch_tx_close(p->gen);
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        uint64_t left = p->n - next, max = left < 4096 ? left : 4096;
        if (steady_wait_vacant(a, p->gen, max) == STEADY_READY)
            steady_tx_produce(p->gen.raw, max, bench_fill_next, &next);
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    pods *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(p->in)))) {
        if (u64ch_rx_is_closed_and_empty(p->in)) {
            steady_actor_request_shutdown(a);
            steady_wait_shutdown(a);
            continue;
        }
        steady_wait_avail(a, p->in, 1);
        p->got += steady_rx_consume(p->in.raw, 4096, bench_add_sum, &p->sum);
    }
    return 0;
}

static void check(steady_err e, const char *what)
{
    if (e != STEADY_OK) {
        fprintf(stderr, "error: %s: %s\n", what, steady_last_error());
        exit(1);
    }
}

uint64_t bench_bridge_run(const char *uri, uint64_t n, uint64_t *sum, bool troupes)
{
    pods p = {.n = n};
    steady_graph *pub, *sub;
    u64ch_rx to_bridge;
    u64ch_tx from_bridge;
    steady_actor *in;
    check(steady_graph_new(&pub, &(steady_graph_opts){.name = "publish"}), "graph");
    check(steady_graph_new(&sub, &(steady_graph_opts){.name = "subscribe"}), "graph");
    /* bridge-troupes: each pod's two actors share one thread (a troupe), as a pod would */
    steady_troupe *tp = NULL, *ts = NULL;
    if (troupes) {
        check(steady_troupe_new(pub, &(steady_troupe_opts){.name = "pub"}, &tp), "troupe");
        check(steady_troupe_new(sub, &(steady_troupe_opts){.name = "sub"}, &ts), "troupe");
    }
    steady_bridge_opts o = {.uri = uri, .troupe = tp}, oi = {.uri = uri, .troupe = ts};
    check(u64ch_new(pub, "generated", 1u << 16, &p.gen, &to_bridge), "channel");
    check(u64ch_new(sub, "received", 1u << 16, &from_bridge, &p.in), "channel");
    check(steady_bridge_egress(pub, to_bridge.raw, &o, NULL), "egress");
    check(steady_bridge_ingress(sub, from_bridge.raw, &oi, &in), "ingress");
    check(steady_actor_spawn(pub,
                             &(steady_actor_opts){.name = "source",
                                                  .run = source_run,
                                                  .arg = &p,
                                                  .troupe = tp,
                                                  .txs = STEADY_TXS(p.gen)},
                             NULL),
          "spawn");
    check(
        steady_actor_spawn(
            sub,
            &(steady_actor_opts){
                .name = "sink", .run = sink_run, .arg = &p, .troupe = ts, .rxs = STEADY_RXS(p.in)},
            NULL),
        "spawn");
    check(steady_graph_start(sub), "start");
    steady_bridge_stats st = {0};
    for (int i = 0; i < 2000 && !st.ready; i++) {
        steady_bridge_stats_get(in, &st);
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    uint64_t t0 = bench_now_ns();
    check(steady_graph_start(pub), "start");
    check(steady_graph_block_until_stopped(sub, 10000), "subscriber stop");
    uint64_t wall = bench_now_ns() - t0;
    check(steady_graph_block_until_stopped(pub, 10000), "publisher stop");
    steady_bridge_stats_get(in, &st);
    if (p.got != n || st.gaps || st.dropped) {
        fprintf(stderr,
                "error: bridge: %" PRIu64 " of %" PRIu64 " arrived (%" PRIu64 " lost, %" PRIu64
                " dropped by the client)\n",
                p.got, n, st.gaps, st.dropped);
        exit(1);
    }
    *sum = p.sum;
    steady_graph_free(pub);
    steady_graph_free(sub);
    return wall;
}
