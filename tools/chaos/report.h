/* report.h — one run of steady-chaos, and its summary and verdict. */
#ifndef CHAOS_REPORT_H
#define CHAOS_REPORT_H

#include <stdio.h>

#include "chaos.h"

/* What main's log sink counted, under the library's log lock, from actor threads and from the
 * warden (which also forwards the children's lines). Final only once steady_graph_free has
 * joined the warden: it drains the children's last lines there, after the stop. */
typedef struct chaos_log {
    bool verbose;
    uint64_t hidden;       /* lines about injected failures counted instead of shown */
    uint64_t deaths_kill;  /* the warden's "its process killed by SIGKILL" lines, one per member */
    uint64_t deaths_segv;  /* the same for SIGSEGV */
    uint64_t deaths_other; /* a child that ended any other way (never planned) */
    uint64_t replayed;     /* commits the warden completed from an intent record */
} chaos_log;

/* Everything a run owns. main fills it and frees it; the actors see their io and plan. The
 * latency samples are in the actors' state blocks (chaos_samples). */
typedef struct chaos_run {
    chaos_args args;
    chaos_plan plans[CHAOS_ROLES];
    chaos_log log;
    chaos_stage_io io[CHAOS_ROLES];
    chaos_sink_io sink;
    chaos_checker checker;
    steady_actor *actors[CHAOS_ROLES];
    steady_actor *sink_actor;
    steady_graph *g;
    steady_err stop;     /* what steady_graph_block_until_stopped returned */
    uint64_t elapsed_ns; /* from steady_graph_start to the stop */
} chaos_run;

/* p50 / p99 / max of one kind of restart latency sample, in ns (n == 0: no samples). */
typedef struct chaos_figure {
    size_t n;
    uint64_t p50, p99, max;
} chaos_figure;

/* What the report needs from the graph, taken before steady_graph_free (state blocks and actor
 * records go with the graph). */
typedef struct chaos_outcome {
    uint64_t planned;
    uint64_t injected;
    uint64_t by_kind[CHAOS_KINDS];
    uint64_t by_role[CHAOS_ROLES];
    uint64_t by_how[CHAOS_HOWS];
    uint64_t native;     /* children killed: injected SIGKILLs and SIGSEGVs */
    uint64_t collateral; /* troupe mates those deaths also failed */
    uint64_t dup_window; /* separate mode: the duplicates the failures must have made */
    uint64_t late;
    uint64_t failures; /* as the supervisor counted them, the checker's included */
    uint64_t restarts;
    bool stopped_for_good;
    chaos_figure latency[2][CHAOS_CLASSES]; /* [chaos_measure][chaos_class] */
    char graph_report[4096];                /* steady_graph_report, after an unclean stop */
} chaos_outcome;

/* Takes the outcome from the graph. Main thread, after the graph stopped, before
 * steady_graph_free. false when out of memory. */
bool chaos_outcome_take(const chaos_run *run, chaos_outcome *o);

/* Prints the summary, any problem found, and last the three lines `lost: N`, `duplicated: N`,
 * `reordered: N`. Returns the exit status: 0 when the run kept its commit mode's promise and
 * the harness did what it planned, else 1. Main thread, after steady_graph_free (the log's
 * counts are final then) and chaos_checker_finish. */
int chaos_report(FILE *out, const chaos_run *run, const chaos_outcome *o, bool expect_duplicates);

#endif
