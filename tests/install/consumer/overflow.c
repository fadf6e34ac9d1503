/*
 * An actor of a downstream program overflows its stack with frames of FRAME_KIB KiB (64 by
 * default; built by tests/install/install_overflow_test.sh against the installed package,
 * through pkg-config and through find_package). The guard below an actor stack is 256 KiB: a
 * 64 KiB frame faults in it either way, and a frame larger than the guard (FRAME_KIB=512) steps
 * over it unless the program itself is compiled with -fstack-clash-protection, which steady's
 * CMake targets and steady.pc add to the consumer's flags. With the flag, the frame's stack
 * probes fault in the guard and steady names the actor.
 *
 *   overflow inproc    actor 'deep' (a troupe member beside 'calm') overflows in this process:
 *                      stderr gets "steady: stack overflow in actor 'deep': ...", then the
 *                      process dies of SIGSEGV. Exits 3 if the graph stopped instead.
 *   overflow isolated  the same actor ISOLATED: its first generation overflows and its child
 *                      process dies; it is restarted and then sends 1000 values to 'sink' in
 *                      this process. Prints one line and exits 0 when deep failed and was
 *                      restarted exactly once and the sink got every value, once, in order.
 *
 * The stack is 96 KiB. With 512 KiB frames and no probes, the first frame's lowest byte
 * (written first) lands about 160 KiB below the guard, in whatever lies below it.
 */
#include <steady/steady.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#define STACK_BYTES (96u * 1024u)
#ifndef FRAME_KIB
#define FRAME_KIB 64
#endif
#define VALUES 1000u

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

static volatile unsigned depth_limit = 1u << 30; /* a bound the compiler cannot see through */

/* A FRAME_KIB frame per call, its lowest byte written first (as a buffer filled from its start
 * would be), the top one after the call returns, so each frame stays live. */
static unsigned dive(unsigned n)
{
    volatile char frame[FRAME_KIB * 1024];
    frame[0] = (char)n;
    if (n >= depth_limit)
        return n;
    unsigned r = dive(n + 1);
    frame[sizeof frame - 1] = (char)r;
    return r + (unsigned)frame[0];
}

static int calm_run(steady_actor *a, void *arg)
{
    (void)arg;
    while (STEADY_RUNNING(a, true))
        steady_wait_shutdown(a);
    return 0;
}

static int deep_inproc_run(steady_actor *a, void *arg)
{
    (void)a;
    (void)arg;
    return (int)dive(0);
}

static int run_inproc(void)
{
    steady_graph *g;
    steady_troupe *t;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "overflow"}) != STEADY_OK ||
        steady_troupe_new(g, &(steady_troupe_opts){.name = "pair"}, &t) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "deep", .run = deep_inproc_run, .troupe = t, .stack_size = STACK_BYTES},
            NULL) != STEADY_OK ||
        steady_actor_spawn(g, &(steady_actor_opts){.name = "calm", .run = calm_run, .troupe = t},
                           NULL) != STEADY_OK ||
        steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "overflow: %s\n", steady_last_error());
        return 2;
    }
    steady_err e = steady_graph_block_until_stopped(g, 10000);
    fprintf(stderr, "overflow: the graph stopped (%s) instead of the process dying\n",
            steady_strerror(e));
    steady_graph_free(g);
    return 3;
}

typedef struct line {
    u64ch_tx out;
    u64ch_rx in;
    uint64_t received;
    uint64_t out_of_order;
} line;

/* Regeneration 0 overflows; later ones send the values the channel has not sent yet. */
static int deep_isolated_run(steady_actor *a, void *arg)
{
    line *l = arg;
    if (steady_actor_regeneration(a) == 0)
        return (int)dive(0);
    steady_channel *ch = steady_tx_channel(l->out.raw);
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(l->out)))) {
        uint64_t next = steady_channel_sent_total(ch);
        if (next == VALUES)
            steady_wait_shutdown(a);
        else if (u64ch_tx_try_send(l->out, next) != STEADY_OK)
            steady_wait_vacant(a, l->out, 1);
    }
    return 0;
}

static int sink_run(steady_actor *a, void *arg)
{
    line *l = arg;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(l->in)))) {
        steady_wait_avail(a, l->in, 1);
        uint64_t v;
        while (u64ch_rx_try_take(l->in, &v) == STEADY_OK) {
            l->out_of_order += v != l->received;
            if (++l->received == VALUES)
                steady_actor_request_shutdown(a);
        }
    }
    return 0;
}

static int run_isolated(void)
{
    static line l;
    steady_graph *g;
    steady_actor *deep = NULL;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "overflow"}) != STEADY_OK ||
        u64ch_new(g, "deep->sink", 64, &l.out, &l.in) != STEADY_OK ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "deep",
                                                .run = deep_isolated_run,
                                                .arg = &l,
                                                .txs = STEADY_TXS(l.out),
                                                .isolated = true,
                                                .stack_size = STACK_BYTES},
                           &deep) != STEADY_OK ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "sink", .run = sink_run, .arg = &l, .rxs = STEADY_RXS(l.in)},
                           NULL) != STEADY_OK ||
        steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "overflow: %s\n", steady_last_error());
        return 2;
    }
    steady_err e = steady_graph_block_until_stopped(g, 20000);
    uint32_t failures = steady_actor_failures(deep), restarts = steady_actor_restarts(deep);
    printf("isolated: deep failed %u times and was restarted %u times; the sink received %llu of "
           "%u values (%llu out of order); stop: %s\n",
           failures, restarts, (unsigned long long)l.received, VALUES,
           (unsigned long long)l.out_of_order, steady_strerror(e));
    if (e != STEADY_OK)
        fprintf(stderr, "overflow: %s\n", steady_last_error());
    steady_graph_free(g);
    bool ok = e == STEADY_OK && failures == 1 && restarts == 1 && l.received == VALUES &&
              l.out_of_order == 0;
    return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "inproc") == 0)
        return run_inproc();
    if (argc == 2 && strcmp(argv[1], "isolated") == 0)
        return run_isolated();
    fprintf(stderr, "usage: overflow inproc|isolated\n");
    return 2;
}
