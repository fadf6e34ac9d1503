/* isolated_faults_test.c — faults from outside the graph, and a graph that lost an ISOLATED
 * actor.
 *
 *   a SIGSEGV sent with kill(2) (si_code <= 0) is not a crash: it used to be swallowed by
 *   steady's overflow handler (the process ran on as if nothing happened); now it takes its
 *   default action, in main's process and in an ISOLATED child (whose actor then restarts);
 *   an ISOLATED actor stopped for good makes the stop STEADY_EDEGRADED, naming its last
 *   failure (the process death).
 *
 * Sanitizers: the children are forked and inherit the sanitizer's signal handling; ctest runs
 * this program with handle_segv=0 (tests/core/CMakeLists.txt) so a SIGSEGV ends a process as it
 * would in a plain build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "steady_test_support.h"

typedef struct pid_state {
    _Atomic int pid;    /* the process the actor's generation runs in */
    _Atomic int starts; /* generations started */
} pid_state;

/* Publishes its process, then waits for shutdown. */
static int pid_reporter(steady_actor *a, void *arg)
{
    (void)arg;
    pid_state *st = steady_actor_state(a);
    atomic_store(&st->pid, (int)getpid());
    atomic_fetch_add(&st->starts, 1);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static bool await_starts(pid_state *st, int n, unsigned limit_ms)
{
    uint64_t t0 = now_ns();
    while (atomic_load(&st->starts) < n && ms_since(t0) < limit_ms)
        sleep_ms(2);
    return atomic_load(&st->starts) >= n;
}

/* ---- a SIGSEGV sent to main's process ---- */

/* Runs first, so that this process has not installed steady's SIGSEGV handler yet: the child
 * installs it with the default action (not cmocka's handler) as the one it hands on to. */
static void graph_until_killed(int ready_fd)
{
    signal(SIGSEGV, SIG_DFL);
    steady_graph *g = new_graph("target");
    steady_troupe *t;
    steady_troupe_new(g, NULL, &t);
    steady_actor_spawn(
        g,
        &(steady_actor_opts){
            .name = "waiter", .run = pid_reporter, .troupe = t, .state_size = sizeof(pid_state)},
        NULL);
    steady_graph_start(g);
    for (int i = 0; i < 200; i++) { /* the troupe thread installs the handler as it starts */
        struct sigaction cur;
        sigaction(SIGSEGV, NULL, &cur);
        if ((cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction)
            break;
        sleep_ms(5);
    }
    struct sigaction cur;
    sigaction(SIGSEGV, NULL, &cur);
    if (!(cur.sa_flags & SA_SIGINFO) || !cur.sa_sigaction)
        _exit(9); /* steady's handler is not installed: this test would prove nothing */
    ssize_t w = write(ready_fd, "r", 1);
    (void)w;
    for (int i = 0; i < 500; i++)
        sleep_ms(10); /* swallowing the signal lets it reach here */
    _exit(7);
}

static void a_sigsegv_sent_to_main_ends_it_by_sigsegv(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        graph_until_killed(p[1]);
    }
    close(p[1]);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    kill(pid, SIGSEGV);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSEGV)
        fail_msg("the process %s %d: a SIGSEGV sent with kill(2) was swallowed",
                 WIFSIGNALED(status) ? "died of signal" : "exited with",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* ---- a SIGSEGV sent to an ISOLATED child ---- */

static void a_sigsegv_sent_to_an_isolated_child_kills_it_and_the_actor_restarts(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("sent-segv");
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "isolated",
                                                             .run = pid_reporter,
                                                             .isolated = true,
                                                             .state_size = sizeof(pid_state)},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    pid_state *st = steady_actor_state(a);
    assert_true(await_starts(st, 1, 5000));
    int first = atomic_load(&st->pid);
    sleep_ms(20);
    kill(first, SIGSEGV);
    bool restarted = await_starts(st, 2, 5000);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    capture_stop();
    int second = atomic_load(&st->pid); /* the state block goes with the graph */
    steady_graph_free(g);
    assert_int_equal(e, STEADY_OK);
    if (!restarted)
        fail_msg("the child survived a SIGSEGV sent with kill(2):\n%s", captured);
    assert_true(second != first);
    if (!strstr(captured, "killed by SIGSEGV"))
        fail_msg("the death was not reported:\n%s", captured);
}

/* ---- a graph that lost an ISOLATED actor ---- */

static int crash_at_once(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    abort();
}

static void an_isolated_actor_stopped_for_good_makes_the_stop_degraded(void **state)
{
    (void)state;
    capture_start();
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.max_restarts = 2;
    p.backoff_floor_ms = p.backoff_ceiling_ms = 1;
    steady_graph *g = new_graph("lost-child");
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "crasher",
                                                             .run = crash_at_once,
                                                             .isolated = true,
                                                             .policy = &p},
                                        &a),
                     STEADY_OK);
    assert_int_equal(spawn_with(g, "bystander", NULL, NULL, NULL, NULL), STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    /* Nobody asks for the stop: the escalation does. */
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    char report[1024];
    steady_graph_report(g, report, sizeof report);
    capture_stop();
    bool lost = steady_actor_stopped_for_good(a);
    steady_graph_free(g);
    assert_int_equal(e, STEADY_EDEGRADED);
    assert_true(lost);
    if (!strstr(report, "actor 'crasher': stopped for good after 3 failures (2 restarts); last "
                        "failure: its process killed by SIGABRT"))
        fail_msg("report:\n%s", report);
    assert_int_equal(children_of(getpid()), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sigsegv_sent_to_main_ends_it_by_sigsegv),
        cmocka_unit_test(a_sigsegv_sent_to_an_isolated_child_kills_it_and_the_actor_restarts),
        cmocka_unit_test(an_isolated_actor_stopped_for_good_makes_the_stop_degraded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
