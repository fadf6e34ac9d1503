/* troupe_switch.c — what a switch between troupe members costs.
 *
 * Two members of one troupe each call a wait that is already satisfied (a zero timeout), over
 * and over. In a troupe every wait first yields to the scheduler, which resumes the other
 * member: each wait is one member-to-member switch (two stack switches through the scheduler,
 * plus the wait's evaluation). Also measured: a ping-pong through two channels between the two
 * members (one message each way per round), the shape of a real hand-off.
 *
 * Prints ns per switch and per round trip: medians of --runs runs.
 *   troupe_switch [--switches N] [--runs R]
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct yielder_arg {
    uint64_t n;
} yielder_arg;

typedef struct pingpong_arg {
    uint64_t rounds;
    u64ch_tx out;
    u64ch_rx in;
    int serve; /* 1: wait for a ball first, then return it */
} pingpong_arg;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int yielder(steady_actor *a, void *arg)
{
    const yielder_arg *y = arg;
    for (uint64_t i = 0; i < y->n; i++)
        steady_wait_timeout(a, 0);
    return 0;
}

static int pingpong(steady_actor *a, void *arg)
{
    pingpong_arg *p = arg;
    uint64_t ball = 0;
    for (uint64_t i = 0; i < p->rounds; i++) {
        if (!p->serve || i > 0) {
            if (steady_wait_avail(a, p->in, 1) != STEADY_READY)
                return 1;
            u64ch_rx_try_take(p->in, &ball);
        }
        if (u64ch_tx_try_send(p->out, ball + 1) != STEADY_OK)
            return 1;
    }
    if (!p->serve) /* take the last ball so the channel ends empty */
        return 0;
    steady_wait_avail(a, p->in, 1);
    u64ch_rx_try_take(p->in, &ball);
    return 0;
}

static double run_graph(int pingpong_mode, uint64_t n)
{
    steady_graph *g;
    steady_troupe *t;
    steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true});
    steady_troupe_new(g, &(steady_troupe_opts){.name = "bench"}, &t);
    yielder_arg y = {n};
    pingpong_arg p1 = {.rounds = n, .serve = 1}, p2 = {.rounds = n};
    if (pingpong_mode) {
        u64ch_new(g, "ping", 1, &p1.out, &p2.in);
        u64ch_new(g, "pong", 1, &p2.out, &p1.in);
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "a",
                                                .run = pingpong,
                                                .arg = &p1,
                                                .troupe = t,
                                                .txs = STEADY_TXS(p1.out),
                                                .rxs = STEADY_RXS(p1.in)},
                           NULL);
        steady_actor_spawn(g,
                           &(steady_actor_opts){.name = "b",
                                                .run = pingpong,
                                                .arg = &p2,
                                                .troupe = t,
                                                .txs = STEADY_TXS(p2.out),
                                                .rxs = STEADY_RXS(p2.in)},
                           NULL);
    } else {
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "a", .run = yielder, .arg = &y, .troupe = t}, NULL);
        steady_actor_spawn(
            g, &(steady_actor_opts){.name = "b", .run = yielder, .arg = &y, .troupe = t}, NULL);
    }
    uint64_t t0 = now_ns();
    if (steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "start: %s\n", steady_last_error());
        exit(1);
    }
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    uint64_t t1 = now_ns();
    steady_graph_free(g);
    if (e != STEADY_OK) {
        fprintf(stderr, "graph did not stop cleanly\n");
        exit(1);
    }
    /* yielders: 2n waits, each one switch; ping-pong: n round trips */
    return (double)(t1 - t0) / (double)(pingpong_mode ? n : 2 * n);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void usage(const char *prog, FILE *to)
{
    fprintf(to,
            "usage: %s [--switches N] [--runs 1..99]\n"
            "  --switches N  member switches per timed run (default 10000000; the ping-pong runs "
            "N/4 round trips)\n"
            "  --runs R      timed runs of each, 1..99 (default 5); medians are printed\n",
            prog);
}

/* Parses `--switches N --runs R`; exits 0 after --help, 2 on anything it does not know. */
static void parse_args(int argc, char **argv, uint64_t *n, int *runs)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(argv[0], stdout);
            exit(0);
        }
    }
    for (int i = 1; i < argc; i += 2) { /* option, value */
        int is_n = strcmp(argv[i], "--switches") == 0, is_r = strcmp(argv[i], "--runs") == 0;
        if (!is_n && !is_r) {
            fprintf(stderr, "%s: unknown option '%s'\n", argv[0], argv[i]);
            usage(argv[0], stderr);
            exit(2);
        }
        char *end = NULL;
        unsigned long long v = i + 1 < argc ? strtoull(argv[i + 1], &end, 10) : 0;
        if (!end || *end || argv[i + 1][0] == '-' || v == 0 || (is_r && v > 99)) {
            fprintf(stderr, "%s: %s needs %s\n", argv[0], argv[i],
                    is_n ? "a positive whole number" : "a whole number from 1 to 99");
            exit(2);
        }
        if (is_n)
            *n = v;
        else
            *runs = (int)v;
    }
}

int main(int argc, char **argv)
{
    uint64_t n = 10000000;
    int runs = 5;
    parse_args(argc, argv, &n, &runs);
    double sw[99], pp[99];
    for (int r = 0; r < runs; r++) {
        sw[r] = run_graph(0, n);
        pp[r] = run_graph(1, n / 4);
    }
    qsort(sw, (size_t)runs, sizeof sw[0], cmp_double);
    qsort(pp, (size_t)runs, sizeof pp[0], cmp_double);
    printf("troupe member switch (wait -> other member): median %.1f ns (min %.1f, %d runs of "
           "%" PRIu64 ")\n",
           sw[runs / 2], sw[0], runs, 2 * n);
    printf("troupe ping-pong through two channels (round trip): median %.1f ns (min %.1f)\n",
           pp[runs / 2], pp[0]);
    return 0;
}
