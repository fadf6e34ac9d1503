/* pipe_hand.c — the 4-stage pipeline hand-written on the floor ring (ring.h): the floor for
 * pipe_steady.c.
 *
 * Same stages (generator -> +1 -> x2 -> sum), same rings (64K slots), same step (up to 4096
 * messages per turn, zero copy through spans that stop at the wrap), same exact check. Modes:
 *   coop1  one thread on cpu0 runs all four stages in turn (what one troupe of 4 does)
 *   coop2  thread A on cpu0 runs generator and +1 in turn, thread B on cpu1 runs x2 and sum;
 *          only the +1 -> x2 ring crosses cores (what two troupes of 2 do)
 * A thread whose stages all made no progress in a turn spins with pause.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "bench_common.h"
#include "ring.h"
#include "stages.h"

#define B 4096
#define CAP 65536

typedef struct pipe4 {
    ring *r[3];
    uint64_t n;
    uint64_t sum;
} pipe4;

/* Each stage's private state, living on the thread that runs it. */
typedef struct gen_state {
    ring_tx out;
    uint64_t next, n;
} gen_state;

typedef struct work_state {
    ring_rx in;
    ring_tx out;
} work_state;

typedef struct sink_state {
    ring_rx in;
    uint64_t got, sum;
} sink_state;

static uint64_t gen_step(gen_state *g)
{
    uint64_t left = g->n - g->next + 1, len;
    if (left == 0)
        return 0;
    uint64_t *s = ring_poke(&g->out, left < B ? left : B, &len);
    stage_generate(s, len, g->next);
    g->next += len;
    ring_publish(&g->out, len);
    return len;
}

static uint64_t span_pair(work_state *w, const uint64_t **i, uint64_t **o)
{
    uint64_t li, lo;
    *i = ring_peek(&w->in, B, &li);
    *o = ring_poke(&w->out, li, &lo);
    return li < lo ? li : lo;
}

static uint64_t plus1_step(work_state *w)
{
    const uint64_t *i;
    uint64_t *o, k = span_pair(w, &i, &o);
    stage_plus1(i, o, k);
    ring_publish(&w->out, k);
    ring_release(&w->in, k);
    return k;
}

static uint64_t times2_step(work_state *w)
{
    const uint64_t *i;
    uint64_t *o, k = span_pair(w, &i, &o);
    stage_times2(i, o, k);
    ring_publish(&w->out, k);
    ring_release(&w->in, k);
    return k;
}

static uint64_t sink_step(sink_state *s)
{
    uint64_t len;
    const uint64_t *p = ring_peek(&s->in, B, &len);
    s->sum += stage_sum(p, len);
    s->got += len;
    ring_release(&s->in, len);
    return len;
}

static void coop1(void *arg)
{
    pipe4 *p = arg;
    gen_state g = {ring_tx_of(p->r[0]), 1, p->n};
    work_state w1 = {ring_rx_of(p->r[0]), ring_tx_of(p->r[1])};
    work_state w2 = {ring_rx_of(p->r[1]), ring_tx_of(p->r[2])};
    sink_state s = {ring_rx_of(p->r[2]), 0, 0};
    while (s.got < p->n) {
        gen_step(&g);
        plus1_step(&w1);
        times2_step(&w2);
        sink_step(&s);
    }
    p->sum = s.sum;
}

static void coop2_front(void *arg)
{
    pipe4 *p = arg;
    gen_state g = {ring_tx_of(p->r[0]), 1, p->n};
    work_state w1 = {ring_rx_of(p->r[0]), ring_tx_of(p->r[1])};
    while (g.next <= p->n || ring_ready(&w1.in, 1) > 0)
        if ((gen_step(&g) | plus1_step(&w1)) == 0)
            bench_relax();
}

static void coop2_back(void *arg)
{
    pipe4 *p = arg;
    work_state w2 = {ring_rx_of(p->r[1]), ring_tx_of(p->r[2])};
    sink_state s = {ring_rx_of(p->r[2]), 0, 0};
    while (s.got < p->n)
        if ((times2_step(&w2) | sink_step(&s)) == 0)
            bench_relax();
    p->sum = s.sum;
}

static void idle(void *arg)
{
    (void)arg;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"coop1", 1000000000}, {"coop2", 500000000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "pipe/hand/%s", modes[m].name);

    pipe4 p = {{ring_new(CAP), ring_new(CAP), ring_new(CAP)}, n, 0};
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    /* coop1: the second thread of the pair does nothing (it is pinned to cpu1 and returns). */
    bench_run_pair(m == 0 ? coop1 : coop2_front, m == 0 ? idle : coop2_back, &p, &r.wall_ns,
                   &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, p.sum, 2 * bench_sum_1_to_n(n) + 2 * n);
    bench_print(&r);
    for (int i = 0; i < 3; i++)
        ring_free(p.r[i]);
    return 0;
}
