/* isolated_faults_test.c — faults from outside the graph, and a graph that lost an ISOLATED
 * actor.
 *
 *   a SIGSEGV sent with kill(2) (si_code <= 0) is not a crash: it used to be swallowed by
 *   steady's overflow handler (the process ran on as if nothing happened); now it takes its
 *   default action, in main's process and in an ISOLATED child (whose actor then restarts);
 *   an ISOLATED actor stopped for good makes the stop STEADY_EDEGRADED, naming its last
 *   failure (the process death);
 *   a SIGKILLed zygote is noticed at once: its children die with it, its standby takes over,
 *   the actors restart and the run ends with exact totals (it used to stall the pipeline and
 *   spin the warden at 100 % CPU), twice in a row, and with its standby killed first;
 *   an actor that closes every inherited descriptor and opens files of its own still logs to
 *   the parent, and none of steady's bytes land in its files (they used to);
 *   a daemon an ISOLATED actor starts does not outlive steady_graph_free (it used to);
 *   ISOLATED actors whose process cannot map their stacks are reported as never started, with
 *   the reason (the report used to blame "its troupe's thread").
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

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "steady_test_support.h"

#include "core/internal.h"

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

/* VmSize of this process, KiB (0: unreadable). */
static size_t vm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %zu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static void isolated_actors_that_never_started_are_named_with_the_reason(void **state)
{
    (void)state;
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    /* The sanitizers reserve terabytes of shadow address space: no RLIMIT_AS fits under them. */
    printf("skipped under a sanitizer: RLIMIT_AS cannot be set below its shadow reservation\n");
    return;
#endif
    struct rlimit old;
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    if (old.rlim_cur != RLIM_INFINITY || vm_kib() == 0) {
        printf("skipped: RLIMIT_AS already set or VmSize unreadable\n");
        return;
    }
    capture_start();
    steady_graph *g = new_graph("never");
    steady_troupe *t;
    assert_int_equal(
        steady_troupe_new(g, &(steady_troupe_opts){.name = "big", .isolated = true}, &t),
        STEADY_OK);
    for (unsigned i = 0; i < 2; i++)
        assert_int_equal(steady_actor_spawn(g,
                                            &(steady_actor_opts){.name = "huge",
                                                                 .has_suffix = true,
                                                                 .suffix = i,
                                                                 .run = pid_reporter,
                                                                 .troupe = t,
                                                                 .stack_size = (size_t)1 << 30},
                                            NULL),
                         STEADY_OK);
    assert_int_equal(spawn_with(g, "local", NULL, NULL, NULL, NULL), STEADY_OK);
    /* The children inherit the limit: 512 MiB more than main has now, under their 2 GiB. */
    struct rlimit tight = {(vm_kib() + 512 * 1024) * 1024, old.rlim_max};
    assert_int_equal(setrlimit(RLIMIT_AS, &tight), 0);
    steady_err started = steady_graph_start(g);
    setrlimit(RLIMIT_AS, &old);
    assert_int_equal(started, STEADY_OK);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    capture_stop();
    steady_graph_free(g);
    assert_int_equal(e, STEADY_EDEGRADED);
    assert_last_error_mentions(
        "stopped degraded: 2 actors lost (stopped for good or never started)",
        "actor 'huge-0': never started: troupe 'big': cannot map the stacks", "ulimit -v", NULL);
    if (strstr(steady_last_error(), "troupe's thread"))
        fail_msg("an ISOLATED troupe has no thread of main's: %s", steady_last_error());
    if (!strstr(captured, "actor 'huge-1': never started"))
        fail_msg("the lost actor was not logged:\n%s", captured);
}

static bool alive(int pid);

/* ---- the zygote killed ---- */

#define N 3000u

typedef struct line {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t sum;
    _Atomic uint64_t received;
    uint64_t dup_or_gap;
    steady_actor *producer;
} line;

/* Derives its next value from the channel's sent total: a restart loses and repeats nothing.
 * Slow enough (1 ms per 10 values, ~300 ms in all) for the test to kill processes in the
 * middle. */
static int producer_run(steady_actor *a, void *arg)
{
    line *l = arg;
    atomic_fetch_add((_Atomic int *)steady_actor_state(a),
                     1); /* shared memory: the parent sees it */
    steady_channel *ch = steady_tx_channel(l->out.raw);
    while (
        STEADY_RUNNING(a, STEADY_I(steady_channel_sent_total(ch) == N) && u64ch_tx_close(l->out))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next == N) {
            steady_wait_shutdown(a);
            continue;
        }
        if (next % 10 == 0)
            steady_wait_timeout(a, STEADY_MS(1));
        if (u64ch_tx_try_send(l->out, next) != STEADY_OK)
            steady_wait_vacant(a, l->out, 1);
    }
    return 0;
}

