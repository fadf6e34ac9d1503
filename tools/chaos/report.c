/* report.c — the summary of a steady-chaos run and its verdict.
 *
 * Two kinds of finding: a broken promise (the counts exceed what the commit mode promises) and
 * a harness problem (the run did not do what it planned: a point not injected, a failure the
 * plan did not make, a corrupt element, an unclean stop). Either makes the exit status 1. The
 * checker's three counts are always the last three lines, whatever happened.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "report.h"

typedef struct chaos_totals {
    uint64_t planned;
    uint64_t injected;
    uint64_t by_kind[CHAOS_KINDS];
    uint64_t by_role[CHAOS_ROLES];
    uint64_t dup_window; /* separate mode: the duplicates the failures must have made */
    uint64_t late;
    uint64_t failures; /* as the supervisor counted them, the checker's included */
    uint64_t restarts;
    bool stopped_for_good;
} chaos_totals;

static const chaos_state *state_of(const chaos_run *run, int r)
{
    return steady_actor_state(run->actors[r]);
}

static chaos_totals gather(const chaos_run *run)
{
    chaos_totals t = {0};
    for (int r = 0; r < CHAOS_ROLES; r++) {
        const chaos_state *st = state_of(run, r);
        t.planned += run->plans[r].n;
        for (int k = 0; k < CHAOS_KINDS; k++) {
            t.by_kind[k] += st->injected[k];
            t.by_role[r] += st->injected[k];
        }
        t.injected += t.by_role[r];
        t.dup_window += st->dup_window;
        t.late += st->late;
        t.failures += steady_actor_failures(run->actors[r]);
        t.restarts += steady_actor_restarts(run->actors[r]);
        t.stopped_for_good |= steady_actor_stopped_for_good(run->actors[r]);
    }
    t.failures += steady_actor_failures(run->sink_actor);
    t.stopped_for_good |= steady_actor_stopped_for_good(run->sink_actor);
    return t;
}

