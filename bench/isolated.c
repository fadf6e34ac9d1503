/* isolated.c — the throughput of a channel that crosses a process boundary.
 *
 * A producer actor fills spans of up to 4096 64-bit sequence numbers in place and publishes
 * them; a consumer actor sums them in place and takes them (steady_tx_produce /
 * steady_rx_consume). Modes:
 *   inproc    both SOLO actors, pinned to cpu0 / cpu1: one process;
 *   isolated  the same, with the producer ISOLATED: a child process over the graph's shared
 *             memory (the same ring memory, doorbells with shared futexes, global membarrier).
 * The consumer checks the sum and asks for shutdown after n messages. The result line's mps is
 * end to end (start to stop, child start-up included).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <steady/steady.h>

#include "bench_common.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define BATCH 4096u

typedef struct run {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t n;
} run;

typedef struct consumer_state {
    uint64_t taken, sum;
} consumer_state;

static void fill(void *ctx, void *dst, size_t k)
{
    uint64_t *next = ctx, *d = dst;
    for (size_t i = 0; i < k; i++)
        d[i] = ++*next;
}

static void add(void *ctx, const void *src, size_t k)
{
    uint64_t *sum = ctx;
    const uint64_t *s = src;
    for (size_t i = 0; i < k; i++)
        *sum += s[i];
}

static int producer(steady_actor *a, void *arg)
{
    run *r = arg;
    steady_channel *ch = steady_tx_channel(r->out.raw);
    while (STEADY_RUNNING(a, u64ch_tx_close(r->out))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next >= r->n) {
            steady_wait_shutdown(a);
            continue;
        }
        uint64_t left = r->n - next, max = left < BATCH ? left : BATCH;
        if (steady_wait_vacant(a, r->out, max) == STEADY_READY)
            steady_tx_produce(r->out.raw, max, fill, &next);
    }
    return 0;
}

static int consumer(steady_actor *a, void *arg)
{
    run *r = arg;
    consumer_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(r->in)))) {
        uint64_t left = r->n - st->taken;
        steady_wait_avail(a, r->in, left < BATCH ? (left ? left : 1) : BATCH);
        st->taken += steady_rx_consume(r->in.raw, BATCH, add, &st->sum);
        if (st->taken == r->n)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"inproc", 2000000000}, {"isolated", 2000000000}, {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    steady_log_set_level(STEADY_LOG_WARN);
    run r = {.n = n};
    steady_graph *g;
    steady_actor *c = NULL;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "isolated-bench"}) ||
        u64ch_new(g, "producer->consumer", 1u << 16, &r.out, &r.in) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "producer",
                                                .run = producer,
                                                .arg = &r,
                                                .txs = STEADY_TXS(r.out),
                                                .pin = true,
                                                .core = 0,
                                                .isolated = mode == 1},
                           NULL) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "consumer",
                                                .run = consumer,
                                                .arg = &r,
                                                .rxs = STEADY_RXS(r.in),
                                                .pin = true,
                                                .core = 1,
                                                .state_size = sizeof(consumer_state)},
                           &c)) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    double before = bench_probe_ns();
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    if (steady_graph_start(g) || steady_graph_block_until_stopped(g, 10000)) {
        fprintf(stderr, "error: run: %s\n", steady_last_error());
        return 1;
    }
    uint64_t wall = bench_now_ns() - t0, cpu = bench_cpu_ns() - c0;
    double after = bench_probe_ns();
    consumer_state *st = steady_actor_state(c);
    bench_check_sum(modes[mode].name, st->sum, bench_sum_1_to_n(n));
    bench_print(&(bench_result){.config = modes[mode].name,
                                .n = n,
                                .wall_ns = wall,
                                .cpu_ns = cpu,
                                .probe_before = before,
                                .probe_after = after,
                                .extra = NULL});
    steady_graph_free(g);
    return 0;
}
