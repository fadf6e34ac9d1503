/* core/isolate.c — the ISOLATED placement: troupes in child processes.
 *
 * Processes. At start, before any troupe thread exists, main forks a *zygote*: a
 * single-threaded copy of the built graph. Every child comes from the zygote (never from a fork
 * of the running, multi-threaded graph), so it begins with sane locks and the graph's private
 * memory as it was built; the graph's shared memory (shm.c: records, rings, states, doorbells)
 * is the same memory in every process, at the same addresses. A child runs its troupe on its
 * main thread (steady__troupe_body) and exits 0 when every member is done.
 *
 * The warden, a thread of main's process, supervises across the boundary. It asks the zygote
 * for children, hears from it when one died (the zygote reaps them: SIGCHLD through a
 * signalfd), logs the actor and the signal, and applies each member's policy with the same
 * decision in-process failures get (supervise.c): backoff, intensity, escalation. A child's
 * log lines arrive through one pipe shared by all children (one record per write, atomic) and
 * go to the parent's sink. A pidfd per child lets main kill a hung one without a pid race.
 *
 * Protocol with the zygote: fixed-size messages on a SOCK_SEQPACKET pair. Main closing its end
 * tells the zygote to kill what is left, reap it and exit. Both the zygote and the children die
 * with their parent (PR_SET_PDEATHSIG) and ignore SIGINT/SIGTERM: main coordinates shutdown
 * through the shared graph state, as for threads.
 *
 * Thread-safety: the kids table is written by the warden only, except `pid`, read by main when
 * it kills; main starts and stops the warden.
 */
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/futex.h"
#include "platform/thread.h"

enum { Z_SPAWN = 1, Z_SPAWNED, Z_EXITED };

typedef struct zmsg {
    uint32_t kind;
    uint32_t index; /* the troupe's slot */
    int32_t pid;
    int32_t status; /* waitpid status (Z_EXITED) */
} zmsg;

typedef struct kid {
    steady_troupe *t;
    _Atomic int pid;     /* the running child, 0: none */
    int pidfd;           /* -1: none */
    uint64_t respawn_at; /* monotonic ns; 0: nothing scheduled */
    bool gone;           /* no child will run again */
} kid;

struct steady__iso {
    pid_t zygote;
    int sock;    /* main's end of the zygote pair */
    int log_rd;  /* the children's log pipe */
    int wake[2]; /* main -> warden: stop */
    pthread_t warden;
    bool warden_started;
    size_t n;
    kid *kids;
};

static long pidfd_open_(pid_t pid)
{
    return syscall(SYS_pidfd_open, pid, 0);
}

static void send_msg(int fd, zmsg m)
{
    ssize_t w;
    do
        w = send(fd, &m, sizeof m, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
}

/* ---- in the child ---- */

static _Noreturn void child_main(steady_troupe *t, int log_wr)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    steady__overflow_after_fork();
    steady__log_after_fork();
    steady__log_forward_to(log_wr);
    steady__membarrier_global_init();
    steady__troupe_body(t);
    _exit(0);
}

/* ---- the zygote ---- */

static void zygote_signals(sigset_t *chld)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(chld);
    sigaddset(chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, chld, NULL);
}

static void zygote_reap(struct steady__iso *iso, pid_t *pids)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
        for (size_t i = 0; i < iso->n; i++)
            if (pids[i] == pid) {
                pids[i] = 0;
                send_msg(iso->sock, (zmsg){Z_EXITED, (uint32_t)i, pid, status});
            }
}

static void zygote_spawn(struct steady__iso *iso, pid_t *pids, uint32_t index, int sfd,
                         const sigset_t *chld, int log_wr)
{
    if (index >= iso->n)
        return;
    pid_t pid = fork();
    if (pid == 0) {
        close(iso->sock);
        close(sfd);
        sigprocmask(SIG_UNBLOCK, chld, NULL);
        signal(SIGPIPE, SIG_DFL);
        child_main(iso->kids[index].t, log_wr);
    }
    if (pid < 0) {
        send_msg(iso->sock, (zmsg){Z_EXITED, index, 0, 0x7f00}); /* "exited 127": never ran */
        return;
    }
    pids[index] = pid;
    send_msg(iso->sock, (zmsg){Z_SPAWNED, index, pid, 0});
}

