/*
 * fdwait_test.c: STEADY_FD, a wait on a file descriptor (steady/wait.h).
 *
 * A thread outside the graph makes a descriptor ready some milliseconds after the actor began
 * to wait, so the wait really parks (in ppoll, on the descriptor and the bell's eventfd) and is
 * woken by the kernel, not found ready at once:
 *   - a pipe becoming readable wakes a SOLO actor, a troupe MEMBER (while another member of its
 *     troupe keeps running) and an ISOLATED actor (the pipe is made before the graph, so its
 *     child inherits it);
 *   - a full socket becoming writable;
 *   - descriptor and channel in one wait: whichever comes first, with the right .ready bit; a
 *     channel message wakes an actor parked on a descriptor (the ring writes the eventfd);
 *   - the edges: a socket shut down while waited on (READY: the read then returns 0), a
 *     descriptor already closed (CLOSED), shutdown requested during the wait (SHUTDOWN), a
 *     timeout beside it (TIMEOUT), and bad arguments (the actor fails, naming them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "steady_test_support.h"

/* ---- a thread that acts on a descriptor later --------------------------------------------- */

typedef struct later {
    int fd;
    unsigned ms;
    enum { WRITE_BYTE, SHUT_DOWN, DRAIN } what;
    pthread_t thread;
} later;

static void *later_main(void *p)
{
    later *l = p;
    sleep_ms(l->ms);
    char buf[65536];
    switch (l->what) {
    case WRITE_BYTE: (void)!write(l->fd, "x", 1); break;
    case SHUT_DOWN: shutdown(l->fd, SHUT_RDWR); break;
    case DRAIN:
        while (read(l->fd, buf, sizeof buf) > 0) {
        }
        break;
    }
    return NULL;
}

static void later_start(later *l)
{
    assert_int_equal(pthread_create(&l->thread, NULL, later_main, l), 0);
}

static void later_join(later *l)
{
    pthread_join(l->thread, NULL);
}

/* ---- one waiting actor ------------------------------------------------------------------------
 */

typedef struct waiter {
    int fd;
    uint32_t events;
    bool with_channel; /* also waits for a message on `in` */
    uint64_t timeout;  /* also a STEADY_TIMEOUT (0: none) */
    u64ch_rx in;
    steady_wake wake;   /* what the wait returned */
    uint64_t waited_ms; /* how long it took */
    char byte;          /* what a read after a READABLE wake gave (0 for end of file) */
    _Atomic int done;
} waiter;

static int waiter_run(steady_actor *a, void *arg)
{
    waiter *w = arg;
    uint64_t t0 = now_ns();
    if (w->with_channel)
        w->wake = steady_wait_any(a, STEADY_FD(w->fd, w->events), STEADY_AVAIL(w->in, 1));
    else if (w->timeout)
        w->wake = steady_wait_any(a, STEADY_FD(w->fd, w->events), STEADY_TIMEOUT(w->timeout));
    else
        w->wake = steady_wait_all(a, STEADY_FD(w->fd, w->events));
    w->waited_ms = ms_since(t0);
    if (w->wake.reason == STEADY_READY && (w->events & STEADY_FD_READABLE) &&
        (w->wake.ready & 1u)) {
        char c = 0;
        w->byte = read(w->fd, &c, 1) == 1 ? c : 0;
    }
    atomic_store(&w->done, 1);
    steady_wait_shutdown(a);
    return 0;
}

