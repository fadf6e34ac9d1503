/* baseline.c — what a process restart costs on this machine without steady: the floor under
 * the isolated restart latency (README.md, "Restart latency").
 *
 * A single-threaded process (like steady's zygote) forks a child that reports the time it starts
 * running through a pipe, then kills itself with SIGKILL (like an isolated actor killed by
 * steady-chaos); the parent reaps it. Two figures: fork to the child running, and the child's
 * SIGKILL to the parent's waitpid returning. Their sum is what any fork-based restart pays
 * before doing anything of its own.
 */
#define _GNU_SOURCE /* kill */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <steady/steady.h>

#include "baseline.h"

static uint64_t now_ns(void)
{
    return steady_clock_monotonic_ns(NULL);
}

static int by_value(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

static void print_figure(FILE *out, const char *what, uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    fprintf(out, "%s (%zu samples): p50 %.1f us, p99 %.1f us, max %.1f us\n", what, n,
            (double)v[(n - 1) * 50 / 100] / 1e3, (double)v[(n - 1) * 99 / 100] / 1e3,
            (double)v[n - 1] / 1e3);
}

/* One fork, report and kill; false when a system call failed. */
static bool one_round(uint64_t *fork_ns, uint64_t *reap_ns)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    uint64_t t0 = now_ns();
    pid_t pid = fork();
    if (pid == 0) {
        uint64_t t[2] = {now_ns(), 0};
        close(p[0]);
        ssize_t w = write(p[1], t, sizeof t[0]);
        (void)w;
        t[1] = now_ns();
        w = write(p[1], &t[1], sizeof t[1]); /* just before dying */
        kill(getpid(), SIGKILL);
        _exit(1);
    }
    close(p[1]);
    uint64_t t[2];
    bool ok = pid > 0 && read(p[0], &t[0], sizeof t[0]) == (ssize_t)sizeof t[0] &&
              read(p[0], &t[1], sizeof t[1]) == (ssize_t)sizeof t[1];
    close(p[0]);
    if (pid > 0)
        ok &= waitpid(pid, NULL, 0) == pid;
    uint64_t t_reaped = now_ns();
    if (ok) {
        *fork_ns = t[0] - t0;
        *reap_ns = t_reaped - t[1];
    }
    return ok;
}

int chaos_fork_baseline(FILE *out, size_t rounds)
{
    uint64_t *forks = calloc(rounds, sizeof *forks), *reaps = calloc(rounds, sizeof *reaps);
    size_t n = 0;
    while (forks && reaps && n < rounds && one_round(&forks[n], &reaps[n]))
        n++;
    int status = 1;
    if (n == rounds && n > 0) {
        fprintf(out, "fork baseline: a single-threaded process forks a child that kills itself\n");
        print_figure(out, "  fork to the child running", forks, n);
        print_figure(out, "  the child's SIGKILL to waitpid returning", reaps, n);
        status = 0;
    } else {
        perror("steady-chaos: --fork-baseline");
    }
    free(forks);
    free(reaps);
    return status;
}
