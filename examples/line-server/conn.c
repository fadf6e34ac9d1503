/* conn.c — a connection actor: serves every socket the acceptor gives it.
 *
 * Its sockets sit in its own epoll set, and it waits on that set with STEADY_FD beside its
 * channel of new sockets: one wait for any number of clients. For each ready socket it reads
 * what is there, echoes every complete line, and keeps the rest of a line for later. A client
 * that does not read its echoes is not read from either once MAX_PENDING bytes wait for it
 * (back-pressure instead of unbounded memory); its socket is then watched for room only. A
 * line longer than --max-line ends that client with an error line; a client that leaves with a
 * partial line is counted as dropped. Sockets, buffers and the epoll set are the generation's:
 * the arena frees them and a clean-up closes them, also when the actor fails. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "line_server.h"

#define MAX_PENDING (256u * 1024u) /* echo bytes a client may leave unread before we pause it */
#define EVENTS 64

typedef struct client {
    int fd; /* -1: free slot */
    char *in;
    size_t in_len;
    char *out;
    size_t out_len, out_cap;
    bool paused; /* not read while its echoes wait */
} client;

typedef struct server {
    steady_actor *a;
    conn_io *io;
    conn_totals *st;
    int ep;
    client *c;
    size_t n;
} server;

static void close_all(void *ctx)
{
    server *s = ctx;
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].fd >= 0)
            close(s->c[i].fd);
    if (s->ep >= 0)
        close(s->ep);
}

static void drop(server *s, client *c, bool partial)
{
    s->st->dropped += partial;
    epoll_ctl(s->ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    steady_arena_free(s->a, c->in);
    steady_arena_free(s->a, c->out);
    *c = (client){.fd = -1};
}

static void watch(server *s, client *c)
{
    struct epoll_event ev = {.events = (c->paused ? 0u : EPOLLIN) | (c->out_len ? EPOLLOUT : 0u) |
                                       EPOLLRDHUP,
                             .data.ptr = c};
    epoll_ctl(s->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Appends n bytes to the client's echo buffer; false when out of memory. */
static bool queue(server *s, client *c, const char *p, size_t n)
{
    if (c->out_len + n > c->out_cap) {
        size_t cap = c->out_cap ? c->out_cap : 4096;
        while (cap < c->out_len + n)
            cap *= 2;
        char *q = steady_arena_realloc(s->a, c->out, cap);
        if (!q)
            return false;
        c->out = q;
        c->out_cap = cap;
    }
    memcpy(c->out + c->out_len, p, n);
    c->out_len += n;
    return true;
}

/* Writes what the socket takes; false when the client is gone. */
static bool flush(client *c)
{
    while (c->out_len) {
        ssize_t k = send(c->fd, c->out, c->out_len, MSG_NOSIGNAL);
        if (k < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        memmove(c->out, c->out + k, c->out_len - (size_t)k);
        c->out_len -= (size_t)k;
    }
    return true;
}

/* Moves every complete line of the input buffer to the echo buffer; false: a line too long. */
static bool echo_lines(server *s, client *c)
{
    size_t start = 0;
    for (size_t i = 0; i < c->in_len; i++) {
        if (c->in[i] != '\n')
            continue;
        if (!queue(s, c, c->in + start, i + 1 - start))
            return false;
        s->st->lines++;
        s->st->bytes += i + 1 - start;
        start = i + 1;
    }
    memmove(c->in, c->in + start, c->in_len - start);
    c->in_len -= start;
    return c->in_len < s->io->args->max_line;
}

/* Reads what is there; false when the client is gone (or must go). */
static bool serve_input(server *s, client *c)
{
    size_t cap = s->io->args->max_line;
    while (!c->paused) {
        ssize_t k = recv(c->fd, c->in + c->in_len, cap - c->in_len, 0);
        if (k == 0)
            return false; /* the client closed */
        if (k < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
        c->in_len += (size_t)k;
        if (!echo_lines(s, c)) {
            static const char err[] = "error: line too long\n";
            (void)!send(c->fd, err, sizeof err - 1, MSG_NOSIGNAL);
            return false;
        }
        c->paused = c->out_len >= MAX_PENDING;
        if (!flush(c))
            return false;
        c->paused = c->out_len >= MAX_PENDING;
    }
    return true;
}

static void serve(server *s, client *c, uint32_t events)
{
    bool ok = !(events & EPOLLERR) && flush(c);
    if (ok && c->paused && c->out_len < MAX_PENDING / 2)
        c->paused = false;
    if (ok && (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)))
        ok = serve_input(s, c);
    if (!ok) {
        drop(s, c, c->in_len > 0);
        return;
    }
    watch(s, c);
}

/* Takes the sockets the acceptor sent; a client over the limit is refused. */
static void take_new(server *s)
{
    int fd;
    while (fdch_rx_try_take(s->io->in, &fd) == STEADY_OK) {
        client *c = NULL;
        for (size_t i = 0; i < s->n && !c; i++)
            if (s->c[i].fd < 0)
                c = &s->c[i];
        char *in = c ? steady_arena_alloc(s->a, s->io->args->max_line) : NULL;
        struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
        if (!in || epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
            steady_arena_free(s->a, in);
            close(fd);
            s->st->dropped++;
            continue;
        }
        *c = (client){.fd = fd, .in = in};
        s->st->clients++;
    }
}

static size_t live(const server *s)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += s->c[i].fd >= 0;
    return k;
}

/* Sockets, buffers and this record come from the arena and the clean-up closes the sockets:
 * a failed generation leaks nothing, and the clean-up never reads the failed run's stack. */
static server *open_server(steady_actor *a, conn_io *io)
{
    server *s = steady_arena_alloc(a, sizeof *s);
    size_t n = (size_t)io->args->max_clients;
    client *c = steady_arena_alloc(a, n * sizeof *c);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (!s || !c || ep < 0) {
        if (ep >= 0)
            close(ep);
        steady_panic("conn: no epoll set or no memory for %zu clients", n);
    }
    *s = (server){a, io, steady_actor_state(a), ep, c, n};
    for (size_t i = 0; i < n; i++)
        c[i].fd = -1;
    if (steady_arena_defer(a, close_all, s) != STEADY_OK) {
        close(ep);
        steady_panic("conn: cannot register the clean-up");
    }
    return s;
}

/* Stopping: each client is served once more, then let go (a client stays only by choice). */
static void let_go(server *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].fd >= 0) {
            serve(s, &s->c[i], EPOLLIN);
            if (s->c[i].fd >= 0)
                drop(s, &s->c[i], s->c[i].in_len > 0);
        }
}

int conn_run(steady_actor *a, void *arg)
{
    conn_io *io = arg;
    server *s = open_server(a, io);
    struct epoll_event ev[EVENTS];
    /* Agrees to stop once its channel is closed and drained (the acceptor has left) and it
     * holds no client. */
    while (STEADY_RUNNING(a, STEADY_I(fdch_rx_is_closed_and_empty(io->in)) &&
                                 STEADY_I(live(s) == 0))) {
        steady_wake w =
            steady_wait_any(a, STEADY_FD(s->ep, STEADY_FD_READABLE), STEADY_AVAIL(io->in, 1));
        take_new(s);
        int k = epoll_wait(s->ep, ev, EVENTS, 0);
        for (int i = 0; i < k; i++)
            serve(s, ev[i].data.ptr, ev[i].events);
        if (w.reason == STEADY_SHUTDOWN || w.reason == STEADY_CLOSED)
            let_go(s);
    }
    return 0;
}
