/* wake_latency.c — how long a message takes to wake a waiting SOLO actor.
 *
 * Two SOLO actors, "ping" pinned to cpu0 and "pong" pinned to cpu1, bounce one message through
 * two channels of capacity 1; each waits for the ball with steady_wait_avail(in, 1). Every ball
 * carries its sender's CLOCK_MONOTONIC stamp, so the receiver also measures the one-way time
 * directly. Modes:
 *   pingpong  back to back: the waiter is usually still in its spin phase (a few us) when the
 *             ball arrives. Reports RTT/2 percentiles.
 *   parked    each side waits 200 us (a STEADY_TIMEOUT wait) before returning the ball, so the
 *             other side has spun, yielded and parked on its futex doorbell: every hand-off
 *             goes through the sender's doorbell ring and the waiter's futex wake-up. Reports
 *             one-way percentiles from the stamps (RTT would include the timed waits).
 *   floor-parked  the OS floor for "parked": the same paced hand-off between two pinned plain
 *             threads that spin ~4 us and then sleep on a raw futex (no steady): what a futex
 *             wake-up of a sleeping vCPU costs on this machine.
 * Extra fields on the result line: p50_ns, p99_ns (the headline one-way figure of the mode),
 * rtt_half_p50_ns, stamp_p50_ns, stamp_p99_ns, and wakes_per_msg (futex wake-ups the graph made
 * per one-way hand-off: ~0 when the waiter never parked, ~1 when every hand-off woke it).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/futex.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

#include "bench_common.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define GAP_NS 200000u

typedef struct side {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t rounds;
    uint64_t gap_ns;
    uint64_t *stamp_lat; /* one-way, from the stamps; rounds entries */
    uint64_t *rtt;       /* ping only */
    int failed;
} side;

static int fail(side *s, const char *what, int code)
{
    fprintf(stderr, "error: %s: %d (%s)\n", what, code, steady_last_error());
    s->failed = 1;
    return 1;
}

/* Waits for the ball; returns its one-way time (ns), or 0 on failure. */
static uint64_t catch_ball(steady_actor *a, side *s)
{
    steady_reason why = steady_wait_avail(a, s->in, 1);
    uint64_t stamp;
    steady_err e = u64ch_rx_try_take(s->in, &stamp);
    uint64_t now = bench_now_ns();
    if (why != STEADY_READY || e != STEADY_OK || stamp == 0 || stamp > now) {
        fail(s, why != STEADY_READY ? "wait_avail" : "try_take",
             why != STEADY_READY ? (int)why : (int)e);
        return 0;
    }
    return now - stamp + 1; /* +1: a zero would read as failure; removed by the caller */
}

static int ping(steady_actor *a, void *arg)
{
    side *s = arg;
    for (uint64_t i = 0; i < s->rounds; i++) {
        if (s->gap_ns)
            steady_wait_timeout(a, s->gap_ns);
        uint64_t t0 = bench_now_ns();
        steady_err e = u64ch_tx_try_send(s->out, t0);
        if (e != STEADY_OK)
            return fail(s, "try_send", (int)e);
        uint64_t lat = catch_ball(a, s);
        if (!lat)
            return 1;
        s->stamp_lat[i] = lat - 1;
        s->rtt[i] = bench_now_ns() - t0;
    }
    return 0;
}

static int pong(steady_actor *a, void *arg)
{
    side *s = arg;
    for (uint64_t i = 0; i < s->rounds; i++) {
        uint64_t lat = catch_ball(a, s);
        if (!lat)
            return 1;
        s->stamp_lat[i] = lat - 1;
        if (s->gap_ns)
            steady_wait_timeout(a, s->gap_ns);
        steady_err e = u64ch_tx_try_send(s->out, bench_now_ns());
        if (e != STEADY_OK)
            return fail(s, "try_send", (int)e);
    }
    return 0;
}

/* ---- the OS floor: raw futex hand-offs between plain threads ---- */

typedef struct floor_line {
    _Alignas(64) _Atomic uint32_t seq; /* bumped once per ball */
    _Atomic uint32_t sleeping;
    _Atomic uint64_t stamp;
} floor_line;

static floor_line floor_box[2]; /* [i]: the ball travelling to side i */

