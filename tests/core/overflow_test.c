/* overflow_test.c — an actor that overflows its stack is named on stderr, and the fault then
 * takes its normal course (the process dies; under a sanitizer, its report follows).
 *
 * The overflow runs in a forked child (forked before any thread exists), so the test process
 * survives it. Sanitizers keep their own SIGSEGV handling here on purpose: steady's handler
 * runs first and chains to theirs, which is what a user running under ASan would see. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <steady/steady.h>

static int depth_sink;
static volatile int depth_limit = 1 << 30; /* a runtime bound, so the compiler sees an exit */

static int recurse(int n)
{
    volatile char frame[512];
    frame[0] = (char)n;
    if (n >= depth_limit)
        return n;
    return n + recurse(n + 1) + frame[0];
}

static int deep(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    depth_sink = recurse(0);
    return 0;
}

static int calm(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static void run_child(int fd, const char *label)
{
    dup2(fd, STDERR_FILENO);
    steady_graph *g;
    steady_troupe *t;
    steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true});
    steady_troupe_new(g, NULL, &t);
    steady_actor_spawn(g, &(steady_actor_opts){.name = "calm", .run = calm, .troupe = t}, NULL);
    steady_actor_spawn(
        g, &(steady_actor_opts){.name = label, .run = deep, .troupe = t, .stack_size = 64 * 1024},
        NULL);
    steady_graph_start(g);
    steady_graph_block_until_stopped(g, 5000);
    _exit(0); /* reached only if the overflow was not caught: the parent fails the test */
}

/* Runs an actor named `label` that overflows, in a forked child; checks that the child died and
 * leaves what it wrote to stderr in out (NUL-terminated). */
static void overflow_in_child(const char *label, char *out, size_t cap)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(p[0]);
        run_child(p[1], label);
    }
    close(p[1]);
    size_t len = 0;
    ssize_t r;
    while ((r = read(p[0], out + len, cap - 1 - len)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            len += (size_t)r;
    out[len] = '\0';
    close(p[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    /* Plain build: killed by SIGSEGV. Under a sanitizer: its report, then a non-zero exit. */
    assert_true(WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0));
}

static void overflowing_actor_is_named_and_the_process_dies(void **state)
{
    (void)state;
    char out[8192];
    overflow_in_child("deep", out, sizeof out);
    static const char line[] =
        "steady: stack overflow in actor 'deep': it overran its 65536-byte stack (a fault in its "
        "guard page); give it a larger .stack_size\n";
    if (!strstr(out, line))
        fail_msg("stderr did not have the line\n%swhole stderr:\n%s", line, out);
}

/* A long label (250 bytes: under the 255 that every label may have) is shown cut at 200 bytes
 * with "...": the size and the fix still fit, and the line still ends with a newline. */
static void overflow_line_of_a_long_label_keeps_its_fix(void **state)
{
    (void)state;
    char label[251];
    memset(label, 'x', 250);
    label[250] = '\0';
    char out[8192];
    overflow_in_child(label, out, sizeof out);
    char line[512];
    snprintf(line, sizeof line,
             "steady: stack overflow in actor '%.200s...': it overran its 65536-byte stack (a "
             "fault in its guard page); give it a larger .stack_size\n",
             label);
    if (!strstr(out, line))
        fail_msg("stderr did not have the line\n%swhole stderr:\n%s", line, out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overflowing_actor_is_named_and_the_process_dies),
        cmocka_unit_test(overflow_line_of_a_long_label_keeps_its_fix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
