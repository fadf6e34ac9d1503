/* steady_test_support.c: see steady_test_support.h. */
#include "steady_test_support.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- expectations recorded inside actors ---------------------------------------------------- */

_Atomic int expect_failures;
char expect_first[512];

void expect_record(const char *file, int line, const char *fmt, ...)
{
    if (atomic_fetch_add(&expect_failures, 1) != 0)
        return;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(expect_first, sizeof expect_first, "%s:%d: %s", file, line, msg);
}

void expect_reset(void)
{
    atomic_store(&expect_failures, 0);
    expect_first[0] = '\0';
}

void assert_no_failed_expectation(void)
{
    if (atomic_load(&expect_failures) != 0)
        fail_msg("%d expectation(s) failed inside actors; first: %s", atomic_load(&expect_failures),
                 expect_first);
}

/* ---- time ----------------------------------------------------------------------------------- */

uint64_t now_ns(void)
{
    return steady_clock_monotonic_ns(NULL);
}

uint64_t ms_since(uint64_t t0)
{
    return (now_ns() - t0) / 1000000u;
}

void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- graphs --------------------------------------------------------------------------------- */

steady_graph *new_graph(const char *name)
{
    steady_graph_opts o = {.name = name, .no_signal_handlers = true};
    return new_graph_opts(&o);
}

steady_graph *new_graph_no_restart(const char *name)
{
    steady_policy p = STEADY_POLICY_DEFAULT;
    p.max_restarts = 0;
    p.escalation = STEADY_ESCALATE_SHUTDOWN_GRAPH;
    steady_graph_opts o = {.name = name, .no_signal_handlers = true, .policy = &p};
    return new_graph_opts(&o);
}

steady_graph *new_graph_opts(const steady_graph_opts *o)
{
    steady_graph *g = NULL;
    assert_int_equal(steady_graph_new(&g, o), STEADY_OK);
    return g;
}

bool await_counter_or_stop(steady_graph *g, _Atomic int *counter, int want, uint64_t limit_ms)
{
    uint64_t t0 = now_ns();
    while (atomic_load(counter) < want && steady_graph_get_state(g) == STEADY_GRAPH_RUNNING &&
           ms_since(t0) < limit_ms)
        sleep_ms(2);
    return !(atomic_load(counter) < want && steady_graph_get_state(g) == STEADY_GRAPH_RUNNING);
}

static int wait_for_shutdown_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

steady_err spawn_with(steady_graph *g, const char *name, steady_tx *const *txs,
                      steady_rx *const *rxs, steady_tx_bundle *const *txbs,
                      steady_rx_bundle *const *rxbs)
{
    steady_actor_opts o = {.name = name,
                           .run = wait_for_shutdown_run,
                           .txs = txs,
                           .rxs = rxs,
                           .tx_bundles = txbs,
                           .rx_bundles = rxbs};
    return steady_actor_spawn(g, &o, NULL);
}

void assert_last_error_mentions(const char *first, ...)
{
    const char *msg = steady_last_error();
    va_list ap;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        if (!strstr(msg, s)) {
            va_end(ap);
            fail_msg("steady_last_error() lacks \"%s\": %s", s, msg);
        }
    va_end(ap);
}

/* ---- log capture ---------------------------------------------------------------------------- */

char captured[16384];
size_t captured_len;

void capture_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    if (captured_len + len + 2 < sizeof captured) {
        memcpy(captured + captured_len, line, len);
        captured_len += len;
        captured[captured_len++] = '\n';
        captured[captured_len] = '\0';
    }
}

void capture_start(void)
{
    captured_len = 0;
    captured[0] = '\0';
    steady_log_set_sink(capture_sink, NULL);
}

void capture_stop(void)
{
    steady_log_set_sink(NULL, NULL);
}

/* ---- a uint64_t channel fixture (opt-in) --------------------------------------------------- */

int graph_setup(void **state)
{
    steady_graph *g = NULL;
    steady_graph_opts o = {.name = "channel_test", .no_signal_handlers = true};
    if (steady_graph_new(&g, &o) != STEADY_OK)
        return -1;
    *state = g;
    return 0;
}

int graph_teardown(void **state)
{
    steady_graph_free(*state);
    return 0;
}

void new_u64(void **state, uint64_t capacity, u64ch_tx *tx, u64ch_rx *rx)
{
    assert_int_equal(u64ch_new(*state, "u64", capacity, tx, rx), STEADY_OK);
}

void move_through(u64ch_tx tx, u64ch_rx rx, uint64_t n, uint64_t base)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t v = 0;
        assert_int_equal(u64ch_tx_try_send(tx, base + i), STEADY_OK);
        assert_int_equal(u64ch_rx_try_take(rx, &v), STEADY_OK);
        assert_int_equal(v, base + i);
    }
}

/* ---- processes ------------------------------------------------------------------------------- */

static int parent_of(const char *pid)
{
    char path[300], buf[512];
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t r = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[r] = 0;
    const char *close = strrchr(buf, ')'); /* the command name may hold spaces and ')' */
    int ppid = -1;
    char state;
    if (!close || sscanf(close + 1, " %c %d", &state, &ppid) != 2)
        return -1;
    return ppid;
}

int children_of(int parent)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] >= '1' && e->d_name[0] <= '9')
            n += parent_of(e->d_name) == parent;
    if (d)
        closedir(d);
    return n;
}

/* ---- other programs ---- */

int pipe_through(const char *cmd, const char *text, char *out, size_t cap)
{
    char in_path[] = "/tmp/steady-pipe-XXXXXX";
    int fd = mkstemp(in_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char full[1024];
    snprintf(full, sizeof full, "%s < %s", cmd, in_path);
    FILE *p = popen(full, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    unlink(in_path);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