static _Noreturn void zygote_main(struct steady__iso *iso, int log_wr)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_NAME, "steady-zygote");
    steady__log_after_fork();
    steady__log_forward_to(log_wr);
    sigset_t chld;
    zygote_signals(&chld);
    int sfd = signalfd(-1, &chld, SFD_CLOEXEC);
    pid_t pids[iso->n ? iso->n : 1];
    memset(pids, 0, sizeof pids);
    for (;;) {
        struct pollfd p[2] = {{iso->sock, POLLIN, 0}, {sfd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            ssize_t r = read(sfd, &si, sizeof si);
            (void)r;
            zygote_reap(iso, pids);
        }
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        zmsg m;
        ssize_t r = recv(iso->sock, &m, sizeof m, 0);
        if (r == 0 || (r < 0 && errno != EINTR)) { /* main let go: leave nothing behind */
            for (size_t i = 0; i < iso->n; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGKILL);
            while (waitpid(-1, NULL, 0) > 0)
                ;
            _exit(0);
        }
        if (r == sizeof m && m.kind == Z_SPAWN)
            zygote_spawn(iso, pids, m.index, sfd, &chld, log_wr);
    }
}

/* ---- the warden (main's process) ---- */

static void describe(int status, char *buf, size_t cap)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        const char *abbrev = sigabbrev_np(sig);
        snprintf(buf, cap, "killed by SIG%s (%s)%s", abbrev ? abbrev : "?", strsignal(sig),
                 WCOREDUMP(status) ? ", core dumped" : "");
    } else if (WIFEXITED(status)) {
        snprintf(buf, cap, "exited with status %d", WEXITSTATUS(status));
    } else {
        snprintf(buf, cap, "ended (status %#x)", status);
    }
}

static void troupe_finished(steady_troupe *t)
{
    atomic_store_explicit(&t->finished, 1, memory_order_release);
    steady__graph_event(t->graph);
}

/* A member stopped for good (or never to run again): it counts as exited, its ends close. */
static void member_gone(steady_actor *a)
{
    a->status = STEADY__DONE;
    steady__actor_close_ends_for(a);
    steady__actor_mark_exited(a);
}

static void request_child(struct steady__iso *iso, kid *k)
{
    send_msg(iso->sock, (zmsg){Z_SPAWN, k->t->iso_index, 0, 0});
}

/* The child of k died: the supervisor's decision for each member it left unfinished. */
static void on_death(kid *k, int status)
{
    atomic_store_explicit(&k->pid, 0, memory_order_release);
    if (k->pidfd >= 0)
        close(k->pidfd);
    k->pidfd = -1;
    steady_troupe *t = k->t;
    char how[160], why[256];
    describe(status, how, sizeof how);
    uint64_t delay = 0;
    bool again = false;
    for (size_t i = 0; i < t->n_members; i++) {
        steady_actor *a = t->members[i];
        if (steady__intent_replay(a))
            STEADY_INFO("actor '%s': its process died inside a commit; the commit was completed "
                        "from its intent record",
                        a->label);
        if (atomic_load_explicit(&a->exited, memory_order_acquire))
            continue;
        snprintf(why, sizeof why, "its process %s", how);
        uint64_t d;
        if (steady__supervise_death(a, why, &d)) {
            /* Decided; it is prepared when the backoff is over (respawn_due), as in-process. */
            atomic_store_explicit(&a->sup.pending, 1, memory_order_relaxed);
            again = true;
            delay = d > delay ? d : delay;
        } else {
            member_gone(a);
        }
    }
    if (!again) {
        k->gone = true;
        troupe_finished(t);
        return;
    }
    k->respawn_at = steady__mono_ns() + delay + 1;
}

static void on_spawned(kid *k, pid_t pid)
{
    k->pidfd = (int)pidfd_open_(pid); /* -1 if it already died: its Z_EXITED follows */
    atomic_store_explicit(&k->pid, pid, memory_order_release);
}

static void read_zygote(struct steady__iso *iso)
{
    zmsg m;
    ssize_t r = recv(iso->sock, &m, sizeof m, MSG_DONTWAIT);
    if (r != sizeof m || m.index >= iso->n)
        return;
    kid *k = &iso->kids[m.index];
    if (m.kind == Z_SPAWNED)
        on_spawned(k, m.pid);
    else if (m.kind == Z_EXITED)
        on_death(k, m.status);
}

static void forward_records(char *buf, size_t *have, size_t got);

/* Forwards the whole records waiting in the children's pipe (non-blocking); keeps a partial one
 * for the next read. */
static void read_logs(struct steady__iso *iso, char *buf, size_t *have, size_t cap)
{
    ssize_t r;
    while ((r = read(iso->log_rd, buf + *have, cap - *have)) > 0)
        forward_records(buf, have, (size_t)r);
}

