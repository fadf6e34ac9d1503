/* ipc_pods.c — two processes, each with its own graph, joined by a channel in a named mapping
 * (docs/reference/ipc.md). The producer pod sends 0..N-1 and closes; the consumer pod sums
 * what arrives until the close, and checks the sum. */
#include <steady/steady.h>

#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define N 1000000u

/* The producer pod's actor: resumes where the stream stands (a restarted pod continues). */
static int generator_run(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    steady_channel *ch = steady_tx_channel(out->raw);
    for (uint64_t v = steady_channel_sent_total(ch); v < N && STEADY_RUNNING(a, true); v++)
        if (u64ch_tx_send_wait(a, *out, v) != STEADY_OK)
            break;
    u64ch_tx_close(*out); /* the end of the stream crosses to the other process */
    steady_actor_request_shutdown(a);
    return 0;
}

typedef struct summer {
    u64ch_rx in;
    uint64_t count, sum;
} summer;

/* The consumer pod's actor: takes until the producer's close, then asks its graph to stop. */
static int summer_run(steady_actor *a, void *arg)
{
    summer *s = arg;
    uint64_t v;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(s->in)))) {
        if (u64ch_rx_take_wait(a, s->in, &v) == STEADY_OK) {
            s->count++;
            s->sum += v;
        } else if (u64ch_rx_is_closed_and_empty(s->in)) {
            steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

/* One pod: a graph with the channel's end `producer` chooses, and its actor. */
static int pod(const char *name, int producer, summer *s)
{
    steady_graph *g;
    u64ch_tx out;
    steady_ipc_opts o = {.name = name, .capacity = 4096, .elem_size = sizeof(uint64_t)};
    steady_err e =
        steady_graph_new(&g, &(steady_graph_opts){.name = producer ? "publish" : "subscribe"});
    if (e == STEADY_OK)
        e = producer ? steady_ipc_tx_attach(g, &o, &out.raw)
                     : steady_ipc_rx_attach(g, &o, &s->in.raw);
    if (e == STEADY_OK && producer)
        e = steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "generator", .run = generator_run, .arg = &out, .txs = STEADY_TXS(out)},
            NULL);
    if (e == STEADY_OK && !producer)
        e = steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "summer", .run = summer_run, .arg = s, .rxs = STEADY_RXS(s->in)},
            NULL);
    if (e == STEADY_OK)
        e = steady_graph_start(g);
    if (e == STEADY_OK)
        e = steady_graph_block_until_stopped(g, 5000);
    if (e != STEADY_OK)
        fprintf(stderr, "%s pod: %s\n", producer ? "publish" : "subscribe", steady_last_error());
    steady_graph_free(g); /* detaches; the last side removes the mapping of a finished stream */
    return e == STEADY_OK ? 0 : 1;
}

int main(void)
{
    char name[64], path[80];
    snprintf(name, sizeof name, "/steady-doc-pods-%d", (int)getpid());
    snprintf(path, sizeof path, "/dev/shm%s", name);
    pid_t child = fork(); /* before any graph: each process builds its own */
    if (child == 0)
        _exit(pod(name, 1, NULL));
    summer s = {0};
    int failed = pod(name, 0, &s);
    int status = 0;
    waitpid(child, &status, 0);
    int ok = !failed && WIFEXITED(status) && WEXITSTATUS(status) == 0 && s.count == N &&
             s.sum == (uint64_t)N * (N - 1) / 2 && access(path, F_OK) != 0;
    printf("subscribe pod: %llu values, sum %llu (%s)\n", (unsigned long long)s.count,
           (unsigned long long)s.sum, ok ? "exact" : "WRONG");
    return ok ? 0 : 1;
}
