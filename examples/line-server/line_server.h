/* line_server.h — examples/line-server: a TCP server on 127.0.0.1 that echoes every line back to
 * the client that sent it.
 *
 *   acceptor ──conn-0──> conn-0     each conn-i owns an epoll set of its sockets and waits on it
 *            ──conn-1──> conn-1     with STEADY_FD (one condition for all of them) beside its
 *            ...                    channel of new sockets; the acceptor waits on the listening
 *                                   socket with STEADY_FD and deals sockets out round-robin.
 * Actors are spawned only while the graph is built, so a fixed pool of connection actors serves
 * any number of clients. */
#ifndef LINE_SERVER_H
#define LINE_SERVER_H

#include <stdint.h>

#include <steady/steady.h>

STEADY_BUNDLE_TYPE(fdch, int); /* accepted sockets, acceptor -> conn-i; the receiver owns them */

typedef struct line_server_args {
    uint64_t port;        /* 0: any free port (printed) */
    uint64_t pool;        /* connection actors */
    uint64_t seconds;     /* stop after this long (0: on Ctrl-C) */
    uint64_t max_line;    /* bytes per line, newline included */
    uint64_t max_clients; /* per connection actor */
} line_server_args;

typedef struct acceptor_io {
    int listen_fd;
    fdch_tx_bundle conns;
} acceptor_io;

typedef struct conn_io {
    fdch_rx in;
    const line_server_args *args;
} conn_io;

/* Totals, kept in each connection actor's state block (read by main after the stop). */
typedef struct conn_totals {
    uint64_t clients; /* sockets taken */
    uint64_t lines;   /* lines echoed */
    uint64_t bytes;   /* bytes echoed */
    uint64_t dropped; /* clients that left with a partial line, or were refused */
} conn_totals;

typedef struct acceptor_totals {
    uint64_t accepted;
} acceptor_totals;

int acceptor_run(steady_actor *a, void *arg);
int conn_run(steady_actor *a, void *arg);

#endif
