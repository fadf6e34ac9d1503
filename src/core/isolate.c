/* core/isolate.c — the ISOLATED placement, main's side: troupes in child processes.
 *
 * At start, before any troupe thread exists, main forks the first zygote (zygote.c): a
 * single-threaded copy of the built graph that forks every child and keeps a standby to take
 * over if it is killed. A child runs its troupe on its main thread (steady__troupe_body) and
 * exits 0 when every member is done.
 *
 * The warden, a thread of main's process, supervises across the boundary. It asks the zygote
 * for children (isolate.h has the protocol), hears when one died, and applies each member's
 * policy with the same decision in-process failures get (supervise.c): backoff, intensity,
 * escalation. It watches the serving zygote through a pidfd: when the zygote dies, its children
 * die with it; the warden reports each of their deaths to the supervisor as it would any other,
 * and sends the restarts to the standby that takes over (requests sent meanwhile wait in the
 * socket). If no zygote is left, the ISOLATED actors are stopped for good and the graph's stop
 * says so (STEADY_EDEGRADED).
 *
 * Log lines of the children and zygotes arrive through rings in the graph's shared memory
 * (logring.c); the drainer thread hands them to the sink. The warden drains a child's ring
 * before it reports the child's death, so its last lines come first.
 *
 * Thread-safety: the kids table is written by the warden only, except `pid`, read by main when
 * it kills; the drain lock serialises the drainer and the warden on the rings. Main starts and
 * stops both threads.
 */
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/futex.h"
#include "platform/thread.h"

#define GRACE_NS 2000000000u /* how long a child may take to die after its zygote */

typedef struct kid {
    steady_troupe *t;
    _Atomic int pid;     /* the running child, 0: none */
    int pidfd;           /* -1: none */
    uint64_t respawn_at; /* monotonic ns; 0: nothing scheduled */
    bool requested;      /* a Z_SPAWN is out and unanswered */
    bool gone;           /* no child will run again */
} kid;

struct steady__iso {
    _Atomic pid_t zygote; /* the serving zygote; main's child only while zygote_child */
    bool zygote_child;
    int zygote_pidfd;    /* its death is seen at once; -1: waiting for a standby's word */
    unsigned zygote_gen; /* bumped when the serving zygote changes (the warden's poll) */
    bool zygote_lost;    /* no zygote is left: nothing can be restarted */
    int sock;            /* main's end of the zygotes' socket */
    int wake[2];         /* main -> warden: 'k' kill stragglers, 'x' leave */
    pthread_t warden, drainer;
    bool warden_started, drainer_started;
    pthread_mutex_t drain_lock;
    struct steady__logrings *rings;
    steady__zygote_args args; /* built before the fork; the zygotes read it */
    size_t n;
    kid *kids;
};

static long pidfd_open_(pid_t pid)
{
    return syscall(SYS_pidfd_open, pid, 0);
}

static void pidfd_kill(int pidfd)
{
    if (pidfd >= 0)
        syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
}

/* True when the process behind pidfd exits within timeout_ms. */
static bool await_exit(int pidfd, int timeout_ms)
{
    struct pollfd p = {pidfd, POLLIN, 0};
    return pidfd < 0 || (poll(&p, 1, timeout_ms) > 0 && (p.revents & POLLIN));
}

/* ---- the children's log lines ---- */

static void drain(struct steady__iso *iso, size_t slot)
{
    pthread_mutex_lock(&iso->drain_lock);
    uint64_t dropped = steady__logring_drain(iso->rings, slot, steady__log_emit_line);
    pthread_mutex_unlock(&iso->drain_lock);
    if (dropped)
        STEADY_WARN("%s: %llu log lines were dropped (its log ring was full)",
                    slot < iso->n ? iso->kids[slot].t->name : "zygote",
                    (unsigned long long)dropped);
}

