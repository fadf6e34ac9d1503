/* core/isolate.h — the ISOLATED placement: the API the rest of the core calls (start, first
 * spawn, stop, free), and what isolate.c (main's side: the warden and the log drainer) and
 * zygote.c (the zygotes and the children they fork) share.
 *
 * Protocol: fixed-size messages on one SOCK_SEQPACKET pair. Main holds one end; the serving
 * zygote and its standby share the other (inherited at fork), and only the serving one reads.
 *   main -> zygote  Z_SPAWN(index)            start troupe `index`'s process (idempotent: a
 *                                              troupe with a live process is answered with it)
 *   zygote -> main  Z_SPAWNED(index, pid)
 *                   Z_EXITED(index, pid, status)   a child ended (waitpid status)
 *                   Z_PROMOTED(pid)           a standby took over after its zygote died
 * Main closing its end tells the zygotes to kill and reap everything they started and exit.
 */
#ifndef STEADY_CORE_ISOLATE_H
#define STEADY_CORE_ISOLATE_H

#include "core/base.h"

#include <sys/types.h>

struct steady__logrings;

enum { Z_SPAWN = 1, Z_SPAWNED, Z_EXITED, Z_PROMOTED };

typedef struct steady__zmsg {
    uint32_t kind;
    uint32_t index; /* the troupe's slot */
    int32_t pid;
    int32_t status; /* waitpid status (Z_EXITED) */
} steady__zmsg;

/* What a zygote needs, all of it built before the first fork. */
typedef struct steady__zygote_args {
    steady_troupe **troupes; /* slot -> troupe */
    size_t n;
    struct steady__logrings *rings; /* slot i: troupe i's children; slot n: the zygotes */
    int sock;                       /* the zygotes' end of the pair */
    pid_t main_pid;
} steady__zygote_args;

/* The first zygote's body (main's child, forked before any thread). Never returns. */
_Noreturn void steady__zygote_main(const steady__zygote_args *a);

/* At start, before any troupe thread: registers the barriers, forks the zygote and starts the
 * warden. STEADY_ESYS / STEADY_EINVAL with the reason. Main. */
steady_err steady__iso_start(steady_graph *g);
/* Asks the zygote for the troupe's first process. */
steady_err steady__iso_spawn_first(steady_troupe *t);
/* After the vote: waits up to deadline_ns for the children to leave, then kills the ones
 * that have not (reported); every child is reaped. Main. */
void steady__iso_stop(steady_graph *g, uint64_t deadline_ns);
/* Stops the warden and the zygote; nothing of the graph's processes remains. Main. */
void steady__iso_free(steady_graph *g);
/* Tests: the serving zygote's pid (0: no ISOLATED troupe). Any thread. */
pid_t steady__iso_zygote_pid(const steady_graph *g);

/* send(2) of one message, retried on EINTR; MSG_NOSIGNAL (a gone peer is EPIPE, no signal). */
void steady__zmsg_send(int fd, steady__zmsg m);

#endif
