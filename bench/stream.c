/* stream.c — stream channels (steady/stream.h) beside a hand-written length-prefixed byte ring.
 *
 * Two pinned plain threads (a graph never started: its ends have no owner yet), messages of
 * 1 KiB: the producer copies each one in, stamped with its sequence number; the consumer reads
 * each in place, checks the number and sums it, and takes it. Modes:
 *   steady-1k  steady_stream_try_send / steady_stream_peek_batch + steady_stream_advance_take
 *              (batches of up to 64 messages), 1 MiB of payload ring, 4096 messages in flight
 *   hand-1k    the floor: one byte ring of 1 MiB (power of two), each message an 8-byte header
 *              {length, padding} then its bytes, padded to the wrap as steady pads; 64-bit head
 *              and tail on their own cache lines with cached copies, acquire/release only
 * The sum is checked exactly. The driver puts steady beside the floor (section "stream").
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/steady.h>

#include "bench_common.h"

#define MSG 1024u
#define RING (1u << 20)

typedef struct hand {
    _Alignas(64) _Atomic uint64_t tail;
    _Alignas(64) _Atomic uint64_t head;
    _Alignas(64) unsigned char *bytes;
} hand;

typedef struct ctx {
    uint64_t n;
    uint64_t sum;
    steady_stream_tx tx;
    steady_stream_rx rx;
    hand h;
} ctx;

static void stamp(unsigned char *p, uint64_t i)
{
    memset(p + 8, (int)(i & 0xff), MSG - 8);
    memcpy(p, &i, 8);
}

static void steady_produce(void *arg)
{
    ctx *c = arg;
    unsigned char msg[MSG];
    for (uint64_t i = 1; i <= c->n; i++) {
        stamp(msg, i);
        while (steady_stream_try_send(c->tx, msg, MSG) != STEADY_OK)
            bench_relax();
    }
}

static void steady_consume(void *arg)
{
    ctx *c = arg;
    steady_stream_msg m[64];
    uint64_t got = 0, sum = 0;
    while (got < c->n) {
        size_t k = steady_stream_peek_batch(c->rx, m, 64);
        if (!k) {
            bench_relax();
            continue;
        }
        for (size_t j = 0; j < k; j++) {
            uint64_t v;
            memcpy(&v, m[j].data, 8);
            sum += v;
        }
        steady_stream_advance_take(c->rx, k);
        got += k;
    }
    c->sum = sum;
}

/* The floor: header {uint32 len, uint32 skip} + payload, never straddling the wrap. */
static void hand_produce(void *arg)
{
    ctx *c = arg;
    hand *h = &c->h;
    uint64_t tail = 0, head_cache = 0;
    unsigned char msg[MSG];
    for (uint64_t i = 1; i <= c->n; i++) {
        stamp(msg, i);
        uint64_t need = 8 + MSG, at = tail & (RING - 1), skip = 0;
        if (at + need > RING)
            skip = RING - at; /* pad to the wrap */
        while (tail + skip + need - head_cache > RING) {
            head_cache = atomic_load_explicit(&h->head, memory_order_acquire);
            if (tail + skip + need - head_cache > RING)
                bench_relax();
        }
        unsigned char *p = h->bytes + ((tail + skip) & (RING - 1));
        uint32_t hdr[2] = {MSG, (uint32_t)skip};
        memcpy(p, hdr, 8);
        memcpy(p + 8, msg, MSG);
        if (skip) /* the reader finds the padding's length at the old position */
            memcpy(h->bytes + at, hdr, 8);
        tail += skip + need;
        atomic_store_explicit(&h->tail, tail, memory_order_release);
    }
}

static void hand_consume(void *arg)
{
    ctx *c = arg;
    hand *h = &c->h;
    uint64_t head = 0, tail_cache = 0, got = 0, sum = 0;
    while (got < c->n) {
        if (head == tail_cache &&
            (tail_cache = atomic_load_explicit(&h->tail, memory_order_acquire)) == head) {
            bench_relax();
            continue;
        }
        while (head != tail_cache) {
            uint32_t hdr[2];
            memcpy(hdr, h->bytes + (head & (RING - 1)), 8);
            head += hdr[1];
            const unsigned char *p = h->bytes + (head & (RING - 1));
            uint64_t v;
            memcpy(&v, p + 8, 8);
            sum += v;
            head += 8 + hdr[0];
            got++;
        }
        atomic_store_explicit(&h->head, head, memory_order_release);
    }
    c->sum = sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {{"steady-1k", 4000000}, {"hand-1k", 4000000}, {NULL, 0}};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    char config[48];
    snprintf(config, sizeof config, "stream/%s", modes[m].name);
    static ctx c;
    c.n = n;
    steady_graph *g = NULL;
    if (m == 0) {
        steady_stream_opts o = {
            .name = "bench", .max_messages = 4096, .max_bytes = RING, .max_message = MSG};
        if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK ||
            steady_stream_new(g, &o, &c.tx, &c.rx) != STEADY_OK) {
            fprintf(stderr, "error: setup: %s\n", steady_last_error());
            return 1;
        }
    } else if (!(c.h.bytes = aligned_alloc(64, RING))) {
        return 1;
    }
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    bench_run_pair(m == 0 ? steady_produce : hand_produce, m == 0 ? steady_consume : hand_consume,
                   &c, &r.wall_ns, &r.cpu_ns);
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c.sum, bench_sum_1_to_n(n));
    char extra[48];
    snprintf(extra, sizeof extra, " msg_bytes=%u", MSG);
    r.extra = extra;
    bench_print(&r);
    if (g)
        steady_graph_free(g);
    free(c.h.bytes);
    return 0;
}