static void drain_all(struct steady__iso *iso)
{
    for (size_t i = 0; i <= iso->n; i++)
        drain(iso, i);
}

static void *drainer_main(void *p)
{
    struct steady__iso *iso = p;
    steady__thread_set_name("steady-logs");
    for (;;) {
        uint32_t seen = steady__logrings_seen(iso->rings);
        drain_all(iso);
        if (steady__logrings_stopping(iso->rings))
            break;
        steady__logrings_sleep(iso->rings, seen);
    }
    drain_all(iso);
    return NULL;
}

/* ---- deaths ---- */

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
    /* release: pairs with main's acquire loads of finished (stop.c join_all, isolate.c): the
     * troupe's last writes are visible. */
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

/* No process of k can run again: each member still to run is stopped for good with `why`, so
 * the graph drains around it and its stop names it. */
static void kid_lost(kid *k, const char *why)
{
    for (size_t m = 0; m < k->t->n_members; m++) {
        steady_actor *a = k->t->members[m];
        /* acquire: pairs with the release in steady__actor_mark_exited (run.c). */
        if (atomic_load_explicit(&a->exited, memory_order_acquire))
            continue;
        steady__failure_set(a, "no zygote left to restart it (%s)", why);
        a->failed = true;
        atomic_store_explicit(&a->sup.pending, 0, memory_order_relaxed);
        /* release: pairs with the acquire in steady_actor_stopped_for_good; last_failure is written
         * before. */
        atomic_store_explicit(&a->stopped_for_good, 1, memory_order_release);
        member_gone(a);
    }
    k->gone = true;
    k->respawn_at = 0;
    troupe_finished(k->t);
}

static void request_child(struct steady__iso *iso, kid *k)
{
    k->requested = true;
    steady__zmsg_send(iso->sock, (steady__zmsg){Z_SPAWN, k->t->iso_index, 0, 0});
}

/* The child of k died (`how`: "killed by SIGSEGV (...)", ...): the supervisor's decision for
 * each member it left unfinished. */
static void on_death(struct steady__iso *iso, kid *k, const char *how)
{
    int pid = atomic_load_explicit(&k->pid, memory_order_relaxed);
    /* release: pairs with main's acquire load in kill_stragglers' report (the warden alone writes
     * it). */
    atomic_store_explicit(&k->pid, 0, memory_order_release);
    if (k->pidfd >= 0)
        close(k->pidfd);
    k->pidfd = -1;
    k->requested = false;
    /* The dead child cannot clear where it ran (troupe.c): inspect.c must not report its pid. */
    atomic_store_explicit(&k->t->run_tid, 0, memory_order_relaxed);
    atomic_store_explicit(&k->t->run_pid, 0, memory_order_relaxed);
    drain(iso, k->t->iso_index); /* its last lines before its death notice */
    steady_troupe *t = k->t;
    char why[256];
    uint64_t delay = 0;
    bool again = false;
    for (size_t i = 0; i < t->n_members; i++) {
        steady_actor *a = t->members[i];
        if (a->state_path && pid > 0)
            steady__durable_sweep(a->state_path, pid); /* a save it did not finish */
        if (steady__intent_replay(a))
            STEADY_INFO("actor '%s': its process died inside a commit; the commit was completed "
                        "from its intent record",
                        a->label);
        /* acquire: pairs with the release in steady__actor_mark_exited (run.c). */
        if (atomic_load_explicit(&a->exited, memory_order_acquire))
            continue;
        snprintf(why, sizeof why, "its process %s", how);
        uint64_t d;
        if (steady__supervise_death(a, why, !iso->zygote_lost, &d)) {
            /* Decided; it is prepared when the backoff is over (respawn_due), as in-process. */
            atomic_store_explicit(&a->sup.pending, 1, memory_order_relaxed);
            again = true;
            delay = d > delay ? d : delay;
        } else {
            member_gone(a);
        }
    }
    if (again && iso->zygote_lost) {
        kid_lost(k, "the zygote and its standby are gone");
        return;
    }
    if (!again) {
        k->gone = true;
        troupe_finished(t);
        return;
    }
    k->respawn_at = steady__mono_ns() + delay + 1;
}

