/* spsc_ck.c — Concurrency Kit's ck_ring in SPSC mode between two pinned threads (a peer).
 *
 * ck_ring stores pointer-sized entries; the value travels as the pointer itself
 * (ck_ring_enqueue_spsc / ck_ring_dequeue_spsc, one entry per call: ck has no SPSC batch call).
 * Ring of 65536 entries (ck keeps one free: 65535 usable). The producer sends 1..n, the
 * consumer sums; the sum is checked exactly. Waits are busy spins with pause.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_ring.h>

#include "bench_common.h"

#define CAP 65536

typedef struct ctx {
    ck_ring_t ring;
    ck_ring_buffer_t *buf;
    uint64_t n;
    uint64_t sum;
} ctx;

static void produce(void *arg)
{
    ctx *c = arg;
    for (uint64_t i = 1; i <= c->n; i++)
        while (!ck_ring_enqueue_spsc(&c->ring, c->buf, (void *)(uintptr_t)i))
            bench_relax();
}

static void consume(void *arg)
{
    ctx *c = arg;
    uint64_t sum = 0;
    for (uint64_t i = 0; i < c->n; i++) {
        void *v;
        while (!ck_ring_dequeue_spsc(&c->ring, c->buf, &v))
            bench_relax();
        sum += (uint64_t)(uintptr_t)v;
    }
    c->sum = sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"msg", 50000000}, {NULL, 0}};
    uint64_t n;
    bench_args(argc, argv, modes, &n);
    static ctx c; /* ck_ring_t is cache-line padded inside */
    c.buf = aligned_alloc(64, CAP * sizeof(ck_ring_buffer_t));
    if (!c.buf) {
        fprintf(stderr, "error: out of memory\n");
        return 1;
    }
    memset(c.buf, 0, CAP * sizeof(ck_ring_buffer_t)); /* fault the pages in before timing */
    ck_ring_init(&c.ring, CAP);
    c.n = n;
    bench_result r = {.config = "ck/msg", .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(produce, consume, &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(r.config, c.sum, bench_sum_1_to_n(n));
    bench_print(&r);
    free(c.buf);
    return 0;
}
