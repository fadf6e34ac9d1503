/*
 * log_test.c: specification of steady/log.h: the line format, who T[...] names, level
 * filtering, level names, and which of steady_log_set_level and STEADY_LOG wins.
 *
 * The level is decided once per process, so the STEADY_LOG cases run in fresh processes: this
 * binary re-executes itself (/proc/self/exe --child <case>) with the variable set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <regex.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <steady/steady.h>

extern char **environ;

/* ---- a capturing sink ----------------------------------------------------------------------- */

enum { MAX_LINES = 1024 };

static struct {
    pthread_mutex_t lock;
    char *lines[MAX_LINES];
    steady_log_level levels[MAX_LINES];
    size_t n;
    size_t unterminated; /* lines whose line[len] was not '\0' */
} cap = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void capture_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    pthread_mutex_lock(&cap.lock);
    if (cap.n < MAX_LINES) {
        cap.lines[cap.n] = strndup(line, len);
        cap.levels[cap.n] = level;
        cap.n++;
    }
    cap.unterminated += line[len] != '\0';
    pthread_mutex_unlock(&cap.lock);
}

static void capture_begin(steady_log_level level)
{
    for (size_t i = 0; i < cap.n; i++)
        free(cap.lines[i]);
    cap.n = 0;
    steady_log_set_level(level);
    steady_log_set_sink(capture_sink, NULL);
}

static void capture_end(void)
{
    steady_log_set_sink(NULL, NULL);
}

static int capture_free(void **state)
{
    (void)state;
    for (size_t i = 0; i < cap.n; i++)
        free(cap.lines[i]);
    cap.n = 0;
    return 0;
}

static bool line_matches(const char *line, const char *pattern)
{
    regex_t re;
    if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0)
        fail_msg("bad pattern %s", pattern);
    bool ok = regexec(&re, line, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

#define STAMP "^\\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{6}\\] "

/* ---- the line format ------------------------------------------------------------------------ */

static void line_has_timestamp_thread_level_place_and_message(void **state)
{
    (void)state;
    char thread[32];
    pthread_getname_np(pthread_self(), thread, sizeof thread);
    capture_begin(STEADY_LOG_INFO);
    time_t before = time(NULL);
    int line = __LINE__ + 1;
    STEADY_INFO("hello %d from %s", 42, "main");
    time_t after = time(NULL);
    capture_end();

    assert_int_equal(cap.n, 1);
    assert_int_equal(cap.levels[0], STEADY_LOG_INFO);
    char pattern[256];
    snprintf(pattern, sizeof pattern,
             STAMP "T\\[%s\\] INFO \\[log_test\\.c:%d\\] hello 42 from main$", thread, line);
    if (!line_matches(cap.lines[0], pattern))
        fail_msg("line \"%s\" does not match %s", cap.lines[0], pattern);
    /* The stamp is local wall time, now. */
    struct tm tm = {0};
    assert_non_null(strptime(cap.lines[0] + 1, "%Y-%m-%d %H:%M:%S", &tm));
    tm.tm_isdst = -1;
    time_t stamped = mktime(&tm);
    assert_true(stamped >= before - 1 && stamped <= after + 1);
}

struct actor_log {
    int line;
};

static int logging_run(steady_actor *a, void *arg)
{
    (void)a;
    struct actor_log *l = arg;
    l->line = __LINE__ + 1;
    STEADY_WARN("from an actor");
    steady_wait_timeout(a, 0); /* members switch here; the next line still names this actor */
    STEADY_WARN("after a wait");
    return 0;
}

static bool captured_line(const char *pattern)
{
    for (size_t i = 0; i < cap.n; i++)
        if (line_matches(cap.lines[i], pattern))
            return true;
    return false;
}

static void actor_lines_name_the_actor_solo_and_in_a_troupe(void **state)
{
    (void)state;
    struct actor_log solo = {0}, m1 = {0}, m2 = {0};
    steady_graph *g = NULL;
    steady_graph_opts go = {.name = "log", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    steady_troupe *t = NULL;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "the-troupe"}, &t),
                     STEADY_OK);
    steady_actor_opts o1 = {
        .name = "worker", .has_suffix = true, .suffix = 3, .run = logging_run, .arg = &solo};
    steady_actor_opts o2 = {.name = "member",
                            .has_suffix = true,
                            .suffix = 1,
                            .run = logging_run,
                            .arg = &m1,
                            .troupe = t};
    steady_actor_opts o3 = {.name = "member",
                            .has_suffix = true,
                            .suffix = 2,
                            .run = logging_run,
                            .arg = &m2,
                            .troupe = t};
    assert_int_equal(steady_actor_spawn(g, &o1, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &o2, NULL), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g, &o3, NULL), STEADY_OK);
    capture_begin(STEADY_LOG_INFO);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    capture_end();
    steady_graph_free(g);

    char pattern[256];
    const char *labels[] = {"worker-3", "member-1", "member-2"};
    const int lines[] = {solo.line, m1.line, m2.line};
    for (int i = 0; i < 3; i++) {
        snprintf(pattern, sizeof pattern,
                 STAMP "T\\[%s\\] WARN \\[log_test\\.c:%d\\] from an actor$", labels[i], lines[i]);
        if (!captured_line(pattern))
            fail_msg("no line matches %s", pattern);
        snprintf(pattern, sizeof pattern, STAMP "T\\[%s\\] WARN \\[[^]]+\\] after a wait$",
                 labels[i]);
        if (!captured_line(pattern))
            fail_msg("no line matches %s", pattern);
    }
    assert_false(captured_line("T\\[the-troupe\\]"));
}

