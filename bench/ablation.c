/* ablation.c — what each choice in the floor ring's layout is worth, measured here.
 *
 * The floor ring (ring.h) rebuilt from one template (ring_variants.h) in four kinds:
 *   base     ring.h as it is: acquire/release, cached opposite index, head and tail padded apart
 *   seqcst   every index load and store seq_cst instead (stores become xchg on x86)
 *   nocache  no cached copy: the producer reads head on every push/poke, the consumer tail on
 *            every pop/peek
 *   nopad    head and tail on one cache line
 * each moved three ways between two threads pinned to cpu0 (producer) and cpu1 (consumer),
 * 64K slots, 8-byte messages 1..n, the consumer's sum checked exactly:
 *   msg      one message per rv_push / rv_pop (ring/msg's path)
 *   b64      zero copy: poke up to 64, write in place, publish; peek up to 64, sum, release
 *            (ring/span64's path)
 *   b4096    the same with up to 4096 (ring/span4096's path)
 * Modes are KIND/WAY, e.g. `ablation seqcst/msg`; the result line's config is ablation/KIND/WAY.
 * Waits are busy spins with pause. Besides the standard fields the result line carries
 * full_per_msg and empty_per_msg (calls that found the ring full / empty, per message),
 * avg_take (messages per successful pop or peek) and, for spans, avg_backlog (tail - head each
 * time the consumer read a tail that had moved: how full the ring ran), which show how the two
 * sides ran.
 *
 * KIND/WAY-1t runs the same calls in ONE thread pinned to cpu0, alternating (push 64 then pop 64;
 * poke/publish a span then peek/release it), so nothing crosses cores and nothing spins: under
 * valgrind callgrind (BENCH_NO_PROBE=1) it counts the code of each kind; run alone, its rate is the
 * code's cost on one core, seq_cst's fences included.
 */
#define _GNU_SOURCE
#include <stdio.h>

#include "bench_common.h"
#include "ring_variants.h"

#define CAP 65536
#define BURST_1T 64 /* messages per push burst in msg-1t */

typedef struct ctx {
    rv_ring *r;
    uint64_t n;
    uint64_t b; /* span length: 1 for msg */
    uint64_t sum;
    uint64_t full;  /* producer calls that found no room */
    uint64_t empty; /* consumer calls that found nothing */
    uint64_t takes; /* consumer calls that took something */
    uint64_t seen;  /* spans: sum of the backlog found at each read of tail that moved */
    uint64_t reads; /* spans: how many such reads */
} ctx;

/* ---- the loops, one body for every kind (k is a constant in each instantiation) ---- */

RV_INLINE void produce_msg(ctx *c, rv_kind k)
{
    rv_tx t = rv_tx_of(c->r);
    uint64_t full = 0;
    for (uint64_t i = 1; i <= c->n; i++)
        while (!rv_push(&t, i, k)) {
            full++;
            bench_relax();
        }
    c->full = full;
}

RV_INLINE void consume_msg(ctx *c, rv_kind k)
{
    rv_rx x = rv_rx_of(c->r);
    uint64_t sum = 0, empty = 0, v;
    for (uint64_t i = 0; i < c->n; i++) {
        while (!rv_pop(&x, &v, k)) {
            empty++;
            bench_relax();
        }
        sum += v;
    }
    c->sum = sum;
    c->empty = empty;
    c->takes = c->n;
}

RV_INLINE void produce_span(ctx *c, rv_kind k)
{
    rv_tx t = rv_tx_of(c->r);
    uint64_t next = 1, full = 0;
    while (next <= c->n) {
        uint64_t left = c->n - next + 1, len;
        uint64_t *s = rv_poke(&t, left < c->b ? left : c->b, &len, k);
        if (len == 0) {
            full++;
            bench_relax();
            continue;
        }
        for (uint64_t j = 0; j < len; j++)
            s[j] = next + j;
        next += len;
        rv_publish(&t, len, k);
    }
    c->full = full;
}

RV_INLINE void consume_span(ctx *c, rv_kind k)
{
    rv_rx x = rv_rx_of(c->r);
    uint64_t got = 0, sum = 0, empty = 0, takes = 0, seen = 0, reads = 0;
    while (got < c->n) {
        uint64_t len, known = x.tail_cache;
        const uint64_t *s = rv_peek(&x, c->b, &len, k);
        if (x.tail_cache != known) { /* it read tail, and tail had moved: the backlog now */
            seen += x.tail_cache - x.head;
            reads++;
        }
        if (len == 0) {
            empty++;
            bench_relax();
            continue;
        }
        for (uint64_t j = 0; j < len; j++)
            sum += s[j];
        rv_release(&x, len, k);
        got += len;
        takes++;
    }
    c->sum = sum;
    c->empty = empty;
    c->takes = takes;
    c->seen = seen;
    c->reads = reads;
}

