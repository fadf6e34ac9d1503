/* nats_server.h — a real nats-server for the bridge tests and benchmarks: started on 127.0.0.1
 * and a free port, ready when it accepts a connection, killed (SIGKILL) and started again on
 * the same port, stopped at the end. Never a fixed delay: readiness is checked. */
#ifndef STEADY_TEST_NATS_SERVER_H
#define STEADY_TEST_NATS_SERVER_H

#include <stdbool.h>
#include <sys/types.h>

typedef struct nats_server {
    pid_t pid;
    int port;
    char url[64]; /* nats://127.0.0.1:PORT */
} nats_server;

/* The path of nats-server, or NULL when it is not installed. */
const char *nats_server_path(void);
/* Starts a server on a free port (port 0) or the given one; true once it accepts connections
 * (within 10 s). */
bool nats_server_start(nats_server *s, int port);
/* SIGKILL (hard) or SIGTERM, and reaps it. */
void nats_server_stop(nats_server *s, bool hard);

#endif
