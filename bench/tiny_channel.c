/* tiny_channel.c — steady channels of 1 to 64 slots, one message per call.
 *
 * A channel this small fills after a message or two, so nearly every send and take waits: the
 * figure is the cost of a wait that does not complete at once (spin, yield, park, wake), not of
 * the copy. The producer sends 1..n with steady_wait_vacant(1) + try_send while there is room;
 * the consumer waits with steady_wait_avail(1) and takes everything there; the sink checks the
 * sum exactly. Modes PLACE-cCAP, CAP one of 1 2 3 4 8 64:
 *   solo-cCAP    two SOLO actors, the producer pinned to cpu0, the consumer to cpu1
 *   troupe-cCAP  both in one troupe pinned to cpu0 (every hand-off is a member switch)
 *   chain4-cCAP  source -> relay -> relay -> sink, four SOLO actors, not pinned: more threads
 *                than the machine's two vCPUs (the shape of tools/chaos), so a waiter that
 *                spins holds the core its peer needs
 * Timed from the producer's first send to the sink's last take; CPU over the same region.
 * Extra fields: cap, futex_wakes (how often a parked thread had to be woken).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "steady_run.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

enum { SOLO = 0, TROUPE = 1, CHAIN4 = 2 };
static const char *const place_names[] = {"solo", "troupe", "chain4"};
static const unsigned caps[] = {1, 2, 3, 4, 8, 64};
#define N_CAPS (sizeof caps / sizeof caps[0])

typedef struct stage_io {
    u64ch_rx in;
    u64ch_tx out;
    bench_region *r;
} stage_io;

static int source(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    bench_region *r = io->r;
    bench_region_begin(r);
    for (uint64_t v = 1; v <= r->n;) {
        if (steady_wait_vacant(a, io->out, 1) != STEADY_READY)
            return 1;
        while (v <= r->n && u64ch_tx_try_send(io->out, v) == STEADY_OK)
            v++;
    }
    return 0; /* closes the output */
}

/* Passes every message on unchanged, one at a time. */
static int relay(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    for (;;) {
        steady_wake w = steady_wait_all(a, STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        uint64_t v;
        bool moved = false;
        while (u64ch_tx_vacant(io->out) > 0 && u64ch_rx_try_take(io->in, &v) == STEADY_OK) {
            u64ch_tx_try_send(io->out, v);
            moved = true;
        }
        if (!moved && w.reason == STEADY_CLOSED)
            return u64ch_rx_is_closed_and_empty(io->in) ? 0 : 1;
    }
}

static int sink(steady_actor *a, void *arg)
{
    stage_io *io = arg;
    uint64_t sum = 0, v;
    for (;;) {
        steady_reason why = steady_wait_avail(a, io->in, 1);
        while (u64ch_rx_try_take(io->in, &v) == STEADY_OK)
            sum += v;
        if (why == STEADY_CLOSED && u64ch_rx_is_closed_and_empty(io->in))
            break;
    }
    bench_region_end(io->r, sum);
    return 0;
}

/* Spawns the actors of `place`: stage i of n_stages (0 the source, n_stages-1 the sink). */
static void spawn_all(steady_graph *g, int place, stage_io *io, int n_stages)
{
    static const char *const names[4] = {"source", "relay-1", "relay-2", "sink"};
    steady_troupe *t = NULL;
    if (place == TROUPE &&
        steady_troupe_new(g, &(steady_troupe_opts){.pin = true, .core = 0}, &t) != STEADY_OK)
        bench_die("troupe");
    for (int i = 0; i < n_stages; i++) {
        steady_rx *rxs[2] = {i > 0 ? io[i].in.raw : NULL, NULL};
        steady_tx *txs[2] = {i < n_stages - 1 ? io[i].out.raw : NULL, NULL};
        int last = i == n_stages - 1;
        steady_actor_opts o = {.name = last ? names[3] : names[i],
                               .run = i == 0 ? source
                                      : last ? sink
                                             : relay,
                               .arg = &io[i],
                               .rxs = rxs,
                               .txs = txs,
                               .troupe = t,
                               .pin = place == SOLO,
                               .core = i};
        if (steady_actor_spawn(g, &o, NULL) != STEADY_OK)
            bench_die("spawn");
    }
}

int main(int argc, char **argv)
{
    static char names[3 * N_CAPS][16];
    static bench_mode modes[3 * N_CAPS + 1];
    for (size_t p = 0; p < 3; p++)
        for (size_t c = 0; c < N_CAPS; c++) {
            size_t i = p * N_CAPS + c;
            snprintf(names[i], sizeof names[i], "%s-c%u", place_names[p], caps[c]);
            /* 0.5-3 s at capacity 1 here (solo ~2-4 M/s, troupe ~8, chain4 ~0.07-0.2) */
            modes[i] = (bench_mode){names[i], p == CHAIN4 ? 200000
                                              : p == SOLO ? 4000000
                                                          : 20000000};
        }
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    int place = m / (int)N_CAPS;
    unsigned cap = caps[(size_t)m % N_CAPS];
    char config[32];
    snprintf(config, sizeof config, "tiny/%s", modes[m].name);

    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK)
        bench_die("graph");
    bench_region r = {.n = n};
    int n_stages = place == CHAIN4 ? 4 : 2;
    stage_io io[4] = {{.r = &r}, {.r = &r}, {.r = &r}, {.r = &r}};
    for (int i = 0; i + 1 < n_stages; i++)
        if (u64ch_new(g,
                      i == 0   ? "first"
                      : i == 1 ? "second"
                               : "third",
                      cap, &io[i].out, &io[i + 1].in) != STEADY_OK)
            bench_die("channel");
    spawn_all(g, place, io, n_stages);
    char extra[32];
    snprintf(extra, sizeof extra, " cap=%u", cap);
    bench_run_graph(g, config, &r, bench_sum_1_to_n(n), extra);
    return 0;
}