static void on_exited(struct steady__iso *iso, kid *k, int status)
{
    char how[160];
    describe(status, how, sizeof how);
    on_death(iso, k, how);
}

/* ---- the zygote ---- */

/* No zygote is left (the serving one died without a standby): every member that could still
 * run is stopped for good, so the graph drains and its stop names them. */
static void zygote_lost(struct steady__iso *iso, const char *why)
{
    if (iso->zygote_lost)
        return;
    iso->zygote_lost = true;
    STEADY_ERROR("no zygote is left to start ISOLATED processes (%s); their actors are stopped "
                 "for good",
                 why);
    steady_graph *g = iso->kids[0].t->graph;
    snprintf(g->zygote_lost_why, sizeof g->zygote_lost_why, "%s", why);
    /* release: pairs with the acquire load in stop.c (zygote_lost), which then reads the reason. */
    atomic_store_explicit(&g->zygote_lost, true, memory_order_release);
    for (size_t i = 0; i < iso->n; i++) {
        kid *k = &iso->kids[i];
        if (!k->gone && !atomic_load_explicit(&k->pid, memory_order_relaxed))
            kid_lost(k, why); /* a running child ends as it will; its death then stops them */
    }
    steady__graph_request(g, "zygote lost");
}

/* The serving zygote died: its children die with it (PR_SET_PDEATHSIG). Each death goes to the
 * supervisor; requests it may have read and not answered are sent again, to the standby. */
static void on_zygote_death(struct steady__iso *iso)
{
    int status = 0;
    char how[160] = "ended";
    pid_t z = atomic_load_explicit(&iso->zygote, memory_order_relaxed);
    if (iso->zygote_child && waitpid(z, &status, 0) == z)
        describe(status, how, sizeof how);
    close(iso->zygote_pidfd);
    iso->zygote_pidfd = -1;
    iso->zygote_child = false;
    iso->zygote_gen++;
    STEADY_ERROR("the zygote (pid %d) %s; its children die with it and its standby takes over",
                 (int)atomic_load_explicit(&iso->zygote, memory_order_relaxed), how);
    char why[200];
    snprintf(why, sizeof why, "died with its zygote (pid %d, %s)",
             (int)atomic_load_explicit(&iso->zygote, memory_order_relaxed), how);
    for (size_t i = 0; i < iso->n; i++) {
        kid *k = &iso->kids[i];
        int pid = atomic_load_explicit(&k->pid, memory_order_relaxed);
        if (pid > 0) {
            if (!await_exit(k->pidfd, (int)(GRACE_NS / 1000000u))) {
                pidfd_kill(k->pidfd);
                await_exit(k->pidfd, 1000);
            }
            kill(-pid, SIGKILL); /* what it started and kept in its group */
            on_death(iso, k, why);
        } else if (k->requested) {
            k->respawn_at = steady__mono_ns(); /* the dead zygote may have read the request */
        }
    }
}

static void on_promoted(struct steady__iso *iso, pid_t pid)
{
    /* A standby serves only once its zygote is dead; that death may not have been handled yet
     * (its pidfd and this message woke the same poll). It comes first: reap, report, restart. */
    if (iso->zygote_pidfd >= 0)
        on_zygote_death(iso);
    iso->zygote_gen++;
    atomic_store_explicit(&iso->zygote, pid, memory_order_relaxed);
    iso->zygote_child = false;
    iso->zygote_pidfd = (int)pidfd_open_(pid);
    if (iso->zygote_pidfd < 0)
        STEADY_ERROR("zygote: cannot watch pid %d (%s)", (int)pid, strerror(errno));
    STEADY_INFO("zygote: pid %d serves the ISOLATED actors now", (int)pid);
}