static void forward_records(char *buf, size_t *have, size_t got)
{
    *have += got;
    size_t at = 0;
    struct steady__log_record h;
    while (*have - at >= sizeof h) {
        memcpy(&h, buf + at, sizeof h);
        if (*have - at < sizeof h + h.len)
            break;
        steady__log_emit_line((steady_log_level)h.level, buf + at + sizeof h, h.len);
        at += sizeof h + h.len;
    }
    memmove(buf, buf + at, *have - at);
    *have -= at;
}

/* Respawns the kids whose backoff is over; returns the next deadline (0: none). */
static uint64_t respawn_due(struct steady__iso *iso)
{
    uint64_t now = steady__mono_ns(), next = 0;
    for (size_t i = 0; i < iso->n; i++) {
        kid *k = &iso->kids[i];
        if (!k->respawn_at)
            continue;
        int st = atomic_load_explicit(&k->t->graph->state, memory_order_acquire);
        if (k->respawn_at <= now || st != STEADY_GRAPH_RUNNING) {
            k->respawn_at = 0;
            for (size_t m = 0; m < k->t->n_members; m++) {
                steady_actor *a = k->t->members[m];
                if (atomic_load_explicit(&a->sup.pending, memory_order_relaxed)) {
                    steady__restart_prepare(a);
                    atomic_store_explicit(&a->sup.pending, 0, memory_order_release);
                }
            }
            request_child(iso, k);
        } else if (!next || k->respawn_at < next) {
            next = k->respawn_at;
        }
    }
    return next;
}

/* Kills the children still running (after the vote's grace) and says so. Warden: it alone
 * touches the pidfds. */
static void kill_stragglers(struct steady__iso *iso)
{
    for (size_t i = 0; i < iso->n; i++) {
        kid *k = &iso->kids[i];
        if (atomic_load_explicit(&k->t->finished, memory_order_acquire))
            continue;
        int pid = atomic_load_explicit(&k->pid, memory_order_acquire);
        STEADY_ERROR("troupe '%s' (pid %d) did not leave after the stop; killing it", k->t->name,
                     pid);
        if (k->pidfd >= 0)
            syscall(SYS_pidfd_send_signal, k->pidfd, SIGKILL, NULL, 0);
    }
}

static void *warden_main(void *p)
{
    steady_graph *g = p;
    struct steady__iso *iso = g->iso;
    steady__thread_set_name("steady-warden");
    static _Thread_local char buf[1 << 16];
    size_t have = 0;
    for (;;) {
        uint64_t next = respawn_due(iso);
        int timeout = -1;
        if (next) {
            uint64_t now = steady__mono_ns();
            timeout = next > now ? (int)((next - now) / 1000000u) + 1 : 0;
        }
        struct pollfd pf[3] = {
            {iso->sock, POLLIN, 0}, {iso->log_rd, POLLIN, 0}, {iso->wake[0], POLLIN, 0}};
        if (poll(pf, 3, timeout) < 0)
            continue;
        /* Logs first: a child's last lines were written before its death was reported. */
        if (pf[1].revents & POLLIN)
            read_logs(iso, buf, &have, sizeof buf);
        if (pf[0].revents & POLLIN)
            read_zygote(iso);
        if (pf[2].revents & POLLIN) {
            char cmd = 'x';
            ssize_t r = read(iso->wake[0], &cmd, 1);
            if (r == 1 && cmd == 'k') {
                kill_stragglers(iso);
                continue;
            }
            break;
        }
    }
    read_logs(iso, buf, &have, sizeof buf); /* children that logged just before leaving */
    return NULL;
}

/* ---- main's side ---- */

static steady_err iso_alloc(steady_graph *g)
{
    struct steady__iso *iso = steady__alloc(sizeof *iso);
    if (!iso)
        return steady__fail(STEADY_ENOMEM, "graph '%s': out of memory", g->name);
    iso->sock = iso->log_rd = iso->wake[0] = iso->wake[1] = -1;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        iso->n += t->isolated && t->n_members;
    iso->kids = steady__alloc(iso->n * sizeof *iso->kids);
    if (!iso->kids) {
        steady__free(iso);
        return steady__fail(STEADY_ENOMEM, "graph '%s': out of memory", g->name);
    }
    size_t i = 0;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        if (t->isolated && t->n_members) {
            t->iso_index = (uint32_t)i;
            iso->kids[i++] = (kid){.t = t, .pidfd = -1};
        }
    g->iso = iso;
    return STEADY_OK;
}

static steady_err sys_fail(steady_graph *g, const char *what)
{
    return steady__fail(STEADY_ESYS, "graph '%s': ISOLATED placement: %s failed: %s", g->name, what,
                        strerror(errno));
}

