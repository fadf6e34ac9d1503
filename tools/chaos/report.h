/* report.h — one run of steady-chaos, and its summary and verdict. */
#ifndef CHAOS_REPORT_H
#define CHAOS_REPORT_H

#include <stdio.h>

#include "chaos.h"

/* Everything a run owns. main fills it and frees it; the actors see their io and plan. */
typedef struct chaos_run {
    chaos_args args;
    chaos_plan plans[CHAOS_ROLES];
    uint64_t *latency[CHAOS_ROLES]; /* plans[r].n samples each (ns) */
    uint64_t *reentry[CHAOS_ROLES]; /* plans[r].n samples each (ns) */
    chaos_stage_io io[CHAOS_ROLES];
    chaos_sink_io sink;
    chaos_checker checker;
    steady_actor *actors[CHAOS_ROLES];
    steady_actor *sink_actor;
    steady_graph *g;
    steady_err stop;     /* what steady_graph_block_until_stopped returned */
    uint64_t elapsed_ns; /* from steady_graph_start to the stop */
} chaos_run;

/* Prints the summary, any problem found, and last the three lines `lost: N`, `duplicated: N`,
 * `reordered: N`. Returns the exit status: 0 when the run kept its commit mode's promise and
 * the harness did what it planned, else 1. Main thread, after the graph stopped and
 * chaos_checker_finish. hidden_log_lines: the library's lines about injected failures that
 * were counted instead of printed. */
int chaos_report(FILE *out, const chaos_run *run, bool expect_duplicates,
                 uint64_t hidden_log_lines);

#endif
