/* pipeline.c — lesson 02B's graph, built for one placement (pipeline.h). */
#include "pipeline.h"

#include <stdio.h>
#include <stdlib.h>

static steady_err make_troupes(steady_graph *g, placement p, steady_troupe *t[2])
{
    steady_err e = STEADY_OK;
    t[0] = t[1] = NULL;
    if (p == PLACE_TROUPE)
        e = steady_troupe_new(g, &(steady_troupe_opts){.name = "pipeline"}, &t[0]);
    else if (p == PLACE_SPLIT)
        (void)((e = steady_troupe_new(
                    g, &(steady_troupe_opts){.name = "produce", .pin = true, .core = 0}, &t[0])) ||
               (e = steady_troupe_new(
                    g, &(steady_troupe_opts){.name = "consume", .pin = true, .core = 1}, &t[1])));
    else
        e = steady_troupe_new(g, &(steady_troupe_opts){.name = "producers"}, &t[0]);
    return e;
}

static steady_err build(steady_graph *g, lesson02b_graph *io, const lesson02b_args *args,
                        placement p)
{
    steady_troupe *t[2];
    steady_err e;
    if ((e = u64ch_new(g, "heartbeat->worker", 8, &io->hb.beats, &io->worker.beats)) ||
        (e = u64ch_new(g, "generator->worker", args->capacity, &io->gen.values,
                       &io->worker.values)) ||
        (e = u64ch_new(g, "worker->logger", args->capacity, &io->worker.out, &io->logger.in)) ||
        (e = make_troupes(g, p, t)))
        return e;
    steady_troupe *worker_troupe = p == PLACE_ORIGINAL ? NULL : t[0];
    steady_troupe *logger_troupe = p == PLACE_TROUPE ? t[0] : p == PLACE_SPLIT ? t[1] : NULL;
    const steady_actor_opts actors[] = {
        {.name = "heartbeat",
         .run = heartbeat_run,
         .arg = &io->hb,
         .troupe = t[0],
         .txs = STEADY_TXS(io->hb.beats),
         .state_size = sizeof(heartbeat_state)},
        {.name = "generator",
         .run = generator_run,
         .arg = &io->gen,
         .troupe = t[0],
         .txs = STEADY_TXS(io->gen.values),
         .state_size = sizeof(generator_state)},
        {.name = "worker",
         .run = worker_run,
         .arg = &io->worker,
         .troupe = worker_troupe,
         .rxs = STEADY_RXS(io->worker.beats, io->worker.values),
         .txs = STEADY_TXS(io->worker.out),
         .state_size = sizeof(worker_state)},
        {.name = "logger",
         .run = logger_run,
         .arg = &io->logger,
         .troupe = logger_troupe,
         .rxs = STEADY_RXS(io->logger.in),
         .state_size = sizeof(logger_state)},
    };
    for (size_t i = 0; i < 4; i++)
        if ((e = steady_actor_spawn(g, &actors[i], i == 3 ? &io->logger_actor : NULL)))
            return e;
    return STEADY_OK;
}

/* In one core's caches a small batch keeps the hand-off in L2; across cores, half the channel
 * (the double buffer) amortises each hand-off. --batch, when given, wins. */
lesson02b_args pipeline_args_for(const lesson02b_args *user, placement p)
{
    lesson02b_args a = *user;
    if (a.batch == 0)
        a.batch = p == PLACE_TROUPE ? 16384 : a.capacity / 2;
    if (a.batch > a.capacity)
        a.batch = a.capacity;
    return a;
}

int pipeline_start(lesson02b_args *args, placement p, bool signals, steady_graph **g,
                   lesson02b_graph *io)
{
    io->worker.buffer = malloc(args->batch * sizeof(uint64_t));
    steady_graph_opts go = {.args = args, .name = "lesson-02b", .no_signal_handlers = !signals};
    if (!io->worker.buffer || steady_graph_new(g, &go) != STEADY_OK) {
        fprintf(stderr, "lesson-02b-performant: out of memory\n");
        free(io->worker.buffer);
        return 1;
    }
    if (build(*g, io, args, p) != STEADY_OK || steady_graph_start(*g) != STEADY_OK) {
        fprintf(stderr, "lesson-02b-performant: %s\n", steady_last_error());
        steady_graph_free(*g);
        free(io->worker.buffer);
        return 1;
    }
    return 0;
}

void pipeline_free(steady_graph *g, lesson02b_graph *io)
{
    steady_graph_free(g);
    free(io->worker.buffer);
}
