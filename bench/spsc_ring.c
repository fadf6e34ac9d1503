/* spsc_ring.c — the hand-written ring (ring.h) between two pinned threads: our floor.
 *
 * The producer sends 1..n, the consumer sums; the sum is checked exactly. Modes:
 *   msg-span       one message per call through the span path (ring_poke of 1, write, publish;
 *                  ring_peek of 1, read, release), capacity 64K: the per-message floor, as
 *                  measured in reference/perf_measurements.md ("opt, b=1")
 *   msg            one message per ring_push / ring_pop (a dedicated single-slot path: fewer
 *                  instructions, yet slower across cores, see README.md)
 *   msg-idle256    msg with a consumer that, finding the ring empty, pauses 256 times before
 *                  looking again (an idle strategy, not a ring change: see README.md)
 *   span64         zero copy: poke up to 64 slots, write in place, publish; peek up to 64, sum
 *                  in place, release (capacity 64K)
 *   span4096       the same with spans of up to 4096
 *   span524288-1M  double buffer: spans of up to half of a 1M-slot ring
 *   slice64        copies: the producer fills a 64-element staging buffer and memcpys it into
 *                  the poked span; the consumer memcpys out, then sums (what a send_slice /
 *                  take_slice of 64 does underneath)
 *   slice4096      the same with 4096 (memcpy of 32 KiB uses full-cache-line stores)
 * Waits are busy spins with pause.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "bench_common.h"
#include "ring.h"

typedef struct ctx {
    ring *r;
    uint64_t n;
    uint64_t b; /* span / slice length; 1 for msg */
    int copy;   /* slice modes */
    int idle;   /* pauses per empty poll of the consumer (msg modes) */
    uint64_t sum;
} ctx;

static void produce_msg(void *arg)
{
    ctx *c = arg;
    ring_tx t = ring_tx_of(c->r);
    for (uint64_t i = 1; i <= c->n; i++)
        while (!ring_push(&t, i))
            bench_relax();
}

static void consume_msg(void *arg)
{
    ctx *c = arg;
    ring_rx x = ring_rx_of(c->r);
    uint64_t sum = 0, v;
    for (uint64_t i = 0; i < c->n; i++) {
        while (!ring_pop(&x, &v))
            for (int k = 0; k < c->idle; k++)
                bench_relax();
        sum += v;
    }
    c->sum = sum;
}

static void produce_span(void *arg)
{
    ctx *c = arg;
    ring_tx t = ring_tx_of(c->r);
    uint64_t next = 1, stage[4096];
    while (next <= c->n) {
        uint64_t left = c->n - next + 1, len;
        uint64_t *s = ring_poke(&t, left < c->b ? left : c->b, &len);
        if (len == 0) {
            bench_relax();
            continue;
        }
        uint64_t *dst = c->copy ? stage : s;
        for (uint64_t j = 0; j < len; j++)
            dst[j] = next + j;
        if (c->copy)
            memcpy(s, stage, len * sizeof *s);
        next += len;
        ring_publish(&t, len);
    }
}

static void consume_span(void *arg)
{
    ctx *c = arg;
    ring_rx x = ring_rx_of(c->r);
    uint64_t got = 0, sum = 0, stage[4096];
    while (got < c->n) {
        uint64_t len;
        const uint64_t *s = ring_peek(&x, c->b, &len);
        if (len == 0) {
            bench_relax();
            continue;
        }
        if (c->copy) {
            memcpy(stage, s, len * sizeof *s);
            s = stage;
        }
        for (uint64_t j = 0; j < len; j++)
            sum += s[j];
        ring_release(&x, len);
        got += len;
    }
    c->sum = sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"msg", 50000000},      {"msg-span", 50000000},   {"msg-idle256", 100000000},
        {"span64", 200000000},  {"span4096", 500000000},  {"span524288-1M", 500000000},
        {"slice64", 200000000}, {"slice4096", 500000000}, {NULL, 0},
    };
    static const struct {
        uint64_t cap, b;
        int copy, idle;
    } shape[] = {{65536, 1, 0, 1},  {65536, 1, 0, 1},    {65536, 1, 0, 256},
                 {65536, 64, 0, 1}, {65536, 4096, 0, 1}, {1048576, 524288, 0, 1},
                 {65536, 64, 1, 1}, {65536, 4096, 1, 1}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "ring/%s", modes[m].name);

    ctx c = {ring_new(shape[m].cap), n, shape[m].b, shape[m].copy, shape[m].idle, 0};
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    if (m == 0 || m == 2)
        bench_run_pair(produce_msg, consume_msg, &c, &r.wall_ns, &r.cpu_ns);
    else
        bench_run_pair(produce_span, consume_span, &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c.sum, bench_sum_1_to_n(n));
    bench_print(&r);
    ring_free(c.r);
    return 0;
}
