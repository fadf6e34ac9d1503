#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <steady/steady.h>

static void print_rates(const steady_graph *g, steady_channel_info *now,
                        const steady_channel_info *before, size_t n, double secs)
{
    steady_inspect_channels(g, now, n);
    for (size_t i = 0; i < n; i++)
        printf("%-8s %10.0f msg/s, %llu in flight of %llu\n", now[i].name,
               (double)(now[i].taken_total - before[i].taken_total) / secs,
               (unsigned long long)(now[i].sent_total - now[i].taken_total),
               (unsigned long long)now[i].capacity);
}

/* The rest of this file (examples/docs/inspect_monitor.c) runs a counter -> summer pipeline
 * for three periods of 50 ms, prints the rates from main's thread, and checks that the reads
 * saw the values move and the actors busy. */
STEADY_CHANNEL_TYPE(u64ch, uint64_t);

typedef struct io {
    u64ch_tx out;
    u64ch_rx in;
} io;

static int counter(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t next = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_tx_close(p->out))))
        if (steady_wait_vacant(a, p->out, 64) == STEADY_READY)
            for (int i = 0; i < 64; i++)
                u64ch_tx_try_send(p->out, next++);
    return 0;
}

static int summer(steady_actor *a, void *arg)
{
    io *p = arg;
    uint64_t v, sum = 0;
    while (STEADY_RUNNING(a, STEADY_I(u64ch_rx_is_closed_and_empty(p->in))))
        if (steady_wait_avail(a, p->in, 1) == STEADY_READY)
            while (u64ch_rx_try_take(p->in, &v) == STEADY_OK)
                sum += v;
    return sum == 0; /* it saw values */
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int main(void)
{
    steady_graph *g;
    io p;
    steady_actor *c, *s;
    if (steady_graph_new(&g, &(steady_graph_opts){.name = "monitored"}) != STEADY_OK ||
        u64ch_new(g, "numbers", 4096, &p.out, &p.in) != STEADY_OK ||
        steady_actor_spawn(
            g,
            &(steady_actor_opts){
                .name = "counter", .run = counter, .arg = &p, .txs = STEADY_TXS(p.out)},
            &c) != STEADY_OK ||
        steady_actor_spawn(g,
                           &(steady_actor_opts){
                               .name = "summer", .run = summer, .arg = &p, .rxs = STEADY_RXS(p.in)},
                           &s) != STEADY_OK ||
        steady_graph_start(g) != STEADY_OK) {
        fprintf(stderr, "inspect_monitor: %s\n", steady_last_error());
        return 1;
    }
    size_t n = steady_inspect_channels(g, NULL, 0); /* fixed from now on */
    steady_channel_info *now = calloc(n, sizeof *now), *before = calloc(n, sizeof *before);
    if (!now || !before)
        return 1;
    steady_inspect_channels(g, before, n);
    for (int period = 0; period < 3; period++) {
        sleep_ms(50);
        print_rates(g, now, before, n, 0.050);
        for (size_t i = 0; i < n; i++)
            before[i] = now[i];
    }
    steady_actor_info actors[2];
    steady_inspect_actors(g, actors, 2);
    int ok = now[0].taken_total > 0 && actors[0].busy_ns > 0 && actors[1].busy_ns > 0;
    if (!ok)
        fprintf(stderr, "inspect_monitor: taken %llu, busy counter %llu ns, summer %llu ns\n",
                (unsigned long long)now[0].taken_total, (unsigned long long)actors[0].busy_ns,
                (unsigned long long)actors[1].busy_ns);
    steady_graph_request_shutdown(g);
    steady_err e = steady_graph_block_until_stopped(g, 5000);
    if (e != STEADY_OK)
        fprintf(stderr, "inspect_monitor: the stop: %s\n", steady_last_error());
    ok = e == STEADY_OK && ok;
    steady_graph_free(g);
    free(now);
    free(before);
    return ok ? 0 : 1;
}