static int consumer_run(steady_actor *a, void *arg)
{
    line *l = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(l->in)))) {
        steady_wait_avail(a, l->in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(l->in, &v) == STEADY_OK) {
            l->dup_or_gap += v != atomic_load(&l->received);
            l->sum += v;
            if (atomic_fetch_add(&l->received, 1) + 1 == N)
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static steady_graph *build_line(line *l)
{
    memset(l, 0, sizeof *l);
    steady_graph *g = new_graph("zygote-kill");
    assert_int_equal(u64ch_new(g, "iso->main", 64, &l->out, &l->in), STEADY_OK);
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.backoff_floor_ms = p.backoff_ceiling_ms = 1;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "producer",
                                                             .run = producer_run,
                                                             .arg = l,
                                                             .txs = STEADY_TXS(l->out),
                                                             .isolated = true,
                                                             .policy = &p,
                                                             .state_size = sizeof(_Atomic int)},
                                        &l->producer),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "consumer",
                                                             .run = consumer_run,
                                                             .arg = l,
                                                             .rxs = STEADY_RXS(l->in)},
                                        NULL),
                     STEADY_OK);
    return g;
}

/* The pid of a process named `comm` whose parent is `parent`, or 0. */
static pid_t child_named(pid_t parent, const char *comm)
{
    char path[64], buf[64];
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)parent, (int)parent);
    FILE *f = fopen(path, "r");
    int pid;
    while (f && fscanf(f, "%d", &pid) == 1) {
        snprintf(path, sizeof path, "/proc/%d/comm", pid);
        FILE *c = fopen(path, "r");
        bool match = c && fgets(buf, sizeof buf, c) && strncmp(buf, comm, strlen(comm)) == 0;
        if (c)
            fclose(c);
        if (match) {
            fclose(f);
            return pid;
        }
    }
    if (f)
        fclose(f);
    return 0;
}

static bool await_received(line *l, uint64_t at_least, unsigned limit_ms)
{
    uint64_t t0 = now_ns();
    while (atomic_load(&l->received) < at_least && ms_since(t0) < limit_ms)
        sleep_ms(1);
    return atomic_load(&l->received) >= at_least;
}

/* Kills the serving zygote `kills` times (after its standby, when standby_first) during the
 * run; the run must end cleanly with every value once, in order. */
static void check_zygote_kills(int kills, bool standby_first)
{
    static line l;
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    steady_graph *g = build_line(&l);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    pid_t killed[4] = {0};
    for (int i = 0; i < kills; i++) {
        assert_true(await_received(&l, (uint64_t)(i + 1) * N / (uint64_t)(kills + 2), 10000));
        pid_t z = steady__iso_zygote_pid(g);
        if (standby_first && i == 0) {
            pid_t s = child_named(z, "steady-standby"), next = 0;
            assert_true(s > 0);
            kill(s, SIGKILL);
            uint64_t t0 = now_ns(); /* the zygote starts another */
            while (((next = child_named(z, "steady-standby")) == 0 || next == s) &&
                   ms_since(t0) < 5000)
                sleep_ms(1);
            assert_true(next > 0 && next != s);
        }
        assert_true(z > 0);
        kill(z, SIGKILL);
        killed[i] = z;
        uint64_t t0 = now_ns(); /* wait for the standby's word */
        while (steady__iso_zygote_pid(g) == z && ms_since(t0) < 5000)
            sleep_ms(1);
        assert_true(steady__iso_zygote_pid(g) != z);
    }
    steady_err e = steady_graph_block_until_stopped(g, 20000);
    steady_log_set_level(STEADY_LOG_WARN);
    capture_stop();
    int starts = atomic_load((_Atomic int *)steady_actor_state(l.producer));
    steady_graph_free(g);
    if (e != STEADY_OK)
        fail_msg("stop: %s\nlog:\n%s", steady_strerror(e), captured);
    assert_int_equal(atomic_load(&l.received), N);
    assert_int_equal(l.dup_or_gap, 0);
    assert_int_equal(l.sum, (uint64_t)N * (N - 1) / 2);
    assert_true(starts >= kills + 1);
    if (!strstr(captured, "its children die with it and its standby takes over") ||
        !strstr(captured, "serves the ISOLATED actors now"))
        fail_msg("the zygote's death was not reported:\n%s", captured);
    for (int i = 0; i < kills; i++)
        if (alive(killed[i]))
            fail_msg("the killed zygote %d still lives", (int)killed[i]);
    assert_int_equal(children_of(getpid()), 0); /* no zombie: the first zygote was reaped */
}

static void a_sigkilled_zygote_is_replaced_and_the_run_is_exact(void **state)
{
    (void)state;
    check_zygote_kills(1, false);
}

static void the_zygote_killed_twice_in_a_row(void **state)
{
    (void)state;
    check_zygote_kills(2, false);
}

