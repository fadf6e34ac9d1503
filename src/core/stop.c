/* core/stop.c — the end of a graph: waiting for the vote, and telling the truth about it.
 *
 * block_until_stopped waits for the shutdown request (or for every actor to have returned),
 * then for the votes, up to the timeout. At the deadline it snapshots which live actors still
 * veto, moves to STOPPED_UNCLEANLY (from then on every wait returns at once and STEADY_RUNNING
 * is false, so the remaining actors leave their loops), and joins the threads.
 *
 * The result says how the graph ended, worst first:
 *   STEADY_EUNCLEAN   an actor still vetoed at the deadline (named with the file:line:
 *                     expression of its last false STEADY_I() term), or a thread or child
 *                     process did not leave after the stop;
 *   STEADY_EDEGRADED  every live actor agreed, but some actor had been stopped for good by its
 *                     supervisor (or never started): the graph ran without it;
 *   STEADY_OK         every actor ended as it was designed to.
 * The report (steady_graph_report) has one line per actor and one per thread left behind.
 *
 * Several threads may call block_until_stopped at once: the first does the stop, the others
 * wait for it to finish and return the same result.
 *
 * Counting is O(1) per event (the graph's n_exited / n_settled counters) and the report is
 * built in a buffer that doubles, so stopping 30,000 actors costs linear time.
 *
 * Time here is real monotonic time, not the graph clock: it bounds how long main blocks.
 */
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "platform/thread.h"

#define JOIN_GRACE_MS 2000 /* how long a stuck thread may take to leave after the stop */

static bool all_exited(const steady_graph *g)
{
    /* acquire: pairs with the release increments in steady__actor_mark_exited. */
    return atomic_load_explicit(&g->n_exited, memory_order_acquire) == g->n_actors;
}

static bool all_voted(const steady_graph *g)
{
    /* acquire: pairs with the release increments in settle() (actor.c). */
    return atomic_load_explicit(&g->n_settled, memory_order_acquire) == g->n_actors;
}

/* Sleeps on the event word until it changes or `deadline_ns` (0: none) passes. */
static void wait_event(steady_graph *g, uint32_t seen, uint64_t deadline_ns)
{
    uint64_t now = deadline_ns ? steady__mono_ns() : 0;
    uint64_t timeout = !deadline_ns ? UINT64_MAX : deadline_ns > now ? deadline_ns - now : 0;
    steady__futex_wait_for(&g->events, seen, timeout, g->isolated);
}

static void wait_for_request(steady_graph *g)
{
    for (;;) {
        /* acquire: pairs with the release increment in steady__graph_event (notify.c); read before
         * the check, so a bump after it ends the futex wait. */
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        /* acquire: pairs with the release stores of state (graph.c start, notify.c request,
         * stop.c). */
        if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_RUNNING ||
            /* acquire: pairs with the signal handler's release store. */
            atomic_load_explicit(&g->force_stop, memory_order_acquire))
            return;
        if (all_exited(g)) {
            steady__graph_request(g, "all actors returned");
            return;
        }
        wait_event(g, seen, 0);
    }
}

/* deadline_ns 0: no limit. */
static bool wait_for_votes(steady_graph *g, uint64_t deadline_ns)
{
    for (;;) {
        /* acquire: pairs with the release increment in steady__graph_event (notify.c); read before
         * the check, so a bump after it ends the futex wait. */
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        if (all_voted(g))
            return true;
        if (deadline_ns && steady__mono_ns() >= deadline_ns)
            return false;
        /* acquire: pairs with the signal handler's release store. */
        if (atomic_load_explicit(&g->force_stop, memory_order_acquire)) {
            STEADY_WARN("graph '%s': the stop was forced by a second signal; actors still "
                        "draining are cut short",
                        g->name);
            return false;
        }
        wait_event(g, seen, deadline_ns);
    }
}

/* ---- the report ---- */

/* Appends a line to the report; the buffer doubles, so n lines cost O(total length). Lines
 * that do not fit in memory are dropped (the result code still tells the truth). */
