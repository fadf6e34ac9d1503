/* send_wait.c — the waiting send and take against the loop they replace, one message per call.
 *
 * Two actors, source -> sink, over one channel. The source sends 1..n and returns (which closes
 * the channel); the sink takes until the channel is closed and drained and checks the sum. Each
 * message is moved the way a stage written by hand moves it, or with the waiting calls:
 *   try   source: while (try_send(v) != OK) wait_vacant(1);
 *         sink:   while (try_take(&v) != OK) { if (wait_avail(1) == CLOSED && drained) stop; }
 *   wait  source: send_wait(a, tx, v);       sink: take_wait(a, rx, &v) until ECLOSED
 * Modes API-cCAP and troupe-API-cCAP, API try or wait, CAP 64 or 65536: SOLO actors pinned to
 * cpu0 and cpu1, or both in one troupe pinned to cpu0. With 65536 slots the calls nearly always
 * find room and data (the fast path); with 64 they wait often. The driver puts each wait row
 * beside its try row (bench/driver.py, section "sendwait").
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "steady_run.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct io {
    u64ch_tx out;
    u64ch_rx in;
    bench_region *r;
} io;

static int source_try(steady_actor *a, void *arg)
{
    io *p = arg;
    bench_region_begin(p->r);
    for (uint64_t v = 1; v <= p->r->n; v++)
        while (u64ch_tx_try_send(p->out, v) != STEADY_OK)
            if (steady_wait_vacant(a, p->out, 1) == STEADY_CLOSED)
                return 1;
    return 0;
}

static int sink_try(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t sum = 0, v;
    for (;;) {
        if (u64ch_rx_try_take(p->in, &v) == STEADY_OK) {
            sum += v;
            continue;
        }
        if (steady_wait_avail(a, p->in, 1) == STEADY_CLOSED && u64ch_rx_is_closed_and_empty(p->in))
            break;
    }
    bench_region_end(p->r, sum);
    return 0;
}

static int source_wait(steady_actor *a, void *arg)
{
    io *p = arg;
    bench_region_begin(p->r);
    for (uint64_t v = 1; v <= p->r->n; v++)
        if (u64ch_tx_send_wait(a, p->out, v) != STEADY_OK)
            return 1;
    return 0;
}

static int sink_wait(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t sum = 0, v;
    steady_err e;
    while ((e = u64ch_rx_take_wait(a, p->in, &v)) == STEADY_OK)
        sum += v;
    bench_region_end(p->r, sum);
    return e == STEADY_ECLOSED ? 0 : 1;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"try-c65536", 100000000},
        {"wait-c65536", 100000000},
        {"try-c64", 50000000},
        {"wait-c64", 50000000},
        {"troupe-try-c64", 50000000},
        {"troupe-wait-c64", 50000000},
        {NULL, 0},
    };
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    const char *name = modes[m].name;
    bool troupe = strncmp(name, "troupe-", 7) == 0;
    bool wait = strstr(name, "wait-") != NULL;
    uint64_t cap = strstr(name, "c65536") ? 65536 : 64;
    char config[48];
    snprintf(config, sizeof config, "sendwait/%s", name);

    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK)
        bench_die("graph");
    bench_region r = {.n = n};
    io p = {.r = &r};
    if (u64ch_new(g, "c", cap, &p.out, &p.in) != STEADY_OK)
        bench_die("channel");
    steady_troupe *t = NULL;
    if (troupe &&
        steady_troupe_new(g, &(steady_troupe_opts){.pin = true, .core = 0}, &t) != STEADY_OK)
        bench_die("troupe");
    steady_actor_opts src = {.name = "source",
                             .run = wait ? source_wait : source_try,
                             .arg = &p,
                             .txs = STEADY_TXS(p.out),
                             .troupe = t,
                             .pin = !troupe,
                             .core = 0};
    steady_actor_opts snk = {.name = "sink",
                             .run = wait ? sink_wait : sink_try,
                             .arg = &p,
                             .rxs = STEADY_RXS(p.in),
                             .troupe = t,
                             .pin = !troupe,
                             .core = 1};
    if (steady_actor_spawn(g, &src, NULL) != STEADY_OK ||
        steady_actor_spawn(g, &snk, NULL) != STEADY_OK)
        bench_die("spawn");
    char extra[32];
    snprintf(extra, sizeof extra, " cap=%llu", (unsigned long long)cap);
    bench_run_graph(g, config, &r, bench_sum_1_to_n(n), extra);
    return 0;
}
