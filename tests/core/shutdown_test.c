/*
 * shutdown_test.c: specification of the shutdown vote and the graph lifecycle (steady/graph.h,
 * STEADY_RUNNING / STEADY_I in steady/actor.h).
 *
 * Actors record what they see (EXPECT*); cmocka asserts run on the test thread after the graph
 * stopped. Several tests measure time; the binary is registered SERIAL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

#include "steady_test_support.h"

/* ---- small helpers -------------------------------------------------------------------------- */

/* Polls `flag` until it is set or ~5 s passed; false on timeout. */
static bool await_flag(_Atomic int *flag)
{
    for (int i = 0; i < 5000 && !atomic_load(flag); i++)
        sleep_ms(1);
    return atomic_load(flag) != 0;
}

static void spawn(steady_graph *g, const char *name, steady_actor_fn run, void *arg,
                  steady_troupe *troupe, steady_tx *const *txs, steady_rx *const *rxs)
{
    steady_actor_opts o = {
        .name = name, .run = run, .arg = arg, .troupe = troupe, .txs = txs, .rxs = rxs};
    steady_err e = steady_actor_spawn(g, &o, NULL);
    if (e != STEADY_OK)
        fail_msg("spawn '%s': %s: %s", name, steady_strerror(e), steady_last_error());
}

/* ---- an actor that waits for the request and votes yes at once ------------------------------ */

static int wait_for_shutdown_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* ---- clean vote: a pipeline with items in flight ----------------------------------------------
 */

struct pipeline {
    u64ch_tx gen_out, work_out;
    u64ch_rx work_in, log_in;
    uint64_t mult; /* the logger expects value n * mult as its n-th message */
    uint64_t generated, worked, logged;
    uint64_t logged_sum;
    _Atomic int logged_some;
};

static int generator_run(steady_actor *a, void *arg)
{
    struct pipeline *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(p->gen_out)))) {
        if (steady_wait_vacant(a, p->gen_out, 1) != STEADY_READY)
            continue;
        uint64_t room = u64ch_tx_vacant(p->gen_out);
        for (uint64_t i = 0; i < room; i++)
            EXPECT(u64ch_tx_try_send(p->gen_out, p->generated++) == STEADY_OK);
    }
    return 0;
}

static int worker_run(steady_actor *a, void *arg)
{
    struct pipeline *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(p->work_in)) &&
                                 STEADY_I(u64ch_tx_close(p->work_out)))) {
        steady_wake w =
            steady_wait_all(a, STEADY_AVAIL(p->work_in, 1), STEADY_VACANT(p->work_out, 1));
        if (w.reason != STEADY_READY)
            continue;
        uint64_t n = u64ch_rx_avail(p->work_in), room = u64ch_tx_vacant(p->work_out);
        for (uint64_t i = 0; i < n && i < room; i++) {
            uint64_t v;
            EXPECT(u64ch_rx_try_take(p->work_in, &v) == STEADY_OK);
            EXPECT(u64ch_tx_try_send(p->work_out, v * 3) == STEADY_OK);
            p->worked++;
        }
    }
    return 0;
}

static int logger_run(steady_actor *a, void *arg)
{
    struct pipeline *p = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(p->log_in)))) {
        if (steady_wait_avail(a, p->log_in, 1) != STEADY_READY)
            continue;
        uint64_t v;
        while (u64ch_rx_try_take(p->log_in, &v) == STEADY_OK) {
            EXPECT_U64(v, ==, p->logged * p->mult); /* in order, none skipped */
            p->logged_sum += v;
            p->logged++;
        }
        if (p->logged > 10000)
            atomic_store(&p->logged_some, 1);
    }
    return 0;
}

