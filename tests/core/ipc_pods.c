/* ipc_pods.c — see ipc_pods.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_pods.h"
#include "steady_test_support.h"

#define LIVE 4

static pid_t live[LIVE]; /* pods not yet waited for */

pid_t ipc_pod_start(ipc_pod_fn run, void *arg, bool producer)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(run(arg, producer));
    for (int i = 0; i < LIVE; i++)
        if (live[i] == 0) {
            live[i] = pid;
            break;
        }
    return pid;
}

static void forget(pid_t pid)
{
    for (int i = 0; i < LIVE; i++)
        if (live[i] == pid)
            live[i] = 0;
}

int ipc_pods_kill_live(void **state)
{
    (void)state;
    for (int i = 0; i < LIVE; i++)
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            waitpid(live[i], NULL, 0);
            live[i] = 0;
        }
    return 0;
}

int ipc_pod_exit_code(pid_t pid)
{
    int st = 0;
    uint64_t t0 = now_ns();
    pid_t r;
    while ((r = waitpid(pid, &st, WNOHANG)) == 0 && ms_since(t0) < 60000)
        sleep_ms(2);
    forget(pid);
    if (r == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        fail_msg("pod %d did not end within 60 s: its stream stalled", (int)pid);
    }
    assert_int_equal(r, pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int ipc_pods_kill_in_turn(ipc_pod_fn run, void *arg, pid_t *c, pid_t *q, int kills)
{
    int done = 0;
    for (int i = 0; i < kills; i++) {
        sleep_ms(10 + (unsigned)(i * 7) % 20);
        bool consumer = i % 2 == 0;
        pid_t *who = consumer ? c : q;
        if (kill(*who, SIGKILL) == 0)
            done++;
        int code = ipc_pod_exit_code(*who);
        if (code != 128 + SIGKILL) { /* it had already finished: it must have ended well */
            assert_int_equal(code, 0);
            break;
        }
        *who = ipc_pod_start(run, arg, !consumer);
    }
    return done;
}

void ipc_assert_log_exact(const char *log, uint64_t n)
{
    FILE *f = fopen(log, "rb");
    assert_non_null(f);
    uint64_t v, i = 0, wrong = 0;
    while (fread(&v, sizeof v, 1, f) == 1)
        wrong += v != i++;
    fclose(f);
    assert_int_equal(wrong, 0);
    assert_int_equal(i, n);
}

uint64_t ipc_log_resume(int fd)
{
    off_t end = lseek(fd, 0, SEEK_END);
    uint64_t last = 0;
    if (end < (off_t)sizeof last)
        return 0;
    if (pread(fd, &last, sizeof last, end - (off_t)sizeof last) != (ssize_t)sizeof last)
        return UINT64_MAX;
    return last + 1;
}
