#include <inttypes.h>
#include <stdio.h>
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct doubler_io {
    u64ch_rx in;
    u64ch_tx out;
} doubler_io;

typedef struct doubler_state {
    uint64_t moved;
} doubler_state;

static int doubler_run(steady_actor *a, void *arg)
{
    doubler_io *io = arg;
    doubler_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(u64ch_tx_close(io->out)))) {
        steady_wake w = steady_wait_all(a, STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        if (w.reason == STEADY_CLOSED)
            break; /* input closed and drained, or consumer gone: returning closes io->out */
        if (w.reason != STEADY_READY)
            continue; /* SHUTDOWN: the loop condition evaluates the veto */
        uint64_t v;
        while (u64ch_tx_vacant(io->out) > 0 && u64ch_rx_try_take(io->in, &v) == STEADY_OK) {
            u64ch_tx_try_send(io->out, v * 2); /* room was checked: cannot be full */
            st->moved++;
        }
    }
    return 0;
}

/* While building (main): */
static steady_err spawn_doubler(steady_graph *g, steady_troupe *troupe, doubler_io *io,
                                steady_actor **out)
{
    return steady_actor_spawn(g,
                              &(steady_actor_opts){.name = "doubler",
                                                   .has_suffix = true,
                                                   .suffix = 1, /* labelled "doubler-1" */
                                                   .run = doubler_run,
                                                   .arg = io,
                                                   .troupe = troupe,
                                                   .rxs = STEADY_RXS(io->in),
                                                   .txs = STEADY_TXS(io->out),
                                                   .state_size = sizeof(doubler_state)},
                              out);
}

/* The rest of this file (examples/docs/actor_doubler.c) puts the doubler between a source of
 * 1..1000 and a sink, in one troupe with the source, and checks the sum and the state block. */
#define VALUES 1000

typedef struct ends {
    u64ch_tx source_out;
    doubler_io doubler;
    u64ch_rx sink_in;
    uint64_t sum;
} ends;

static int source_run(steady_actor *a, void *arg)
{
    ends *e = arg;
    for (uint64_t v = 1; v <= VALUES && STEADY_RUNNING(a, true);)
        if (steady_wait_vacant(a, e->source_out, 1) == STEADY_READY &&
            u64ch_tx_try_send(e->source_out, v) == STEADY_OK)
            v++;
    return 0; /* closes source_out: the doubler drains it and sees CLOSED */
}

static int sink_run(steady_actor *a, void *arg)
{
    ends *e = arg;
    uint64_t v;
    while (steady_wait_avail(a, e->sink_in, 1) == STEADY_READY)
        while (u64ch_rx_try_take(e->sink_in, &v) == STEADY_OK)
            e->sum += v;
    return 0;
}

int main(void)
{
    steady_graph *g;
    steady_troupe *troupe;
    steady_actor *doubler;
    ends e = {0};
    if (steady_graph_new(&g, NULL) || u64ch_new(g, "numbers", 16, &e.source_out, &e.doubler.in) ||
        u64ch_new(g, "doubled", 16, &e.doubler.out, &e.sink_in) ||
        steady_troupe_new(g, &(steady_troupe_opts){.name = "stages"}, &troupe) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "source",
                                                .run = source_run,
                                                .arg = &e,
                                                .troupe = troupe,
                                                .txs = STEADY_TXS(e.source_out)},
                           NULL) ||
        spawn_doubler(g, troupe, &e.doubler, &doubler) ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "sink", .run = sink_run, .arg = &e, .rxs = STEADY_RXS(e.sink_in)},
            NULL) ||
        steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    steady_err err = steady_graph_block_until_stopped(g, 2000);
    const doubler_state *st = steady_actor_state(doubler);
    uint64_t want = VALUES * (VALUES + 1); /* 2 * (1 + ... + VALUES) */
    printf("%s moved %" PRIu64 " values; sum %" PRIu64 " (want %" PRIu64 ")\n",
           steady_actor_label(doubler), st->moved, e.sum, want);
    int ok = err == STEADY_OK && st->moved == VALUES && e.sum == want;
    steady_graph_free(g);
    return ok ? 0 : 1;
}
