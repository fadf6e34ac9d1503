/* spsc_steady.c — one steady channel between two pinned plain threads.
 *
 * The channel belongs to a graph that is never started: ends given to no actor may be used by
 * plain threads (one thread per end). The producer sends 1..n, the consumer sums; the sum is
 * checked exactly. Modes (capacity 64K unless named):
 *   msg            typed try_send / try_take, one message per call
 *   msg-idle256    msg with a consumer that, finding the channel empty, pauses 256 times before
 *                  looking again (the same idle strategy as ring/msg-idle256)
 *   slice64        send_slice / take_slice of up to 64 (copies through a local buffer)
 *   slice4096      the same with 4096
 *   slice4096-stream  slice4096 with steady_tx_set_nontemporal(tx, 2048): the copy into the ring
 *                  uses non-temporal (full-line) stores (a tunable: wins across cores, loses on
 *                  SMT siblings)
 *   span64         zero copy: poke_slice, write up to 64 in place, advance_send; peek_slice, sum
 *                  up to 64 in place, advance_take
 *   span4096       the same with spans of up to 4096
 *   span524288-1M  double buffer: spans of up to half of a 1M-slot channel
 * Spans use the first part only (the region before the wrap), like the hand-written ring.
 * Waits are busy spins with pause, as in spsc_ring.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include <steady/steady.h>

#include "bench_common.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct ctx {
    u64ch_tx tx;
    u64ch_rx rx;
    uint64_t n;
    uint64_t b;
    int idle;   /* pauses per empty poll of the consumer */
    int stream; /* steady_tx_set_nontemporal threshold in bytes (0: off) */
    uint64_t sum;
} ctx;

static void die(const char *what, steady_err e)
{
    fprintf(stderr, "error: %s: %s (%s)\n", what, steady_strerror(e), steady_last_error());
    exit(1);
}

static void produce_msg(void *arg)
{
    ctx *c = arg;
    for (uint64_t i = 1; i <= c->n; i++) {
        steady_err e;
        while ((e = u64ch_tx_try_send(c->tx, i)) != STEADY_OK) {
            if (e != STEADY_EFULL)
                die("try_send", e);
            bench_relax();
        }
    }
}

static void consume_msg(void *arg)
{
    ctx *c = arg;
    uint64_t sum = 0, v;
    for (uint64_t i = 0; i < c->n; i++) {
        steady_err e;
        while ((e = u64ch_rx_try_take(c->rx, &v)) != STEADY_OK) {
            if (e != STEADY_EEMPTY)
                die("try_take", e);
            for (int k = 0; k < c->idle; k++)
                bench_relax();
        }
        sum += v;
    }
    c->sum = sum;
}

static void produce_slice(void *arg)
{
    ctx *c = arg;
    uint64_t buf[4096], next = 1;
    while (next <= c->n) {
        uint64_t k = c->n - next + 1 < c->b ? c->n - next + 1 : c->b;
        for (uint64_t j = 0; j < k; j++)
            buf[j] = next + j;
        for (uint64_t sent = 0; sent < k;) {
            size_t s = u64ch_tx_send_slice(c->tx, buf + sent, k - sent);
            if (s == 0)
                bench_relax();
            sent += s;
        }
        next += k;
    }
}

static void consume_slice(void *arg)
{
    ctx *c = arg;
    uint64_t buf[4096], got = 0, sum = 0;
    while (got < c->n) {
        size_t k = u64ch_rx_take_slice(c->rx, buf, c->b);
        if (k == 0) {
            bench_relax();
            continue;
        }
        for (size_t j = 0; j < k; j++)
            sum += buf[j];
        got += k;
    }
    c->sum = sum;
}

static void produce_span(void *arg)
{
    ctx *c = arg;
    uint64_t next = 1;
    while (next <= c->n) {
        u64ch_span s = u64ch_tx_poke_slice(c->tx);
        uint64_t k = s.a_len, left = c->n - next + 1;
        k = k < c->b ? k : c->b;
        k = k < left ? k : left;
        if (k == 0) {
            bench_relax();
            continue;
        }
        for (uint64_t j = 0; j < k; j++)
            s.a[j] = next + j;
        next += k;
        u64ch_tx_advance_send(c->tx, k);
    }
}

static void consume_span(void *arg)
{
    ctx *c = arg;
    uint64_t got = 0, sum = 0;
    while (got < c->n) {
        u64ch_span s = u64ch_rx_peek_slice(c->rx);
        uint64_t k = s.a_len < c->b ? s.a_len : c->b;
        if (k == 0) {
            bench_relax();
            continue;
        }
        for (uint64_t j = 0; j < k; j++)
            sum += s.a[j];
        u64ch_rx_advance_take(c->rx, k);
        got += k;
    }
    c->sum = sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"msg", 50000000},        {"msg-idle256", 100000000},      {"slice64", 200000000},
        {"slice4096", 500000000}, {"slice4096-stream", 500000000}, {"span64", 200000000},
        {"span4096", 500000000},  {"span524288-1M", 500000000},    {NULL, 0},
    };
    static const struct {
        uint64_t cap, b;
        int idle, stream;
        bench_fn produce, consume;
    } shape[] = {
        {65536, 1, 1, 0, produce_msg, consume_msg},
        {65536, 1, 256, 0, produce_msg, consume_msg},
        {65536, 64, 1, 0, produce_slice, consume_slice},
        {65536, 4096, 1, 0, produce_slice, consume_slice},
        {65536, 4096, 1, 2048, produce_slice, consume_slice},
        {65536, 64, 1, 0, produce_span, consume_span},
        {65536, 4096, 1, 0, produce_span, consume_span},
        {1048576, 524288, 1, 0, produce_span, consume_span},
    };
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "steady/%s", modes[m].name);

    steady_graph *g;
    ctx c = {.n = n, .b = shape[m].b, .idle = shape[m].idle};
    steady_err e = steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true});
    if (e != STEADY_OK || (e = u64ch_new(g, "bench", shape[m].cap, &c.tx, &c.rx)) != STEADY_OK)
        die("setup", e);
    if (shape[m].stream)
        steady_tx_set_nontemporal(c.tx.raw, (size_t)shape[m].stream);
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(shape[m].produce, shape[m].consume, &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c.sum, bench_sum_1_to_n(n));
    bench_print(&r);
    steady_graph_free(g);
    return 0;
}