/* A pipe's two ends; the read end non-blocking. */
static void make_pipe(int fds[2])
{
    assert_int_equal(pipe(fds), 0);
    fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

static steady_graph *start_waiter(waiter *w, steady_actor_opts *o)
{
    steady_graph *g = new_graph("fd");
    o->name = "waiter";
    o->run = waiter_run;
    o->arg = w;
    assert_int_equal(steady_actor_spawn(g, o, NULL), STEADY_OK);
    return g;
}

static void finish(steady_graph *g, waiter *w)
{
    assert_true(await_counter_or_stop(g, &w->done, 1, 10000));
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
}

static void a_readable_pipe_wakes(steady_actor_opts *o)
{
    int p[2];
    make_pipe(p);
    waiter w = {.fd = p[0], .events = STEADY_FD_READABLE};
    steady_graph *g = start_waiter(&w, o);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    later l = {.fd = p[1], .ms = 50, .what = WRITE_BYTE};
    later_start(&l);
    finish(g, &w);
    later_join(&l);
    assert_int_equal(w.wake.reason, STEADY_READY);
    assert_int_equal(w.wake.ready, 1);
    assert_int_equal(w.byte, 'x');
    assert_true(w.waited_ms >= 30); /* it parked: the byte came 50 ms after the start */
    close(p[0]);
    close(p[1]);
}

static void a_pipe_wakes_a_solo_actor(void **state)
{
    (void)state;
    a_readable_pipe_wakes(&(steady_actor_opts){0});
}

/* ISOLATED: the pipes are made before the graph, so the child inherits them. It waits for a
 * byte on one and answers with the next byte on the other, which the test reads. */
typedef struct echo_pipes {
    int in, out;
} echo_pipes;

static int echo_run(steady_actor *a, void *arg)
{
    echo_pipes *e = arg;
    while (STEADY_RUNNING(a, true)) {
        if (steady_wait_fd(a, e->in, STEADY_FD_READABLE) != STEADY_READY)
            continue;
        char c;
        if (read(e->in, &c, 1) == 1) {
            c++;
            (void)!write(e->out, &c, 1);
        }
    }
    return 0;
}

static void a_pipe_wakes_an_isolated_actor(void **state)
{
    (void)state;
    int to[2], from[2];
    make_pipe(to);
    assert_int_equal(pipe(from), 0);
    echo_pipes e = {to[0], from[1]};
    steady_graph *g = new_graph("fd-iso");
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "echo", .run = echo_run, .arg = &e, .isolated = true},
            NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    for (char c = 'a'; c < 'a' + 5; c++) { /* five round trips, each after the child parked */
        sleep_ms(20);
        assert_int_equal(write(to[1], &c, 1), 1);
        struct pollfd p = {.fd = from[0], .events = POLLIN};
        assert_int_equal(poll(&p, 1, 10000), 1);
        char got = 0;
        assert_int_equal(read(from[0], &got, 1), 1);
        assert_int_equal(got, c + 1);
    }
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    close(to[0]);
    close(to[1]);
    close(from[0]);
    close(from[1]);
}

/* A troupe member parked on a pipe while the other member keeps counting periods. */
typedef struct ticker {
    _Atomic uint64_t ticks;
} ticker;

static int ticker_run(steady_actor *a, void *arg)
{
    ticker *t = arg;
    while (STEADY_RUNNING(a, true))
        if (steady_wait_periodic(a, STEADY_MS(2)) == STEADY_READY)
            atomic_fetch_add(&t->ticks, 1);
    return 0;
}

static void a_pipe_wakes_a_member_while_its_troupe_runs(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    steady_graph *g = new_graph("fd-troupe");
    steady_troupe *tr;
    assert_int_equal(steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &tr), STEADY_OK);
    waiter w = {.fd = p[0], .events = STEADY_FD_READABLE};
    ticker tk = {0};
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "waiter", .run = waiter_run, .arg = &w, .troupe = tr},
            NULL),
        STEADY_OK);
    assert_int_equal(
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "ticker", .run = ticker_run, .arg = &tk, .troupe = tr},
            NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    later l = {.fd = p[1], .ms = 80, .what = WRITE_BYTE};
    later_start(&l);
    finish(g, &w);
    later_join(&l);
    assert_int_equal(w.wake.reason, STEADY_READY);
    assert_int_equal(w.byte, 'x');
    assert_true(w.waited_ms >= 60);
    /* the ticker ran while the waiter waited: ~40 periods of 2 ms in 80 ms (generous bound) */
    assert_true(atomic_load(&tk.ticks) >= 10);
    close(p[0]);
    close(p[1]);
}

