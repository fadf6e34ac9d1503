/* spsc_zmq.c — ZeroMQ inproc PAIR sockets between two pinned threads (a peer).
 *
 * Modes:
 *   msg        one 8-byte message per zmq_send / zmq_recv (high-water marks 65536 messages)
 *   batch4096  frames of 4096 values (32 KiB) per zmq_send / zmq_recv (high-water marks 16
 *              frames, the same 64K values in flight)
 * zmq_send/zmq_recv copy the data in and out: that is ZeroMQ's ordinary API. Blocking calls:
 * ZeroMQ waits on its own mailbox signalling, not on a spin. The producer sends 1..n, the
 * consumer sums; the sum is checked exactly.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <zmq.h>

#include "bench_common.h"

#define FRAME 4096

typedef struct ctx {
    void *tx, *rx;
    uint64_t n;
    uint64_t b;
    uint64_t sum;
} ctx;

static void fail(const char *what)
{
    fprintf(stderr, "error: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void produce(void *arg)
{
    ctx *c = arg;
    uint64_t buf[FRAME], next = 1;
    while (next <= c->n) {
        uint64_t k = c->n - next + 1 < c->b ? c->n - next + 1 : c->b;
        for (uint64_t j = 0; j < k; j++)
            buf[j] = next + j;
        if (zmq_send(c->tx, buf, k * sizeof buf[0], 0) < 0)
            fail("zmq_send");
        next += k;
    }
}

static void consume(void *arg)
{
    ctx *c = arg;
    uint64_t buf[FRAME], got = 0, sum = 0;
    while (got < c->n) {
        int bytes = zmq_recv(c->rx, buf, sizeof buf, 0);
        if (bytes < 0 || bytes % 8 != 0)
            fail("zmq_recv");
        for (int j = 0; j < bytes / 8; j++)
            sum += buf[j];
        got += (uint64_t)bytes / 8;
    }
    c->sum = sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"msg", 4000000}, {"batch4096", 200000000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[64];
    snprintf(config, sizeof config, "zmq/%s", modes[m].name);

    ctx c = {.n = n, .b = m == 0 ? 1 : FRAME};
    int hwm = m == 0 ? 65536 : 16;
    void *zctx = zmq_ctx_new();
    if (!zctx || !(c.tx = zmq_socket(zctx, ZMQ_PAIR)) || !(c.rx = zmq_socket(zctx, ZMQ_PAIR)))
        fail("socket");
    if (zmq_setsockopt(c.rx, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(c.tx, ZMQ_SNDHWM, &hwm, sizeof hwm) || zmq_bind(c.rx, "inproc://bench") ||
        zmq_connect(c.tx, "inproc://bench"))
        fail("setup");
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(produce, consume, &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c.sum, bench_sum_1_to_n(n));
    bench_print(&r);
    int linger = 0;
    zmq_setsockopt(c.tx, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(c.tx);
    zmq_close(c.rx);
    zmq_ctx_term(zctx);
    return 0;
}
