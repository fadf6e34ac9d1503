/* nats_pods.c — two pods joined by core NATS (docs/reference/bridge.md): a publishing graph
 * (source -> egress) and a subscribing graph (ingress -> sink), here in one process for
 * brevity, through a nats-server this program starts on 127.0.0.1 and a free port. The
 * publisher's close crosses the bridge, so the subscriber stops by itself. */
#include <steady/bridge.h>
#include <steady/steady.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define N 100000u

static int source_run(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    for (uint64_t v = 0; v < N && STEADY_RUNNING(a, true); v++)
        if (u64ch_tx_send_wait(a, *out, v) != STEADY_OK)
            break;
    u64ch_tx_close(*out); /* crosses the bridge as its last frame */
    steady_actor_request_shutdown(a);
    return 0;
}

typedef struct sink {
    u64ch_rx in;
    uint64_t count, sum;
} sink;

static int sink_run(steady_actor *a, void *arg)
{
    sink *k = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(k->in)))) {
        if (u64ch_rx_take_wait(a, k->in, &v) == STEADY_OK) {
            k->count++;
            k->sum += v;
        } else if (u64ch_rx_is_closed_and_empty(k->in)) {
            steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

/* The two pods' graphs: what the page shows. */
static steady_err build(steady_graph *pub, steady_graph *sub, const char *uri, u64ch_tx *gen,
                        sink *k, steady_actor **ingress)
{
    u64ch_rx to_bridge;
    u64ch_tx from_bridge;
    steady_bridge_opts o = {.uri = uri};
    steady_err e = u64ch_new(pub, "generated", 4096, gen, &to_bridge);
    if (e == STEADY_OK)
        e = steady_bridge_egress(pub, to_bridge.raw, &o, NULL);
    if (e == STEADY_OK)
        e = steady_actor_spawn(
            pub,
            &(steady_actor_opts){
                .name = "source", .run = source_run, .arg = gen, .txs = STEADY_TXS(*gen)},
            NULL);
    if (e == STEADY_OK)
        e = u64ch_new(sub, "received", 4096, &from_bridge, &k->in);
    if (e == STEADY_OK)
        e = steady_bridge_ingress(sub, from_bridge.raw, &o, ingress);
    if (e == STEADY_OK)
        e = steady_actor_spawn(
            sub,
            &(steady_actor_opts){
                .name = "sink", .run = sink_run, .arg = k, .rxs = STEADY_RXS(k->in)},
            NULL);
    return e;
}

/* A nats-server on 127.0.0.1 and a free port; 0 when none could be started. */
static pid_t start_server(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(fd, (struct sockaddr *)&a, sizeof a);
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    *port = ntohs(a.sin_port);
    char ports[16];
    snprintf(ports, sizeof ports, "%d", *port);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execlp("nats-server", "nats-server", "-a", "127.0.0.1", "-p", ports, (char *)NULL);
        execl("/usr/sbin/nats-server", "nats-server", "-a", "127.0.0.1", "-p", ports, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 500; i++) { /* ready when it accepts a connection (5 s at most) */
        int c = socket(AF_INET, SOCK_STREAM, 0);
        int ok = connect(c, (struct sockaddr *)&a, sizeof a) == 0;
        close(c);
        if (ok)
            return pid;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    return 0;
}

int main(void)
{
    int port;
    pid_t server = start_server(&port);
    if (!server) {
        fprintf(stderr, "could not start nats-server (Debian: apt-get install nats-server)\n");
        return 1;
    }
    char uri[96];
    snprintf(uri, sizeof uri, "nats://127.0.0.1:%d/readings", port);
    steady_graph *pub, *sub;
    u64ch_tx gen;
    sink k = {0};
    steady_actor *ingress = NULL;
    steady_bridge_stats st = {0};
    steady_err e = steady_graph_new(&pub, &(steady_graph_opts){.name = "publish"});
    if (e == STEADY_OK)
        e = steady_graph_new(&sub, &(steady_graph_opts){.name = "subscribe"});
    if (e == STEADY_OK && (e = build(pub, sub, uri, &gen, &k, &ingress)) != STEADY_OK &&
        strstr(steady_last_error(), "built without the NATS client")) {
        printf("skipped: %s\n", steady_last_error()); /* a build without libnats-dev */
        kill(server, SIGTERM);
        waitpid(server, NULL, 0);
        return 0;
    }
    if (e == STEADY_OK)
        e = steady_graph_start(sub);
    /* Core NATS keeps nothing for a subscriber that is not there yet: wait for it. */
    for (int i = 0; e == STEADY_OK && i < 1000 && !st.ready; i++) {
        steady_bridge_stats_get(ingress, &st);
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    if (e == STEADY_OK)
        e = steady_graph_start(pub);
    if (e == STEADY_OK)
        e = steady_graph_block_until_stopped(pub, 5000);
    if (e == STEADY_OK)
        e = steady_graph_block_until_stopped(sub, 5000);
    if (e != STEADY_OK)
        fprintf(stderr, "%s\n", steady_last_error());
    steady_bridge_stats_get(ingress, &st);
    printf("subscriber: %llu values, sum %llu, %llu lost\n", (unsigned long long)k.count,
           (unsigned long long)k.sum, (unsigned long long)st.gaps);
    steady_graph_free(pub);
    steady_graph_free(sub);
    kill(server, SIGTERM);
    waitpid(server, NULL, 0);
    return e == STEADY_OK && k.count == N && k.sum == (uint64_t)N * (N - 1) / 2 ? 0 : 1;
}
