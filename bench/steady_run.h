/* steady_run.h — what the benchmarks of whole steady graphs share (pipe_steady.c,
 * tiny_channel.c, isolated.c, ipc_stream.c): the timed region that the first actor opens and
 * the last one closes, running a built graph to one checked result line, and timing a graph
 * whose producer is a forked process.
 *
 * Thread-safety: the region is written by the source actor (begin) and the sink actor (end) and
 * read by main after steady_graph_block_until_stopped, which orders both before the read. */
#ifndef STEADY_BENCH_STEADY_RUN_H
#define STEADY_BENCH_STEADY_RUN_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <steady/steady.h>

#include "bench_common.h"

typedef struct bench_region {
    uint64_t n;      /* messages the source sends */
    uint64_t t0, c0; /* written by the source before its first send */
    uint64_t t1, c1; /* written by the sink after its last take */
    uint64_t sum;    /* what the sink summed */
} bench_region;

static inline void bench_region_begin(bench_region *r)
{
    r->c0 = bench_cpu_ns();
    r->t0 = bench_now_ns();
}

static inline void bench_region_end(bench_region *r, uint64_t sum)
{
    r->t1 = bench_now_ns();
    r->c1 = bench_cpu_ns();
    r->sum = sum;
}

/* Prints what failed with steady's last error and exits 1. */
static inline void bench_die(const char *what)
{
    fprintf(stderr, "error: %s: %s\n", what, steady_last_error());
    exit(1);
}

/* Probes, starts g, waits for it to stop, probes again, frees g; checks that the sink summed
 * `want` (else exits 1); prints the result line with "futex_wakes=N" (how often a parked
 * thread had to be woken) and `extra` (" key=value ...", or "") appended. */
static inline void bench_run_graph(steady_graph *g, const char *config, const bench_region *r,
                                   uint64_t want, const char *extra)
{
    bench_result res = {.config = config, .n = r->n};
    res.probe_before = bench_probe_ns();
    if (steady_graph_start(g) != STEADY_OK)
        bench_die("start");
    if (steady_graph_block_until_stopped(g, 10000) != STEADY_OK)
        bench_die("stop");
    res.probe_after = bench_probe_ns();
    char fields[160];
    snprintf(fields, sizeof fields, "%s futex_wakes=%" PRIu64, extra, steady_graph_futex_wakes(g));
    res.extra = fields;
    steady_graph_free(g);
    bench_check_sum(config, r->sum, want);
    res.wall_ns = r->t1 - r->t0;
    res.cpu_ns = r->c1 - r->c0;
    bench_print(&res);
}

/* Starts g, waits for it to stop and reaps pod (a forked producer that must exit 0; -1: none),
 * filling r's wall and CPU time (start to stop, a child's start-up included) and probes. False,
 * with the reason printed, when the run or the child failed. */
static inline bool bench_run_with_pod(steady_graph *g, pid_t pod, bench_result *r)
{
    r->probe_before = bench_probe_ns();
    uint64_t t0 = bench_now_ns(), c0 = bench_cpu_ns();
    if (steady_graph_start(g) || steady_graph_block_until_stopped(g, 10000)) {
        fprintf(stderr, "error: run: %s\n", steady_last_error());
        return false;
    }
    r->wall_ns = bench_now_ns() - t0;
    r->cpu_ns = bench_cpu_ns() - c0;
    r->probe_after = bench_probe_ns();
    int status = 0;
    if (pod > 0 &&
        (waitpid(pod, &status, 0) != pod || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
        fprintf(stderr, "error: the producer's process failed (status %d)\n", status);
        return false;
    }
    return true;
}

#endif