static void run_pipeline(bool one_troupe)
{
    expect_reset();
    struct pipeline p = {.mult = 3};
    steady_graph *g = new_graph(one_troupe ? "pipeline-troupe" : "pipeline-solo");
    assert_int_equal(u64ch_new(g, "values", 64, &p.gen_out, &p.work_in), STEADY_OK);
    assert_int_equal(u64ch_new(g, "tripled", 64, &p.work_out, &p.log_in), STEADY_OK);
    steady_troupe *t = NULL;
    if (one_troupe)
        assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pipe"}, &t),
                         STEADY_OK);
    spawn(g, "generator", generator_run, &p, t, STEADY_TXS(p.gen_out), NULL);
    spawn(g, "worker", worker_run, &p, t, STEADY_TXS(p.work_out), STEADY_RXS(p.work_in));
    spawn(g, "logger", logger_run, &p, t, NULL, STEADY_RXS(p.log_in));
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_flag(&p.logged_some));
    steady_graph_request_shutdown(g); /* items are in flight in both channels */
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    char report[2048];
    steady_graph_report(g, report, sizeof report);
    steady_graph_state s = steady_graph_get_state(g);
    steady_graph_free(g);

    assert_no_failed_expectation();
    if (e != STEADY_OK)
        fail_msg("unclean stop: %s", report);
    assert_int_equal(s, STEADY_GRAPH_STOPPED);
    assert_true(p.generated > 10000);
    assert_int_equal(p.worked, p.generated);
    assert_int_equal(p.logged, p.generated);
    assert_true(p.logged_sum == 3 * (p.generated * (p.generated - 1) / 2));
}

static void clean_vote_drains_a_solo_pipeline_without_losing_a_message(void **state)
{
    (void)state;
    run_pipeline(false);
}

static void clean_vote_drains_a_troupe_pipeline_without_losing_a_message(void **state)
{
    (void)state;
    run_pipeline(true);
}

/* ---- unclean stop: the report names the last false STEADY_I term ------------------------------
 */

static _Atomic int stubborn_line;
static _Atomic int stubborn_left;

static bool always_true(void)
{
    return true;
}
static bool never_done(void)
{
    return false;
}

static int stubborn_run(steady_actor *a, void *arg)
{
    (void)arg;
    bool asked = false;
    atomic_store(&stubborn_line, __LINE__ + 1);
    while (STEADY_RUNNING(a, STEADY_I(always_true()) && STEADY_I(never_done()))) {
        if (!asked) { /* until the request */
            steady_wait_shutdown(a);
            asked = true;
        } else { /* vetoed once: only the stop itself can end this wait */
            steady_wait_periodic(a, STEADY_SEC(3600));
        }
    }
    atomic_store(&stubborn_left, 1);
    return 0;
}

/* Vetoes without STEADY_I(): the report says so, and how to learn more. */
static int silent_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, never_done()))
        steady_wait_timeout(a, STEADY_MS(20));
    return 0;
}

