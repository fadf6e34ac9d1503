/* telemetry-minimal — a graph with a dashboard, in the fewest lines: a counter feeds a summer
 * through one channel, and steady/telemetry.h serves the graph while it runs.
 *
 *   telemetry-minimal [seconds]     (default 30; 0: until Ctrl-C)
 *
 * Open the URL it prints (http://127.0.0.1:9900/, or the next free port) to watch the rate,
 * the fill and the latency of the channel; curl .../metrics for Prometheus. The run ends after
 * the given time, or at Ctrl-C, and exits 0 only if the stop was clean. */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <steady/steady.h>
#include <steady/telemetry.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct io {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t stop_after_ms;
} io;

static int counter(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t next = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(p->out))))
        if (steady_wait_vacant(a, p->out, 256) == STEADY_READY)
            for (int i = 0; i < 256; i++)
                u64ch_tx_try_send(p->out, next++);
    return 0;
}

static int summer(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t v, sum = 0, t0 = steady_clock_monotonic_ns(NULL);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(p->in)))) {
        steady_wait_all_or_first(a, STEADY_AVAIL(p->in, 256), STEADY_TIMEOUT(STEADY_MS(100)));
        while (u64ch_rx_try_take(p->in, &v) == STEADY_OK)
            sum += v;
        if (p->stop_after_ms && steady_clock_monotonic_ns(NULL) - t0 >= p->stop_after_ms * 1000000u)
            steady_actor_request_shutdown(a);
    }
    STEADY_INFO("summer: the values taken add up to %" PRIu64, sum);
    return 0;
}

int main(int argc, char **argv)
{
    io p = {.stop_after_ms = (argc > 1 ? strtoull(argv[1], NULL, 10) : 30) * 1000u};
    steady_graph *g;
    steady_actor *c, *s;
    steady_telemetry *t = NULL;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "minimal"}) != STEADY_OK ||
        u64ch_new(g, "numbers", 65536, &p.out, &p.in) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "counter", .run = counter, .arg = &p, .txs = STEADY_TXS(p.out)},
            &c) != STEADY_OK ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "summer", .run = summer, .arg = &p, .rxs = STEADY_RXS(p.in)},
                           &s) != STEADY_OK ||
        steady_telemetry_start(g, NULL, &t) != STEADY_OK || steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "telemetry-minimal: %s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_telemetry_stop(t); /* a last frame, and logs/graph.dot */
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}
