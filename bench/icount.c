/* icount.c — the channel paths in one thread, for instruction counting under callgrind.
 *
 * One thread is producer and consumer in alternation (push a burst, then take it), so there is
 * no cross-core traffic and no timing: what callgrind counts is the code of the path, which is
 * deterministic and so fit for a CI gate on a shared machine (bench/gate.py). Modes (steady
 * channel of 64K slots, graph never started; ring = the hand-written floor, for context):
 *   msg         typed try_send x64, then try_take x64
 *   msg-wait    typed send_wait x64, then take_wait x64 (never has to wait: the fast path)
 *   tee2-span64 a tee of 2 consumers: poke 64 in place, advance_send; each consumer peeks its
 *               64 in place, sums, advances (per message: one write, two reads)
 *   stream64    stream channel, 64-byte messages: try_send x64, then peek_batch 64, sum the
 *               first word of each, advance_take (per message)
 *   slice64     send_slice of 64, then take_slice of 64
 *   span64      poke_slice, write 64 in place, advance_send; peek_slice, sum 64, advance_take
 *   span4096    the same with 4096
 *   ring-msg    ring_push x64, then ring_pop x64
 *   ring-span4096  ring_poke 4096, write, publish; ring_peek, sum, release
 * Every mode sends 1..n and checks the sum; n is rounded up to a whole number of bursts.
 * gate.py runs each mode at two sizes and divides the difference, which removes start-up.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <steady/steady.h>

#include "bench_common.h"
#include "ring.h"

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

#define CAP 65536

static uint64_t run_msg(u64ch_tx tx, u64ch_rx rx, uint64_t n)
{
    uint64_t sum = 0, v = 1;
    while (v <= n) {
        for (int j = 0; j < 64; j++)
            if (u64ch_tx_try_send(tx, v++) != STEADY_OK)
                return 0;
        for (int j = 0; j < 64; j++) {
            uint64_t x;
            if (u64ch_rx_try_take(rx, &x) != STEADY_OK)
                return 0;
            sum += x;
        }
    }
    return sum;
}

/* The waiting calls with room and data: no actor is needed, as `a` is read only to wait. */
static uint64_t run_msg_wait(u64ch_tx tx, u64ch_rx rx, uint64_t n)
{
    uint64_t sum = 0, v = 1;
    while (v <= n) {
        for (int j = 0; j < 64; j++)
            if (u64ch_tx_send_wait(NULL, tx, v++) != STEADY_OK)
                return 0;
        for (int j = 0; j < 64; j++) {
            uint64_t x;
            if (u64ch_rx_take_wait(NULL, rx, &x) != STEADY_OK)
                return 0;
            sum += x;
        }
    }
    return sum;
}

static uint64_t run_tee(steady_tee *t, steady_rx *const *rx, uint64_t n)
{
    uint64_t sum = 0, v = 1;
    while (v <= n) {
        steady_span s = steady_tee_poke_slice(t);
        if (s.a_len < 64)
            return 0;
        uint64_t *w = s.a;
        for (uint64_t j = 0; j < 64; j++)
            w[j] = v++;
        steady_tee_advance_send(t, 64);
        for (int c = 0; c < 2; c++) {
            steady_span r = steady_rx_peek_slice(rx[c]);
            if (r.a_len < 64)
                return 0;
            const uint64_t *p = r.a;
            uint64_t part = 0;
            for (uint64_t j = 0; j < 64; j++)
                part += p[j];
            sum += c == 0 ? part : 0; /* the sum is checked on consumer 0 */
            steady_rx_advance_take(rx[c], 64);
        }
    }
    return sum;
}

static uint64_t run_stream(steady_stream_tx tx, steady_stream_rx rx, uint64_t n)
{
    uint64_t sum = 0, v = 1;
    unsigned char msg[64] = {0};
    steady_stream_msg m[64];
    while (v <= n) {
        for (int j = 0; j < 64; j++, v++) {
            memcpy(msg, &v, sizeof v);
            if (steady_stream_try_send(tx, msg, sizeof msg) != STEADY_OK)
                return 0;
        }
        if (steady_stream_peek_batch(rx, m, 64) != 64)
            return 0;
        for (int j = 0; j < 64; j++) {
            uint64_t x;
            memcpy(&x, m[j].data, sizeof x);
            sum += x;
        }
        steady_stream_advance_take(rx, 64);
    }
    return sum;
}