/* ---- levels --------------------------------------------------------------------------------- */

static void levels_filter_lines_below_the_set_level(void **state)
{
    (void)state;
    capture_begin(STEADY_LOG_WARN);
    assert_int_equal(steady_log_get_level(), STEADY_LOG_WARN);
    STEADY_TRACE("trace-1");
    STEADY_DEBUG("debug-1");
    STEADY_INFO("info-1");
    STEADY_WARN("warn-1");
    STEADY_ERROR("error-1");
    steady_log_write(STEADY_LOG_INFO, __FILE__, __LINE__, "info-direct"); /* filtered too */
    steady_log_set_level(STEADY_LOG_OFF);
    STEADY_ERROR("error-off");
    steady_log_set_level(STEADY_LOG_TRACE);
    STEADY_TRACE("trace-2");
    STEADY_LOG(STEADY_LOG_OFF, "never"); /* OFF is not a level a line can have */
    capture_end();
    steady_log_set_level(STEADY_LOG_INFO);

    assert_int_equal(cap.n, 3);
    assert_non_null(strstr(cap.lines[0], " WARN ") ? strstr(cap.lines[0], "warn-1") : NULL);
    assert_non_null(strstr(cap.lines[1], " ERROR ") ? strstr(cap.lines[1], "error-1") : NULL);
    assert_non_null(strstr(cap.lines[2], " TRACE ") ? strstr(cap.lines[2], "trace-2") : NULL);
    assert_int_equal(cap.levels[0], STEADY_LOG_WARN);
    assert_int_equal(cap.levels[1], STEADY_LOG_ERROR);
    assert_int_equal(cap.levels[2], STEADY_LOG_TRACE);
}

static void level_names_parse_case_insensitively(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        steady_log_level level;
    } names[] = {
        {"off", STEADY_LOG_OFF},      {"error", STEADY_LOG_ERROR}, {"warn", STEADY_LOG_WARN},
        {"warning", STEADY_LOG_WARN}, {"info", STEADY_LOG_INFO},   {"debug", STEADY_LOG_DEBUG},
        {"trace", STEADY_LOG_TRACE},  {"DeBuG", STEADY_LOG_DEBUG}, {"INFO", STEADY_LOG_INFO},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        steady_log_level l = (steady_log_level)-1;
        assert_int_equal(steady_log_parse_level(names[i].text, &l), STEADY_OK);
        assert_int_equal(l, names[i].level);
    }
    const char *bad[] = {"bogus", "", "infoo", " info"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        steady_log_level l = STEADY_LOG_DEBUG;
        assert_int_equal(steady_log_parse_level(bad[i], &l), STEADY_EINVAL);
        assert_int_equal(l, STEADY_LOG_DEBUG); /* untouched */
    }
    assert_int_equal(steady_log_parse_level("bogus", &(steady_log_level){0}), STEADY_EINVAL);
    assert_non_null(strstr(steady_last_error(), "'bogus'"));
    assert_non_null(strstr(steady_last_error(), "off, error, warn, info, debug, trace"));
    assert_int_equal(steady_log_parse_level(NULL, &(steady_log_level){0}), STEADY_EINVAL);
    assert_int_equal(steady_log_parse_level("info", NULL), STEADY_EINVAL); /* no crash */
    for (int l = STEADY_LOG_OFF; l <= STEADY_LOG_TRACE; l++) {
        steady_log_level back;
        assert_int_equal(steady_log_parse_level(steady_log_level_name((steady_log_level)l), &back),
                         STEADY_OK);
        assert_int_equal(back, l);
    }
}

