/* ipc_stream.c — the throughput of a stream (variable-size messages) across a process boundary.
 *
 * A producer actor writes messages of 16..271 bytes (cycling with the sequence number) in
 * place (steady_stream_claim_wait, then steady_stream_publish): the first 8 bytes are the
 * message's number 1..n, the rest a byte pattern. A consumer actor waits for messages with the
 * stream's avail condition, reads up to 64 in place (steady_stream_peek_batch), checks that
 * each is the next number with the right length, sums the numbers, and takes the batch
 * (steady_stream_advance_take). Both are SOLO actors pinned to cpu0 / cpu1; the stream holds
 * 8192 messages and 1 MiB of frames. Modes:
 *   inproc  a stream between the two actors of one graph (steady_stream_new): the floor;
 *   shm     the producer in a forked process with a graph of its own, the stream between the
 *           two graphs in two named mappings (steady_ipc_stream_tx_attach / _rx_attach).
 * The result line's config is "ipcstream/MODE" (bench/driver.py's rows); isolated.c is the
 * same pair for a channel of u64 spans. The sum is checked exactly, and the consumer asks for
 * shutdown after n messages. The result line's mps is messages per second end to end (start to
 * stop, the child's start-up included); wakes counts the futex wakes the consumer's graph made.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "steady_run.h"

#define BATCH 64u
#define MAX_MESSAGES 8192u
#define MAX_BYTES (1u << 20)
#define MIN_LEN 16u
#define LEN_CYCLE 256u /* lengths 16..271 */

typedef struct run {
    steady_stream_tx out;
    steady_stream_rx in;
    uint64_t n;
    bool alone; /* the producer's graph has no consumer: it stops itself */
} run;

typedef struct consumer_state {
    uint64_t taken, sum, bad; /* bad: messages out of sequence or of the wrong length */
} consumer_state;

static size_t msg_len(uint64_t seq)
{
    return MIN_LEN + (size_t)(seq % LEN_CYCLE);
}

static void stamp(unsigned char *p, uint64_t seq, size_t len)
{
    memcpy(p, &seq, sizeof seq);
    memset(p + sizeof seq, (int)(seq & 0xff), len - sizeof seq);
}

/* Writes messages sent+1 .. up to BATCH of them, each claimed, stamped and published in place.
 * STEADY_OK, or the claim's error (STEADY_ESHUTDOWN when interrupted). */
static steady_err produce_batch(steady_actor *a, run *r, uint64_t *sent)
{
    for (unsigned k = 0; k < BATCH && *sent < r->n; k++) {
        uint64_t seq = *sent + 1;
        size_t len = msg_len(seq);
        void *p;
        steady_err e = steady_stream_claim_wait(a, r->out, len, &p);
        if (e != STEADY_OK)
            return e;
        stamp(p, seq, len);
        if ((e = steady_stream_publish(r->out, len)) != STEADY_OK)
            return e;
        *sent = seq;
    }
    return STEADY_OK;
}

static int producer(steady_actor *a, void *arg)
{
    run *r = arg;
    /* Where the stream stands (0 for a fresh one; a restarted producer would continue). */
    uint64_t sent = steady_channel_sent_total(steady_tx_channel(r->out.lens.raw));
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_tx_close(r->out)))) {
        if (sent >= r->n) {
            if (r->alone) { /* a graph of its own (shm): nobody else asks it to stop */
                steady_stream_tx_close(r->out);
                steady_actor_request_shutdown(a);
            }
            steady_wait_shutdown(a);
            continue;
        }
        steady_err e = produce_batch(a, r, &sent);
        if (e != STEADY_OK && e != STEADY_ESHUTDOWN)
            return 1;
    }
    return 0;
}

/* Reads the ready messages (up to BATCH) in place, checks and sums them, takes them. */
static void consume_batch(run *r, consumer_state *st)
{
    steady_stream_msg m[BATCH];
    size_t k = steady_stream_peek_batch(r->in, m, BATCH);
    for (size_t j = 0; j < k; j++) {
        uint64_t seq = 0;
        if (m[j].len >= sizeof seq)
            memcpy(&seq, m[j].data, sizeof seq);
        st->bad += seq != st->taken + j + 1 || m[j].len != msg_len(seq);
        st->sum += seq;
    }
    st->taken += steady_stream_advance_take(r->in, k);
}

