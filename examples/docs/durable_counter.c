#include <stdint.h>
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct counter_state {
    uint32_t version; /* your layout's version: see "Layout" below */
    uint32_t pad;
    uint64_t seen; /* messages counted so far, across runs */
} counter_state;

static void counter_init(void *state, void *arg)
{
    (void)arg;
    *(counter_state *)state = (counter_state){.version = 1};
}

static int counter(steady_actor *a, void *arg)
{
    u64ch_rx *in = arg;
    counter_state *st = steady_actor_state(a);
    STEADY_ASSERT(st->version == 1); /* a block this program knows how to read */
    uint64_t v;
    while (steady_wait_avail(a, *in, 1) == STEADY_READY)
        while (u64ch_rx_try_take(*in, &v) == STEADY_OK)
            if (++st->seen % 100 == 0)
                steady_actor_persist(a); /* a crash now loses at most 99 counts */
    return 0;                            /* the end of the generation saves the block too */
}

static steady_err spawn_counter(steady_graph *g, u64ch_rx *rx, steady_actor **out)
{
    return steady_actor_spawn(g,
                              &(steady_actor_opts){
                                  .name = "counter",
                                  .run = counter,
                                  .arg = rx,
                                  .rxs = STEADY_RXS(*rx),
                                  .state_size = sizeof(counter_state),
                                  .state_init = counter_init,
                                  .state_path = "counter.state", /* copied */
                              },
                              out);
}

/* The rest of this file (examples/docs/durable_counter.c) runs a graph that counts 250
 * messages, twice: the second run starts from the first one's 250, read from counter.state. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MESSAGES 250

static unsigned first_run_lines;

/* Counts the line the page quotes for a first run, as it passes on to stderr. */
static void log_sink(void *ctx, steady_log_level level, const char *line, size_t len)
{
    (void)ctx;
    (void)level;
    char text[1024]; /* line is not NUL-terminated: len says where it ends */
    snprintf(text, sizeof text, "%.*s", (int)len, line);
    if (strstr(text, "actor 'counter': no saved state at 'counter.state' (no such file); "
                     "initialising it"))
        first_run_lines++;
    fprintf(stderr, "%s\n", text);
}

static int source(steady_actor *a, void *arg)
{
    u64ch_tx *out = arg;
    for (uint64_t v = 0; v < MESSAGES && STEADY_RUNNING(a, true);)
        if (steady_wait_vacant(a, *out, 1) == STEADY_READY &&
            u64ch_tx_try_send(*out, v) == STEADY_OK)
            v++;
    return 0;
}

/* One run of the program: returns the count the state block holds at its end, or 0. */
static uint64_t run_once(void)
{
    steady_graph *g = NULL;
    steady_actor *c;
    u64ch_tx tx;
    u64ch_rx rx;
    if (steady_graph_new(&g, NULL) || u64ch_new(g, "messages", 16, &tx, &rx) ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "source", .run = source, .arg = &tx, .txs = STEADY_TXS(tx)},
                           NULL) ||
        spawn_counter(g, &rx, &c) || steady_graph_start(g)) {
        fprintf(stderr, "%s\n", steady_last_error());
        steady_graph_free(g);
        return 0;
    }
    steady_err e = steady_graph_block_until_stopped(g, 2000);
    uint64_t seen = ((const counter_state *)steady_actor_state(c))->seen;
    steady_graph_free(g);
    return e == STEADY_OK ? seen : 0;
}

int main(void)
{
    steady_log_set_sink(log_sink, NULL);
    remove("counter.state");
    uint64_t first = run_once();
    uint64_t second = run_once(); /* loads counter.state: no state_init this time */
    printf("counted %" PRIu64 " in the first run, %" PRIu64 " after the second\n", first, second);
    remove("counter.state");
    return first == MESSAGES && second == 2 * MESSAGES && first_run_lines == 1 ? 0 : 1;
}
