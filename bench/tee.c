/* tee.c — a broadcast (tee) channel: what each consumer gets, beside one SPSC channel.
 *
 * Plain pinned threads on a graph never started (the ends have no owner yet). The producer
 * (cpu0) writes 1..n in place in spans of up to 4096 and publishes them to every lane; the
 * consumer thread (cpu1) serves every lane in turn, a span of up to 4096 each, summing in place,
 * as the consumers of a troupe on one core would. Each lane's sum is checked exactly. Modes:
 *   tee1-span4096  one consumer (the tee's own cost against steady/span4096, a channel)
 *   tee2-span4096  two consumers on the consumer thread; the figure is what EACH consumer gets
 * The driver puts both beside steady/span4096 (section "tee"); the target is each of two
 * consumers at >= 0.8x of the channel. On 2 vCPUs the two consumers share a core.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include <steady/steady.h>

#include "bench_common.h"

#define CAP 65536
#define SPAN 4096

typedef struct ctx {
    steady_tee *tee;
    steady_rx *rx[2];
    uint32_t consumers;
    uint64_t n;
    uint64_t sum[2];
} ctx;

static void produce(void *arg)
{
    ctx *c = arg;
    uint64_t v = 1;
    while (v <= c->n) {
        steady_span s = steady_tee_poke_slice(c->tee);
        uint64_t k = s.a_len < SPAN ? s.a_len : SPAN;
        if (k > c->n - v + 1)
            k = c->n - v + 1;
        if (!k) {
            bench_relax();
            continue;
        }
        uint64_t *p = s.a;
        for (uint64_t j = 0; j < k; j++)
            p[j] = v + j;
        v += steady_tee_advance_send(c->tee, k);
    }
}

static void consume(void *arg)
{
    ctx *c = arg;
    uint64_t got[2] = {0, 0};
    uint32_t done = 0;
    while (done < c->consumers) {
        done = 0;
        bool moved = false;
        for (uint32_t i = 0; i < c->consumers; i++) {
            if (got[i] == c->n) {
                done++;
                continue;
            }
            steady_span s = steady_rx_peek_slice(c->rx[i]);
            uint64_t k = s.a_len < SPAN ? s.a_len : SPAN;
            const uint64_t *p = s.a;
            uint64_t sum = 0;
            for (uint64_t j = 0; j < k; j++)
                sum += p[j];
            c->sum[i] += sum;
            steady_rx_advance_take(c->rx[i], k);
            got[i] += k;
            moved |= k > 0;
        }
        if (!moved)
            bench_relax();
    }
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"tee1-span4096", 500000000}, {"tee2-span4096", 500000000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[48];
    snprintf(config, sizeof config, "tee/%s", modes[m].name);
    static ctx c;
    c.consumers = (uint32_t)m + 1;
    c.n = n;
    steady_graph *g;
    steady_tee_opts o = {
        .name = "bench", .capacity = CAP, .elem_size = 8, .consumers = c.consumers};
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK ||
        steady_tee_new(g, &o, &c.tee, c.rx) != STEADY_OK) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(produce, consume, &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    for (uint32_t i = 0; i < c.consumers; i++)
        bench_check_sum(config, c.sum[i], bench_sum_1_to_n(n));
    char extra[48];
    snprintf(extra, sizeof extra, " consumers=%u", c.consumers);
    r.extra = extra;
    bench_print(&r);
    steady_graph_free(g);
    return 0;
}
