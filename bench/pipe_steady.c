/* pipe_steady.c — a 4-stage pipeline of steady actors: generator -> +1 -> x2 -> sum.
 *
 * Every stage moves up to 4096 messages per turn through zero-copy spans (peek_slice on its
 * input, poke_slice on its output, the transform written straight into the output span, then
 * advance_take / advance_send), and blocks only in steady_wait_all on AVAIL(in, 4096) and
 * VACANT(out, 4096). Channels of 64K slots. The generator sends 1..n; the sink checks
 * sum(2 * (v + 1)) exactly. The same actor functions run in every placement:
 *   solo4       4 SOLO actors (own threads), generator and +1 pinned to cpu0, x2 and sum to cpu1
 *   solo4-free  4 SOLO actors, not pinned (the OS places them)
 *   troupe2x2   2 troupes of 2: {generator, +1} pinned to cpu0, {x2, sum} pinned to cpu1
 *   troupe1x4   1 troupe of 4 on cpu0 (every hand-off stays on one core)
 * Timed from the generator's first step to the sink's last take; CPU over the same region.
 * Extra field: futex_wakes, how often a parked thread had to be woken (0 when nobody parked).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "stages.h"
#include "steady_run.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define B 4096
#define CAP 65536

typedef struct stage_io {
    u64ch_rx in;
    u64ch_tx out;
    int op; /* 0: +1, 1: x2 */
    bench_region *r;
} stage_io;

static uint64_t min3(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t m = a < b ? a : b;
    return m < c ? m : c;
}

static int generator(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    bench_region *r = io->r;
    bench_region_begin(r);
    for (uint64_t next = 1; next <= r->n;) {
        uint64_t left = r->n - next + 1;
        if (steady_wait_vacant(a, io->out, left < B ? left : B) != STEADY_READY)
            return 1;
        u64ch_span s = u64ch_tx_poke_slice(io->out);
        uint64_t k = min3(s.a_len, B, left);
        stage_generate(s.a, k, next);
        u64ch_tx_advance_send(io->out, k);
        next += k;
    }
    return 0; /* closes the output: downstream drains and sees CLOSED */
}

/* Moves up to B messages from in to out through both spans; returns how many. */
static uint64_t step(stage_io *io)
{
    u64ch_span i = u64ch_rx_peek_slice(io->in), o = u64ch_tx_poke_slice(io->out);
    uint64_t k = min3(i.a_len, o.a_len, B);
    if (io->op == 0)
        stage_plus1(i.a, o.a, k);
    else
        stage_times2(i.a, o.a, k);
    u64ch_tx_advance_send(io->out, k);
    u64ch_rx_advance_take(io->in, k);
    return k;
}

static int worker(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    uint64_t need = B;
    for (;;) {
        steady_wake w =
            steady_wait_all(a, STEADY_AVAIL(io->in, need), STEADY_VACANT(io->out, need));
        if (step(io))
            continue;
        if (u64ch_rx_is_closed_and_empty(io->in))
            return 0;
        if (w.reason == STEADY_CLOSED) {
            if (w.closed & 2u) /* downstream is gone: cannot happen here */
                return 1;
            /* Input closed with fewer than `need` left: wait for room for the remainder. */
            need = u64ch_rx_avail(io->in);
        }
    }
}

static int sink(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    uint64_t need = B, sum = 0;
    for (;;) {
        steady_reason why = steady_wait_avail(a, io->in, need);
        u64ch_span s = u64ch_rx_peek_slice(io->in);
        uint64_t k = s.a_len < B ? s.a_len : B;
        sum += stage_sum(s.a, k);
        u64ch_rx_advance_take(io->in, k);
        if (k)
            continue;
        if (u64ch_rx_is_closed_and_empty(io->in))
            break;
        if (why == STEADY_CLOSED)
            need = 1;
    }
    bench_region_end(io->r, sum);
    return 0;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"solo4", 500000000},
        {"solo4-free", 500000000},
        {"troupe2x2", 500000000},
        {"troupe1x4", 500000000},
        {NULL, 0},
    };
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "pipe/steady/%s", modes[m].name);

    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK)
        bench_die("graph");
    bench_region r = {.n = n};
    stage_io io[4] = {{.op = 0, .r = &r}, {.op = 0, .r = &r}, {.op = 1, .r = &r}, {.r = &r}};
    static const char *const names[4] = {"generator", "plus1", "times2", "sum"};
    steady_actor_fn fns[4] = {generator, worker, worker, sink};
    for (int i = 0; i < 3; i++)
        if (u64ch_new(g, names[i], CAP, &io[i].out, &io[i + 1].in) != STEADY_OK)
            bench_die("channel");
    steady_troupe *t[2] = {NULL, NULL};
    if (m == 2 || m == 3) {
        for (int i = 0; i < (m == 2 ? 2 : 1); i++)
            if (steady_troupe_new(g, &(steady_troupe_opts){.pin = true, .core = i}, &t[i]) !=
                STEADY_OK)
                bench_die("troupe");
        if (m == 3)
            t[1] = t[0];
    }
    for (int i = 0; i < 4; i++) {
        steady_rx *rxs[2] = {i > 0 ? io[i].in.raw : NULL, NULL};
        steady_tx *txs[2] = {i < 3 ? io[i].out.raw : NULL, NULL};
        steady_actor_opts o = {
            .name = names[i], .run = fns[i], .arg = &io[i], .rxs = rxs, .txs = txs};
        if (m == 0) {
            o.pin = true;
            o.core = i / 2;
        } else if (m >= 2) {
            o.troupe = t[i / 2];
        }
        if (steady_actor_spawn(g, &o, NULL) != STEADY_OK)
            bench_die("spawn");
    }
    /* sum of 2 * (v + 1) for v = 1..n: n(n+1) + 2n, modulo 2^64 */
    bench_run_graph(g, config, &r, 2 * bench_sum_1_to_n(n) + 2 * n, "");
    return 0;
}