/* Forks the zygote; main keeps sv[0] and the pipe's read end. */
static steady_err fork_zygote(steady_graph *g, struct steady__iso *iso)
{
    int sv[2], lp[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return sys_fail(g, "socketpair");
    if (pipe2(lp, O_CLOEXEC) != 0) {
        close(sv[0]);
        close(sv[1]);
        return sys_fail(g, "pipe");
    }
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        close(lp[0]);
        close(lp[1]);
        return sys_fail(g, "fork");
    }
    if (pid == 0) {
        close(sv[0]);
        close(lp[0]);
        iso->sock = sv[1];
        zygote_main(iso, lp[1]);
    }
    close(sv[1]);
    close(lp[1]);
    iso->zygote = pid;
    iso->sock = sv[0];
    iso->log_rd = lp[0];
    fcntl(lp[0], F_SETFL, fcntl(lp[0], F_GETFL) | O_NONBLOCK); /* the warden drains it */
    return STEADY_OK;
}

static void mark_shared(steady_graph *g)
{
    g->isolated = true;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        t->bell.shared = true;
}

steady_err steady__iso_start(steady_graph *g)
{
    bool any = false;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        any |= t->isolated && t->n_members;
    if (!any)
        return STEADY_OK;
    if (!steady__membarrier_global_init())
        return steady__fail(STEADY_ESYS,
                            "graph '%s': the ISOLATED placement needs membarrier(2) global "
                            "expedited barriers (Linux 4.16 or later, not blocked by seccomp)",
                            g->name);
    steady_err e = iso_alloc(g);
    if (e != STEADY_OK)
        return e;
    mark_shared(g);
    struct steady__iso *iso = g->iso;
    if (pipe2(iso->wake, O_CLOEXEC) != 0)
        return sys_fail(g, "pipe");
    if ((e = fork_zygote(g, iso)) != STEADY_OK)
        return e;
    int pe = pthread_create(&iso->warden, NULL, warden_main, g);
    if (pe != 0) {
        errno = pe;
        return sys_fail(g, "pthread_create (warden)");
    }
    iso->warden_started = true;
    return STEADY_OK;
}

steady_err steady__iso_spawn_first(steady_troupe *t)
{
    struct steady__iso *iso = t->graph->iso;
    request_child(iso, &iso->kids[t->iso_index]);
    t->thread_started = false; /* no thread to join: steady__iso_stop waits for the child */
    return STEADY_OK;
}

static bool all_finished(const struct steady__iso *iso)
{
    for (size_t i = 0; i < iso->n; i++)
        if (!atomic_load_explicit(&iso->kids[i].t->finished, memory_order_acquire))
            return false;
    return true;
}

static void stop_warden(struct steady__iso *iso)
{
    if (!iso->warden_started)
        return;
    ssize_t w = write(iso->wake[1], "x", 1);
    (void)w;
    pthread_join(iso->warden, NULL);
    iso->warden_started = false;
}

void steady__iso_stop(steady_graph *g, uint64_t deadline_ns)
{
    struct steady__iso *iso = g->iso;
    if (!iso)
        return;
    while (!all_finished(iso) && steady__mono_ns() < deadline_ns) {
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        if (all_finished(iso))
            break;
        uint64_t now = steady__mono_ns();
        steady__futex_wait_for(&g->events, seen, deadline_ns > now ? deadline_ns - now : 0, true);
    }
    if (!all_finished(iso)) {
        ssize_t w = write(iso->wake[1], "k", 1); /* the warden kills them */
        (void)w;
        uint64_t limit = steady__mono_ns() + 2000000000u;
        while (!all_finished(iso) && steady__mono_ns() < limit) {
            uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
            if (!all_finished(iso))
                steady__futex_wait_for(&g->events, seen, 10000000u, true);
        }
    }
    stop_warden(iso); /* its last act: the children's remaining log lines, before we return */
}

void steady__iso_free(steady_graph *g)
{
    struct steady__iso *iso = g->iso;
    if (!iso)
        return;
    stop_warden(iso);
    if (iso->sock >= 0)
        close(iso->sock); /* the zygote kills and reaps what is left, then exits */
    if (iso->zygote > 0)
        waitpid(iso->zygote, NULL, 0);
    for (size_t i = 0; i < iso->n; i++)
        if (iso->kids[i].pidfd >= 0)
            close(iso->kids[i].pidfd);
    int fds[] = {iso->log_rd, iso->wake[0], iso->wake[1]};
    for (size_t i = 0; i < 3; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    steady__free(iso->kids);
    steady__free(iso);
    g->iso = NULL;
}
