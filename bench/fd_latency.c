/* fd_latency.c — how long a descriptor takes to wake an actor waiting on it (STEADY_FD),
 * beside a bare epoll_wait loop doing the same.
 *
 * A writer thread pinned to cpu0 writes its CLOCK_MONOTONIC stamp (8 bytes) into a pipe every
 * 200 us, so the waiter has parked by the time each stamp arrives; the waiter, pinned to cpu1,
 * reads it and records now - stamp. The writer starts once the waiter runs (stamps written
 * while the graph was still starting measured the start, ~9 ms, as the p99). Modes:
 *   steady   a SOLO actor waiting with steady_wait_fd(a, pipe, STEADY_FD_READABLE): its thread
 *            parks in ppoll on the pipe and its bell's eventfd (core/troupe.c, bell.c)
 *   epoll    the floor: a plain thread in epoll_wait on the pipe (one registration, no steady)
 * Extra fields: p50_ns, p99_ns (one-way, writer's stamp to the waiter's read). The driver puts
 * steady beside epoll (section "fdwait"); the target is steady's p50 within 2x of epoll's.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

#include "bench_common.h"

#define GAP_NS 200000u

typedef struct run {
    int fds[2];
    uint64_t n;
    uint64_t *lat;
    uint64_t got;
    int failed;
    _Atomic int ready; /* the reader waits on the pipe now: stamps before would time the start */
} run;

static void pause_ns(uint64_t ns)
{
    struct timespec ts = {0, (long)ns};
    nanosleep(&ts, NULL);
}

static void writer(void *arg)
{
    run *r = arg;
    while (!atomic_load_explicit(&r->ready, memory_order_acquire) && !r->failed)
        pause_ns(1000);
    for (uint64_t i = 0; i < r->n; i++) {
        pause_ns(GAP_NS);
        uint64_t t = bench_now_ns();
        if (write(r->fds[1], &t, sizeof t) != sizeof t)
            r->failed = 1;
    }
}

/* Reads every stamp there is; records each one-way time. */
static void drain(run *r)
{
    uint64_t t;
    while (read(r->fds[0], &t, sizeof t) == sizeof t)
        if (r->got < r->n)
            r->lat[r->got++] = bench_now_ns() - t;
}

static void epoll_reader(void *arg)
{
    run *r = arg;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = r->fds[0]}, out;
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, r->fds[0], &ev) != 0) {
        r->failed = 1;
        return;
    }
    atomic_store_explicit(&r->ready, 1, memory_order_release);
    while (r->got < r->n)
        if (epoll_wait(ep, &out, 1, -1) == 1)
            drain(r);
    close(ep);
}

static int steady_reader(steady_actor *a, void *arg)
{
    run *r = arg;
    atomic_store_explicit(&r->ready, 1, memory_order_release);
    while (r->got < r->n) {
        steady_reason why = steady_wait_fd(a, r->fds[0], STEADY_FD_READABLE);
        if (why == STEADY_READY)
            drain(r);
        else if (why == STEADY_CLOSED)
            return 1;
    }
    steady_actor_request_shutdown(a);
    return 0;
}

static void steady_side(void *arg)
{
    run *r = arg;
    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "reader", .run = steady_reader, .arg = r, .pin = true, .core = 1},
            NULL) != STEADY_OK ||
        steady_graph_start(g) != STEADY_OK) {
        r->failed = 1;
        return;
    }
    /* main's thread blocks (no polling beside the pinned actor); the actor asks for the stop */
    bench_unpin();
    if (steady_graph_block_until_stopped(g, 120000) != STEADY_OK)
        r->failed = 1;
    steady_graph_free(g);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"steady", 5000}, {"epoll", 5000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[48];
    snprintf(config, sizeof config, "fdwait/%s", modes[m].name);
    run r = {.n = n, .lat = calloc(n, sizeof(uint64_t))};
    if (!r.lat || pipe2(r.fds, O_NONBLOCK | O_CLOEXEC) != 0) {
        fprintf(stderr, "error: setup\n");
        return 1;
    }
    bench_result res = {.config = config, .n = n};
    res.probe_before = bench_probe_ns();
    /* epoll: the reader is the pair's consumer thread (cpu1); steady: that thread starts the graph
     * and blocks until it stops, while the actor itself is pinned to cpu1. */
    bench_run_pair(writer, m == 0 ? steady_side : epoll_reader, &r, &res.wall_ns, &res.cpu_ns);
    res.probe_after = bench_probe_ns();
    if (r.failed || r.got != n) {
        fprintf(stderr, "error config=%s: %" PRIu64 " of %" PRIu64 " stamps read\n", config, r.got,
                n);
        return 1;
    }
    qsort(r.lat, n, sizeof r.lat[0], cmp_u64);
    char extra[96];
    snprintf(extra, sizeof extra, " p50_ns=%" PRIu64 " p99_ns=%" PRIu64, r.lat[n / 2],
             r.lat[(uint64_t)((double)(n - 1) * 0.99)]);
    res.extra = extra;
    bench_print(&res);
    free(r.lat);
    return 0;
}