static void append(steady_graph *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(steady_graph *g, const char *fmt, ...)
{
    char line[768];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n <= 0)
        return;
    size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (g->report_len + len + 1 > g->report_cap) {
        size_t cap = g->report_cap ? g->report_cap : 1024;
        while (cap < g->report_len + len + 1)
            cap *= 2;
        char *r = steady__alloc(cap);
        if (!r)
            return;
        if (g->report)
            memcpy(r, g->report, g->report_len + 1);
        steady__free(g->report);
        g->report = r;
        g->report_cap = cap;
    }
    memcpy(g->report + g->report_len, line, len + 1);
    g->report_len += len;
}

static void snapshot_vetoes(steady_graph *g)
{
    for (steady_actor *a = g->actors; a; a = a->next)
        /* acquire: pairs with the release in steady__actor_mark_exited (run.c). */
        a->vetoed = !atomic_load_explicit(&a->exited, memory_order_acquire) &&
                    /* acquire: pairs with the release in steady__cast_vote (run.c). */
                    !atomic_load_explicit(&a->voted_yes, memory_order_acquire);
}

/* Stopped for good by its supervisor, or never started: the graph ran without it. */
static bool lost(const steady_actor *a)
{
    return steady_actor_stopped_for_good(a) || a->failed;
}

/* One report line for an actor that did not veto. */
static void append_outcome(steady_graph *g, const steady_actor *a)
{
    uint32_t restarts = steady_actor_restarts(a), failures = steady_actor_failures(a);
    if (steady_actor_stopped_for_good(a))
        append(
            g,
            "  actor '%s': stopped for good after %u failure%s (%u restart%s); last failure: %s\n",
            a->label, failures, steady__plural(failures), restarts, steady__plural(restarts),
            a->last_failure[0] ? a->last_failure : "(none recorded)");
    else if (a->failed)
        append(g, "  actor '%s': %s\n", a->label,
               a->last_failure[0] ? a->last_failure : "never started");
    else
        append(g, "  actor '%s': %s (%u restart%s)\n", a->label,
               /* acquire: pairs with the release in steady__cast_vote (run.c). */
               atomic_load_explicit(&a->voted_yes, memory_order_acquire) ? "voted yes" : "returned",
               restarts, steady__plural(restarts));
}

/* forced: a second signal cut the vote short (the actor had not vetoed at a deadline). */
static void append_veto(steady_graph *g, const steady_actor *a, bool forced)
{
    const char *expr = atomic_load_explicit(&a->veto_expr, memory_order_relaxed);
    const char *file = atomic_load_explicit(&a->veto_file, memory_order_relaxed);
    int line = atomic_load_explicit(&a->veto_line, memory_order_relaxed);
    const char *how = forced ? "was still vetoing when a second signal forced the stop" : "vetoed";
    if (expr)
        append(g, "  actor '%s' %s: %s:%d: %s\n", a->label, how, file, line, expr);
    else
        append(g,
               "  actor '%s' %s: no STEADY_I() term was false (wrap the veto's terms in "
               "STEADY_I() to see which one held it back)\n",
               a->label, how);
}

/* Channels whose showstoppers were dropped: lost against the design (a dead letter was set
 * but full or closed) when `lost`, else dropped by design (no dead letter). Returns how many
 * channels had such drops. */
static unsigned append_dropped(steady_graph *g, bool lost)
{
    unsigned n = 0;
    for (steady_channel *ch = g->channels; ch; ch = ch->next) {
        /* relaxed: written by actors the stop has joined (the join orders it). */
        uint64_t dropped = atomic_load_explicit(&ch->ss_dropped, memory_order_relaxed);
        uint64_t gone = atomic_load_explicit(&ch->ss_lost, memory_order_relaxed);
        uint64_t k = lost ? gone : dropped - gone;
        if (k == 0)
            continue;
        n++;
        if (lost)
            append(g,
                   "  channel '%s': %llu showstopper%s lost: its dead letter '%s' was full or "
                   "closed (give it more capacity, or a consumer that keeps up)\n",
                   ch->name, (unsigned long long)k, steady__plural(k), ch->ss_dead->channel->name);
        else
            append(g, "  channel '%s': %llu showstopper%s dropped (no dead letter configured)\n",
                   ch->name, (unsigned long long)k, steady__plural(k));
    }
    return n;
}