static void a_killed_standby_is_replaced_before_the_zygote_dies(void **state)
{
    (void)state;
    check_zygote_kills(1, true);
}

/* Kills the zygote z and its standby s (the zygote stopped first, so it cannot start another
 * standby in between), waits for the stop, keeps its report, ends the log capture and frees
 * the graph: the stop's result, with *took its milliseconds. */
static steady_err lose_zygote_and_standby(steady_graph *g, pid_t z, pid_t s, char *report,
                                          size_t cap, uint64_t *took)
{
    kill(z, SIGSTOP);
    kill(s, SIGKILL);
    kill(z, SIGKILL);
    uint64_t t0 = now_ns();
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    *took = ms_since(t0);
    steady_graph_report(g, report, cap);
    capture_stop();
    steady_graph_free(g);
    return e;
}

/* The zygote and its standby both killed (the zygote stopped first, so it cannot start another
 * standby in between): nothing can restart the ISOLATED actor; the graph must say so and stop,
 * not hang or spin. */
static void a_zygote_lost_with_its_standby_stops_the_graph_degraded(void **state)
{
    (void)state;
    static line l;
    capture_start();
    steady_graph *g = build_line(&l);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_true(await_received(&l, N / 4, 10000));
    pid_t z = steady__iso_zygote_pid(g), s = child_named(z, "steady-standby");
    assert_true(z > 0 && s > 0);
    char report[2048];
    uint64_t took;
    steady_err e = lose_zygote_and_standby(g, z, s, report, sizeof report, &took);
    if (e != STEADY_EDEGRADED)
        fail_msg("stop: %s\n%s\nlog:\n%s", steady_strerror(e), report, captured);
    if (took > 8000)
        fail_msg("the stop took %llu ms", (unsigned long long)took);
    if (!strstr(report, "actor 'producer': stopped for good") ||
        !strstr(report, "no zygote left to restart it"))
        fail_msg("report:\n%s", report);
    if (!strstr(captured, "no zygote is left to start ISOLATED processes"))
        fail_msg("log:\n%s", captured);
    assert_int_equal(children_of(getpid()), 0);
}

/* An ISOLATED actor that ends at once, and one in main that runs until the stop. */
static int iso_quick(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    return 0;
}

static int main_until_stop(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

/* The zygote and its standby lost after every ISOLATED actor had ended: no actor is lost, but
 * the graph stops because of the loss, not because the application asked. That stop is
 * degraded and names the zygote (a stop reported clean here is how lesson 02A's KILL=both
 * check failed in CI, when its worker's process ended as designed before its zygote's death
 * was seen). */
static void a_zygote_lost_after_its_actors_ended_still_stops_degraded(void **state)
{
    (void)state;
    capture_start();
    steady_graph *g = new_graph("zygote-lost-late");
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "quick", .run = iso_quick, .isolated = true}, NULL),
        STEADY_OK);
    steady_actor *m;
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "main", .run = main_until_stop}, &m),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    pid_t z = 0, s = 0;
    uint64_t t0 = now_ns();
    while ((!(z = steady__iso_zygote_pid(g)) || !(s = child_named(z, "steady-standby"))) &&
           ms_since(t0) < 10000)
        sleep_ms(1);
    assert_true(z > 0 && s > 0);
    sleep_ms(100); /* 'quick' ended meanwhile */
    char report[2048];
    uint64_t took;
    steady_err e = lose_zygote_and_standby(g, z, s, report, sizeof report, &took);
    if (e != STEADY_EDEGRADED)
        fail_msg("stop: %s\n%s\nlog:\n%s", steady_strerror(e), report, captured);
    if (!strstr(report, "no zygote was left to start ISOLATED processes"))
        fail_msg("report:\n%s", report);
    assert_int_equal(children_of(getpid()), 0);
}

/* ---- an actor that closes every inherited descriptor ---- */

static char own_file[64];

