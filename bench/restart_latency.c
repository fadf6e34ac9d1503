/* restart_latency.c — how long a failed actor is out: from its failure to the next message it
 * processes.
 *
 * A source sends sequence numbers flat out to a worker that peeks, checks and takes them. Every
 * EVERY-th message the worker records the time in its state block and fails (steady_panic); the
 * restarted generation, finding that stamp, records now - stamp when it has taken its next
 * message: the whole restart path (unwind, log call with logging off, arena release, supervisor,
 * handle rewind, re-entry, the wait, the peek) with a zero backoff. The sum of the taken
 * sequence numbers is checked, so the run also shows nothing was lost or repeated.
 * Modes:
 *   solo    source and worker are SOLO actors pinned to cpu0 / cpu1;
 *   member  both are members of one troupe (the worker restarts while the source keeps its
 *           thread busy between the worker's turns);
 *   isolated the worker runs in a child process (the ISOLATED placement) and dies by SIGKILL:
 *           death, the warden's decision, a new child from the zygote, its first message.
 * n = restarts. Result line: mps = restarts per second of the whole run (messages in between
 * included); p50_ns, p99_ns, max_ns of the failure-to-next-message time.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>

#include <steady/steady.h>

#include "bench_common.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define EVERY 1000u

typedef struct run {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t messages; /* restarts * EVERY */
    int isolated;      /* the worker dies by SIGKILL in a child process */
} run;

/* Everything the worker measures lives in its state block: in the graph's shared memory, so an
 * isolated worker's figures reach main. */
typedef struct worker_state {
    uint64_t taken, fail_stamp, restarts, sum;
    uint64_t lat[]; /* one per restart */
} worker_state;

static int source(steady_actor *a, void *arg)
{
    run *r = arg;
    uint64_t *next = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(*next == r->messages) && u64ch_tx_close(r->out))) {
        steady_wait_any(a, STEADY_VACANT(r->out, 64), STEADY_TIMEOUT(1000000));
        while (*next < r->messages && u64ch_tx_try_send(r->out, *next + 1) == STEADY_OK)
            (*next)++;
    }
    return 0;
}

static int worker(steady_actor *a, void *arg)
{
    run *r = arg;
    worker_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(r->in)))) {
        steady_wait_avail(a, r->in, 1);
        uint64_t v;
        while (u64ch_rx_try_peek(r->in, &v) == STEADY_OK) {
            if (st->taken % EVERY == EVERY - 1 && !st->fail_stamp) {
                st->fail_stamp = bench_now_ns();
                if (r->isolated)
                    raise(SIGKILL);
                steady_panic("restart %" PRIu64, st->restarts);
            }
            u64ch_rx_try_take(r->in, &v);
            st->sum += v;
            st->taken++;
            if (st->fail_stamp) {
                st->lat[st->restarts++] = bench_now_ns() - st->fail_stamp;
                st->fail_stamp = 0;
            }
            if (st->taken == r->messages)
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static int cmp_u64(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static steady_actor *spawn_all(steady_graph *g, run *r, int member, uint64_t n)
{
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = 0;
    p.backoff_ceiling_ms = 0;
    p.max_restarts = STEADY_UNLIMITED;
    steady_troupe *t = NULL;
    if (member)
        steady_troupe_new(g, &(steady_troupe_opts){.name = "both", .pin = true, .core = 1}, &t);
    steady_actor_opts src = {.name = "source",
                             .run = source,
                             .arg = r,
                             .txs = STEADY_TXS(r->out),
                             .troupe = t,
                             .pin = !member,
                             .core = 0,
                             .state_size = sizeof(uint64_t)};
    steady_actor_opts wk = {.name = "worker",
                            .run = worker,
                            .arg = r,
                            .rxs = STEADY_RXS(r->in),
                            .troupe = t,
                            .pin = !member,
                            .core = 1,
                            .policy = &p,
                            .isolated = r->isolated,
                            .state_size = sizeof(worker_state) + (n + 1) * sizeof(uint64_t)};
    steady_actor *w = NULL;
    if (steady_actor_spawn(g, &src, NULL) != STEADY_OK ||
        steady_actor_spawn(g, &wk, &w) != STEADY_OK) {
        fprintf(stderr, "error: spawn: %s\n", steady_last_error());
        exit(1);
    }
    return w;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"solo", 20000}, {"member", 20000}, {"isolated", 2000}, {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    steady_log_set_level(STEADY_LOG_OFF); /* a restart logs two lines: not what is measured */
    run r = {.messages = n * EVERY, .isolated = mode == 2};
    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.args = &r, .name = "restart"}) ||
        u64ch_new(g, "source->worker", 4096, &r.out, &r.in)) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    steady_actor *w = spawn_all(g, &r, mode == 1, n);
    double before = bench_probe_ns();
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    if (steady_graph_start(g) != STEADY_OK ||
        steady_graph_block_until_stopped(g, 10000) != STEADY_OK) {
        fprintf(stderr, "error: run: %s\n", steady_last_error());
        return 1;
    }
    uint64_t wall = bench_now_ns() - t0, cpu = bench_cpu_ns() - c0;
    double after = bench_probe_ns();
    worker_state *st = steady_actor_state(w);
    bench_check_sum(modes[mode].name, st->sum, bench_sum_1_to_n(r.messages));
    uint64_t restarts = st->restarts;
    if (restarts != n) {
        fprintf(stderr, "error: %s: %" PRIu64 " restarts measured, %" PRIu64 " expected\n",
                modes[mode].name, restarts, n);
        return 1;
    }
    qsort(st->lat, restarts, sizeof *st->lat, cmp_u64);
    char extra[160];
    snprintf(extra, sizeof extra, " p50_ns=%" PRIu64 " p99_ns=%" PRIu64 " max_ns=%" PRIu64,
             st->lat[restarts / 2], st->lat[restarts * 99 / 100], st->lat[restarts - 1]);
    bench_print(&(bench_result){.config = modes[mode].name,
                                .n = restarts,
                                .wall_ns = wall,
                                .cpu_ns = cpu,
                                .probe_before = before,
                                .probe_after = after,
                                .extra = extra});
    steady_graph_free(g);
    return 0;
}
