/* ipc_pods.h — the two-process harness of the ipc tests (ipc_test.c, ipc_stream_test.c): pods
 * forked while the test process is single-threaded, each running `run(arg, producer)` in its
 * own graph and exiting with its result; waited for with a bound (a stalled stream fails the
 * test, naming the pod); SIGKILLed in turn and started again; their consumer's log checked. */
#ifndef STEADY_TEST_IPC_PODS_H
#define STEADY_TEST_IPC_PODS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* A pod's life in the child: its exit code (0 when it ended as designed). */
typedef int (*ipc_pod_fn)(void *arg, bool producer);

/* Forks a pod running run(arg, producer); remembered until waited for. */
pid_t ipc_pod_start(ipc_pod_fn run, void *arg, bool producer);
/* The pod's exit code (128 + signal when killed); fails the test when it has not ended within
 * 60 s (its stream stalled: a lost wake-up across the processes), killing it first. */
int ipc_pod_exit_code(pid_t pid);
/* A teardown: kills and reaps the pods a failed test left. */
int ipc_pods_kill_live(void **state);
/* SIGKILLs the consumer c and the producer q in turn, `kills` times, 10-29 ms apart, starting
 * each again; stops early (asserting a clean exit) when the one to kill had finished. Returns
 * how many kills found their pod running. */
int ipc_pods_kill_in_turn(ipc_pod_fn run, void *arg, pid_t *c, pid_t *q, int kills);
/* The consumer's log (uint64_t values) holds exactly 0..n-1. */
void ipc_assert_log_exact(const char *log, uint64_t n);
/* The last value in the log at fd, + 1 (0 for an empty log; UINT64_MAX when unreadable). */
uint64_t ipc_log_resume(int fd);

#endif