static void unclean_stop_reports_the_last_false_veto_term(void **state)
{
    (void)state;
    steady_graph *g = new_graph("unclean");
    spawn(g, "stubborn", stubborn_run, NULL, NULL, NULL, NULL);
    spawn(g, "agreeable", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    spawn(g, "silent", silent_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(20);
    capture_start();
    steady_graph_request_shutdown(g);
    uint64_t t0 = now_ns();
    steady_err e = steady_graph_block_until_stopped(g, 200);
    uint64_t took = ms_since(t0);
    capture_stop();
    char last_error[1024];
    snprintf(last_error, sizeof last_error, "%s", steady_last_error());
    char report[2048];
    size_t need = steady_graph_report(g, report, sizeof report);
    steady_graph_state s = steady_graph_get_state(g);
    steady_graph_free(g);

    assert_int_equal(e, STEADY_EUNCLEAN);
    assert_int_equal(s, STEADY_GRAPH_STOPPED_UNCLEANLY);
    assert_int_equal(need, strlen(report));
    char want[256];
    snprintf(want, sizeof want, "actor 'stubborn' vetoed: %s:%d: never_done()", __FILE__,
             atomic_load(&stubborn_line));
    if (!strstr(report, want))
        fail_msg("report lacks \"%s\":\n%s", want, report);
    assert_non_null(strstr(report, "actor 'agreeable': voted yes"));
    assert_null(strstr(report, "always_true"));
    assert_non_null(strstr(report, "actor 'silent' vetoed: no STEADY_I() term was false"));
    assert_non_null(strstr(last_error, want)); /* the detail carries the report */
    if (!strstr(captured, "stubborn") || !strstr(captured, "never_done()"))
        fail_msg("the unclean stop was not logged with the veto:\n%s", captured);
    /* Once stopped, every wait returns at once: the stubborn actor left its loop and its
     * thread was joined well within the grace period. */
    assert_int_equal(atomic_load(&stubborn_left), 1);
    assert_true(took < 1500);
}

/* ---- the veto is not evaluated while running ----------------------------------------------------
 */

static _Atomic int veto_calls;
static _Atomic int loops_before_request;

static bool counted_yes(void)
{
    atomic_fetch_add(&veto_calls, 1);
    return true;
}

static int counted_veto_run(steady_actor *a, void *arg)
{
    steady_graph *g = arg;
    while (STEADY_RUNNING(a, counted_yes())) {
        if (steady_graph_get_state(g) == STEADY_GRAPH_RUNNING)
            atomic_fetch_add(&loops_before_request, 1);
        steady_wait_periodic(a, STEADY_MS(2));
    }
    return 0;
}

static void veto_is_not_evaluated_while_the_graph_runs(void **state)
{
    (void)state;
    atomic_store(&veto_calls, 0);
    atomic_store(&loops_before_request, 0);
    steady_graph *g = new_graph("veto-lazy");
    spawn(g, "counted", counted_veto_run, g, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    while (atomic_load(&loops_before_request) < 20)
        sleep_ms(2);
    int calls_while_running = atomic_load(&veto_calls);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);

    assert_int_equal(calls_while_running, 0);
    assert_int_equal(atomic_load(&veto_calls), 1); /* evaluated after the request; yes */
}

/* ---- the first yes is final ----------------------------------------------------------------- */

struct votes {
    int evaluated;
    bool after_no, after_yes, after_final;
};

static bool tally(struct votes *v, bool answer)
{
    v->evaluated++;
    return answer;
}

static int vote_twice_run(steady_actor *a, void *arg)
{
    struct votes *v = arg;
    steady_actor_request_shutdown(a);
    v->after_no = STEADY_RUNNING(a, tally(v, false));    /* a no: keep running */
    v->after_yes = STEADY_RUNNING(a, tally(v, true));    /* yes: stop */
    v->after_final = STEADY_RUNNING(a, tally(v, false)); /* not asked again */
    return 0;
}

static void first_yes_vote_is_final(void **state)
{
    (void)state;
    struct votes v = {0};
    steady_graph *g = new_graph("final-yes");
    spawn(g, "voter", vote_twice_run, &v, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);

    assert_true(v.after_no);
    assert_false(v.after_yes);
    assert_false(v.after_final);
    assert_int_equal(v.evaluated, 2);
}

/* ---- an actor that returned counts as yes --------------------------------------------------- */

static _Atomic int quitter_done;

static int quitter_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    atomic_store(&quitter_done, 1);
    return 0;
}

static void actor_that_returned_counts_as_a_yes_vote(void **state)
{
    (void)state;
    atomic_store(&quitter_done, 0);
    steady_graph *g = new_graph("returned");
    spawn(g, "quitter", quitter_run, NULL, NULL, NULL, NULL);
    spawn(g, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_flag(&quitter_done));
    sleep_ms(50);
    /* One actor returning does not stop the graph. */
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_RUNNING);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    char report[1024];
    steady_graph_report(g, report, sizeof report);
    steady_graph_free(g);

    assert_int_equal(e, STEADY_OK);
    assert_non_null(strstr(report, "actor 'quitter': returned"));
    assert_non_null(strstr(report, "actor 'waiter': voted yes"));
}

/* ---- the shutdown barrier ------------------------------------------------------------------- */

