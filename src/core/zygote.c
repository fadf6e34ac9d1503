/* core/zygote.c — the processes of the ISOLATED placement: zygotes, their standbys, and the
 * children that run troupes.
 *
 * A zygote is a single-threaded copy of the built graph (main forks the first one before any
 * thread exists), so every child it forks starts with sane locks and the graph's private memory
 * as built; the graph's shared memory is the same memory in every process.
 *
 * A zygote that dies (someone SIGKILLs it) takes its children with it (they have
 * PR_SET_PDEATHSIG), and no process of the graph is single-threaded enough to fork a new one. So
 * every serving zygote keeps a *standby*: a fork of itself that waits, holding the shared end
 * of main's socket and the read end of a pipe whose write end only its zygote holds. The
 * zygote's death closes that pipe; the standby then becomes the serving zygote: it forks a
 * standby of its own, tells main (Z_PROMOTED) and reads the socket, where any request main sent
 * meanwhile is waiting. A standby that sees main's end of the socket close (main exited) exits.
 *
 * Leftovers. Each child leads a process group of its own, and a zygote is a child subreaper
 * (PR_SET_CHILD_SUBREAPER): what a child forks stays in its group or, orphaned (a daemon that
 * double-forked and called setsid), is adopted by the zygote. When a child ends, its group is
 * killed; when main lets go, the zygote kills every process it started or adopted, reaps them,
 * and exits, so nothing an actor started outlives steady_graph_free.
 *
 * Everything here runs in the zygote's process (single-threaded) or a child it forked.
 */
#include "core/internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/futex.h"

typedef struct zygote {
    const steady__zygote_args *a;
    pid_t *pids;                       /* slot -> its running child, 0: none */
    int sfd;                           /* SIGCHLD, as a descriptor */
    sigset_t chld;                     /* {SIGCHLD}, blocked in the zygote */
    struct sigaction pipe_disposition; /* SIGPIPE as the graph left it: the children get it */
    pid_t standby;                     /* 0: none */
    int standby_wr;                    /* the write end of the standby's "zygote alive" pipe */
} zygote;

void steady__zmsg_send(int fd, steady__zmsg m)
{
    ssize_t w;
    do
        w = send(fd, &m, sizeof m, MSG_NOSIGNAL);
    while (w < 0 && errno == EINTR);
}

/* ---- a child ---- */

static _Noreturn void child_main(zygote *z, uint32_t index, pid_t zygote_pid)
{
    setpgid(0, 0); /* its own group: what it starts is killed with it */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != zygote_pid)
        _exit(0); /* the zygote died before the line above: its death signal would not come */
    close(z->a->sock);
    close(z->sfd);
    if (z->standby_wr >= 0)
        close(z->standby_wr);
    sigprocmask(SIG_UNBLOCK, &z->chld, NULL);
    sigaction(SIGPIPE, &z->pipe_disposition, NULL);
    steady__overflow_after_fork();
    steady__log_after_fork();
    steady__log_forward_to(z->a->rings, index);
    steady__membarrier_global_init();
    steady__troupe_body(z->a->troupes[index]);
    _exit(0);
}

static void spawn(zygote *z, uint32_t index)
{
    if (index >= z->a->n)
        return;
    if (z->pids[index] > 0) { /* asked again (the request crossed a zygote's death) */
        steady__zmsg_send(z->a->sock, (steady__zmsg){Z_SPAWNED, index, z->pids[index], 0});
        return;
    }
    pid_t me = getpid(), pid = fork();
    if (pid == 0)
        child_main(z, index, me);
    if (pid < 0) {
        STEADY_ERROR("zygote: fork for troupe '%s' failed: %s", z->a->troupes[index]->name,
                     strerror(errno));
        steady__zmsg_send(z->a->sock, (steady__zmsg){Z_EXITED, index, 0, 0x7f00}); /* exit 127 */
        return;
    }
    setpgid(pid, pid); /* as the child does: whichever runs first */
    z->pids[index] = pid;
    steady__zmsg_send(z->a->sock, (steady__zmsg){Z_SPAWNED, index, pid, 0});
}

/* ---- leftovers ---- */

