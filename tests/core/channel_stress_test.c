/*
 * channel_stress_test.c: two plain threads move a long run of sequence numbers through one
 * capacity-1000 channel; the consumer checks strict order and the count.
 *
 * Three variants exercise the three ways in and out: single elements, copying slices of
 * random sizes (mixed with single elements and peek-then-take), and zero-copy spans.
 *
 * Count: 10^8 per variant, 10^6 under a sanitizer (ASan/TSan are 5-50x slower), or
 * STEADY_STRESS_COUNT from the environment. The graph is never started: both ends belong to
 * no actor, so the two test threads (no current actor) use them directly, one end each.
 * Worker threads never call cmocka asserts (they longjmp); they record what they saw and the
 * main thread asserts after joining.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "steady/steady.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define STRESS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define STRESS_SANITIZED 1
#endif
#endif
#ifndef STRESS_SANITIZED
#define STRESS_SANITIZED 0
#endif

#define STRESS_CAPACITY 1000
#define STRESS_MAX_BATCH 1500 /* larger than the capacity: slices are clamped too */

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

static uint64_t stress_count(void)
{
    const char *env = getenv("STEADY_STRESS_COUNT");
    if (env && *env)
        return strtoull(env, NULL, 10);
    return STRESS_SANITIZED ? UINT64_C(1000000) : UINT64_C(100000000);
}

/* A short busy wait, then a yield: two spinning threads on two cores stay fast, and a
 * descheduled peer (a busy machine) is not starved. */