static void floor_throw(int to)
{
    floor_line *l = &floor_box[to];
    atomic_store_explicit(&l->stamp, bench_now_ns(), memory_order_relaxed);
    /* seq_cst pair with the sleeper's "sleeping = 1; re-check seq" (a Dekker pair). */
    atomic_fetch_add_explicit(&l->seq, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&l->sleeping, memory_order_seq_cst))
        syscall(SYS_futex, &l->seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Waits until seq moves past `seen`: spin ~4 us, then sleep. Returns the one-way time. */
static uint64_t floor_catch(int me, uint32_t seen)
{
    floor_line *l = &floor_box[me];
    uint64_t until = bench_now_ns() + 4000;
    while (atomic_load_explicit(&l->seq, memory_order_acquire) == seen) {
        if (bench_now_ns() < until) {
            bench_relax();
            continue;
        }
        atomic_store_explicit(&l->sleeping, 1, memory_order_seq_cst);
        if (atomic_load_explicit(&l->seq, memory_order_seq_cst) == seen)
            syscall(SYS_futex, &l->seq, FUTEX_WAIT_PRIVATE, seen, NULL, NULL, 0);
        atomic_store_explicit(&l->sleeping, 0, memory_order_relaxed);
    }
    return bench_now_ns() - atomic_load_explicit(&l->stamp, memory_order_relaxed);
}

static void floor_gap(void)
{
    struct timespec ts = {0, GAP_NS};
    nanosleep(&ts, NULL);
}

typedef struct floor_run {
    uint64_t n;
    uint64_t *lat; /* 2n: side 0's catches, then side 1's */
} floor_run;

static void floor_ping(void *arg)
{
    floor_run *f = arg;
    for (uint64_t i = 0; i < f->n; i++) {
        floor_gap();
        floor_throw(1);
        f->lat[i] = floor_catch(0, (uint32_t)i);
    }
}

static void floor_pong(void *arg)
{
    floor_run *f = arg;
    for (uint64_t i = 0; i < f->n; i++) {
        f->lat[f->n + i] = floor_catch(1, (uint32_t)i);
        floor_gap();
        floor_throw(0);
    }
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sorts v and returns the q-quantile (0..1). */
static double quantile(uint64_t *v, uint64_t n, double q)
{
    qsort(v, n, sizeof v[0], cmp_u64);
    uint64_t i = (uint64_t)(q * (double)(n - 1) + 0.5);
    return (double)v[i];
}

static int run_floor(const char *config, uint64_t n)
{
    floor_run f = {n, calloc(2 * n, sizeof(uint64_t))};
    if (!f.lat)
        return 1;
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(floor_ping, floor_pong, &f, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    double p50 = quantile(f.lat, 2 * n, 0.50), p99 = quantile(f.lat, 2 * n, 0.99);
    char extra[160];
    snprintf(extra, sizeof extra, " p50_ns=%.0f p99_ns=%.0f stamp_p50_ns=%.0f stamp_p99_ns=%.0f",
             p50, p99, p50, p99);
    r.extra = extra;
    bench_print(&r);
    free(f.lat);
    return 0;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"pingpong", 100000}, {"parked", 3000}, {"floor-parked", 3000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "latency/%s", modes[m].name);
    if (m == 2)
        return run_floor(config, n);

    steady_graph *g;
    side s[2] = {{.rounds = n, .gap_ns = m == 1 ? GAP_NS : 0},
                 {.rounds = n, .gap_ns = m == 1 ? GAP_NS : 0}};
    uint64_t *buf = calloc(3 * n, sizeof(uint64_t)); /* ping stamps | pong stamps | rtt */
    if (!buf || steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) ||
        u64ch_new(g, "ping", 1, &s[0].out, &s[1].in) ||
        u64ch_new(g, "pong", 1, &s[1].out, &s[0].in)) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    s[0].stamp_lat = buf;
    s[1].stamp_lat = buf + n;
    s[0].rtt = buf + 2 * n;
    for (int i = 0; i < 2; i++) {
        steady_tx *txs[2] = {s[i].out.raw, NULL};
        steady_rx *rxs[2] = {s[i].in.raw, NULL};
        steady_actor_opts o = {.name = i ? "pong" : "ping",
                               .run = i ? pong : ping,
                               .arg = &s[i],
                               .txs = txs,
                               .rxs = rxs,
                               .pin = true,
                               .core = i};
        if (steady_actor_spawn(g, &o, NULL) != STEADY_OK) {
            fprintf(stderr, "error: spawn: %s\n", steady_last_error());
            return 1;
        }
    }
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    uint64_t c0 = bench_cpu_ns(), t0 = bench_now_ns();
    if (steady_graph_start(g) != STEADY_OK ||
        steady_graph_block_until_stopped(g, 10000) != STEADY_OK || s[0].failed || s[1].failed) {
        fprintf(stderr, "error config=%s: the ping-pong did not complete: %s\n", config,
                steady_last_error());
        return 1;
    }
    r.wall_ns = bench_now_ns() - t0;
    r.cpu_ns = bench_cpu_ns() - c0;
    r.probe_after = bench_probe_ns();
    uint64_t wakes = steady_graph_futex_wakes(g);
    steady_graph_free(g);

    double rtt50 = quantile(buf + 2 * n, n, 0.50) / 2, rtt99 = quantile(buf + 2 * n, n, 0.99) / 2;
    double st50 = quantile(buf, 2 * n, 0.50), st99 = quantile(buf, 2 * n, 0.99);
    double p50 = m == 0 ? rtt50 : st50, p99 = m == 0 ? rtt99 : st99;
    char extra[256];
    snprintf(extra, sizeof extra,
             " p50_ns=%.0f p99_ns=%.0f rtt_half_p50_ns=%.0f stamp_p50_ns=%.0f stamp_p99_ns=%.0f "
             "wakes_per_msg=%.3f",
             p50, p99, rtt50, st50, st99, (double)wakes / (2.0 * (double)n));
    r.extra = extra;
    bench_print(&r);
    free(buf);
    return 0;
}
