/* report.c — the summary of a steady-chaos run and its verdict.
 *
 * Two kinds of finding: a broken promise (the counts exceed what the commit mode promises) and
 * a harness problem (the run did not do what it planned: a point not injected, a failure the
 * plan did not make, a child that died of something else, a corrupt element, an unclean stop).
 * Either makes the exit status 1. The checker's three counts are always the last three lines,
 * whatever happened.
 *
 * In two steps: chaos_outcome_take reads the graph (state blocks, supervisor counts) before it
 * is freed; chaos_report prints after steady_graph_free, when the log sink's counts are final.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>

#include "report.h"

/* ---- taking the outcome (before steady_graph_free) ---- */

static chaos_state *state_of(const chaos_run *run, int r)
{
    return steady_actor_state(run->actors[r]);
}

static void count(const chaos_run *run, chaos_outcome *o)
{
    for (int r = 0; r < CHAOS_ROLES; r++) {
        const chaos_state *st = state_of(run, r);
        o->planned += run->plans[r].n;
        for (int k = 0; k < CHAOS_KINDS; k++) {
            o->by_kind[k] += st->injected[k];
            o->by_role[r] += st->injected[k];
        }
        o->injected += o->by_role[r];
        for (int h = 0; h < CHAOS_HOWS; h++) {
            o->by_how[h] += st->by_how[h];
            if (h >= CHAOS_FIRST_NATIVE)
                o->native += st->by_how[h];
        }
        o->collateral += st->collateral;
        o->dup_window += st->dup_window;
        o->late += st->late;
        o->failures += steady_actor_failures(run->actors[r]);
        o->restarts += steady_actor_restarts(run->actors[r]);
        o->stopped_for_good |= steady_actor_stopped_for_good(run->actors[r]);
    }
    o->failures += steady_actor_failures(run->sink_actor);
    o->stopped_for_good |= steady_actor_stopped_for_good(run->sink_actor);
}

static int by_value(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

/* p50, p99 and max of one measure and class of samples over every role. */
static bool figure(const chaos_run *run, chaos_measure m, chaos_class c, chaos_figure *f)
{
    size_t n = 0;
    for (int r = 0; r < CHAOS_ROLES; r++) {
        const chaos_state *st = state_of(run, r);
        n += m == CHAOS_LATENCY ? st->n_latency[c] : st->n_reentry[c];
    }
    *f = (chaos_figure){.n = n};
    if (n == 0)
        return true;
    uint64_t *all = malloc(n * sizeof *all);
    if (!all)
        return false;
    size_t at = 0;
    for (int r = 0; r < CHAOS_ROLES; r++) {
        chaos_state *st = state_of(run, r);
        size_t k = m == CHAOS_LATENCY ? st->n_latency[c] : st->n_reentry[c];
        const uint64_t *v = chaos_samples(st, run->plans[r].n, m, c);
        for (size_t i = 0; i < k; i++)
            all[at++] = v[i];
    }
    qsort(all, n, sizeof *all, by_value);
    f->p50 = all[(n - 1) * 50 / 100];
    f->p99 = all[(n - 1) * 99 / 100];
    f->max = all[n - 1];
    free(all);
    return true;
}

bool chaos_outcome_take(const chaos_run *run, chaos_outcome *o)
{
    *o = (chaos_outcome){0};
    count(run, o);
    if (run->stop != STEADY_OK)
        steady_graph_report(run->g, o->graph_report, sizeof o->graph_report);
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < CHAOS_CLASSES; c++)
            if (!figure(run, (chaos_measure)m, (chaos_class)c, &o->latency[m][c]))
                return false;
    return true;
}

/* ---- printing (after steady_graph_free) ---- */

static void print_figure(FILE *out, const char *what, const chaos_figure *f)
{
    if (f->n == 0) {
        fprintf(out, "%s: no samples\n", what);
        return;
    }
    fprintf(out, "%s (%zu samples): p50 %.1f us, p99 %.1f us, max %.1f us\n", what, f->n,
            (double)f->p50 / 1e3, (double)f->p99 / 1e3, (double)f->max / 1e3);
}

