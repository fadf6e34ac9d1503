/* core/arena.c — per-generation memory and clean-ups of an actor (steady/arena.h).
 *
 * Every block carries a header linking it into its actor's list, so one block can be freed
 * early and the whole list released when the generation ends. Deferred clean-ups are a LIFO
 * list. Only the actor's own thread touches the lists; `bytes` is atomic because
 * steady_arena_bytes may be read from any thread.
 */
#include "core/internal.h"

#include <stdlib.h>
#include <string.h>

/* 32 bytes, allocated 16-byte aligned: keeps the user's block 16-byte aligned. */
struct steady__arena_block {
    struct steady__arena_block *prev, *next;
    size_t size;
    size_t pad;
};
_Static_assert(sizeof(struct steady__arena_block) % 16 == 0, "arena header keeps alignment");

struct steady__defer {
    void (*fn)(void *ctx);
    void *ctx;
    struct steady__defer *next;
};

/* The arena of `a`, after checking that the caller is `a` itself. A misuse otherwise: inside
 * an actor it fails the actor; outside, NULL with the error in *err (when err is not NULL). */
static struct steady__arena *arena_of(steady_actor *a, const char *op, steady_err *err)
{
    steady_actor *self = steady__self;
    if (a && a == self)
        return &a->arena;
    steady_err e;
    if (self)
        e = steady__misuse(a ? STEADY_ENOTOWNER : STEADY_EINVAL,
                           "%s: an arena belongs to its own actor; actor '%s' used %s%s%s (pass "
                           "the steady_actor * your run function was given)",
                           op, self->label, a ? "the arena of '" : "a NULL actor",
                           a ? a->label : "", a ? "'" : "");
    else
        e = steady__fail(STEADY_ENOTOWNER,
                         "%s: called outside an actor; arenas are for actors' own use (allocate "
                         "with malloc on other threads)",
                         op);
    if (err)
        *err = e;
    return NULL;
}

static void link_block(struct steady__arena *ar, struct steady__arena_block *b, size_t size)
{
    b->size = size;
    b->prev = NULL;
    b->next = ar->blocks;
    if (ar->blocks)
        ar->blocks->prev = b;
    ar->blocks = b;
    size_t bytes = atomic_load_explicit(&ar->bytes, memory_order_relaxed);
    atomic_store_explicit(&ar->bytes, bytes + size, memory_order_relaxed);
}

static void unlink_block(struct steady__arena *ar, struct steady__arena_block *b)
{
    if (b->prev)
        b->prev->next = b->next;
    else
        ar->blocks = b->next;
    if (b->next)
        b->next->prev = b->prev;
    size_t bytes = atomic_load_explicit(&ar->bytes, memory_order_relaxed);
    atomic_store_explicit(&ar->bytes, bytes - b->size, memory_order_relaxed);
}

void *steady_arena_alloc(steady_actor *a, size_t size)
{
    struct steady__arena *ar = arena_of(a, "steady_arena_alloc", NULL);
    if (!ar || size == 0 || size > SIZE_MAX - sizeof(struct steady__arena_block))
        return NULL;
    struct steady__arena_block *b = steady__alloc_aligned(sizeof *b + size, 16);
    if (!b)
        return NULL;
    link_block(ar, b, size);
    return b + 1;
}

void *steady_arena_realloc(steady_actor *a, void *p, size_t size)
{
    if (!p)
        return steady_arena_alloc(a, size);
    struct steady__arena *ar = arena_of(a, "steady_arena_realloc", NULL);
    if (!ar || size == 0 || size > SIZE_MAX - sizeof(struct steady__arena_block))
        return NULL;
    /* The allocation hook has no realloc: a new block, a copy, then the old one goes. */
    struct steady__arena_block *b = (struct steady__arena_block *)p - 1;
    struct steady__arena_block *nb = steady__alloc_aligned(sizeof *nb + size, 16);
    if (!nb)
        return NULL;
    memcpy(nb + 1, p, b->size < size ? b->size : size);
    unlink_block(ar, b);
    steady__free(b);
    link_block(ar, nb, size);
    return nb + 1;
}

void steady_arena_free(steady_actor *a, void *p)
{
    struct steady__arena *ar = arena_of(a, "steady_arena_free", NULL);
    if (!ar || !p)
        return;
    struct steady__arena_block *b = (struct steady__arena_block *)p - 1;
    unlink_block(ar, b);
    steady__free(b);
}

steady_err steady_arena_defer(steady_actor *a, void (*fn)(void *ctx), void *ctx)
{
    steady_err e = STEADY_OK;
    struct steady__arena *ar = arena_of(a, "steady_arena_defer", &e);
    if (!ar)
        return e;
    if (!fn)
        return steady__fail(STEADY_EINVAL, "steady_arena_defer: fn must not be NULL");
    struct steady__defer *d = steady__alloc(sizeof *d);
    if (!d)
        return steady__fail(STEADY_ENOMEM, "steady_arena_defer: out of memory");
    *d = (struct steady__defer){fn, ctx, ar->defers};
    ar->defers = d;
    return STEADY_OK;
}

size_t steady_arena_bytes(const steady_actor *a)
{
    if (!a) {
        steady__fail(STEADY_EINVAL, "steady_arena_bytes: the actor is NULL");
        return 0;
    }
    return atomic_load_explicit(&a->arena.bytes, memory_order_relaxed);
}

void steady__arena_release(struct steady__arena *ar)
{
    /* A clean-up may register another one: take the list each round. */
    while (ar->defers) {
        struct steady__defer *d = ar->defers;
        ar->defers = d->next;
        d->fn(d->ctx);
        steady__free(d);
    }
    while (ar->blocks) {
        struct steady__arena_block *b = ar->blocks;
        ar->blocks = b->next;
        steady__free(b);
    }
    atomic_store_explicit(&ar->bytes, 0, memory_order_relaxed);
}
