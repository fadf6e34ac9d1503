/* pipeline.h — lesson 02B's graph, built for one placement (main.c runs it; calibrate.c times
 * each placement briefly). */
#ifndef LESSON02B_PIPELINE_H
#define LESSON02B_PIPELINE_H

#include <stdbool.h>

#include "lesson02b.h"
#include "placement.h"

typedef struct lesson02b_graph {
    heartbeat_io hb;
    generator_io gen;
    worker_io worker;
    logger_io logger;
    steady_actor *logger_actor;
} lesson02b_graph;

/* The user's arguments with the batch filled in for `p` (when --batch was 0) and clamped to the
 * capacity. */
lesson02b_args pipeline_args_for(const lesson02b_args *user, placement p);

/* Builds and starts the graph for `p` (*io zeroed; *args must outlive the graph: it is the
 * graph's args). `signals`: SIGINT/SIGTERM request the stop. Returns non-zero, with the reason
 * printed and nothing left allocated, if it could not. */
int pipeline_start(lesson02b_args *args, placement p, bool signals, steady_graph **g,
                   lesson02b_graph *io);

/* Frees what pipeline_start made (after the graph stopped). */
void pipeline_free(steady_graph *g, lesson02b_graph *io);

#endif