static _Atomic int barrier_go[3], barrier_asked[3];

static int asker_run(steady_actor *a, void *arg)
{
    int k = (int)(intptr_t)arg;
    while (!atomic_load(&barrier_go[k]) &&
           steady_graph_get_state(steady_actor_graph(a)) == STEADY_GRAPH_RUNNING)
        steady_wait_periodic(a, STEADY_MS(1));
    steady_actor_request_shutdown(a);
    steady_actor_request_shutdown(a); /* asking twice still counts once */
    atomic_store(&barrier_asked[k], 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void shutdown_barrier_stops_the_graph_only_when_n_actors_asked(void **state)
{
    (void)state;
    for (int k = 0; k < 3; k++) {
        atomic_store(&barrier_go[k], 0);
        atomic_store(&barrier_asked[k], 0);
    }
    steady_graph *g = new_graph_opts(
        &(steady_graph_opts){.name = "barrier", .shutdown_barrier = 3, .no_signal_handlers = true});
    spawn(g, "asker-0", asker_run, (void *)(intptr_t)0, NULL, NULL, NULL);
    spawn(g, "asker-1", asker_run, (void *)(intptr_t)1, NULL, NULL, NULL);
    spawn(g, "asker-2", asker_run, (void *)(intptr_t)2, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_state after[2];
    for (int k = 0; k < 2; k++) {
        atomic_store(&barrier_go[k], 1);
        assert_true(await_flag(&barrier_asked[k]));
        sleep_ms(50);
        after[k] = steady_graph_get_state(g);
    }
    atomic_store(&barrier_go[2], 1);
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    steady_graph_free(g);

    assert_int_equal(after[0], STEADY_GRAPH_RUNNING);
    assert_int_equal(after[1], STEADY_GRAPH_RUNNING);
    assert_int_equal(e, STEADY_OK);
}

static void main_request_bypasses_the_shutdown_barrier(void **state)
{
    (void)state;
    steady_graph *g = new_graph_opts(&(steady_graph_opts){
        .name = "barrier-main", .shutdown_barrier = 3, .no_signal_handlers = true});
    spawn(g, "waiter-0", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    spawn(g, "waiter-1", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    spawn(g, "waiter-2", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_STOP_REQUESTED);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

/* ---- SIGINT and SIGTERM -----------------------------------------------------------------------
 */

/* Runs a generator -> logger pair, delivers `sig` to the process while it runs, and checks the
 * stop was negotiated (nothing lost) and announced on stderr. */
static void signal_starts_the_negotiated_shutdown(int sig, bool by_kill, const char *notice)
{
    expect_reset();
    struct pipeline p = {.mult = 1};
    steady_graph *g = new_graph_opts(&(steady_graph_opts){.name = "signalled"});
    assert_int_equal(u64ch_new(g, "values", 64, &p.gen_out, &p.log_in), STEADY_OK);
    spawn(g, "generator", generator_run, &p, NULL, STEADY_TXS(p.gen_out), NULL);
    spawn(g, "logger", logger_run, &p, NULL, NULL, STEADY_RXS(p.log_in));
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_flag(&p.logged_some));

    char path[] = "/tmp/steady-shutdown-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    if (by_kill)
        kill(getpid(), sig);
    else
        raise(sig);
    steady_graph_state s_after = steady_graph_get_state(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char err[4096] = {0};
    ssize_t n = pread(fd, err, sizeof err - 1, 0);
    close(fd);
    steady_graph_free(g);

    assert_no_failed_expectation();
    if (!by_kill) /* raise() runs the handler before it returns */
        assert_int_equal(s_after, STEADY_GRAPH_STOP_REQUESTED);
    assert_int_equal(e, STEADY_OK);
    assert_int_equal(p.logged, p.generated); /* negotiated: the logger drained everything */
    assert_true(n > 0);
    if (!strstr(err, notice))
        fail_msg("stderr lacks \"%s\": %s", notice, err);
}

static void sigint_starts_the_same_negotiated_shutdown(void **state)
{
    (void)state;
    signal_starts_the_negotiated_shutdown(SIGINT, false, "SIGINT received");
}

static void sigterm_from_kill_starts_the_same_negotiated_shutdown(void **state)
{
    (void)state;
    signal_starts_the_negotiated_shutdown(SIGTERM, true, "SIGTERM received");
}

/* Two graphs with handlers at once: freeing the later one hands SIGINT back to the earlier
 * one, and freeing both restores the disposition the process had before. */
static void sigint_reaches_the_graph_still_running_after_another_was_freed(void **state)
{
    (void)state;
    struct sigaction before;
    sigaction(SIGINT, NULL, &before);
    steady_graph *first = new_graph_opts(&(steady_graph_opts){.name = "first"});
    spawn(first, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(first), STEADY_OK);
    steady_graph *second = new_graph_opts(&(steady_graph_opts){.name = "second"});
    spawn(second, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(second), STEADY_OK);
    steady_graph_request_shutdown(second);
    assert_int_equal(steady_graph_block_until_stopped(second, 2000), STEADY_OK);
    steady_graph_free(second);

    fflush(stderr);
    int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, STDERR_FILENO); /* the handler's notice */
    raise(SIGINT);
    dup2(saved, STDERR_FILENO);
    close(saved);
    close(devnull);
    steady_graph_state s = steady_graph_get_state(first);
    if (s == STEADY_GRAPH_RUNNING)
        steady_graph_request_shutdown(first); /* clean up before failing */
    assert_int_equal(steady_graph_block_until_stopped(first, 2000), STEADY_OK);
    steady_graph_free(first);
    struct sigaction after;
    sigaction(SIGINT, NULL, &after);

    assert_int_equal(s, STEADY_GRAPH_STOP_REQUESTED);
    assert_ptr_equal((void *)after.sa_handler, (void *)before.sa_handler);
}

/* ---- request before start; lifecycle ----------------------------------------------------------
 */

static void request_before_start_is_ignored_with_a_warning(void **state)
{
    (void)state;
    steady_graph *g = new_graph("early");
    spawn(g, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    capture_start();
    steady_graph_request_shutdown(g);
    capture_stop();
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_BUILDING);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(50);
    steady_graph_state running = steady_graph_get_state(g);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);

    assert_int_equal(running, STEADY_GRAPH_RUNNING);
    if (!strstr(captured, "WARN") || !strstr(captured, "before start"))
        fail_msg("no warning for the early request: %s", captured);
}

static _Atomic int hold_vote;
static _Atomic int seen_in_actor[8];
static _Atomic int seen_count;

static void note_state(steady_graph *g)
{
    int s = (int)steady_graph_get_state(g);
    int n = atomic_load(&seen_count);
    if (n == 0 || atomic_load(&seen_in_actor[n - 1]) != s) {
        if (n < 8) {
            atomic_store(&seen_in_actor[n], s);
            atomic_store(&seen_count, n + 1);
        }
    }
}

static int observer_run(steady_actor *a, void *arg)
{
    (void)arg;
    steady_graph *g = steady_actor_graph(a);
    note_state(g);
    while (STEADY_RUNNING(a, !atomic_load(&hold_vote))) {
        note_state(g);
        steady_wait_timeout(a, STEADY_MS(5));
    }
    note_state(g);
    return 0;
}

static void lifecycle_states_are_observed_in_order(void **state)
{
    (void)state;
    atomic_store(&hold_vote, 1);
    atomic_store(&seen_count, 0);
    steady_graph *g = new_graph("lifecycle");
    steady_graph_state s0 = steady_graph_get_state(g);
    spawn(g, "observer", observer_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    steady_graph_state s1 = steady_graph_get_state(g);
    /* Let the observer see Running first, however busy the machine (bounded: 5 s). */
    for (int i = 0; i < 1000 && atomic_load(&seen_count) < 1; i++)
        sleep_ms(5);
    steady_graph_request_shutdown(g);
    steady_graph_state s2 = steady_graph_get_state(g);
    sleep_ms(30);
    steady_graph_state s2b = steady_graph_get_state(g); /* the observer still vetoes */
    atomic_store(&hold_vote, 0);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_state s3 = steady_graph_get_state(g);
    steady_graph_free(g);

    assert_int_equal(s0, STEADY_GRAPH_BUILDING);
    assert_int_equal(s1, STEADY_GRAPH_RUNNING);
    assert_int_equal(s2, STEADY_GRAPH_STOP_REQUESTED);
    assert_int_equal(s2b, STEADY_GRAPH_STOP_REQUESTED);
    assert_int_equal(s3, STEADY_GRAPH_STOPPED);
    /* Inside the actor: Running, then StopRequested, never anything out of order. After its
     * yes vote the actor may still be running when main moves the graph to Stopped. */
    int seen = atomic_load(&seen_count);
    assert_true(seen == 2 || seen == 3);
    assert_int_equal(atomic_load(&seen_in_actor[0]), STEADY_GRAPH_RUNNING);
    assert_int_equal(atomic_load(&seen_in_actor[1]), STEADY_GRAPH_STOP_REQUESTED);
    if (seen == 3)
        assert_int_equal(atomic_load(&seen_in_actor[2]), STEADY_GRAPH_STOPPED);
    assert_string_equal(steady_graph_state_name(STEADY_GRAPH_BUILDING), "Building");
    assert_string_equal(steady_graph_state_name(STEADY_GRAPH_RUNNING), "Running");
    assert_string_equal(steady_graph_state_name(STEADY_GRAPH_STOP_REQUESTED), "StopRequested");
    assert_string_equal(steady_graph_state_name(STEADY_GRAPH_STOPPED), "Stopped");
    assert_string_equal(steady_graph_state_name(STEADY_GRAPH_STOPPED_UNCLEANLY),
                        "StoppedUncleanly");
}

/* ---- who ends the graph --------------------------------------------------------------------- */

static int self_stopper_run(steady_actor *a, void *arg)
{
    (void)arg;
    unsigned beats = 0;
    while (STEADY_RUNNING(a, true)) {
        steady_wait_periodic(a, STEADY_MS(2));
        if (++beats == 10)
            steady_actor_request_shutdown(a);
    }
    EXPECT_U64(beats, >=, 10);
    return 0;
}

static void actor_requesting_shutdown_stops_the_graph_cleanly(void **state)
{
    (void)state;
    expect_reset();
    steady_graph *g = new_graph("self-stop");
    spawn(g, "heartbeat", self_stopper_run, NULL, NULL, NULL, NULL);
    spawn(g, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_STOPPED);
    steady_graph_free(g);
    assert_no_failed_expectation();
}

static int short_job_run(steady_actor *a, void *arg)
{
    (void)arg;
    for (int i = 0; i < 5; i++)
        steady_wait_timeout(a, STEADY_MS(2));
    return 0;
}

static void block_until_stopped_returns_when_every_actor_returned(void **state)
{
    (void)state;
    steady_graph *g = new_graph("all-returned");
    spawn(g, "job-a", short_job_run, NULL, NULL, NULL, NULL);
    spawn(g, "job-b", short_job_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns();
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    assert_true(ms_since(t0) < 1000);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_STOPPED);
    /* Asking again after the stop changes nothing. */
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_get_state(g), STEADY_GRAPH_STOPPED);
    assert_int_equal(steady_graph_block_until_stopped(g, 2000), STEADY_OK);
    steady_graph_free(g);
}

static int failing_run(steady_actor *a, void *arg)
{
    (void)arg;
    steady_wait_timeout(a, STEADY_MS(10));
    return 7;
}

static void failed_actor_stopped_for_good_makes_the_stop_degraded(void **state)
{
    (void)state;
    steady_graph *g = new_graph_no_restart("failing");
    spawn(g, "failing", failing_run, NULL, NULL, NULL, NULL);
    spawn(g, "waiter", wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    capture_start();
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    capture_stop();
    char report[1024];
    steady_graph_report(g, report, sizeof report);
    steady_graph_free(g);

    /* Regression: this stop used to return STEADY_OK with a report saying "counted as yes",
     * although the graph had lost an actor. */
    assert_int_equal(e, STEADY_EDEGRADED);
    assert_non_null(strstr(report, "graph 'failing' stopped degraded: 1 actor lost (stopped for "
                                   "good or never started)"));
    assert_non_null(strstr(report, "actor 'failing': stopped for good after 1 failure (0 "
                                   "restarts); last failure: run returned 7"));
    assert_non_null(strstr(report, "actor 'waiter': voted yes"));
    assert_non_null(strstr(steady_last_error(), "actor 'failing': stopped for good"));
    if (!strstr(captured, "ERROR") || !strstr(captured, "'failing'") ||
        !strstr(captured, "returned 7"))
        fail_msg("the failure was not logged: %s", captured);
    if (!strstr(captured, "graph 'failing' stopped degraded") ||
        !strstr(captured, "actor 'failing' had been stopped for good after 1 failure; last "
                          "failure: run returned 7"))
        fail_msg("the stop did not log the lost actor: %s", captured);
}

/* Regression: the report listed actors in graph order, so with a few dozen healthy actors the
 * lost one fell past the 512 bytes that steady_last_error() keeps, and a caller that logged
 * only the error saw "voted yes" lines and no culprit. Worst lines now come first. */
static void the_report_names_the_lost_actor_before_the_healthy_ones(void **state)
{
    (void)state;
    steady_graph *g = new_graph_no_restart("crowd");
    char name[32];
    for (int i = 0; i < 40; i++) {
        if (i == 20)
            spawn(g, "failing", failing_run, NULL, NULL, NULL, NULL);
        snprintf(name, sizeof name, "healthy-waiter-%02d", i);
        spawn(g, name, wait_for_shutdown_run, NULL, NULL, NULL, NULL);
    }
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    capture_start();
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    capture_stop();
    steady_graph_free(g);
    assert_int_equal(e, STEADY_EDEGRADED);
    const char *err = steady_last_error();
    const char *culprit = strstr(err, "actor 'failing': stopped for good");
    const char *healthy = strstr(err, "voted yes");
    if (!culprit || (healthy && healthy < culprit))
        fail_msg("the lost actor is not the first actor line of the error: %s", err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_vote_drains_a_solo_pipeline_without_losing_a_message),
        cmocka_unit_test(clean_vote_drains_a_troupe_pipeline_without_losing_a_message),
        cmocka_unit_test(unclean_stop_reports_the_last_false_veto_term),
        cmocka_unit_test(veto_is_not_evaluated_while_the_graph_runs),
        cmocka_unit_test(first_yes_vote_is_final),
        cmocka_unit_test(actor_that_returned_counts_as_a_yes_vote),
        cmocka_unit_test(shutdown_barrier_stops_the_graph_only_when_n_actors_asked),
        cmocka_unit_test(main_request_bypasses_the_shutdown_barrier),
        cmocka_unit_test(sigint_starts_the_same_negotiated_shutdown),
        cmocka_unit_test(sigterm_from_kill_starts_the_same_negotiated_shutdown),
        cmocka_unit_test(sigint_reaches_the_graph_still_running_after_another_was_freed),
        cmocka_unit_test(request_before_start_is_ignored_with_a_warning),
        cmocka_unit_test(lifecycle_states_are_observed_in_order),
        cmocka_unit_test(actor_requesting_shutdown_stops_the_graph_cleanly),
        cmocka_unit_test(block_until_stopped_returns_when_every_actor_returned),
        cmocka_unit_test(failed_actor_stopped_for_good_makes_the_stop_degraded),
        cmocka_unit_test(the_report_names_the_lost_actor_before_the_healthy_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