static uint64_t run_slice(u64ch_tx tx, u64ch_rx rx, uint64_t n)
{
    uint64_t sum = 0, v = 1, buf[64];
    while (v <= n) {
        for (int j = 0; j < 64; j++)
            buf[j] = v++;
        if (u64ch_tx_send_slice(tx, buf, 64) != 64 || u64ch_rx_take_slice(rx, buf, 64) != 64)
            return 0;
        for (int j = 0; j < 64; j++)
            sum += buf[j];
    }
    return sum;
}

static uint64_t run_span(u64ch_tx tx, u64ch_rx rx, uint64_t n, uint64_t b)
{
    uint64_t sum = 0, v = 1;
    while (v <= n) {
        u64ch_span s = u64ch_tx_poke_slice(tx);
        if (s.a_len < b)
            return 0;
        for (uint64_t j = 0; j < b; j++)
            s.a[j] = v++;
        u64ch_tx_advance_send(tx, b);
        u64ch_span r = u64ch_rx_peek_slice(rx);
        if (r.a_len < b)
            return 0;
        for (uint64_t j = 0; j < b; j++)
            sum += r.a[j];
        u64ch_rx_advance_take(rx, b);
    }
    return sum;
}

static uint64_t run_ring_msg(ring *rg, uint64_t n)
{
    ring_tx t = ring_tx_of(rg);
    ring_rx x = ring_rx_of(rg);
    uint64_t sum = 0, v = 1;
    while (v <= n) {
        for (int j = 0; j < 64; j++)
            if (!ring_push(&t, v++))
                return 0;
        for (int j = 0; j < 64; j++) {
            uint64_t y;
            if (!ring_pop(&x, &y))
                return 0;
            sum += y;
        }
    }
    return sum;
}

static uint64_t run_ring_span(ring *rg, uint64_t n, uint64_t b)
{
    ring_tx t = ring_tx_of(rg);
    ring_rx x = ring_rx_of(rg);
    uint64_t sum = 0, v = 1, len;
    while (v <= n) {
        uint64_t *w = ring_poke(&t, b, &len);
        if (len < b)
            return 0;
        for (uint64_t j = 0; j < b; j++)
            w[j] = v++;
        ring_publish(&t, b);
        const uint64_t *r = ring_peek(&x, b, &len);
        if (len < b)
            return 0;
        for (uint64_t j = 0; j < b; j++)
            sum += r[j];
        ring_release(&x, b);
    }
    return sum;
}

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        {"msg", 1000000},      {"slice64", 1000000},
        {"span64", 1000000},   {"span4096", 4000000},
        {"ring-msg", 1000000}, {"ring-span4096", 4000000},
        {"msg-wait", 1000000}, {"tee2-span64", 1000000},
        {"stream64", 1000000}, {NULL, 0},
    };
    static const uint64_t burst[] = {64, 64, 64, 4096, 64, 4096, 64, 64, 64};
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    n = (n + burst[m] - 1) / burst[m] * burst[m];

    steady_graph *g;
    u64ch_tx tx;
    u64ch_rx rx;
    if (steady_graph_new(&g, &(steady_graph_opts){.no_signal_handlers = true}) != STEADY_OK ||
        u64ch_new(g, "icount", CAP, &tx, &rx) != STEADY_OK) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    steady_tee *tee;
    steady_rx *tee_rx[2];
    steady_stream_tx stx;
    steady_stream_rx srx;
    if (steady_tee_new(g, &(steady_tee_opts){"icount-tee", CAP, 8, 2}, &tee, tee_rx) != STEADY_OK ||
        steady_stream_new(g, &(steady_stream_opts){"icount-stream", 128, CAP, 64}, &stx, &srx) !=
            STEADY_OK) {
        fprintf(stderr, "error: setup: %s\n", steady_last_error());
        return 1;
    }
    ring *rg = ring_new(CAP);
    uint64_t sum = 0;
    switch (m) {
    case 0: sum = run_msg(tx, rx, n); break;
    case 1: sum = run_slice(tx, rx, n); break;
    case 2: sum = run_span(tx, rx, n, 64); break;
    case 3: sum = run_span(tx, rx, n, 4096); break;
    case 4: sum = run_ring_msg(rg, n); break;
    case 5: sum = run_ring_span(rg, n, 4096); break;
    case 6: sum = run_msg_wait(tx, rx, n); break;
    case 7: sum = run_tee(tee, tee_rx, n); break;
    case 8: sum = run_stream(stx, srx, n); break;
    }
    bench_check_sum(modes[m].name, sum, bench_sum_1_to_n(n));
    printf("icount mode=%s n=%llu ok\n", modes[m].name, (unsigned long long)n);
    ring_free(rg);
    steady_graph_free(g);
    return 0;
}
