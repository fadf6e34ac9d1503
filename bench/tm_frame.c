/* tm_frame.c — one telemetry frame in instructions, for the callgrind gate (bench/gate.py).
 *
 * Telemetry costs the actors nothing per message beyond the channels' latency probe (counted
 * in gate.conf's msg row); what telemetry on adds is the collector's work once per frame on
 * its own thread. This program does that work n times on lesson 02B's graph (generator,
 * heartbeat -> worker -> logger; built, with traffic in the channels, never started): sample
 * with the collector (frame.h) and render /graph.dot, /metrics and /snapshot.json. gate.py
 * divides by n: instructions per frame, deterministic, so a CI gate.
 *   tm_frame frame [--n N]
 * Links the telemetry library's private headers, as its white-box tests do. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "telemetry/collect.h"
#include "telemetry/render.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

static int idle(steady_actor *a, void *arg)
{
    (void)a, (void)arg;
    return 0;
}

static steady_err spawn(steady_graph *g, const char *name, steady_tx *const *txs,
                        steady_rx *const *rxs)
{
    return steady_actor_spawn(
        g, &(steady_actor_opts){.name = name, .run = idle, .txs = txs, .rxs = rxs}, NULL);
}

/* lesson 02B's shape, each channel a quarter full */
static steady_graph *build(void)
{
    steady_graph *g;
    u64ch_tx v_tx, b_tx, o_tx;
    u64ch_rx v_rx, b_rx, o_rx;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "lesson-02b",
                                                  .no_signal_handlers = true}) != STEADY_OK ||
        u64ch_new(g, "generator->worker", 1024, &v_tx, &v_rx) != STEADY_OK ||
        u64ch_new(g, "heartbeat->worker", 64, &b_tx, &b_rx) != STEADY_OK ||
        u64ch_new(g, "worker->logger", 1024, &o_tx, &o_rx) != STEADY_OK ||
        spawn(g, "generator", STEADY_TXS(v_tx), NULL) != STEADY_OK ||
        spawn(g, "heartbeat", STEADY_TXS(b_tx), NULL) != STEADY_OK ||
        spawn(g, "worker", STEADY_TXS(o_tx), STEADY_RXS(v_rx, b_rx)) != STEADY_OK ||
        spawn(g, "logger", NULL, STEADY_RXS(o_rx)) != STEADY_OK)
        return NULL;
    for (uint64_t i = 0; i < 256; i++)
        if (u64ch_tx_try_send(v_tx, i) != STEADY_OK || u64ch_tx_try_send(o_tx, i) != STEADY_OK)
            return NULL;
    return g;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"frame", 1000}, {NULL, 0}};
    uint64_t n;
    bench_args(argc, argv, modes, &n);
    steady_graph *g = build();
    tm_collect_config cfg = {.frame_ms = 100, .refresh_ms = 1000, .window_ms = 10000};
    tm_collector *c = g ? tm_collector_new(g, &cfg, 1000000000) : NULL;
    if (!c) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    tm_buf b = {0};
    size_t bytes = 0;
    for (uint64_t i = 1; i <= n; i++) {
        const tm_frame *f = tm_collector_sample(c, 1000000000 + i * 100000000, 1700000000000);
        tm_buf_reset(&b);
        tm_render_dot(f, &b);
        tm_render_prom(f, &b);
        tm_render_json(f, &b);
        bytes += b.len;
    }
    if (b.oom || bytes == 0) {
        fprintf(stderr, "error: rendering failed\n");
        return 1;
    }
    printf("tm_frame mode=frame n=%llu bytes/frame=%zu ok\n", (unsigned long long)n,
           (size_t)(bytes / n));
    tm_buf_free(&b);
    tm_collector_free(c);
    steady_graph_free(g);
    return 0;
}
