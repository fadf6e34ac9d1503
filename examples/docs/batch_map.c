#include <inttypes.h>
#include <stdio.h>
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);
STEADY_MAP_TYPE(u64ch, u64ch); /* u64ch_to_u64ch_map */

#define BATCH 4096 /* half of each channel's 8192 slots: double buffering */

typedef struct worker_io {
    u64ch_rx in;
    u64ch_tx out;
} worker_io;

static void encode(void *ctx, const uint64_t *in, uint64_t *out, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = in[i] * 2;
}

static int worker(steady_actor *a, void *arg)
{
    worker_io *io = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(u64ch_tx_close(io->out)))) {
        /* A batch in and room for it out; once the producer is done, whatever is left. */
        uint64_t n = u64ch_rx_is_closed(io->in) ? 1 : BATCH;
        steady_wake w = steady_wait_all(a, STEADY_AVAIL(io->in, n), STEADY_VACANT(io->out, n));
        if (w.reason == STEADY_CLOSED && (n == 1 || u64ch_tx_is_closed(io->out)))
            break; /* drained, or the consumer is gone (CLOSED with n > 1: fewer than n left) */
        if (w.reason == STEADY_READY)
            u64ch_to_u64ch_map(io->in, io->out, BATCH, encode, NULL); /* in place, one commit */
    }
    return 0;
}

/* The rest of this file (examples/docs/batch_map.c) feeds the worker 0..99999 with
 * u64ch_tx_produce, adds its output up with u64ch_rx_consume, and checks the sum. */
#define VALUES 100000 /* not a multiple of BATCH: the last batch is short */

typedef struct gen_state {
    uint64_t next;
} gen_state;

static void fill(void *ctx, uint64_t *out, size_t n)
{
    gen_state *st = ctx;
    for (size_t i = 0; i < n; i++)
        out[i] = st->next++;
}

static int generator(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    gen_state st = {0};
    while (st.next < VALUES && STEADY_RUNNING(a, true))
        if (steady_wait_vacant(a, *out, 1) == STEADY_READY)
            u64ch_tx_produce(*out, VALUES - st.next, fill, &st);
    return 0;
}

typedef struct sink_io {
    u64ch_rx in;
    uint64_t sum, count;
} sink_io;

static void add(void *ctx, const uint64_t *v, size_t n)
{
    sink_io *io = ctx;
    for (size_t i = 0; i < n; i++)
        io->sum += v[i];
    io->count += n;
}

static int sink(steady_actor *a, void *arg)
{
    sink_io *io = arg;
    while (steady_wait_avail(a, io->in, 1) == STEADY_READY)
        u64ch_rx_consume(io->in, SIZE_MAX, add, io);
    return 0;
}

int main(void)
{
    steady_graph *g;
    u64ch_tx gen_out;
    worker_io w;
    sink_io s = {0};
    if (steady_graph_new(&g, NULL) || u64ch_new(g, "values", 2 * BATCH, &gen_out, &w.in) ||
        u64ch_new(g, "doubled", 2 * BATCH, &w.out, &s.in) ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "generator", .run = generator, .arg = &gen_out, .txs = STEADY_TXS(gen_out)},
            NULL) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "worker",
                                                .run = worker,
                                                .arg = &w,
                                                .rxs = STEADY_RXS(w.in),
                                                .txs = STEADY_TXS(w.out)},
                           NULL) ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){.name = "sink", .run = sink, .arg = &s, .rxs = STEADY_RXS(s.in)},
            NULL) ||
        steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    uint64_t want = (uint64_t)VALUES * (VALUES - 1); /* 2 * (0 + 1 + ... + VALUES-1) */
    printf("%" PRIu64 " values, sum %" PRIu64 " (want %" PRIu64 ")\n", s.count, s.sum, want);
    steady_graph_free(g);
    return e == STEADY_OK && s.count == VALUES && s.sum == want ? 0 : 1;
}