/* One thread: a burst of pushes then as many pops (b == 1), or one span out and back in. */
RV_INLINE void alternate(ctx *c, rv_kind k)
{
    rv_tx t = rv_tx_of(c->r);
    rv_rx x = rv_rx_of(c->r);
    uint64_t next = 1, sum = 0, v, len;
    while (next <= c->n) {
        uint64_t left = c->n - next + 1;
        if (c->b == 1) {
            uint64_t burst = left < BURST_1T ? left : BURST_1T;
            for (uint64_t j = 0; j < burst; j++)
                if (!rv_push(&t, next++, k))
                    return;
            for (uint64_t j = 0; j < burst; j++) {
                if (!rv_pop(&x, &v, k))
                    return;
                sum += v;
            }
        } else {
            uint64_t *w = rv_poke(&t, left < c->b ? left : c->b, &len, k);
            uint64_t put = len;
            for (uint64_t j = 0; j < put; j++)
                w[j] = next++;
            rv_publish(&t, put, k);
            const uint64_t *s = rv_peek(&x, put, &len, k);
            if (len != put)
                return;
            for (uint64_t j = 0; j < len; j++)
                sum += s[j];
            rv_release(&x, len, k);
        }
        c->takes++;
    }
    c->sum = sum;
}

/* ---- one instantiation per kind ---- */

typedef struct kind_fns {
    const char *name;
    bench_fn produce_msg, consume_msg, produce_span, consume_span, alternate;
} kind_fns;

/* Generated wrappers, one line each (the formatter would spread them over five). */
/* clang-format off */
#define ABLATION_KIND(name, KIND)                                                                  \
    static void name##_produce_msg(void *c) { produce_msg(c, KIND); }                              \
    static void name##_consume_msg(void *c) { consume_msg(c, KIND); }                              \
    static void name##_produce_span(void *c) { produce_span(c, KIND); }                            \
    static void name##_consume_span(void *c) { consume_span(c, KIND); }                            \
    static void name##_alternate(void *c) { alternate(c, KIND); }
#define KIND_FNS(name)                                                                             \
    {#name, name##_produce_msg, name##_consume_msg, name##_produce_span, name##_consume_span,     \
     name##_alternate}
/* clang-format on */

ABLATION_KIND(base, RV_BASE)
ABLATION_KIND(seqcst, RV_SEQCST)
ABLATION_KIND(nocache, RV_NOCACHE)
ABLATION_KIND(nopad, RV_NOPAD)

static const kind_fns kinds[] = {KIND_FNS(base), KIND_FNS(seqcst), KIND_FNS(nocache),
                                 KIND_FNS(nopad)};

/* Modes: kind-major, six ways per kind, in the order of `ways`. Default counts keep each
 * two-thread run at 0.2-0.6 s far, so that `make bench` can afford all twelve every round. */
/* clang-format off */
#define MODES_OF(kind, n_msg)                                                                      \
    {kind "/msg", n_msg},          {kind "/b64", 100000000},       {kind "/b4096", 200000000},    \
    {kind "/msg-1t", 100000000},   {kind "/b64-1t", 400000000},    {kind "/b4096-1t", 1000000000}
/* clang-format on */

static const struct {
    uint64_t b;
    int one_thread;
} ways[] = {{1, 0}, {64, 0}, {4096, 0}, {1, 1}, {64, 1}, {4096, 1}};
#define N_WAYS (sizeof ways / sizeof ways[0])

int main(int argc, char **argv)
{
    static const bench_mode modes[] = {
        MODES_OF("base", 20000000),
        MODES_OF("seqcst", 10000000),
        MODES_OF("nocache", 20000000),
        MODES_OF("nopad", 20000000),
        {NULL, 0},
    };
    _Static_assert(sizeof modes / sizeof modes[0] == 1 + N_WAYS * sizeof kinds / sizeof kinds[0],
                   "a mode per kind and way");
    uint64_t n;
    int m = bench_args(argc, argv, modes, &n);
    const kind_fns *kf = &kinds[(size_t)m / N_WAYS];
    uint64_t b = ways[(size_t)m % N_WAYS].b;
    int one_thread = ways[(size_t)m % N_WAYS].one_thread;
    char config[64];
    snprintf(config, sizeof config, "ablation/%s", modes[m].name);

    ctx c = {.r = rv_new(CAP), .n = n, .b = b};
    bench_result r = {.config = config, .n = n};
    r.probe_before = bench_probe_ns();
    if (one_thread) {
        if (bench_pin(0) != 0)
            fprintf(stderr, "warning: could not pin to cpu0\n");
        uint64_t c0 = bench_cpu_ns(), t0 = bench_now_ns();
        kf->alternate(&c);
        r.wall_ns = bench_now_ns() - t0;
        r.cpu_ns = bench_cpu_ns() - c0;
    } else if (b == 1) {
        bench_run_pair(kf->produce_msg, kf->consume_msg, &c, &r.wall_ns, &r.cpu_ns);
    } else {
        bench_run_pair(kf->produce_span, kf->consume_span, &c, &r.wall_ns, &r.cpu_ns);
    }
    r.probe_after = bench_probe_ns();
    bench_check_sum(config, c.sum, bench_sum_1_to_n(n));
    char extra[200];
    double takes = c.takes ? (double)c.takes : 1.0;
    snprintf(extra, sizeof extra,
             " kind=%s full_per_msg=%.4f empty_per_msg=%.4f avg_take=%.1f avg_backlog=%.1f",
             kf->name, (double)c.full / (double)n, (double)c.empty / (double)n, (double)n / takes,
             c.reads ? (double)c.seen / (double)c.reads : 0.0);
    r.extra = extra;
    bench_print(&r);
    rv_free(c.r);
    return 0;
}
