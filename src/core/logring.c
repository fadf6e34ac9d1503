/* core/logring.c — log lines from ISOLATED children to the parent, through shared memory.
 *
 * A child's log lines used to travel through a pipe inherited at fork. A daemon-style actor
 * that closes every inherited descriptor and then opens files of its own got steady's log
 * records written into those files (the pipe's number was reused), and the parent heard
 * nothing. Descriptors are the user's to close; the graph's shared memory is not. So each
 * ISOLATED troupe has a byte ring here, in the graph's shared memory, and the zygotes one more;
 * the parent's drainer thread reads them all. (This module only moves bytes: it sits below the
 * log, which writes into it, and hands what it drains to a callback.)
 *
 * One process writes a ring at a time (a troupe has at most one process alive, a zygote hands
 * over only when it is dead); that process's threads take a private mutex (log.c). A record is
 * a steady__log_record header and the line, never split: a writer that finds too little room
 * drops the line and counts it, so an actor never blocks on logging. A writer killed in the
 * middle of a record never advanced `tail`: the next process finds the ring consistent.
 *
 * Wake-up, a futex in shared memory (futex words work across processes):
 *   writer: copy the record; tail = new (release); bell += 1 (seq_cst);
 *           if sleeping (seq_cst): futex_wake(bell)
 *   drainer: seen = bell (acquire); drain every ring; sleeping = 1 (seq_cst);
 *            if bell == seen: futex_wait(bell, seen); sleeping = 0
 * The seq_cst pair (bell, sleeping) is a Dekker pair: either the drainer sees the bump before it
 * sleeps, or the writer sees `sleeping` and wakes it.
 */
#include "core/internal.h"

#include <stdio.h>
#include <string.h>

#include "platform/futex.h"

/* The record a writer puts in a ring: this header, then the line, never split. */
struct steady__log_record {
    uint16_t len; /* bytes of line that follow */
    uint8_t level;
};

#define RING_BYTES (64u * 1024u)

struct steady__logring {
    alignas(STEADY_CACHE_LINE) _Atomic uint64_t tail; /* bytes written (the writing process) */
    _Atomic uint64_t dropped;                         /* lines that did not fit */
    alignas(STEADY_CACHE_LINE) _Atomic uint64_t head; /* bytes drained (the parent) */
    uint64_t dropped_seen;                            /* the parent's count of reported drops */
    unsigned char buf[RING_BYTES];
};

struct steady__logrings {
    alignas(STEADY_CACHE_LINE) _Atomic uint32_t bell;
    _Atomic uint32_t sleeping;
    _Atomic uint32_t stop; /* the drainer leaves */
    size_t n;
    struct steady__logring ring[];
};

struct steady__logrings *steady__logrings_new(struct steady__shm *m, size_t n)
{
    struct steady__logrings *r =
        steady__shm_alloc(m, sizeof *r + n * sizeof r->ring[0], STEADY_CACHE_LINE);
    if (r)
        r->n = n;
    return r;
}

/* ---- the writer (a child or a zygote) ---- */

static void copy_in(struct steady__logring *g, uint64_t at, const void *src, size_t n)
{
    size_t off = (size_t)(at % RING_BYTES), first = RING_BYTES - off < n ? RING_BYTES - off : n;
    memcpy(g->buf + off, src, first);
    memcpy(g->buf, (const unsigned char *)src + first, n - first);
}

void steady__logring_write(struct steady__logrings *r, size_t slot, steady_log_level level,
                           const char *line, size_t len)
{
    struct steady__logring *g = &r->ring[slot];
    struct steady__log_record h = {(uint16_t)len, (uint8_t)level};
    uint64_t tail = atomic_load_explicit(&g->tail, memory_order_relaxed);
    /* acquire: pairs with the drainer's release of head; the bytes it read are free. */
    uint64_t head = atomic_load_explicit(&g->head, memory_order_acquire);
    if (RING_BYTES - (tail - head) < sizeof h + len) {
        atomic_fetch_add_explicit(&g->dropped, 1, memory_order_relaxed);
        return;
    }
    copy_in(g, tail, &h, sizeof h);
    copy_in(g, tail + sizeof h, line, len);
    /* release: pairs with the drainer's acquire load of tail; the record is whole before. */
    atomic_store_explicit(&g->tail, tail + sizeof h + len, memory_order_release);
    atomic_fetch_add_explicit(&r->bell, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&r->sleeping, memory_order_seq_cst))
        steady__futex_wake(&r->bell, 1, true);
}

/* ---- the drainer (main's process) ---- */

static void copy_out(const struct steady__logring *g, uint64_t at, void *dst, size_t n)
{
    size_t off = (size_t)(at % RING_BYTES), first = RING_BYTES - off < n ? RING_BYTES - off : n;
    memcpy(dst, g->buf + off, first);
    memcpy((unsigned char *)dst + first, g->buf, n - first);
}

uint64_t steady__logring_drain(struct steady__logrings *r, size_t slot, steady__logring_emit emit)
{
    struct steady__logring *g = &r->ring[slot];
    uint64_t head = atomic_load_explicit(&g->head, memory_order_relaxed);
    /* acquire: pairs with the writer's release of tail. */
    uint64_t tail = atomic_load_explicit(&g->tail, memory_order_acquire);
    char line[1024];
    while (tail - head >= sizeof(struct steady__log_record)) {
        struct steady__log_record h;
        copy_out(g, head, &h, sizeof h);
        size_t len = h.len < sizeof line ? h.len : sizeof line;
        copy_out(g, head + sizeof h, line, len);
        head += sizeof h + h.len;
        emit((steady_log_level)h.level, line, len);
    }
    /* release: pairs with the writer's acquire load of head. */
    atomic_store_explicit(&g->head, head, memory_order_release);
    uint64_t dropped = atomic_load_explicit(&g->dropped, memory_order_relaxed),
             newly = dropped - g->dropped_seen;
    g->dropped_seen = dropped;
    return newly;
}

uint32_t steady__logrings_seen(struct steady__logrings *r)
{
    /* acquire: pairs with the writers' bumps; every tail released before them is visible. */
    return atomic_load_explicit(&r->bell, memory_order_acquire);
}

void steady__logrings_sleep(struct steady__logrings *r, uint32_t seen)
{
    atomic_store_explicit(&r->sleeping, 1, memory_order_seq_cst);
    /* seq_cst: the drainer's half of the Dekker pair with the writer's bump and its load of
     * sleeping. */
    if (atomic_load_explicit(&r->bell, memory_order_seq_cst) == seen &&
        /* acquire: pairs with the release store in steady__logrings_stop. */
        !atomic_load_explicit(&r->stop, memory_order_acquire))
        steady__futex_wait_for(&r->bell, seen, UINT64_MAX, true);
    atomic_store_explicit(&r->sleeping, 0, memory_order_relaxed);
}

bool steady__logrings_stopping(struct steady__logrings *r)
{
    /* acquire: pairs with the release store in steady__logrings_stop. */
    return atomic_load_explicit(&r->stop, memory_order_acquire) != 0;
}

void steady__logrings_stop(struct steady__logrings *r)
{
    /* release: the drainer's acquire load sees it after its last drain. */
    atomic_store_explicit(&r->stop, 1, memory_order_release);
    atomic_fetch_add_explicit(&r->bell, 1, memory_order_seq_cst);
    steady__futex_wake(&r->bell, 1, true);
}