/* Threads and child processes that did not leave after the stop. */
static unsigned append_left_behind(steady_graph *g)
{
    unsigned n = 0;
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        if (t->left_running)
            append(g,
                   "  thread '%s' did not leave within %d ms of the stop (an actor is blocked "
                   "outside steady's waits); it is left running\n",
                   t->name, JOIN_GRACE_MS);
        if (t->killed_at_stop)
            append(g, "  troupe '%s': its process did not leave after the stop and was killed\n",
                   t->name);
        n += t->left_running || t->killed_at_stop;
    }
    return n;
}

/* The report's first line, which names the worst thing that happened. */
/* The zygote was lost (isolate.c): its reason, or NULL. */
static const char *zygote_lost(const steady_graph *g)
{
    /* acquire: pairs with the release store in isolate.c after the reason was written. */
    return atomic_load_explicit(&g->zygote_lost, memory_order_acquire) ? g->zygote_lost_why : NULL;
}

static void append_headline(steady_graph *g, bool voted, bool behind, unsigned vetoes,
                            unsigned losses, unsigned lost_channels)
{
    /* acquire: pairs with the signal handler's release store. */
    bool forced = atomic_load_explicit(&g->force_stop, memory_order_acquire);
    if (!voted && forced)
        append(g,
               "graph '%s' stopped uncleanly: a second signal forced the stop while %u actor%s "
               "still vetoed it\n",
               g->name, vetoes, steady__plural(vetoes));
    else if (!voted)
        append(g, "graph '%s' stopped uncleanly: %u actor%s vetoed shutdown at the deadline\n",
               g->name, vetoes, steady__plural(vetoes));
    else if (behind)
        append(g, "graph '%s' stopped uncleanly: a thread or process did not leave\n", g->name);
    else if (losses)
        append(g,
               "graph '%s' stopped degraded: %u actor%s lost (stopped for good or never "
               "started)\n",
               g->name, losses, steady__plural(losses));
    else if (lost_channels)
        append(g, "graph '%s' stopped degraded: showstoppers lost on %u channel%s\n", g->name,
               lost_channels, steady__plural(lost_channels));
    else if (zygote_lost(g))
        append(g, "graph '%s' stopped degraded: no zygote was left to start ISOLATED processes\n",
               g->name);
    else
        append(g, "graph '%s' stopped cleanly\n", g->name);
    if (zygote_lost(g)) /* the stop was the loss's, whatever else the headline says */
        append(g,
               "no zygote was left to start ISOLATED processes (%s): the graph was stopped "
               "for it\n",
               zygote_lost(g));
}

/* Builds the report and returns the stop's result. Lines go worst first (vetoes, lost actors,
 * threads and processes left behind, then every other actor), so that a caller who keeps only
 * the head (steady_last_error() holds 512 bytes) still sees the culprits. */
static steady_err build_report(steady_graph *g, bool voted)
{
    unsigned vetoes = 0, losses = 0;
    for (steady_actor *a = g->actors; a; a = a->next) {
        vetoes += a->vetoed;
        losses += !a->vetoed && lost(a);
    }
    steady__free(g->report);
    g->report = NULL;
    g->report_len = g->report_cap = 0;
    bool behind = false;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        behind |= t->left_running || t->killed_at_stop;
    unsigned lost_channels = 0;
    for (steady_channel *ch = g->channels; ch; ch = ch->next)
        lost_channels += atomic_load_explicit(&ch->ss_lost, memory_order_relaxed) != 0;
    append_headline(g, voted, behind, vetoes, losses, lost_channels);
    /* acquire: pairs with the signal handler's release store of force_stop (signal.c). */
    bool forced = atomic_load_explicit(&g->force_stop, memory_order_acquire);
    for (steady_actor *a = g->actors; a; a = a->next)
        if (a->vetoed)
            append_veto(g, a, forced);
    for (steady_actor *a = g->actors; a; a = a->next)
        if (!a->vetoed && lost(a))
            append_outcome(g, a);
    append_dropped(g, true);
    append_left_behind(g);
    for (steady_actor *a = g->actors; a; a = a->next)
        if (!a->vetoed && !lost(a))
            append_outcome(g, a);
    append_dropped(g, false);
    return !voted || behind                            ? STEADY_EUNCLEAN
           : losses || lost_channels || zygote_lost(g) ? STEADY_EDEGRADED
                                                       : STEADY_OK;
}

