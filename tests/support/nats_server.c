/* nats_server.c — see nats_server.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "nats_server.h"
#include "test_ports.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <nats/nats.h>
#include <stdlib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *const candidates[] = {"/usr/sbin/nats-server", "/usr/bin/nats-server"};

const char *nats_server_path(void)
{
    for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
        if (access(candidates[i], X_OK) == 0)
            return candidates[i];
    return NULL;
}

bool nats_server_start(nats_server *s, int port)
{
    const char *path = nats_server_path();
    if (!path || (port == 0 && (port = test_free_port()) <= 0))
        return false;
    s->port = port;
    snprintf(s->url, sizeof s->url, "nats://127.0.0.1:%d", port);
    char ports[16];
    snprintf(ports, sizeof ports, "%d", port);
    s->pid = fork();
    if (s->pid < 0)
        return false;
    if (s->pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        const char *argv[24] = {"nats-server", "-a", "127.0.0.1", "-p", ports};
        int n = 5;
        char cluster[64];
        if (s->config[0]) {
            argv[n++] = "-c";
            argv[n++] = s->config;
        }
        if (s->store[0]) {
            argv[n++] = "-js";
            argv[n++] = "-sd";
            argv[n++] = s->store;
        }
        if (s->name[0]) {
            argv[n++] = "-n";
            argv[n++] = s->name;
        }
        if (s->cluster_port) {
            snprintf(cluster, sizeof cluster, "nats://127.0.0.1:%d", s->cluster_port);
            argv[n++] = "--cluster";
            argv[n++] = cluster;
            argv[n++] = "--cluster_name";
            argv[n++] = "steady-test";
            argv[n++] = "--routes";
            argv[n++] = s->routes;
        }
        argv[n] = NULL;
        execv(path, (char *const *)argv);
        _exit(127);
    }
    return test_await_server(&s->pid, port);
}

void nats_server_stop(nats_server *s, bool hard)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, hard ? SIGKILL : SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
}

bool nats_server_start_js(nats_server *s)
{
    snprintf(s->store, sizeof s->store, "/tmp/steady-js-XXXXXX");
    if (!mkdtemp(s->store))
        return false;
    return nats_server_start(s, 0);
}

static void remove_tree(const char *dir)
{
    char cmd[320];
    if (!dir[0] || strncmp(dir, "/tmp/steady-js", 14) != 0)
        return; /* only what these helpers made */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "nats_server: could not remove %s\n", dir);
}

void nats_server_remove_store(nats_server *s)
{
    nats_server_stop(s, false);
    remove_tree(s->store);
    s->store[0] = 0;
}

bool nats_jetstream_ready(const char *url, int ms)
{
    for (int waited = 0; waited < ms; waited += 100) {
        natsConnection *nc = NULL;
        jsCtx *js = NULL;
        jsAccountInfo *ai = NULL;
        bool ok = natsConnection_ConnectTo(&nc, url) == NATS_OK &&
                  natsConnection_JetStream(&js, nc, NULL) == NATS_OK &&
                  js_GetAccountInfo(&ai, js, NULL, NULL) == NATS_OK;
        jsAccountInfo_Destroy(ai);
        jsCtx_Destroy(js);
        natsConnection_Destroy(nc);
        if (ok)
            return true;
        nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    return false;
}

static bool cluster_try(nats_cluster *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "/tmp/steady-js-cluster-XXXXXX");
    if (!mkdtemp(c->dir))
        return false;
    int cport[3];
    for (int i = 0; i < 3; i++) {
        c->s[i].port = test_free_port();
        cport[i] = test_free_port();
    }
    c->urls[0] = 0;
    for (int i = 0; i < 3; i++) {
        nats_server *s = &c->s[i];
        snprintf(s->store, sizeof s->store, "%s/n%d", c->dir, i);
        snprintf(s->name, sizeof s->name, "n%d", i);
        s->cluster_port = cport[i];
        snprintf(s->routes, sizeof s->routes, "nats://127.0.0.1:%d,nats://127.0.0.1:%d",
                 cport[(i + 1) % 3], cport[(i + 2) % 3]);
        if (!nats_server_start(s, s->port))
            return false;
        snprintf(c->urls + strlen(c->urls), sizeof c->urls - strlen(c->urls), "%s%s", i ? "," : "",
                 s->url);
    }
    for (int i = 0; i < 3; i++)
        if (!nats_jetstream_ready(c->s[i].url, 30000))
            return false;
    return true;
}

/* A port picked free may be taken before a server binds it, and an election may not finish in
 * time on a loaded machine (it failed once in CI): three tries, from nothing each time. */
bool nats_cluster_start(nats_cluster *c)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        if (cluster_try(c))
            return true;
        fprintf(stderr, "nats_cluster_start: try %d failed; starting the cluster again\n",
                attempt + 1);
        nats_cluster_stop(c);
    }
    return false;
}

bool nats_cluster_restart(nats_cluster *c, int i)
{
    return nats_server_start(&c->s[i], c->s[i].port);
}

void nats_cluster_stop(nats_cluster *c)
{
    for (int i = 0; i < 3; i++)
        nats_server_stop(&c->s[i], false);
    remove_tree(c->dir);
}
