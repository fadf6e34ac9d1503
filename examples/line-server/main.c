/* line-server — a TCP server on 127.0.0.1 that echoes every line back to the client that sent
 * it: an acceptor and a fixed pool of connection actors, each waiting on its sockets with
 * STEADY_FD (line_server.h has the graph).
 *
 *   line-server [--port N] [--pool K] [--seconds S] [--max-line BYTES] [--max-clients N]
 *
 * It prints "line-server: listening on 127.0.0.1:PORT" once it accepts (with --port 0, the port
 * the kernel chose), runs until Ctrl-C or for --seconds, and ends with the totals: clients,
 * lines and bytes echoed, clients dropped. Exit 0 after a clean stop. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lesson_cli.h"
#include "line_server.h"

#define MAX_POOL 64

/* A non-blocking listening socket on 127.0.0.1:port; its port through *bound. -1 on failure
 * (the message printed). */
static int listen_on(uint16_t port, uint16_t *bound)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(fd, 1024) != 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        fprintf(stderr,
                "line-server: cannot listen on 127.0.0.1:%u: %s (pick another --port, or "
                "--port 0 for any free one)\n",
                port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *bound = ntohs(sa.sin_port);
    return fd;
}

typedef struct pool {
    fdch_tx tx[MAX_POOL];
    conn_io io[MAX_POOL];
    steady_actor *actor[MAX_POOL];
    acceptor_io acc;
    steady_actor *acceptor;
} pool;

static steady_err build(steady_graph *g, pool *p, const line_server_args *args)
{
    steady_err e = STEADY_OK;
    char name[32];
    for (uint32_t i = 0; i < args->pool && e == STEADY_OK; i++) {
        snprintf(name, sizeof name, "conn-%u", i);
        p->io[i].args = args;
        e = fdch_new(g, name, 64, &p->tx[i], &p->io[i].in);
    }
    if (e == STEADY_OK)
        e = fdch_tx_bundle_join(g, "conns", p->tx, (uint32_t)args->pool, &p->acc.conns);
    for (uint32_t i = 0; i < args->pool && e == STEADY_OK; i++) {
        snprintf(name, sizeof name, "conn-%u", i);
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = name,
                                                    .run = conn_run,
                                                    .arg = &p->io[i],
                                                    .rxs = STEADY_RXS(p->io[i].in),
                                                    .state_size = sizeof(conn_totals)},
                               &p->actor[i]);
    }
    if (e == STEADY_OK)
        e = steady_actor_spawn(g,
                               &(steady_actor_opts){.name = "acceptor",
                                                    .run = acceptor_run,
                                                    .arg = &p->acc,
                                                    .tx_bundles = STEADY_TX_BUNDLES(p->acc.conns),
                                                    .state_size = sizeof(acceptor_totals)},
                               &p->acceptor);
    return e;
}

/* Sleeps until the graph leaves RUNNING or `seconds` pass (0: until it leaves). */
static void run_for(steady_graph *g, uint64_t seconds)
{
    struct timespec step = {0, 50 * 1000 * 1000};
    for (uint64_t waited_ms = 0; steady_graph_get_state(g) == STEADY_GRAPH_RUNNING &&
                                 (seconds == 0 || waited_ms < seconds * 1000);
         waited_ms += 50)
        nanosleep(&step, NULL);
    steady_graph_request_shutdown(g);
}

static void print_totals(const pool *p, uint64_t n)
{
    conn_totals t = {0};
    for (uint64_t i = 0; i < n; i++) {
        const conn_totals *c = steady_actor_state(p->actor[i]);
        t.clients += c->clients;
        t.lines += c->lines;
        t.bytes += c->bytes;
        t.dropped += c->dropped;
    }
    const acceptor_totals *a = steady_actor_state(p->acceptor);
    printf("line-server: accepted %" PRIu64 ", served %" PRIu64 " clients, echoed %" PRIu64
           " lines (%" PRIu64 " bytes), dropped %" PRIu64 "\n",
           a->accepted, t.clients, t.lines, t.bytes, t.dropped);
}

int main(int argc, char **argv)
{
    line_server_args args = {
        .port = 7070, .pool = 4, .seconds = 0, .max_line = 4096, .max_clients = 1024};
    const lesson_opt opts[] = {
        {"port", 'p', "N", "TCP port on 127.0.0.1 (0: any free port)", &args.port, 0, 65535},
        {"pool", 'k', "K", "connection actors", &args.pool, 1, MAX_POOL},
        {"seconds", 's', "S", "stop after S seconds (0: on Ctrl-C)", &args.seconds, 0, 86400},
        {"max-line", 'l', "BYTES", "longest line, newline included", &args.max_line, 2, 1 << 20},
        {"max-clients", 'c', "N", "clients per connection actor", &args.max_clients, 1, 65536},
    };
    switch (
        lesson_cli_parse(argc, argv, "line-server: echoes lines over TCP on 127.0.0.1", opts, 5)) {
    case LESSON_CLI_EXIT_OK: return 0;
    case LESSON_CLI_ERROR: return 2;
    case LESSON_CLI_RUN: break;
    }
    uint16_t port;
    static pool p;
    p.acc.listen_fd = listen_on((uint16_t)args.port, &port);
    if (p.acc.listen_fd < 0)
        return 1;
    steady_graph *g;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "line-server"}) != STEADY_OK ||
        build(g, &p, &args) != STEADY_OK || steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "line-server: %s\n", steady_last_error());
        return 1;
    }
    printf("line-server: listening on 127.0.0.1:%u with %" PRIu64 " connection actors\n", port,
           args.pool);
    fflush(stdout);
    run_for(g, args.seconds);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    print_totals(&p, args.pool);
    steady_graph_free(g);
    close(p.acc.listen_fd);
    return e == STEADY_OK ? 0 : 1;
}