/* A full socket: WRITABLE once the peer drains it. */
static void a_full_socket_becoming_writable_wakes(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    char junk[4096];
    memset(junk, 'j', sizeof junk);
    while (write(sv[0], junk, sizeof junk) > 0) {
    }
    waiter w = {.fd = sv[0], .events = STEADY_FD_WRITABLE};
    steady_graph *g = start_waiter(&w, &(steady_actor_opts){0});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    later l = {.fd = sv[1], .ms = 50, .what = DRAIN};
    later_start(&l);
    finish(g, &w);
    later_join(&l);
    assert_int_equal(w.wake.reason, STEADY_READY);
    assert_true(w.waited_ms >= 30);
    close(sv[0]);
    close(sv[1]);
}

/* Descriptor and channel in one wait: a message wakes an actor parked on a descriptor. */
static int sender_run(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    steady_wait_timeout(a, STEADY_MS(50));
    u64ch_tx_try_send(*out, 7);
    steady_wait_shutdown(a);
    return 0;
}

static void a_message_wakes_an_actor_parked_on_a_descriptor(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    steady_graph *g = new_graph("fd-chan");
    waiter w = {.fd = p[0], .events = STEADY_FD_READABLE, .with_channel = true};
    u64ch_tx tx;
    assert_int_equal(u64ch_new(g, "nudge", 4, &tx, &w.in), STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "waiter",
                                                             .run = waiter_run,
                                                             .arg = &w,
                                                             .rxs = STEADY_RXS(w.in)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sender",
                                                             .run = sender_run,
                                                             .arg = &tx,
                                                             .txs = STEADY_TXS(tx)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    finish(g, &w);
    assert_int_equal(w.wake.reason, STEADY_READY);
    assert_int_equal(w.wake.ready, 2); /* the channel, not the pipe */
    assert_true(w.waited_ms >= 30 && w.waited_ms < 5000);
    close(p[0]);
    close(p[1]);
}

/* A daemon-style ISOLATED actor closes every inherited descriptor (its doorbell's eventfd too)
 * and opens its own: descriptor waits still work, and a channel message still wakes it (its
 * parks are then bounded: the eventfd is gone), and nothing of steady's is read from its
 * files. */
typedef struct daemon_state {
    uint64_t got;       /* the value taken */
    uint32_t own_reads; /* bytes read from its own pipe */
} daemon_state;

static int daemon_run(steady_actor *a, void *arg)
{
    u64ch_rx *in = arg;
    daemon_state *st = steady_actor_state(a);
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    int p[2];
    if (pipe(p) != 0)
        steady_panic("daemon: pipe");
    (void)!write(p[1], "d", 1);
    while (STEADY_RUNNING(a, true)) {
        steady_wake w =
            steady_wait_any(a, STEADY_FD(p[0], STEADY_FD_READABLE), STEADY_AVAIL(*in, 1));
        char c;
        if ((w.ready & 1u) && read(p[0], &c, 1) == 1)
            st->own_reads++;
        uint64_t v;
        if (u64ch_rx_try_take(*in, &v) == STEADY_OK)
            st->got = v;
    }
    return 0;
}

static void an_isolated_actor_closing_every_descriptor_still_waits_and_wakes(void **state)
{
    (void)state;
    steady_graph *g = new_graph("fd-daemon");
    u64ch_tx tx;
    u64ch_rx rx;
    assert_int_equal(u64ch_new(g, "to-daemon", 4, &tx, &rx), STEADY_OK);
    steady_actor *d;
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "daemon",
                                                             .run = daemon_run,
                                                             .arg = &rx,
                                                             .isolated = true,
                                                             .state_size = sizeof(daemon_state),
                                                             .rxs = STEADY_RXS(rx)},
                                        &d),
                     STEADY_OK);
    assert_int_equal(steady_actor_spawn(g,
                                        &(steady_actor_opts){.name = "sender",
                                                             .run = sender_run,
                                                             .arg = &tx,
                                                             .txs = STEADY_TXS(tx)},
                                        NULL),
                     STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    const daemon_state *st = steady_actor_state(d);
    uint64_t t0 = now_ns();
    while (st->got != 7 && ms_since(t0) < 10000)
        sleep_ms(5);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    assert_int_equal(st->got, 7);       /* the message woke it */
    assert_int_equal(st->own_reads, 1); /* its own pipe, read once: steady read none of it */
    steady_graph_free(g);
}

