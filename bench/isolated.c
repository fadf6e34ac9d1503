/* isolated.c — the throughput of a channel that crosses a process boundary.
 *
 * A producer actor fills spans of up to 4096 64-bit sequence numbers in place and publishes
 * them; a consumer actor sums them in place and takes them (steady_tx_produce /
 * steady_rx_consume). Modes:
 *   inproc    both SOLO actors, pinned to cpu0 / cpu1: one process;
 *   isolated  the same, with the producer ISOLATED: a child process over the graph's shared
 *             memory (the same ring memory, doorbells with shared futexes, global membarrier);
 *   shm       the producer in a process of its own with its own graph, the channel between the
 *             two graphs in a named mapping (steady/ipc.h: what the shm bridge carries);
 *   shm1      both ends attached to the mapping in this process (what the mapping's memory costs
 *             without a second process).
 * The result line's config is "ipc/MODE" (bench/driver.py's rows).
 * The consumer checks the sum and asks for shutdown after n messages. The result line's mps is
 * end to end (start to stop, child start-up included).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "steady_run.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define BATCH 4096u
#define CAPACITY (1u << 16)

typedef struct run {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t n;
    bool alone; /* the producer's graph has no consumer: it stops itself */
} run;

typedef struct consumer_state {
    uint64_t taken, sum;
} consumer_state;

static int producer(steady_actor *a, void *arg)
{
    run *r = arg;
    steady_channel *ch = steady_tx_channel(r->out.raw);
    while (STEADY_RUNNING(a, u64ch_tx_close(r->out))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next >= r->n) {
            if (r->alone) { /* a graph of its own (ipc): nobody else asks it to stop */
                u64ch_tx_close(r->out);
                steady_actor_request_shutdown(a);
            }
            steady_wait_shutdown(a);
            continue;
        }
        uint64_t left = r->n - next, max = left < BATCH ? left : BATCH;
        if (steady_wait_vacant(a, r->out, max) == STEADY_READY)
            steady_tx_produce(r->out.raw, max, bench_fill_next, &next);
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
        st->taken += steady_rx_consume(r->in.raw, BATCH, bench_add_sum, &st->sum);
        if (st->taken == r->n)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

/* Spawns the producer (pinned to cpu0) and/or the consumer (cpu1) on g's ends. */
static steady_err spawn_sides(steady_graph *g, run *r, bool producer_side, bool consumer_side,
                              bool isolated, steady_actor **c)
{
    steady_err e = STEADY_OK;
    if (producer_side)
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = "producer",
                                                    .run = producer,
                                                    .arg = r,
                                                    .txs = STEADY_TXS(r->out),
                                                    .pin = true,
                                                    .core = 0,
                                                    .isolated = isolated},
                               NULL);
    if (e == STEADY_OK && consumer_side)
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = "consumer",
                                                    .run = consumer,
                                                    .arg = r,
                                                    .rxs = STEADY_RXS(r->in),
                                                    .pin = true,
                                                    .core = 1,
                                                    .state_size = sizeof(consumer_state)},
                               c);
    return e;
}

/* The ipc mode's producer: a process of its own with its own graph, attached to `name`. */
static int producer_pod(run *r, const char *name)
{
    steady_graph *g;
    r->alone = true;
    steady_ipc_opts o = {.name = name, .capacity = CAPACITY, .elem_size = sizeof(uint64_t)};
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "ipc-producer"}) ||
        steady_ipc_tx_attach(g, &o, &r->out.raw) || spawn_sides(g, r, true, false, false, NULL) ||
        steady_graph_start(g) || steady_graph_block_until_stopped(g, 10000)) {
        fprintf(stderr, "error: producer pod: %s\n", steady_last_error());
        return 1;
    }
    steady_graph_free(g);
    return 0;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"inproc", 2000000000},
                                       {"isolated", 2000000000},
                                       {"shm", 2000000000},
                                       {"shm1", 2000000000},
                                       {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    steady_log_set_level(STEADY_LOG_WARN);
    run r = {.n = n};
    steady_graph *g;
    steady_actor *c = NULL;
    char name[64];
    snprintf(name, sizeof name, "/steady-bench-ipc-%d", (int)getpid());
    pid_t pod = -1;
    if (mode == 2) { /* before any thread of this process: the child starts from rest */
        steady_ipc_remove(name);
        if ((pod = fork()) == 0)
            _exit(producer_pod(&r, name));
    }
    steady_ipc_opts o = {.name = name, .capacity = CAPACITY, .elem_size = sizeof(uint64_t)};
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "isolated-bench"}) ||
        (mode >= 2 ? steady_ipc_rx_attach(g, &o, &r.in.raw)
                   : u64ch_new(g, "producer->consumer", CAPACITY, &r.out, &r.in)) ||
        (mode == 3 && steady_ipc_tx_attach(g, &o, &r.out.raw)) ||
        spawn_sides(g, &r, mode != 2, true, mode == 1, &c)) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    bench_result res = {.n = n};
    if (!bench_run_with_pod(g, pod, &res))
        return 1;
    consumer_state *st = steady_actor_state(c);
    char extra[64]; /* the consumer's side: how often a parked thread was woken */
    snprintf(extra, sizeof extra, " wakes=%llu", (unsigned long long)steady_graph_futex_wakes(g));
    bench_check_sum(modes[mode].name, st->sum, bench_sum_1_to_n(n));
    char config[32];
    snprintf(config, sizeof config, "ipc/%s", modes[mode].name);
    res.config = config;
    res.extra = extra;
    bench_print(&res);
    steady_graph_free(g);
    return 0;
}