static int daemon_style(steady_actor *a, void *arg)
{
    (void)arg;
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int fd = open(own_file, O_WRONLY | O_CREAT | O_TRUNC, 0600); /* takes a freed number */
    for (int i = 0; i < 20; i++)
        STEADY_INFO("daemon-style line %d", i);
    ssize_t w = write(fd, "mine\n", 5);
    (void)w;
    close(fd);
    atomic_store((_Atomic int *)steady_actor_state(a), 1); /* shared memory: main sees it */
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void an_actor_closing_inherited_fds_still_logs_and_its_files_stay_its_own(void **state)
{
    (void)state;
    snprintf(own_file, sizeof own_file, "/tmp/steady-own-%d.txt", (int)getpid());
    capture_start();
    steady_log_set_level(STEADY_LOG_INFO);
    steady_graph *g = new_graph("closes-fds");
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "daemonish",
                                                             .run = daemon_style,
                                                             .isolated = true,
                                                             .state_size = sizeof(_Atomic int)},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    uint64_t t0 = now_ns(); /* (not `captured`: the drainer thread writes it while we run) */
    while (!atomic_load((_Atomic int *)steady_actor_state(a)) && ms_since(t0) < 5000)
        sleep_ms(2);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    steady_log_set_level(STEADY_LOG_WARN);
    capture_stop();
    steady_graph_free(g);
    assert_int_equal(e, STEADY_OK);
    char content[256] = {0};
    FILE *f = fopen(own_file, "r");
    size_t got = f ? fread(content, 1, sizeof content - 1, f) : 0;
    if (f)
        fclose(f);
    unlink(own_file);
    if (got != 5 || strcmp(content, "mine\n") != 0)
        fail_msg("the actor's own file holds %zu bytes, not just its own line", got);
    for (int i = 0; i < 20; i += 19) {
        char want[64];
        snprintf(want, sizeof want, "daemon-style line %d", i);
        if (!strstr(captured, want))
            fail_msg("the parent did not hear \"%s\":\n%s", want, captured);
    }
}

/* ---- daemons ---- */

typedef struct daemon_pids {
    _Atomic int in_group;  /* a child it forked, left in its process group */
    _Atomic int setsid_ed; /* a double-forked daemon in a session of its own */
} daemon_pids;

static void start_daemons(daemon_pids *d)
{
    pid_t p = fork();
    if (p == 0) { /* stays in the actor's group */
        atomic_store(&d->in_group, (int)getpid());
        for (;;)
            pause();
    }
    p = fork();
    if (p == 0) {
        if (fork() == 0) {
            setsid();
            atomic_store(&d->setsid_ed, (int)getpid());
            for (;;)
                pause();
        }
        _exit(0); /* the classic double fork: the daemon is orphaned */
    }
    waitpid(p, NULL, 0);
}

static int daemon_starter(steady_actor *a, void *arg)
{
    (void)arg;
    daemon_pids *d = steady_actor_state(a);
    if (!atomic_load(&d->in_group))
        start_daemons(d);
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static bool alive(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return false;
    size_t r = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[r] = 0;
    const char *close_paren = strrchr(buf, ')');
    return close_paren && close_paren[2] != 'Z'; /* a zombie is as good as gone */
}

static void daemons_of_an_isolated_actor_do_not_outlive_the_graph(void **state)
{
    (void)state;
    steady_graph *g = new_graph("daemons");
    steady_actor *a = NULL;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "starter",
                                                             .run = daemon_starter,
                                                             .isolated = true,
                                                             .state_size = sizeof(daemon_pids)},
                                        &a),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    daemon_pids *d = steady_actor_state(a);
    uint64_t t0 = now_ns();
    while ((!atomic_load(&d->in_group) || !atomic_load(&d->setsid_ed)) && ms_since(t0) < 5000)
        sleep_ms(2);
    int in_group = atomic_load(&d->in_group), setsid_ed = atomic_load(&d->setsid_ed);
    assert_true(in_group > 0 && setsid_ed > 0);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    steady_graph_free(g);
    t0 = now_ns();
    while ((alive(in_group) || alive(setsid_ed)) && ms_since(t0) < 2000)
        sleep_ms(5);
    bool left_group = alive(in_group), left_daemon = alive(setsid_ed);
    kill(in_group, SIGKILL); /* a regression must not leave them behind for the next test */
    kill(setsid_ed, SIGKILL);
    if (left_group || left_daemon)
        fail_msg("after steady_graph_free: the child in the actor's group %s, the setsid daemon "
                 "%s",
                 left_group ? "lives" : "is gone", left_daemon ? "lives" : "is gone");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_sigsegv_sent_to_main_ends_it_by_sigsegv),
        cmocka_unit_test(a_sigsegv_sent_to_an_isolated_child_kills_it_and_the_actor_restarts),
        cmocka_unit_test(an_isolated_actor_stopped_for_good_makes_the_stop_degraded),
        cmocka_unit_test(isolated_actors_that_never_started_are_named_with_the_reason),
        cmocka_unit_test(a_sigkilled_zygote_is_replaced_and_the_run_is_exact),
        cmocka_unit_test(the_zygote_killed_twice_in_a_row),
        cmocka_unit_test(a_killed_standby_is_replaced_before_the_zygote_dies),
        cmocka_unit_test(a_zygote_lost_with_its_standby_stops_the_graph_degraded),
        cmocka_unit_test(a_zygote_lost_after_its_actors_ended_still_stops_degraded),
        cmocka_unit_test(an_actor_closing_inherited_fds_still_logs_and_its_files_stay_its_own),
        cmocka_unit_test(daemons_of_an_isolated_actor_do_not_outlive_the_graph),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