/* ---- whole lines, truncation, stderr -------------------------------------------------------- */

enum { CHATTY = 4, CHATTY_LINES = 100 };

static int chatty_run(steady_actor *a, void *arg)
{
    (void)arg;
    for (int i = 0; i < CHATTY_LINES; i++) {
        STEADY_INFO("line %d of %s with some padding to make it longer than a word", i,
                    steady_actor_label(a));
        if (i % 10 == 0)
            steady_wait_timeout(a, 0);
    }
    return 0;
}

static void lines_from_many_threads_arrive_whole(void **state)
{
    (void)state;
    steady_graph *g = NULL;
    steady_graph_opts go = {.name = "chatty", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    for (unsigned i = 0; i < CHATTY; i++) {
        steady_actor_opts o = {
            .name = "chatty", .has_suffix = true, .suffix = i, .run = chatty_run};
        assert_int_equal(steady_actor_spawn(g, &o, NULL), STEADY_OK);
    }
    capture_begin(STEADY_LOG_INFO);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    assert_int_equal(steady_graph_block_until_stopped(g, 5000), STEADY_OK);
    capture_end();
    steady_graph_free(g);

    size_t mine = 0;
    for (size_t i = 0; i < cap.n; i++) {
        if (!strstr(cap.lines[i], "T[chatty-"))
            continue;
        mine++;
        if (!line_matches(cap.lines[i],
                          STAMP "T\\[chatty-([0-9])\\] INFO \\[log_test\\.c:[0-9]+\\] "
                                "line [0-9]+ of chatty-[0-9] with some padding to "
                                "make it longer than a word$"))
            fail_msg("mangled line: %s", cap.lines[i]);
    }
    assert_int_equal(mine, CHATTY * CHATTY_LINES);
}

static void overlong_message_is_truncated_not_overflowed(void **state)
{
    (void)state;
    static char big[5000];
    memset(big, 'x', sizeof big - 1);
    capture_begin(STEADY_LOG_INFO);
    STEADY_INFO("%s", big);
    capture_end();
    assert_int_equal(cap.n, 1);
    assert_true(strlen(cap.lines[0]) < 1024);
    assert_true(
        line_matches(cap.lines[0], STAMP "T\\[[^]]*\\] INFO \\[log_test\\.c:[0-9]+\\] x+$"));
}

/* A sink may treat its line as a C string (line[len] is '\0'): a short line after a long one
 * once carried the long one's bytes past its end (a sink's strstr or "%s" read them). */
static void a_sink_gets_each_line_nul_terminated(void **state)
{
    (void)state;
    static char big[900];
    memset(big, 'x', sizeof big - 1);
    capture_begin(STEADY_LOG_INFO);
    cap.unterminated = 0;
    STEADY_INFO("%s", big);
    STEADY_INFO("short");
    capture_end();
    assert_int_equal(cap.n, 2);
    assert_int_equal(cap.unterminated, 0);
}

static void without_a_sink_lines_go_to_stderr_one_per_line(void **state)
{
    (void)state;
    char path[] = "/tmp/steady-log-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    steady_log_set_level(STEADY_LOG_INFO);
    steady_log_set_sink(NULL, NULL);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    STEADY_INFO("to stderr %d", 1);
    STEADY_INFO("to stderr %d", 2);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char buf[1024] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    assert_true(n > 0);
    char *second = strchr(buf, '\n');
    assert_non_null(second);
    assert_true(
        line_matches(buf, STAMP "T\\[[^]]*\\] INFO \\[log_test\\.c:[0-9]+\\] to stderr 1\n"));
    assert_true(line_matches(second + 1, STAMP "T\\[[^]]*\\] INFO \\[log_test\\.c:[0-9]+\\] "
                                               "to stderr 2\n$"));
}

/* ---- STEADY_LOG versus steady_log_set_level, in fresh processes ----------------------------- */

/* Child cases: exit 0 when the expectation holds. */
static int child_case(const char *which)
{
    if (strcmp(which, "env-only") == 0) /* STEADY_LOG=debug */
        return steady_log_get_level() == STEADY_LOG_DEBUG ? 0 : 1;
    if (strcmp(which, "set-before-first-use") == 0) { /* STEADY_LOG=error */
        steady_log_set_level(STEADY_LOG_DEBUG);
        capture_begin(STEADY_LOG_DEBUG);
        STEADY_DEBUG("shown");
        capture_end();
        int rc = steady_log_get_level() == STEADY_LOG_DEBUG && cap.n == 1 ? 0 : 2;
        capture_free(NULL);
        return rc;
    }
    if (strcmp(which, "set-after-env-read") == 0) { /* STEADY_LOG=error */
        if (steady_log_get_level() != STEADY_LOG_ERROR)
            return 3;
        steady_log_set_level(STEADY_LOG_INFO);
        return steady_log_get_level() == STEADY_LOG_INFO ? 0 : 4;
    }
    if (strcmp(which, "env-bad") == 0) /* STEADY_LOG=loud: info, with a notice */
        return steady_log_get_level() == STEADY_LOG_INFO ? 0 : 5;
    if (strcmp(which, "env-unset") == 0)
        return steady_log_get_level() == STEADY_LOG_INFO ? 0 : 6;
    return 100;
}

/* Runs this binary as `--child which` with STEADY_LOG=env_value (NULL: unset); returns its
 * exit status and what it wrote on stderr. */
static int run_child(const char *which, const char *env_value, char *err, size_t err_cap)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 2, sizeof *env);
    assert_non_null(env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "STEADY_LOG=", 11) != 0)
            env[k++] = environ[i];
    char setting[64];
    if (env_value) {
        snprintf(setting, sizeof setting, "STEADY_LOG=%s", env_value);
        env[k++] = setting;
    }
    env[k] = NULL;

    char path[] = "/tmp/steady-log-child-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    unlink(path);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, STDERR_FILENO);
    char *argv[] = {"log_test", "--child", (char *)which, NULL};
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    assert_int_equal(rc, 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    ssize_t got = pread(fd, err, err_cap - 1, 0);
    err[got > 0 ? got : 0] = '\0';
    close(fd);
    assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void steady_log_env_sets_the_level_of_a_fresh_process(void **state)
{
    (void)state;
    char err[4096];
    assert_int_equal(run_child("env-only", "debug", err, sizeof err), 0);
    assert_int_equal(run_child("env-unset", NULL, err, sizeof err), 0);
    assert_int_equal(run_child("env-bad", "loud", err, sizeof err), 0);
    if (!strstr(err, "STEADY_LOG=loud"))
        fail_msg("no notice for a bad STEADY_LOG: %s", err);
}

static void set_level_wins_over_the_steady_log_env(void **state)
{
    (void)state;
    char err[4096];
    assert_int_equal(run_child("set-before-first-use", "error", err, sizeof err), 0);
    assert_int_equal(run_child("set-after-env-read", "error", err, sizeof err), 0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--child") == 0)
        return child_case(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(line_has_timestamp_thread_level_place_and_message),
        cmocka_unit_test(actor_lines_name_the_actor_solo_and_in_a_troupe),
        cmocka_unit_test(levels_filter_lines_below_the_set_level),
        cmocka_unit_test(level_names_parse_case_insensitively),
        cmocka_unit_test(lines_from_many_threads_arrive_whole),
        cmocka_unit_test(overlong_message_is_truncated_not_overflowed),
        cmocka_unit_test(a_sink_gets_each_line_nul_terminated),
        cmocka_unit_test(without_a_sink_lines_go_to_stderr_one_per_line),
        cmocka_unit_test(steady_log_env_sets_the_level_of_a_fresh_process),
        cmocka_unit_test(set_level_wins_over_the_steady_log_env),
    };
    return cmocka_run_group_tests(tests, NULL, capture_free);
}