/* Restart latency: failure to that actor's next commit (the figure the issue asks for), and the
 * supervisor's share of it: failure to the run function being entered again. Native deaths
 * apart: their restart crosses the process boundary (warden, zygote, fork, a new child). */
static void print_latencies(FILE *out, const chaos_outcome *o)
{
    if (o->injected > o->native || o->native == 0) {
        print_figure(out, "restart latency, failure to the next commit",
                     &o->latency[CHAOS_LATENCY][CHAOS_IN_PROCESS]);
        print_figure(out, "  of which failure to run entered again",
                     &o->latency[CHAOS_REENTRY][CHAOS_IN_PROCESS]);
    }
    if (o->native > 0) {
        print_figure(out, "isolated restart latency, death to the next commit",
                     &o->latency[CHAOS_LATENCY][CHAOS_NATIVE]);
        print_figure(out, "  of which death to run entered again in a new child",
                     &o->latency[CHAOS_REENTRY][CHAOS_NATIVE]);
    }
}

static void print_injected(FILE *out, const chaos_run *run, const chaos_outcome *o)
{
    fprintf(out, "injected: %" PRIu64, o->injected);
    for (int k = 0; k < CHAOS_KINDS; k++)
        fprintf(out, "%s%s %" PRIu64, k ? ", " : " (", chaos_kind_name((chaos_kind)k),
                o->by_kind[k]);
    fprintf(out, ")\n  by actor:");
    for (int r = 0; r < CHAOS_ROLES; r++)
        fprintf(out, " %s %" PRIu64, chaos_role_name((chaos_role)r), o->by_role[r]);
    fprintf(out, "\n  by way:");
    for (int h = 0; h < CHAOS_HOWS; h++)
        if (h < CHAOS_FIRST_NATIVE || run->args.isolated)
            fprintf(out, " %s %" PRIu64, chaos_how_name((chaos_how)h), o->by_how[h]);
    fputc('\n', out);
    const chaos_log *l = &run->log;
    if (run->args.isolated)
        fprintf(out,
                "  children killed: %" PRIu64 " (SIGKILL %" PRIu64 ", SIGSEGV %" PRIu64
                "); the warden reported %" PRIu64 " member deaths (%" PRIu64 " + %" PRIu64
                " troupe mates)\n",
                o->native, o->by_how[CHAOS_BY_SIGKILL], o->by_how[CHAOS_BY_SIGSEGV],
                l->deaths_kill + l->deaths_segv + l->deaths_other, o->native, o->collateral);
    if (run->args.isolated)
        fprintf(out,
                "  commits completed by the warden from an intent record: %" PRIu64
                " (no point lies inside a commit)\n",
                l->replayed);
}

static void print_summary(FILE *out, const chaos_run *run, const chaos_outcome *o)
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
            "graph: source (solo) -> stage-a -> stage-b (troupe 'ab'%s) -> stage-c (solo%s) -> "
            "checker (solo); shutdown requested before %" PRIu64 "\n",
            a->isolated ? ", isolated" : "", a->isolated ? ", isolated" : "", a->shutdown_at);
    print_injected(out, run, o);
    fprintf(out,
            "  supervisor: %" PRIu64 " failures, %" PRIu64 " restarts (%" PRIu64
            " log lines about them counted, not shown; --verbose shows them)\n",
            o->failures, o->restarts, run->log.hidden);
    if (a->commit == CHAOS_SEPARATE)
        fprintf(out, "  failures between a send and its take: %" PRIu64 "\n", o->dup_window);
    fprintf(out, "elapsed: %.3f s, %.2f M msg/s\n", secs, (double)a->messages / secs / 1e6);
    print_latencies(out, o);
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

/* Harness problems: each printed; returns how many. A native death is one failure of each
 * member of the dead child that had not finished: the dying actor and its unfinished troupe
 * mates (collateral). */