/* The log lines of a stop that was not clean: one per actor that vetoed or was lost. */
static void log_outcome(const steady_graph *g, steady_err result)
{
    if (result == STEADY_OK) {
        STEADY_INFO("graph '%s' stopped cleanly", g->name);
        return;
    }
    const char *head = g->report ? g->report : "";
    const char *eol = strchr(head, '\n');
    STEADY_ERROR("%.*s", (int)(eol ? (size_t)(eol - head) : strlen(head)), head);
    for (steady_channel *ch = g->channels; ch; ch = ch->next) {
        uint64_t n = atomic_load_explicit(&ch->ss_lost, memory_order_relaxed);
        if (n)
            STEADY_ERROR("channel '%s': %llu showstopper%s lost: its dead letter '%s' was full "
                         "or closed",
                         ch->name, (unsigned long long)n, steady__plural(n),
                         ch->ss_dead->channel->name);
    }
    for (steady_actor *a = g->actors; a; a = a->next) {
        if (a->vetoed) {
            const char *expr = atomic_load_explicit(&a->veto_expr, memory_order_relaxed);
            if (expr)
                STEADY_ERROR("actor '%s' vetoed shutdown: %s:%d: %s", a->label,
                             atomic_load_explicit(&a->veto_file, memory_order_relaxed),
                             atomic_load_explicit(&a->veto_line, memory_order_relaxed), expr);
            else
                STEADY_ERROR("actor '%s' vetoed shutdown (no STEADY_I() term was false)", a->label);
        } else if (steady_actor_stopped_for_good(a)) {
            uint32_t f = steady_actor_failures(a);
            STEADY_ERROR("actor '%s' had been stopped for good after %u failure%s; last "
                         "failure: %s",
                         a->label, f, steady__plural(f), a->last_failure);
        } else if (a->failed) {
            STEADY_ERROR("actor '%s': %s", a->label,
                         a->last_failure[0] ? a->last_failure : "never started");
        }
    }
}

/* ---- joining ---- */

static void join_all(steady_graph *g)
{
    uint64_t deadline = steady__mono_ns() + (uint64_t)JOIN_GRACE_MS * 1000000u;
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        if (!t->thread_started)
            continue;
        /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
         * isolate.c). */
        while (!atomic_load_explicit(&t->finished, memory_order_acquire) &&
               steady__mono_ns() < deadline) {
            /* acquire: pairs with the release increment in steady__graph_event (notify.c); read
             * before the check, so a bump after it ends the futex wait. */
            uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
            /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
             * isolate.c). */
            if (atomic_load_explicit(&t->finished, memory_order_acquire))
                break;
            wait_event(g, seen, deadline);
        }
        /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
         * isolate.c). */
        if (!atomic_load_explicit(&t->finished, memory_order_acquire)) {
            STEADY_ERROR("thread '%s' did not leave within %d ms of the stop (an actor is "
                         "blocked outside steady's waits); it is left running",
                         t->name, JOIN_GRACE_MS);
            t->left_running = true;
            continue;
        }
        pthread_join(t->thread, NULL);
        t->thread_started = false;
    }
}

/* ---- block_until_stopped ---- */

/* The vote deadline for timeout_ms: 0 means none (a negative timeout, or one so large that
 * the deadline would pass UINT64_MAX: both wait without limit). */
static uint64_t vote_deadline(int64_t timeout_ms)
{
    if (timeout_ms < 0)
        return 0;
    uint64_t now = steady__mono_ns();
    uint64_t ms = (uint64_t)timeout_ms;
    if (ms > (UINT64_MAX - now) / 1000000u)
        return 0;
    return now + ms * 1000000u;
}