/* SIGKILLs every process whose parent is this one; returns how many it found. */
static int kill_children(void)
{
    DIR *d = opendir("/proc");
    int n = 0;
    pid_t me = getpid();
    for (struct dirent *e; d && (e = readdir(d));) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9')
            continue;
        char path[300], buf[512];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        ssize_t r = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
        if (fd >= 0)
            close(fd);
        if (r <= 0)
            continue;
        buf[r] = 0;
        const char *close_paren = strrchr(buf, ')');
        int ppid = 0;
        char state;
        if (close_paren && sscanf(close_paren + 1, " %c %d", &state, &ppid) == 2 && ppid == me) {
            kill((pid_t)atoi(e->d_name), SIGKILL);
            n++;
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* Kills what this zygote started or adopted, reaps it all, and exits. */
static _Noreturn void leave(zygote *z)
{
    for (size_t i = 0; i < z->a->n; i++)
        if (z->pids[i] > 0) {
            kill(-z->pids[i], SIGKILL); /* its group: whatever it started and kept */
            kill(z->pids[i], SIGKILL);
        }
    if (z->standby > 0)
        kill(z->standby, SIGKILL);
    /* Adopted orphans arrive as their parents die: kill and reap until no child is left
     * (bounded: a process forking faster than we kill would keep us here). */
    for (int round = 0; round < 200; round++) {
        int found = kill_children();
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
        if (found == 0 && waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
            break;
        struct timespec ts = {0, 5000000};
        nanosleep(&ts, NULL);
    }
    _exit(0);
}

/* ---- the standby ---- */

static _Noreturn void serve(zygote *z, bool promoted);

/* Waits for its zygote's death (the pipe's EOF), then serves; exits if main is gone. */
static _Noreturn void standby_main(zygote *z, int zygote_alive)
{
    prctl(PR_SET_NAME, "steady-standby");
    close(z->sfd);
    z->sfd = -1;
    if (z->standby_wr >= 0)
        close(z->standby_wr);
    z->standby_wr = -1;
    z->standby = 0;
    memset(z->pids, 0, z->a->n * sizeof *z->pids); /* the children are the zygote's */
    for (;;) {
        /* events 0 on the socket: only its hang-up (main gone), never its data. */
        struct pollfd p[2] = {{z->a->sock, 0, 0}, {zygote_alive, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[0].revents & (POLLHUP | POLLERR))
            _exit(0);
        if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            close(zygote_alive);
            serve(z, true);
        }
    }
}

static void fork_standby(zygote *z)
{
    int alive[2];
    if (pipe2(alive, O_CLOEXEC) != 0) {
        STEADY_ERROR("zygote: no standby (pipe: %s); a second zygote death will be final",
                     strerror(errno));
        return;
    }
    pid_t pid = fork();
    if (pid == 0) {
        close(alive[1]);
        standby_main(z, alive[0]);
    }
    close(alive[0]);
    if (pid < 0) {
        close(alive[1]);
        STEADY_ERROR("zygote: no standby (fork: %s); a second zygote death will be final",
                     strerror(errno));
        return;
    }
    z->standby = pid;
    z->standby_wr = alive[1];
}

/* ---- the serving zygote ---- */

static void reap(zygote *z)
{
    for (;;) {
        siginfo_t si;
        memset(&si, 0, sizeof si);
        /* WNOWAIT first: the zombie still holds its group's id while its group is killed. */
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) != 0 || si.si_pid == 0)
            return;
        pid_t pid = si.si_pid;
        size_t slot = z->a->n;
        for (size_t i = 0; i < z->a->n; i++)
            if (z->pids[i] == pid)
                slot = i;
        if (slot < z->a->n)
            kill(-pid, SIGKILL); /* what the child started and kept in its group */
        int status = 0;
        waitpid(pid, &status, 0);
        if (slot < z->a->n) {
            z->pids[slot] = 0;
            steady__zmsg_send(z->a->sock, (steady__zmsg){Z_EXITED, (uint32_t)slot, pid, status});
        } else if (pid == z->standby) {
            close(z->standby_wr);
            z->standby = 0;
            z->standby_wr = -1;
            STEADY_WARN("zygote: its standby (pid %d) died; starting another", (int)pid);
            fork_standby(z);
        } /* else an adopted orphan, reaped */
    }
}

static void setup_signals(zygote *z)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&z->chld);
    sigaddset(&z->chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &z->chld, NULL);
    z->sfd = signalfd(-1, &z->chld, SFD_CLOEXEC);
}

static _Noreturn void serve(zygote *z, bool promoted)
{
    prctl(PR_SET_NAME, "steady-zygote");
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    setup_signals(z);
    fork_standby(z);
    if (promoted) {
        STEADY_INFO("zygote: pid %d took over from a zygote that died", (int)getpid());
        steady__zmsg_send(z->a->sock, (steady__zmsg){Z_PROMOTED, 0, getpid(), 0});
    }
    for (;;) {
        struct pollfd p[2] = {{z->a->sock, POLLIN, 0}, {z->sfd, POLLIN, 0}};
        if (poll(p, 2, -1) < 0)
            continue;
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            ssize_t r = read(z->sfd, &si, sizeof si);
            (void)r;
            reap(z);
        }
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        steady__zmsg m;
        ssize_t r = recv(z->a->sock, &m, sizeof m, 0);
        if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
            leave(z); /* main let go */
        if (r == sizeof m && m.kind == Z_SPAWN)
            spawn(z, m.index);
    }
}

_Noreturn void steady__zygote_main(const steady__zygote_args *a)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL); /* the first zygote dies with main; a standby does not */
    if (getppid() != a->main_pid)
        _exit(0); /* main died before the line above */
    steady__log_after_fork();
    steady__log_forward_to(a->rings, a->n);
    zygote z = {.a = a, .sfd = -1, .standby_wr = -1};
    z.pids = steady__alloc((a->n ? a->n : 1) * sizeof *z.pids); /* zeroed */
    if (!z.pids)
        _exit(1);
    sigaction(SIGPIPE, NULL, &z.pipe_disposition);
    serve(&z, false);
}