static int harness_problems(FILE *out, const chaos_run *run, const chaos_outcome *o)
{
    int n = 0;
    n += note(out, run->stop != STEADY_OK, "problem: the graph did not stop cleanly (%s):\n%s",
              steady_strerror(run->stop), o->graph_report);
    n += note(out, o->injected != o->planned,
              "problem: %" PRIu64 " failures planned, %" PRIu64 " injected", o->planned,
              o->injected);
    n += note(out, o->late != 0, "problem: %" PRIu64 " points struck only at the end of the stream",
              o->late);
    /* A mate that had failed in its child and was waiting out its backoff when the child died
     * is not charged again (its failure was counted, its restart decided): the mates charged
     * are at most the mates that died, and the supervisor and the warden agree on them. */
    const chaos_log *l = &run->log;
    uint64_t warden = l->deaths_kill + l->deaths_segv;
    uint64_t charged = o->failures >= o->injected ? o->failures - o->injected : UINT64_MAX;
    n += note(out, charged > o->collateral,
              "problem: the supervisor saw %" PRIu64 " failures, %" PRIu64
              " were injected (and %" PRIu64 " troupe mates died with a child) (rerun with "
              "--verbose)",
              o->failures, o->injected, o->collateral);
    n += note(out, warden < o->native || warden - o->native != charged,
              "problem: the warden reported %" PRIu64
              " member deaths by SIGKILL or SIGSEGV; %" PRIu64
              " children were killed, with %" PRIu64 " troupe mates charged",
              warden, o->native, charged);
    n += note(out, l->deaths_other != 0,
              "problem: %" PRIu64 " member deaths of another kind (under a sanitizer, set "
              "ASAN_OPTIONS / TSAN_OPTIONS handle_segv=0:handle_abort=0)",
              l->deaths_other);
    n += note(out, o->stopped_for_good,
              "problem: an actor was stopped for good despite an unlimited policy");
    n += note(out, run->checker.corrupt != 0,
              "problem: %" PRIu64 " corrupt arrivals (unpublished or torn elements)",
              run->checker.corrupt);
    return n;
}

/* Broken promises of the commit mode: each printed; returns how many. */
static int broken_promises(FILE *out, const chaos_run *run, const chaos_outcome *o,
                           bool expect_duplicates)
{
    const chaos_checker *c = &run->checker;
    bool separate = run->args.commit == CHAOS_SEPARATE;
    int n = 0;
    n += note(out, c->lost != 0, "broken: %" PRIu64 " messages lost (both modes promise none)",
              c->lost);
    n += note(out, !separate && c->duplicated != 0,
              "broken: %" PRIu64 " duplicates (transactional promises none)", c->duplicated);
    n += note(out, separate && c->duplicated > o->injected,
              "broken: %" PRIu64 " duplicates > %" PRIu64 " failures injected", c->duplicated,
              o->injected);
    n += note(out, separate && expect_duplicates && c->duplicated == 0,
              "broken: no duplicates, and --expect-duplicates asked for some");
    n += note(out, c->reordered != 0,
              "broken: %" PRIu64 " reordered (both modes keep first arrivals in order)",
              c->reordered);
    return n;
}

int chaos_report(FILE *out, const chaos_run *run, const chaos_outcome *o, bool expect_duplicates)
{
    print_summary(out, run, o);
    int problems = harness_problems(out, run, o);
    int broken = broken_promises(out, run, o, expect_duplicates);
    fprintf(out, "verdict: %s\n",
            problems || broken ? "FAILED"
            : run->args.commit == CHAOS_SEPARATE
                ? "ok (separate: none lost, duplicates <= failures, first arrivals in order)"
                : "ok (transactional: exactly once, in order)");
    fprintf(out, "lost: %" PRIu64 "\nduplicated: %" PRIu64 "\nreordered: %" PRIu64 "\n",
            run->checker.lost, run->checker.duplicated, run->checker.reordered);
    return problems || broken ? 1 : 0;
}