static void on_spawned(kid *k, pid_t pid)
{
    k->requested = false;
    if (atomic_load_explicit(&k->pid, memory_order_relaxed) == pid)
        return;                       /* the answer to a request sent twice */
    k->pidfd = (int)pidfd_open_(pid); /* -1 if it already died: its Z_EXITED follows */
    /* release: pairs with main's acquire load in kill_stragglers' report (the warden alone writes
     * it). */
    atomic_store_explicit(&k->pid, pid, memory_order_release);
}

/* Reads every message waiting; false when the socket has no zygote behind it any more. */
static bool read_zygote(struct steady__iso *iso)
{
    for (;;) {
        steady__zmsg m;
        ssize_t r = recv(iso->sock, &m, sizeof m, MSG_DONTWAIT);
        if (r == 0)
            return false;
        if (r < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        if (r != sizeof m)
            continue;
        if (m.kind == Z_PROMOTED) {
            on_promoted(iso, m.pid);
            continue;
        }
        if (m.index >= iso->n)
            continue;
        kid *k = &iso->kids[m.index];
        if (m.kind == Z_SPAWNED)
            on_spawned(k, m.pid);
        else if (m.kind == Z_EXITED && atomic_load_explicit(&k->pid, memory_order_relaxed) == m.pid)
            on_exited(iso, k, m.status); /* (pid 0: the fork itself failed) */
    }
}

/* Respawns the kids whose backoff is over; returns the next deadline (0: none). */
static uint64_t respawn_due(struct steady__iso *iso)
{
    uint64_t now = steady__mono_ns(), next = 0;
    for (size_t i = 0; i < iso->n; i++) {
        kid *k = &iso->kids[i];
        if (!k->respawn_at)
            continue;
        /* acquire: pairs with the release stores of state (graph.c start, notify.c request,
         * stop.c). */
        int st = atomic_load_explicit(&k->t->graph->state, memory_order_acquire);
        if (k->respawn_at <= now || st != STEADY_GRAPH_RUNNING) {
            k->respawn_at = 0;
            for (size_t m = 0; m < k->t->n_members; m++) {
                steady_actor *a = k->t->members[m];
                if (atomic_load_explicit(&a->sup.pending, memory_order_relaxed)) {
                    steady__restart_prepare(a);
                    /* release: pairs with the acquire load in steady__supervise_death (the warden,
                     * after this process died). */
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
        /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
         * isolate.c). */
        if (atomic_load_explicit(&k->t->finished, memory_order_acquire))
            continue;
        /* acquire: pairs with the warden's release stores of pid. */
        int pid = atomic_load_explicit(&k->pid, memory_order_acquire);
        STEADY_ERROR("troupe '%s' (pid %d) did not leave after the stop; killing it", k->t->name,
                     pid);
        k->t->killed_at_stop = true;
        pidfd_kill(k->pidfd);
    }
}

/* ---- the warden ---- */

static int poll_timeout(uint64_t next)
{
    if (!next)
        return -1;
    uint64_t now = steady__mono_ns();
    return next > now ? (int)((next - now) / 1000000u) + 1 : 0;
}

/* The wake pipe's command; true when the warden should leave. */
static bool on_command(struct steady__iso *iso)
{
    char cmd = 'x';
    ssize_t r = read(iso->wake[0], &cmd, 1);
    if (r == 1 && cmd == 'k') {
        kill_stragglers(iso);
        return false;
    }
    return true;
}

static void *warden_main(void *p)
{
    struct steady__iso *iso = p;
    steady__thread_set_name("steady-warden");
    bool sock_open = true;
    for (;;) {
        int timeout = poll_timeout(iso->zygote_lost ? 0 : respawn_due(iso));
        struct pollfd pf[3] = {{sock_open ? iso->sock : -1, POLLIN, 0},
                               {iso->wake[0], POLLIN, 0},
                               {iso->zygote_pidfd, POLLIN, 0}};
        if (poll(pf, 3, timeout) < 0)
            continue;
        /* Messages first: deaths the zygote reported before it died carry their status. */
        unsigned gen = iso->zygote_gen;
        if (pf[0].revents & (POLLIN | POLLHUP | POLLERR) && !read_zygote(iso)) {
            sock_open = false; /* no zygote holds its end: never poll it again */
            zygote_lost(iso, "the zygote and its standby are gone");
        }
        /* Unless the messages changed the zygote: pf[2] was about the one before. */
        if (gen == iso->zygote_gen && (pf[2].revents & (POLLIN | POLLHUP | POLLERR)))
            on_zygote_death(iso);
        if ((pf[1].revents & POLLIN) && on_command(iso))
            break;
    }
    return NULL;
}

/* ---- main's side ---- */

static steady_err sys_fail(steady_graph *g, const char *what)
{
    return steady__fail(STEADY_ESYS, "graph '%s': ISOLATED placement: %s failed: %s", g->name, what,
                        strerror(errno));
}

static steady_err iso_alloc(steady_graph *g)
{
    struct steady__iso *iso = steady__alloc(sizeof *iso);
    if (!iso)
        return steady__fail(STEADY_ENOMEM, "graph '%s': out of memory", g->name);
    iso->sock = iso->wake[0] = iso->wake[1] = iso->zygote_pidfd = -1;
    pthread_mutex_init(&iso->drain_lock, NULL);
    g->iso = iso;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        iso->n += t->isolated && t->n_members;
    iso->kids = steady__alloc(iso->n * sizeof *iso->kids);
    iso->args.troupes = steady__alloc(iso->n * sizeof *iso->args.troupes);
    iso->rings = steady__logrings_new(g->shm, iso->n + 1);
    if (!iso->kids || !iso->args.troupes || !iso->rings)
        return steady__fail(STEADY_ENOMEM, "graph '%s': out of memory", g->name);
    size_t i = 0;
    for (steady_troupe *t = g->troupes; t; t = t->next)
        if (t->isolated && t->n_members) {
            t->iso_index = (uint32_t)i;
            iso->args.troupes[i] = t;
            iso->kids[i++] = (kid){.t = t, .pidfd = -1};
        }
    iso->args.n = iso->n;
    iso->args.rings = iso->rings;
    return STEADY_OK;
}

/* Forks the first zygote; main keeps sv[0]. */
static steady_err fork_zygote(steady_graph *g, struct steady__iso *iso)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
        return sys_fail(g, "socketpair");
    iso->args.sock = sv[1];
    iso->args.main_pid = getpid();
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return sys_fail(g, "fork");
    }
    if (pid == 0) {
        close(sv[0]);
        steady__zygote_main(&iso->args);
    }
    close(sv[1]);
    atomic_store_explicit(&iso->zygote, pid, memory_order_relaxed);
    iso->zygote_child = true;
    iso->zygote_pidfd = (int)pidfd_open_(pid);
    iso->sock = sv[0];
    if (iso->zygote_pidfd < 0)
        return sys_fail(g, "pidfd_open (zygote)");
    return STEADY_OK;
}

/* Every bell may now be rung from another process. A thread parked on descriptors sleeps on
 * its bell's eventfd, which a ringer in another process can write only if it inherited it: so
 * each troupe's eventfd is made now, before the zygote's fork, and none is made later (bell.c).
 * A troupe left without one (the descriptor limit) parks on descriptors for at most 1 ms. */
static void mark_shared(steady_graph *g)
{
    g->isolated = true;
    for (steady_troupe *t = g->troupes; t; t = t->next) {
        (void)steady__bell_efd(&t->bell);
        t->bell.shared = true;
    }
}

static steady_err start_threads(steady_graph *g, struct steady__iso *iso)
{
    int pe = pthread_create(&iso->drainer, NULL, drainer_main, iso);
    if (pe != 0) {
        errno = pe;
        return sys_fail(g, "pthread_create (log drainer)");
    }
    iso->drainer_started = true;
    pe = pthread_create(&iso->warden, NULL, warden_main, iso);
    if (pe != 0) {
        errno = pe;
        return sys_fail(g, "pthread_create (warden)");
    }
    iso->warden_started = true;
    return STEADY_OK;
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
    return start_threads(g, iso);
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
        /* acquire: pairs with the release store of finished when the troupe leaves (troupe.c,
         * isolate.c). */
        if (!atomic_load_explicit(&iso->kids[i].t->finished, memory_order_acquire))
            return false;
    return true;
}

static void stop_threads(struct steady__iso *iso)
{
    if (iso->warden_started) {
        ssize_t w = write(iso->wake[1], "x", 1);
        (void)w;
        pthread_join(iso->warden, NULL);
        iso->warden_started = false;
    }
    if (iso->drainer_started) { /* its last act: the lines still in the rings */
        steady__logrings_stop(iso->rings);
        pthread_join(iso->drainer, NULL);
        iso->drainer_started = false;
    }
}

static void await_finished(steady_graph *g, struct steady__iso *iso, uint64_t deadline_ns)
{
    while (!all_finished(iso) && steady__mono_ns() < deadline_ns) {
        /* acquire: pairs with the release increment in steady__graph_event (notify.c); read before
         * the check, so a bump after it ends the futex wait. */
        uint32_t seen = atomic_load_explicit(&g->events, memory_order_acquire);
        if (all_finished(iso))
            break;
        uint64_t now = steady__mono_ns();
        steady__futex_wait_for(&g->events, seen, deadline_ns > now ? deadline_ns - now : 0, true);
    }
}

void steady__iso_stop(steady_graph *g, uint64_t deadline_ns)
{
    struct steady__iso *iso = g->iso;
    if (!iso)
        return;
    await_finished(g, iso, deadline_ns);
    if (!all_finished(iso)) {
        ssize_t w = write(iso->wake[1], "k", 1); /* the warden kills them */
        (void)w;
        await_finished(g, iso, steady__mono_ns() + GRACE_NS);
    }
    stop_threads(iso);
}

/* Main let go: the serving zygote kills and reaps everything, then exits; wait for it. */
static void end_zygote(struct steady__iso *iso)
{
    if (iso->sock >= 0)
        close(iso->sock);
    iso->sock = -1;
    if (iso->zygote_child)
        waitpid(atomic_load_explicit(&iso->zygote, memory_order_relaxed), NULL, 0);
    else if (!await_exit(iso->zygote_pidfd, 10000))
        STEADY_ERROR("zygote (pid %d) did not leave within 10 s of the graph's end",
                     (int)atomic_load_explicit(&iso->zygote, memory_order_relaxed));
}

void steady__iso_free(steady_graph *g)
{
    struct steady__iso *iso = g->iso;
    if (!iso)
        return;
    stop_threads(iso);
    end_zygote(iso);
    if (iso->zygote_pidfd >= 0)
        close(iso->zygote_pidfd);
    for (size_t i = 0; iso->kids && i < iso->n; i++)
        if (iso->kids[i].pidfd >= 0)
            close(iso->kids[i].pidfd);
    for (int i = 0; i < 2; i++)
        if (iso->wake[i] >= 0)
            close(iso->wake[i]);
    pthread_mutex_destroy(&iso->drain_lock);
    steady__free(iso->args.troupes);
    steady__free(iso->kids);
    steady__free(iso);
    g->iso = NULL;
}

pid_t steady__iso_zygote_pid(const steady_graph *g)
{
    return g->iso ? atomic_load_explicit(&g->iso->zygote, memory_order_relaxed) : 0;
}