/* The stop itself, done by the first caller. */
static steady_err stop(steady_graph *g, int64_t timeout_ms)
{
    wait_for_request(g);
    uint64_t deadline = vote_deadline(timeout_ms);
    bool voted = wait_for_votes(g, deadline);
    snapshot_vetoes(g);
    /* release: pairs with the actors' acquire loads of state; those that read STOPPED*
     * afterwards leave their loops and waits at once. */
    atomic_store_explicit(&g->state, voted ? STEADY_GRAPH_STOPPED : STEADY_GRAPH_STOPPED_UNCLEANLY,
                          memory_order_release);
    steady__graph_ring_all(g);
    join_all(g);
    steady__iso_stop(g, steady__mono_ns() + (uint64_t)JOIN_GRACE_MS * 1000000u);
    steady_err result = build_report(g, voted);
    if (result == STEADY_EUNCLEAN)
        /* release: pairs with the acquire loads of state in the actors' waits and votes: they leave
         * at once. */
        atomic_store_explicit(&g->state, STEADY_GRAPH_STOPPED_UNCLEANLY, memory_order_release);
    log_outcome(g, result);
    return result;
}

/* Publishes the result for every caller, present and future. */
static void finish(steady_graph *g, steady_err result)
{
    g->stop_result = result;
    /* release: pairs with the acquire loads of stop_done (waiters, steady_graph_report). */
    atomic_store_explicit(&g->stop_done, 1, memory_order_release);
    steady__graph_event(g);
}

static steady_err result_of(const steady_graph *g)
{
    if (g->stop_result == STEADY_OK)
        return STEADY_OK;
    return steady__fail(g->stop_result, "%s", g->report ? g->report : "graph stopped uncleanly");
}

/* Another thread is stopping g: wait until it has finished. */
static steady_err await_stop(steady_graph *g)
{
    for (;;) {
        /* acquire: pairs with the release increment in steady__graph_event (notify.c); read before
         * the check, so a bump after it ends the futex wait. */
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        /* acquire: pairs with the release store in finish(): the result and report are final. */
        if (atomic_load_explicit(&g->stop_done, memory_order_acquire))
            return result_of(g);
        wait_event(g, seen, 0);
    }
}

steady_err steady_graph_block_until_stopped(steady_graph *g, int64_t timeout_ms)
{
    if (!g)
        return steady__fail(STEADY_EINVAL, "steady_graph_block_until_stopped: graph is NULL");
    steady_err e = steady__not_from_own_actor(g, "steady_graph_block_until_stopped");
    if (e != STEADY_OK)
        return e;
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    int s = atomic_load_explicit(&g->state, memory_order_acquire);
    if (s == STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE,
                            "graph '%s' was never started; call "
                            "steady_graph_start() first",
                            g->name);
    uint32_t free_ = 0;
    /* acq_rel: one caller wins and stops; the losers' acquire pairs with it, and they wait for
     * stop_done. */
    if (!atomic_compare_exchange_strong_explicit(&g->stopper, &free_, 1, memory_order_acq_rel,
                                                 memory_order_acquire))
        return await_stop(g);
    finish(g, stop(g, timeout_ms));
    return result_of(g);
}

void steady__stop_after_failed_start(steady_graph *g, const char *why)
{
    atomic_store_explicit(&g->stopper, 1, memory_order_relaxed);
    append(g, "graph '%s' did not start: %s\n", g->name, why);
    finish(g, STEADY_EUNCLEAN);
}

size_t steady_graph_report(const steady_graph *g, char *buf, size_t cap)
{
    if (!g) {
        if (buf && cap)
            buf[0] = '\0';
        steady__fail(STEADY_EINVAL, "steady_graph_report: the graph is NULL");
        return 0;
    }
    /* acquire: pairs with finish(); before it the report is still being written. */
    bool done = atomic_load_explicit(&g->stop_done, memory_order_acquire);
    const char *r = done && g->report ? g->report : "";
    if (buf && cap)
        snprintf(buf, cap, "%s", r);
    return done ? g->report_len : 0;
}
