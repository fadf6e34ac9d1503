#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct pump_io {
    u64ch_rx in;
    u64ch_tx out;
} pump_io;

static int pump_run(steady_actor *a, void *arg)
{
    pump_io *io = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(u64ch_tx_close(io->out)))) {
        steady_wake w = steady_wait_all_or_first(
            a, STEADY_PERIODIC(STEADY_MS(10)), STEADY_AVAIL(io->in, 1), STEADY_VACANT(io->out, 1));
        if (w.reason == STEADY_CLOSED)
            break; /* returning closes io->in and io->out */
        if (w.reason == STEADY_SHUTDOWN)
            continue; /* the loop condition now evaluates the veto */
        /* READY: the period passed (bit 0 of w.ready), or both channel conditions hold
         * (bits 1 and 2) */
        uint64_t buf[64];
        uint64_t room = u64ch_tx_vacant(io->out);
        size_t n = u64ch_rx_take_slice(io->in, buf, room < 64 ? (size_t)room : 64);
        u64ch_tx_send_slice(io->out, buf, n); /* fits: room only grows */
    }
    return 0;
}

/* The rest of this file (examples/docs/wait_pump.c) puts the pump between a source of 1..10000
 * and a sink, and checks that every value arrived once, in order. */
#include <inttypes.h>
#include <stdio.h>

#define VALUES 10000

typedef struct sink_io {
    u64ch_rx in;
    uint64_t count, sum;
    int in_order;
} sink_io;

static int source_run(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    for (uint64_t v = 1; v <= VALUES && STEADY_RUNNING(a, true);)
        if (steady_wait_vacant(a, *out, 1) == STEADY_READY &&
            u64ch_tx_try_send(*out, v) == STEADY_OK)
            v++;
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    sink_io *io = arg;
    uint64_t v;
    while (steady_wait_avail(a, io->in, 1) == STEADY_READY)
        while (u64ch_rx_try_take(io->in, &v) == STEADY_OK) {
            io->in_order &= v == io->count + 1;
            io->count++;
            io->sum += v;
        }
    return 0;
}

int main(void)
{
    steady_graph *g;
    u64ch_tx source_out;
    pump_io pump;
    sink_io sink = {.in_order = 1};
    if (steady_graph_new(&g, NULL) || u64ch_new(g, "in", 100, &source_out, &pump.in) ||
        u64ch_new(g, "out", 100, &pump.out, &sink.in) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "source",
                                                .run = source_run,
                                                .arg = &source_out,
                                                .txs = STEADY_TXS(source_out)},
                           NULL) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "pump",
                                                .run = pump_run,
                                                .arg = &pump,
                                                .rxs = STEADY_RXS(pump.in),
                                                .txs = STEADY_TXS(pump.out)},
                           NULL) ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "sink", .run = sink_run, .arg = &sink, .rxs = STEADY_RXS(sink.in)},
            NULL) ||
        steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    printf("%" PRIu64 " values, sum %" PRIu64 ", %s\n", sink.count, sink.sum,
           sink.in_order ? "in order" : "OUT OF ORDER");
    int ok = e == STEADY_OK && sink.count == VALUES && sink.in_order &&
             sink.sum == (uint64_t)VALUES * (VALUES + 1) / 2;
    steady_graph_free(g);
    return ok ? 0 : 1;
}