/* ---- the kernel's other descriptors: timerfd, signalfd, inotify ----------------------------- */

typedef struct kinds {
    int timer, sig, watch;
    _Atomic int ticks, signals, events;
} kinds;

/* One actor waits on all three at once; each wake is counted by what became readable. */
static int kinds_run(steady_actor *a, void *arg)
{
    kinds *k = arg;
    while (STEADY_RUNNING(a, true)) {
        steady_wake w = steady_wait_any(a, STEADY_FD(k->timer, STEADY_FD_READABLE),
                                        STEADY_FD(k->sig, STEADY_FD_READABLE),
                                        STEADY_FD(k->watch, STEADY_FD_READABLE));
        char buf[4096];
        uint64_t expirations;
        if ((w.ready & 1u) && read(k->timer, &expirations, sizeof expirations) == 8)
            atomic_fetch_add(&k->ticks, (int)expirations);
        struct signalfd_siginfo si;
        if ((w.ready & 2u) && read(k->sig, &si, sizeof si) == sizeof si && si.ssi_signo == SIGUSR1)
            atomic_fetch_add(&k->signals, 1);
        if ((w.ready & 4u) && read(k->watch, buf, sizeof buf) > 0)
            atomic_fetch_add(&k->events, 1);
    }
    return 0;
}