static int consumer(steady_actor *a, void *arg)
{
    run *r = arg;
    consumer_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(steady_stream_rx_is_closed_and_empty(r->in)))) {
        uint64_t left = r->n - st->taken;
        steady_wait_avail(a, r->in.lens, left < BATCH ? (left ? left : 1) : BATCH);
        consume_batch(r, st);
        if (st->taken == r->n)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

/* Spawns the producer (pinned to cpu0) and/or the consumer (cpu1) on g's ends. */
static steady_err spawn_sides(steady_graph *g, run *r, bool producer_side, bool consumer_side,
                              steady_actor **c)
{
    steady_err e = STEADY_OK;
    if (producer_side)
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = "producer",
                                                    .run = producer,
                                                    .arg = r,
                                                    .txs = STEADY_TXS(r->out.lens, r->out.bytes),
                                                    .pin = true,
                                                    .core = 0},
                               NULL);
    if (e == STEADY_OK && consumer_side)
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = "consumer",
                                                    .run = consumer,
                                                    .arg = r,
                                                    .rxs = STEADY_RXS(r->in.lens, r->in.bytes),
                                                    .pin = true,
                                                    .core = 1,
                                                    .state_size = sizeof(consumer_state)},
                               c);
    return e;
}

/* A stale stream of this name (a run killed before its end): both of its mappings. */
static void remove_stream(const char *name)
{
    char part[80];
    snprintf(part, sizeof part, "%s.lens", name);
    steady_ipc_remove(part);
    snprintf(part, sizeof part, "%s.bytes", name);
    steady_ipc_remove(part);
}

/* The shm mode's producer: a process of its own with its own graph, attached to `name`. */
static int producer_pod(run *r, const char *name)
{
    steady_graph *g;
    r->alone = true;
    steady_ipc_stream_opts o = {.name = name, .max_messages = MAX_MESSAGES, .max_bytes = MAX_BYTES};
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "ipcstream-producer"}) ||
        steady_ipc_stream_tx_attach(g, &o, &r->out) || spawn_sides(g, r, true, false, NULL) ||
        steady_graph_start(g) || steady_graph_block_until_stopped(g, 10000)) {
        fprintf(stderr, "error: producer pod: %s\n", steady_last_error());
        return 1;
    }
    steady_graph_free(g);
    return 0;
}

/* The consumer's graph (and, inproc, the producer's): the stream's ends and the actors. */
static steady_err build(steady_graph **g, run *r, bool shm, const char *name, steady_actor **c)
{
    steady_ipc_stream_opts io = {
        .name = name, .max_messages = MAX_MESSAGES, .max_bytes = MAX_BYTES};
    steady_stream_opts so = {
        .name = "producer->consumer", .max_messages = MAX_MESSAGES, .max_bytes = MAX_BYTES};
    steady_err e = steady_graph_new(g, &(steady_graph_opts){.name = "ipcstream-bench"});
    if (e == STEADY_OK)
        e = shm ? steady_ipc_stream_rx_attach(*g, &io, &r->in)
                : steady_stream_new(*g, &so, &r->out, &r->in);
    return e == STEADY_OK ? spawn_sides(*g, r, !shm, true, c) : e;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"inproc", 20000000}, {"shm", 20000000}, {NULL, 0}};
    uint64_t n;
    int mode = bench_args(argc, argv, modes, &n);
    bool shm = mode == 1;
    steady_log_set_level(STEADY_LOG_WARN);
    run r = {.n = n};
    steady_graph *g = NULL;
    steady_actor *c = NULL;
    char name[64];
    snprintf(name, sizeof name, "/steady-bench-ipcstream-%d", (int)getpid());
    pid_t pod = -1;
    if (shm) { /* before any thread of this process: the child starts from rest */
        remove_stream(name);
        if ((pod = fork()) == 0)
            _exit(producer_pod(&r, name));
    }
    if (build(&g, &r, shm, name, &c) != STEADY_OK) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    bench_result res = {.n = n};
    if (!bench_run_with_pod(g, pod, &res))
        return 1;
    consumer_state *st = steady_actor_state(c);
    char config[32];
    snprintf(config, sizeof config, "ipcstream/%s", modes[mode].name);
    if (st->bad) {
        fprintf(stderr, "error: %s: %" PRIu64 " messages out of sequence or of a wrong length\n",
                config, st->bad);
        return 1;
    }
    bench_check_sum(config, st->sum, bench_sum_1_to_n(n));
    char extra[96]; /* the payload sizes; how often a parked thread of this graph was woken */
    snprintf(extra, sizeof extra, " msg_bytes=%u-%u wakes=%llu", MIN_LEN, MIN_LEN + LEN_CYCLE - 1,
             (unsigned long long)steady_graph_futex_wakes(g));
    res.config = config;
    res.extra = extra;
    bench_print(&res);
    steady_graph_free(g);
    if (shm)
        remove_stream(name); /* normally gone with the graph: the stream ended and was drained */
    return 0;
}
