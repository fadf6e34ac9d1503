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
    /* Set before the first start for JetStream (its store directory) and for a cluster member
     * (its name, route port and the other members' routes); zero for a plain server. */
    char store[256];
    char name[32];
    int cluster_port;
    char routes[256];
    char config[256]; /* a configuration file (-c), e.g. TLS and users; "" for none */
} nats_server;

/* Three JetStream servers routed into one cluster on 127.0.0.1, each with its own store. */
typedef struct nats_cluster {
    nats_server s[3];
    char dir[128];  /* the stores' parent, removed at the end */
    char urls[256]; /* the three client URLs, comma-separated */
} nats_cluster;

/* The path of nats-server, or NULL when it is not installed. */
const char *nats_server_path(void);
/* Starts a server on a free port (port 0) or the given one; true once it accepts connections
 * (within 10 s). */
bool nats_server_start(nats_server *s, int port);
/* SIGKILL (hard) or SIGTERM, and reaps it. */
void nats_server_stop(nats_server *s, bool hard);

/* A JetStream server on a free port with its store in a new directory under /tmp. */
bool nats_server_start_js(nats_server *s);
/* Removes a JetStream server's store (stopped first). */
void nats_server_remove_store(nats_server *s);

/* Starts the cluster; true once every member takes connections and JetStream answers through
 * each (a meta leader was elected), within 30 s. */
bool nats_cluster_start(nats_cluster *c);
/* Starts member i again (same ports and store) after a stop; true once it takes connections. */
bool nats_cluster_restart(nats_cluster *c, int i);
/* Stops every member and removes the stores. */
void nats_cluster_stop(nats_cluster *c);
/* true once JetStream answers an account request through url (within ms). */
bool nats_jetstream_ready(const char *url, int ms);

#endif
