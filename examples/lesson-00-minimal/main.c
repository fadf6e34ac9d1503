/* lesson-00-minimal — one actor, periodic timing, and a shutdown it asks for itself.
 *
 * The heartbeat actor wakes every --rate milliseconds (a drift-compensating period), logs the
 * beat, and after --beats beats asks the graph to shut down. Its veto has nothing to wait for,
 * so the graph stops cleanly at once and the program exits 0.
 */
#include <inttypes.h>
#include <stdio.h>

#include <steady/steady.h>

#include "lesson_cli.h"

typedef struct heartbeat_args {
    uint64_t rate_ms;
    uint64_t beats;
} heartbeat_args;

typedef struct heartbeat_state {
    uint64_t count; /* beats so far */
} heartbeat_state;

static int heartbeat(steady_actor *a, void *arg)
{
    const heartbeat_args *args = arg;
    heartbeat_state *st = steady_actor_state(a);
    while (STEADY_RUNNING(a, true)) {
        if (steady_wait_periodic(a, STEADY_MS(args->rate_ms)) != STEADY_READY)
            continue; /* interrupted by the shutdown request: the loop re-checks */
        st->count++;
        STEADY_INFO("Heartbeat %" PRIu64 " of %" PRIu64 " (every %" PRIu64 " ms)", st->count,
                    args->beats, args->rate_ms);
        if (st->count == args->beats)
            steady_actor_request_shutdown(a);
    }
    return 0;
}

/* The graph: one heartbeat actor (its handle in *hb, to read its state after the stop). */
static steady_err build(steady_graph *g, heartbeat_args *args, steady_actor **hb)
{
    return steady_actor_spawn(g,
                              &(steady_actor_opts){.name = "heartbeat",
                                                   .run = heartbeat,
                                                   .arg = args,
                                                   .state_size = sizeof(heartbeat_state)},
                              hb);
}

int main(int argc, char **argv)
{
    heartbeat_args args = {.rate_ms = 1000, .beats = 10};
    const lesson_opt opts[] = {
        {"rate", 'r', "MS", "heartbeat period in milliseconds", &args.rate_ms, 1, 3600000},
        {"beats", 'b', "N", "number of beats before shutdown", &args.beats, 1, 1000000000},
    };
    switch (lesson_cli_parse(argc, argv, "lesson-00-minimal: one heartbeat actor", opts, 2)) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }

    steady_graph *g;
    steady_actor *hb;
    if (steady_graph_new(&g, NULL) != STEADY_OK || build(g, &args, &hb) != STEADY_OK ||
        steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "lesson-00-minimal: %s\n", steady_last_error());
        return 1;
    }
    steady_err e = steady_graph_block_until_stopped(g, 1000);
    const heartbeat_state *st = steady_actor_state(hb);
    printf("Heartbeats: %" PRIu64 "\n", st->count);
    steady_graph_free(g);
    return e == STEADY_OK ? 0 : 1;
}