static int by_value(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* p50, p99 and max of the samples arrays[r][0..counts[r]) over every role, in microseconds. */
static void print_latency(FILE *out, const char *what, uint64_t *const arrays[CHAOS_ROLES],
                          const size_t counts[CHAOS_ROLES])
{
    size_t n = 0;
    for (int r = 0; r < CHAOS_ROLES; r++)
        n += counts[r];
    uint64_t *all = malloc((n ? n : 1) * sizeof *all);
    if (!all || n == 0) {
        fprintf(out, "%s: no samples\n", what);
        free(all);
        return;
    }
    size_t at = 0;
    for (int r = 0; r < CHAOS_ROLES; r++)
        for (size_t i = 0; i < counts[r]; i++)
            all[at++] = arrays[r][i];
    qsort(all, n, sizeof *all, by_value);
    fprintf(out, "%s (%zu samples): p50 %.1f us, p99 %.1f us, max %.1f us\n", what, n,
            (double)all[(n - 1) * 50 / 100] / 1e3, (double)all[(n - 1) * 99 / 100] / 1e3,
            (double)all[n - 1] / 1e3);
    free(all);
}

/* Restart latency: failure to that actor's next commit (the figure the issue asks for), and the
 * supervisor's share of it: failure to the run function being entered again. */
static void print_latencies(FILE *out, const chaos_run *run)
{
    size_t commits[CHAOS_ROLES], entries[CHAOS_ROLES];
    for (int r = 0; r < CHAOS_ROLES; r++) {
        commits[r] = state_of(run, r)->n_latency;
        entries[r] = state_of(run, r)->n_reentry;
    }
    print_latency(out, "restart latency, failure to the next commit", run->latency, commits);
    print_latency(out, "  of which failure to run entered again", run->reentry, entries);
}

static void print_summary(FILE *out, const chaos_run *run, const chaos_totals *t, uint64_t hidden)
{
    const chaos_args *a = &run->args;
    const chaos_checker *c = &run->checker;
    double secs = (double)run->elapsed_ns / 1e9;
    fprintf(out,
            "steady-chaos: seed %" PRIu64 ", commit %s, %" PRIu64 " messages, %" PRIu64
            " failures planned, capacity %" PRIu64 ", batch %" PRIu64 "\n",
            a->seed, a->commit == CHAOS_SEPARATE ? "separate" : "transactional", a->messages,
            a->failures, a->capacity, a->batch);
    fprintf(out,
            "graph: source (solo) -> stage-a -> stage-b (troupe 'ab') -> stage-c (solo) -> "
            "checker (solo); shutdown requested before %" PRIu64 "\n",
            a->shutdown_at);
    fprintf(out, "injected: %" PRIu64, t->injected);
    for (int k = 0; k < CHAOS_KINDS; k++)
        fprintf(out, "%s%s %" PRIu64, k ? ", " : " (", chaos_kind_name((chaos_kind)k),
                t->by_kind[k]);
    fprintf(out, ")\n  by actor:");
    for (int r = 0; r < CHAOS_ROLES; r++)
        fprintf(out, " %s %" PRIu64, chaos_role_name((chaos_role)r), t->by_role[r]);
    fprintf(out,
            "\n  supervisor: %" PRIu64 " failures, %" PRIu64 " restarts (%" PRIu64
            " log lines about them counted, not shown; --verbose shows them)\n",
            t->failures, t->restarts, hidden);
    if (a->commit == CHAOS_SEPARATE)
        fprintf(out, "  failures between a send and its take: %" PRIu64 "\n", t->dup_window);
    fprintf(out, "elapsed: %.3f s, %.2f M msg/s\n", secs, (double)a->messages / secs / 1e6);
    print_latencies(out, run);
    fprintf(out, "arrivals: %" PRIu64 ", corrupt: %" PRIu64 "\n", c->arrivals, c->corrupt);
}

/* Prints the line (with a newline) when cond holds; returns 1 when it did, so callers count. */
__attribute__((format(printf, 3, 4))) static int note(FILE *out, bool cond, const char *fmt, ...)
{
    if (!cond)
        return 0;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    return 1;
}

/* Harness problems: each printed; returns how many. */
static int harness_problems(FILE *out, const chaos_run *run, const chaos_totals *t)
{
    int n = 0;
    if (run->stop != STEADY_OK) {
        char buf[4096];
        steady_graph_report(run->g, buf, sizeof buf);
        n += note(out, true, "problem: the graph did not stop cleanly (%s):\n%s",
                  steady_strerror(run->stop), buf);
    }
    n += note(out, t->injected != t->planned,
              "problem: %" PRIu64 " failures planned, %" PRIu64 " injected", t->planned,
              t->injected);
    n += note(out, t->late != 0, "problem: %" PRIu64 " points struck only at the end of the stream",
              t->late);
    n += note(out, t->failures != t->injected,
              "problem: the supervisor saw %" PRIu64 " failures, %" PRIu64
              " were injected (rerun with --verbose)",
              t->failures, t->injected);
    n += note(out, t->stopped_for_good,
              "problem: an actor was stopped for good despite an unlimited policy");
    n += note(out, run->checker.corrupt != 0,
              "problem: %" PRIu64 " corrupt arrivals (unpublished or torn elements)",
              run->checker.corrupt);
    return n;
}

/* Broken promises of the commit mode: each printed; returns how many. */
static int broken_promises(FILE *out, const chaos_run *run, const chaos_totals *t,
                           bool expect_duplicates)
{
    const chaos_checker *c = &run->checker;
    bool separate = run->args.commit == CHAOS_SEPARATE;
    int n = 0;
    n += note(out, c->lost != 0, "broken: %" PRIu64 " messages lost (both modes promise none)",
              c->lost);
    n += note(out, !separate && c->duplicated != 0,
              "broken: %" PRIu64 " duplicates (transactional promises none)", c->duplicated);
    n += note(out, separate && c->duplicated > t->injected,
              "broken: %" PRIu64 " duplicates > %" PRIu64 " failures injected", c->duplicated,
              t->injected);
    n += note(out, separate && expect_duplicates && c->duplicated == 0,
              "broken: no duplicates, and --expect-duplicates asked for some");
    n += note(out, c->reordered != 0,
              "broken: %" PRIu64 " reordered (both modes keep first arrivals in order)",
              c->reordered);
    return n;
}

int chaos_report(FILE *out, const chaos_run *run, bool expect_duplicates, uint64_t hidden_log_lines)
{
    chaos_totals t = gather(run);
    print_summary(out, run, &t, hidden_log_lines);
    int problems = harness_problems(out, run, &t);
    int broken = broken_promises(out, run, &t, expect_duplicates);
    fprintf(out, "verdict: %s\n",
            problems || broken ? "FAILED"
            : run->args.commit == CHAOS_SEPARATE
                ? "ok (separate: none lost, duplicates <= failures, first arrivals in order)"
                : "ok (transactional: exactly once, in order)");
    fprintf(out, "lost: %" PRIu64 "\nduplicated: %" PRIu64 "\nreordered: %" PRIu64 "\n",
            run->checker.lost, run->checker.duplicated, run->checker.reordered);
    return problems || broken ? 1 : 0;
}
