/* core/shm.c — the graph's shared memory.
 *
 * Everything a graph's actors and main read and write while the graph runs — the graph
 * record, channel records (with both ends' handles), rings, actor and troupe records (with
 * their doorbells), state blocks, restart histories — is carved from MAP_SHARED anonymous
 * chunks made while the graph is built. A process forked after building (the zygote of the
 * ISOLATED placement, and its children) therefore shares them at the same addresses, with no
 * relocation and no pointer fix-ups; inside one process they are ordinary memory.
 *
 * Small objects share 1 MiB chunks (bump allocation, never freed one by one: a graph's records
 * live as long as the graph); an allocation of 256 KiB or more (a big ring) gets a chunk of its
 * own. Fresh mappings are zero-filled. The chunk list itself is private to the process that
 * built the graph: only it unmaps. The records are not given to the allocation hook
 * (steady/alloc.h): no allocator can hand out memory another process shares.
 *
 * Thread-safety: allocation happens on main while building; nothing here is called concurrently.
 */
#include "core/internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define CHUNK (1u << 20)
#define BIG (256u << 10)

struct steady__shm_chunk {
    struct steady__shm_chunk *next;
    unsigned char *base;
    size_t size, used;
};

struct steady__shm {
    struct steady__shm_chunk *chunks; /* newest first; chunks->used grows */
    size_t mapped;                    /* bytes mapped, for tests and diagnostics */
    size_t requested;                 /* bytes asked for */
    int last_errno;                   /* why the last allocation failed */
    size_t last_size;                 /* ... and how large a mapping it asked for */
};

/* White-box knob for tests: the next n allocations fail as if mmap had. */
_Atomic int steady__shm_fail_next;

static size_t page_round(size_t n)
{
    size_t page = 4096;
    return (n + page - 1) / page * page;
}

static struct steady__shm_chunk *map_chunk(struct steady__shm *m, size_t size)
{
    size = page_round(size);
    m->last_size = size;
    m->last_errno = ENOMEM;
    int fail = atomic_load_explicit(&steady__shm_fail_next, memory_order_relaxed);
    if (fail > 0) {
        atomic_store_explicit(&steady__shm_fail_next, fail - 1, memory_order_relaxed);
        return NULL;
    }
    struct steady__shm_chunk *c = steady__alloc(sizeof *c);
    if (!c)
        return NULL;
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        m->last_errno = errno;
        steady__free(c);
        return NULL;
    }
    *c = (struct steady__shm_chunk){m->chunks, p, size, 0};
    m->chunks = c;
    m->mapped += size;
    return c;
}

struct steady__shm *steady__shm_new(void)
{
    return steady__alloc(sizeof(struct steady__shm));
}

void *steady__shm_alloc(struct steady__shm *m, size_t size, size_t align)
{
    if (align < sizeof(void *))
        align = sizeof(void *);
    if (size == 0)
        size = 1;
    if (size >= BIG) {
        /* A chunk of its own, pushed behind the current small-object chunk. */
        struct steady__shm_chunk *keep = m->chunks;
        struct steady__shm_chunk *c = map_chunk(m, size);
        if (!c)
            return NULL;
        if (keep) {
            m->chunks = keep;
            c->next = keep->next;
            keep->next = c;
        }
        c->used = c->size;
        m->requested += size;
        return c->base;
    }
    struct steady__shm_chunk *c = m->chunks;
    size_t at = c ? (c->used + align - 1) / align * align : 0;
    if (!c || c->used == c->size || at + size > c->size) {
        if (!(c = map_chunk(m, CHUNK)))
            return NULL;
        at = 0;
    }
    c->used = at + size;
    m->requested += size;
    return c->base + at;
}

size_t steady__shm_mapped(const struct steady__shm *m)
{
    return m->mapped;
}

void steady__shm_free(struct steady__shm *m)
{
    if (!m)
        return;
    for (struct steady__shm_chunk *c = m->chunks, *n; c; c = n) {
        n = c->next;
        munmap(c->base, c->size);
        steady__free(c);
    }
    steady__free(m);
}

/* ---- why a mapping failed ---- */

long steady__max_map_count(void)
{
    FILE *f = fopen("/proc/sys/vm/max_map_count", "r");
    long v = -1;
    if (f && fscanf(f, "%ld", &v) != 1)
        v = -1;
    if (f)
        fclose(f);
    return v;
}

long steady__mappings(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return -1;
    long n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

void steady__shm_why(const struct steady__shm *m, char *buf, size_t cap)
{
    long now = steady__mappings(), max = steady__max_map_count();
    if (m->last_errno == ENOMEM && max > 0 && now >= max - 16)
        snprintf(buf, cap,
                 "the process has %ld memory mappings, the limit vm.max_map_count (%ld): raise "
                 "it (sysctl -w vm.max_map_count=%ld) or make fewer, larger channels",
                 now, max, max * 4);
    else
        snprintf(buf, cap, "a %zu KiB shared mapping failed: %s", m->last_size >> 10,
                 strerror(m->last_errno));
}