static void backoff(unsigned *spins)
{
    if (++*spins < 64) {
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    } else {
        *spins = 0;
        sched_yield();
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(0x2545F4914F6CDD1D);
}

static size_t rand_batch(uint64_t *s)
{
    return (size_t)(next_rand(s) % STRESS_MAX_BATCH) + 1;
}

typedef struct run {
    u64ch_tx tx;
    u64ch_rx rx;
    uint64_t n;
    _Atomic int abort; /* the consumer gave up: the producer must not wait for room forever */
    /* The consumer's findings, read by main after the join. */
    uint64_t received;
    uint64_t first_bad_index, first_bad_value;
    bool out_of_order;
} run;

/* Records a wrong value and stops both sides. Consumer thread. */
static bool bad(run *r, uint64_t index, uint64_t value)
{
    r->out_of_order = true;
    r->first_bad_index = index;
    r->first_bad_value = value;
    /* relaxed: abort is only a hint to stop; the results are read after pthread_join. */
    atomic_store_explicit(&r->abort, 1, memory_order_relaxed);
    return false;
}

static bool aborted(run *r)
{
    return atomic_load_explicit(&r->abort, memory_order_relaxed) != 0;
}

/* ---- variant 1: single elements ----------------------------------------------------------- */

static void *single_producer(void *arg)
{
    run *r = arg;
    unsigned spins = 0;
    for (uint64_t i = 0; i < r->n && !aborted(r);) {
        if (u64ch_tx_try_send(r->tx, i) == STEADY_OK)
            i++;
        else
            backoff(&spins);
    }
    return NULL;
}

static void *single_consumer(void *arg)
{
    run *r = arg;
    unsigned spins = 0;
    uint64_t expect = 0;
    while (expect < r->n) {
        uint64_t v;
        if (u64ch_rx_try_take(r->rx, &v) != STEADY_OK) {
            backoff(&spins);
            continue;
        }
        if (v != expect && !bad(r, expect, v))
            break;
        expect++;
    }
    r->received = expect;
    return NULL;
}

/* ---- variant 2: copying slices of random sizes, mixed with single elements ---------------- */

static void *slice_producer(void *arg)
{
    run *r = arg;
    static _Thread_local uint64_t buf[STRESS_MAX_BATCH];
    uint64_t seed = 0x243F6A8885A308D3u, next = 0;
    unsigned spins = 0;
    while (next < r->n && !aborted(r)) {
        uint64_t op = next_rand(&seed) % 4;
        size_t want = rand_batch(&seed), sent;
        if (want > r->n - next)
            want = (size_t)(r->n - next);
        if (op == 0) { /* one element */
            sent = u64ch_tx_try_send(r->tx, next) == STEADY_OK;
        } else {
            for (size_t i = 0; i < want; i++)
                buf[i] = next + i;
            sent = u64ch_tx_send_slice(r->tx, buf, want);
        }
        next += sent;
        if (sent == 0)
            backoff(&spins);
    }
    return NULL;
}

static bool check_run(run *r, const uint64_t *got, size_t k, uint64_t expect)
{
    for (size_t i = 0; i < k; i++)
        if (got[i] != expect + i)
            return bad(r, expect + i, got[i]);
    return true;
}

static void *slice_consumer(void *arg)
{
    run *r = arg;
    static _Thread_local uint64_t buf[STRESS_MAX_BATCH], again[STRESS_MAX_BATCH];
    uint64_t seed = 0x13198A2E03707344u, expect = 0;
    unsigned spins = 0;
    while (expect < r->n) {
        uint64_t op = next_rand(&seed) % 4;
        size_t want = rand_batch(&seed), got;
        if (op == 0) { /* one element */
            got = u64ch_rx_try_take(r->rx, buf) == STEADY_OK;
        } else if (op == 1) { /* look, then take what was looked at */
            got = u64ch_rx_peek_slice_copy(r->rx, buf, want);
            if (got && (u64ch_rx_take_slice(r->rx, again, got) != got ||
                        !check_run(r, again, got, expect))) {
                bad(r, expect, again[0]);
                break;
            }
        } else {
            got = u64ch_rx_take_slice(r->rx, buf, want);
        }
        if (got && !check_run(r, buf, got, expect))
            break;
        expect += got;
        if (got == 0)
            backoff(&spins);
    }
    r->received = expect;
    return NULL;
}

/* ---- variant 3: zero-copy spans ----------------------------------------------------------- */

static void *span_producer(void *arg)
{
    run *r = arg;
    uint64_t seed = 0xA4093822299F31D0u, next = 0;
    unsigned spins = 0;
    while (next < r->n && !aborted(r)) {
        u64ch_span w = u64ch_tx_poke_slice(r->tx);
        size_t k = rand_batch(&seed);
        if (k > w.a_len + w.b_len)
            k = w.a_len + w.b_len;
        if (k > r->n - next)
            k = (size_t)(r->n - next);
        if (k == 0) {
            backoff(&spins);
            continue;
        }
        for (size_t i = 0; i < k; i++)
            *(i < w.a_len ? &w.a[i] : &w.b[i - w.a_len]) = next + i;
        /* Exactly what was written: the room may have grown since the span was taken, and
         * advance_send commits min(n, room now). */
        next += u64ch_tx_advance_send(r->tx, k);
    }
    return NULL;
}

static void *span_consumer(void *arg)
{
    run *r = arg;
    uint64_t seed = 0x082EFA98EC4E6C89u, expect = 0;
    unsigned spins = 0;
    while (expect < r->n) {
        u64ch_span s = u64ch_rx_peek_slice(r->rx);
        size_t avail = s.a_len + s.b_len;
        if (avail == 0) {
            backoff(&spins);
            continue;
        }
        size_t k = rand_batch(&seed);
        if (k > avail)
            k = avail;
        if (!check_run(r, s.a, k < s.a_len ? k : s.a_len, expect))
            break;
        if (k > s.a_len && !check_run(r, s.b, k - s.a_len, expect + s.a_len))
            break;
        /* Exactly what was checked: more may have arrived since the span was taken. */
        expect += u64ch_rx_advance_take(r->rx, k);
    }
    r->received = expect;
    return NULL;
}

/* ---- variant 4: close right after the last send ------------------------------------------- */

/* The producer sends a few elements on each of a batch of channels and closes each at once;
 * the consumer takes from each until CLOSED. A take that sees the close must have seen every
 * element published before it, so the counts match exactly. The consumer is usually polling
 * the channel the producer is finishing, which is when the close races the last publish. */
#define CLOSE_BATCH 1000
#define CLOSE_CAPACITY 4

typedef struct close_batch {
    u64ch_tx tx[CLOSE_BATCH];
    u64ch_rx rx[CLOSE_BATCH];
    uint64_t seed;
    _Atomic int abort;
    /* the consumer's findings, read by main after the join */
    uint64_t lost_channel, lost_expected, lost_taken;
    bool lost, disordered;
} close_batch;

static void *close_producer(void *arg)
{
    close_batch *b = arg;
    uint64_t seed = b->seed;
    for (size_t i = 0; i < CLOSE_BATCH; i++) {
        uint64_t n = next_rand(&seed) % (2 * CLOSE_CAPACITY) + 1;
        unsigned spins = 0;
        for (uint64_t v = 0; v < n && !atomic_load_explicit(&b->abort, memory_order_relaxed);) {
            if (u64ch_tx_try_send(b->tx[i], v) == STEADY_OK)
                v++;
            else
                backoff(&spins);
        }
        u64ch_tx_close(b->tx[i]);
    }
    return NULL;
}

static void *close_consumer(void *arg)
{
    close_batch *b = arg;
    uint64_t seed = b->seed;
    for (size_t i = 0; i < CLOSE_BATCH; i++) {
        uint64_t expect = next_rand(&seed) % (2 * CLOSE_CAPACITY) + 1, taken = 0, v = 0;
        unsigned spins = 0;
        steady_err e;
        while ((e = u64ch_rx_try_take(b->rx[i], &v)) != STEADY_ECLOSED) {
            if (e != STEADY_OK) {
                backoff(&spins);
                continue;
            }
            b->disordered |= v != taken;
            taken++;
        }
        if (taken != expect || !u64ch_rx_is_closed_and_empty(b->rx[i])) {
            b->lost = true;
            b->lost_channel = i;
            b->lost_expected = expect;
            b->lost_taken = taken;
            atomic_store_explicit(&b->abort, 1, memory_order_relaxed);
            return NULL;
        }
    }
    return NULL;
}

static void close_after_last_send_never_loses_an_element(void **state)
{
    (void)state;
    uint64_t batches = stress_count() / 200000; /* 500 (10^5 channels), 5 when sanitized */
    if (batches == 0)
        batches = 1;
    close_batch *b = calloc(1, sizeof *b);
    assert_non_null(b);
    uint64_t channels = 0;
    double t0 = now_s();

    for (uint64_t round = 0; round < batches && !b->lost && !b->disordered; round++) {
        steady_graph *g = NULL;
        steady_graph_opts go = {.name = "channel_close_race", .no_signal_handlers = true};
        assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
        for (size_t i = 0; i < CLOSE_BATCH; i++)
            assert_int_equal(u64ch_new(g, "closing", CLOSE_CAPACITY, &b->tx[i], &b->rx[i]),
                             STEADY_OK);
        b->seed = 0xB7E151628AED2A6Bu + round;
        pthread_t pt, ct;
        assert_int_equal(pthread_create(&ct, NULL, close_consumer, b), 0);
        assert_int_equal(pthread_create(&pt, NULL, close_producer, b), 0);
        assert_int_equal(pthread_join(pt, NULL), 0);
        assert_int_equal(pthread_join(ct, NULL), 0);
        channels += CLOSE_BATCH;
        steady_graph_free(g);
    }

    print_message("close race: %llu channels in %.2f s\n", (unsigned long long)channels,
                  now_s() - t0);
    if (b->lost)
        print_message("channel %llu of its batch: %llu sent, %llu taken before CLOSED\n",
                      (unsigned long long)b->lost_channel, (unsigned long long)b->lost_expected,
                      (unsigned long long)b->lost_taken);
    assert_false(b->lost);
    assert_false(b->disordered);
    free(b);
}

/* ---- driver ------------------------------------------------------------------------------- */

static void move_sequence(const char *variant, void *(*producer)(void *), void *(*consumer)(void *))
{
    steady_graph *g = NULL;
    steady_graph_opts go = {.name = "channel_stress", .no_signal_handlers = true};
    assert_int_equal(steady_graph_new(&g, &go), STEADY_OK);
    run *r = calloc(1, sizeof *r);
    assert_non_null(r);
    r->n = stress_count();
    assert_int_equal(u64ch_new(g, variant, STRESS_CAPACITY, &r->tx, &r->rx), STEADY_OK);
    pthread_t pt, ct;

    double t0 = now_s();
    assert_int_equal(pthread_create(&ct, NULL, consumer, r), 0);
    assert_int_equal(pthread_create(&pt, NULL, producer, r), 0);
    assert_int_equal(pthread_join(pt, NULL), 0);
    assert_int_equal(pthread_join(ct, NULL), 0);
    double dt = now_s() - t0;

    print_message("%s: %llu elements in %.2f s (%.1f M/s)%s\n", variant,
                  (unsigned long long)r->received, dt, (double)r->received / dt / 1e6,
                  STRESS_SANITIZED ? " [sanitizer build]" : "");
    if (r->out_of_order)
        print_message("%s: at index %llu got %llu\n", variant,
                      (unsigned long long)r->first_bad_index,
                      (unsigned long long)r->first_bad_value);
    assert_false(r->out_of_order);
    assert_int_equal(r->received, r->n);
    const steady_channel *ch = steady_tx_channel(r->tx.raw);
    assert_int_equal(steady_channel_sent_total(ch), r->n);
    assert_int_equal(steady_channel_taken_total(ch), r->n);
    assert_int_equal(u64ch_rx_avail(r->rx), 0);
    free(r);
    steady_graph_free(g);
}

static void single_elements_arrive_in_order_and_complete(void **state)
{
    (void)state;
    move_sequence("single", single_producer, single_consumer);
}

static void random_slices_arrive_in_order_and_complete(void **state)
{
    (void)state;
    move_sequence("slices", slice_producer, slice_consumer);
}

static void zero_copy_spans_arrive_in_order_and_complete(void **state)
{
    (void)state;
    move_sequence("spans", span_producer, span_consumer);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_elements_arrive_in_order_and_complete),
        cmocka_unit_test(random_slices_arrive_in_order_and_complete),
        cmocka_unit_test(zero_copy_spans_arrive_in_order_and_complete),
        cmocka_unit_test(close_after_last_send_never_loses_an_element),
    };
    return cmocka_run_group_tests_name("channel_stress", tests, NULL, NULL);
}