static void timerfd_signalfd_and_inotify_wake_an_actor(void **state)
{
    (void)state;
    kinds k = {0};
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    /* blocked in every thread (the graph's threads inherit this mask): only the signalfd sees it */
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
    k.timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    k.sig = signalfd(-1, &usr1, SFD_NONBLOCK | SFD_CLOEXEC);
    k.watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    char dir[] = "/tmp/steady-fdwait-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_true(k.timer >= 0 && k.sig >= 0 && k.watch >= 0);
    assert_true(inotify_add_watch(k.watch, dir, IN_CREATE) >= 0);
    struct itimerspec every_10ms = {{0, 10000000}, {0, 10000000}};
    assert_int_equal(timerfd_settime(k.timer, 0, &every_10ms, NULL), 0);
    steady_graph *g = new_graph("fd-kinds");
    assert_int_equal(
        steady_actor_spawn(g, &(steady_actor_opts){.name = "kinds", .run = kinds_run, .arg = &k},
                           NULL),
        STEADY_OK);
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(60);
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    char file[64];
    snprintf(file, sizeof file, "%s/new", dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fclose(f);
    uint64_t t0 = now_ns();
    while ((atomic_load(&k.signals) < 1 || atomic_load(&k.events) < 1) && ms_since(t0) < 10000)
        sleep_ms(5);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    assert_true(atomic_load(&k.ticks) >= 3); /* 60 ms of a 10 ms timer: generous */
    assert_int_equal(atomic_load(&k.signals), 1);
    assert_true(atomic_load(&k.events) >= 1);
    remove(file);
    rmdir(dir);
    close(k.timer);
    close(k.sig);
    close(k.watch);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* ---- edges ---------------------------------------------------------------------------------- */

static void a_socket_shut_down_while_waited_on_wakes_with_end_of_file(void **state)
{
    (void)state;
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
    waiter w = {.fd = sv[0], .events = STEADY_FD_READABLE, .byte = 'q'};
    steady_graph *g = start_waiter(&w, &(steady_actor_opts){0});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    later l = {.fd = sv[0], .ms = 50, .what = SHUT_DOWN};
    later_start(&l);
    finish(g, &w);
    later_join(&l);
    assert_int_equal(w.wake.reason, STEADY_READY);
    assert_int_equal(w.byte, 0); /* the read after the wake saw the end */
    close(sv[0]);
    close(sv[1]);
}

static void a_closed_descriptor_is_closed(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    close(p[0]);
    close(p[1]);
    waiter w = {.fd = p[0], .events = STEADY_FD_READABLE};
    steady_graph *g = start_waiter(&w, &(steady_actor_opts){0});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    finish(g, &w);
    assert_int_equal(w.wake.reason, STEADY_CLOSED);
    assert_int_equal(w.wake.closed, 1);
}

static void shutdown_and_timeout_end_a_descriptor_wait(void **state)
{
    (void)state;
    int p[2];
    make_pipe(p);
    waiter t = {.fd = p[0], .events = STEADY_FD_READABLE, .timeout = STEADY_MS(40)};
    steady_graph *g = start_waiter(&t, &(steady_actor_opts){0});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    finish(g, &t);
    assert_int_equal(t.wake.reason, STEADY_TIMEOUT);
    assert_true(t.waited_ms >= 30);

    waiter s = {.fd = p[0], .events = STEADY_FD_READABLE};
    g = start_waiter(&s, &(steady_actor_opts){0});
    assert_int_equal(steady_graph_start(g), STEADY_OK);
    sleep_ms(40);
    steady_graph_request_shutdown(g);
    assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_OK);
    steady_graph_free(g);
    assert_int_equal(s.wake.reason, STEADY_SHUTDOWN);
    close(p[0]);
    close(p[1]);
}

static int bad_fd_run(steady_actor *a, void *arg)
{
    const steady_cond *c = arg;
    steady_wait(a, STEADY_WAIT_ALL, c, 1);
    return 0;
}

static void bad_arguments_fail_the_actor(void **state)
{
    (void)state;
    const steady_cond bad[] = {STEADY_FD(-1, STEADY_FD_READABLE), STEADY_FD(0, 0), STEADY_FD(0, 4)};
    const char *frag[] = {"STEADY_FD with descriptor -1", "events must be STEADY_FD_READABLE",
                          "STEADY_FD(0, 4)"};
    for (int i = 0; i < 3; i++) {
        steady_graph *g = new_graph_no_restart("fd-bad");
        steady_actor *act;
        assert_int_equal(
            steady_actor_spawn(
                g, &(steady_actor_opts){.name = "bad", .run = bad_fd_run, .arg = (void *)&bad[i]},
                &act),
            STEADY_OK);
        assert_int_equal(steady_graph_start(g), STEADY_OK);
        assert_int_equal(steady_graph_block_until_stopped(g, 10000), STEADY_EDEGRADED);
        assert_non_null(strstr(steady_actor_last_failure(act), frag[i]));
        steady_graph_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_pipe_wakes_a_solo_actor),
        cmocka_unit_test(a_pipe_wakes_a_member_while_its_troupe_runs),
        cmocka_unit_test(a_pipe_wakes_an_isolated_actor),
        cmocka_unit_test(a_full_socket_becoming_writable_wakes),
        cmocka_unit_test(a_message_wakes_an_actor_parked_on_a_descriptor),
        cmocka_unit_test(an_isolated_actor_closing_every_descriptor_still_waits_and_wakes),
        cmocka_unit_test(timerfd_signalfd_and_inotify_wake_an_actor),
        cmocka_unit_test(a_socket_shut_down_while_waited_on_wakes_with_end_of_file),
        cmocka_unit_test(a_closed_descriptor_is_closed),
        cmocka_unit_test(shutdown_and_timeout_end_a_descriptor_wait),
        cmocka_unit_test(bad_arguments_fail_the_actor),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
