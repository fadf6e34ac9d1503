/* core/ipc.c — channels between processes: a ring in a named mapping (steady/ipc.h).
 *
 * The mapping (/dev/shm/NAME): page 0 holds a header (what the ring is, checked by every side
 * that attaches) and two doorbells, bell[TX] rung to wake the producer's side and bell[RX] the
 * consumer's; the steady_ring starts at page 1 and its slots follow it. Nothing in it is a
 * pointer. A new mapping is written under a hidden temporary name and then linked to NAME, so
 * a side that opens NAME always finds a whole header; of two sides creating at once, the
 * second link fails and that side opens the first one's.
 *
 * Which process holds an end: an open-file-description lock on byte TX or RX of the file.
 * The kernel drops it when the holder's descriptor goes (its graph is freed, or it dies), so a
 * new process can attach after a SIGKILL without anyone cleaning up.
 *
 * Doorbells: a side's end has peer_bell = the mapping's bell of the other side, so a publish
 * or release that clears the other side's want rings it (steady__tx_wake_peer, unchanged).
 * The troupe whose member holds this side's end parks on its own bell and on the mapping's
 * bell of its side at once (futex_waitv, troupe.c idle), marking both "parked" before its
 * re-check, so a ring costs a futex wake only when that thread really sleeps: the same cost
 * as in-process. (A relay thread forwarding the mapping's bell was measured first: its own
 * wake-ups on every crossed want made the channel 0.55x of an in-process one.) Ring indices
 * and wants are the ordinary ring's, and their pairings hold across processes because both
 * sides register for global expedited membarriers (the parking side's heavy fence then
 * reaches the other process's threads).
 */
#include "core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "platform/futex.h"

#define IPC_DIR "/dev/shm"
#define IPC_MAGIC "steadyIP"
#define IPC_VERSION 1u
#define IPC_PAGE 4096u
#define IPC_NAME_MAX 200
/* The layouts two builds must share: a change in either makes another format. */
#define IPC_LAYOUT ((uint32_t)(sizeof(steady_ring) | (sizeof(struct steady__bell) << 16)))

enum { TX = 0, RX = 1 };

struct ipc_header {
    char magic[8];
    uint32_t version;
    uint32_t layout;
    uint64_t capacity;
    uint64_t slots;
    uint64_t type_id;
    uint64_t bytes; /* the whole mapping */
    uint32_t elem_size;
    _Atomic int32_t pid[2];       /* the last holder of each end: for messages only */
    _Atomic uint64_t attaches[2]; /* attaches of each end ever: restarts show */
    struct steady__bell bell[2];
};

_Static_assert(sizeof(struct ipc_header) <= IPC_PAGE, "the header fits its page");

struct steady__ipc {
    struct ipc_header *map;
    size_t bytes;
    int fd;
    int side; /* TX or RX: the end this process holds */
    uint64_t dev, ino;
    char path[sizeof IPC_DIR + IPC_NAME_MAX + 2];
    steady_channel *ch;
};

static steady_ring *ring_of(const struct ipc_header *m)
{
    return (steady_ring *)(void *)((unsigned char *)m + IPC_PAGE);
}

static const char *side_name(int side)
{
    return side == TX ? "sending" : "receiving";
}

/* ---- names ---- */

bool steady_ipc_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    bool ok = n >= 2 && n <= IPC_NAME_MAX + 1 && name[0] == '/' && strcmp(name, "/.") != 0 &&
              strcmp(name, "/..") != 0;
    for (size_t i = 1; ok && i < n; i++) {
        char c = name[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '.' || c == '_' || c == '-';
    }
    return ok;
}

static steady_err check_name(const char *name, const char *fn)
{
    if (!name)
        return steady__fail(STEADY_EINVAL, "%s: opts.name is NULL; give \"/NAME\"", fn);
    size_t n = strlen(name);
    if (!steady_ipc_name_ok(name))
        return steady__fail(STEADY_EINVAL,
                            "%s: '%.*s%s' is not a channel name; give \"/NAME\": one leading '/', "
                            "then 1 to %d of A-Z a-z 0-9 . _ - (not \".\" or \"..\")",
                            fn, 64, name, n > 64 ? "..." : "", IPC_NAME_MAX);
    return STEADY_OK;
}

/* ---- the mapping ---- */

/* The mapping's size for a ring of `capacity` elements of `elem` bytes; 0 when too large. */
static uint64_t map_bytes(uint64_t capacity, uint32_t elem)
{
    if (capacity == 0 || capacity > (UINT64_C(1) << 40) || elem == 0)
        return 0;
    uint64_t slots = steady__next_pow2(capacity);
    if (slots > (SIZE_MAX / 2 - IPC_PAGE - sizeof(steady_ring)) / elem)
        return 0;
    uint64_t b = IPC_PAGE + sizeof(steady_ring) + slots * elem;
    return (b + IPC_PAGE - 1) / IPC_PAGE * IPC_PAGE;
}

static steady_err sys_fail(const char *fn, const char *what, const char *path)
{
    int err = errno;
    return steady__fail(STEADY_ESYS, "%s: %s %s: %s", fn, what, path, strerror(err));
}

static void init_header(struct ipc_header *m, const steady_ipc_opts *o, uint64_t bytes)
{
    memcpy(m->magic, IPC_MAGIC, sizeof m->magic);
    m->version = IPC_VERSION;
    m->layout = IPC_LAYOUT;
    m->capacity = o->capacity;
    m->slots = steady__next_pow2(o->capacity);
    m->type_id = o->type_id;
    m->bytes = bytes;
    m->elem_size = o->elem_size;
    for (int i = 0; i < 2; i++)
        m->bell[i].shared = true;
    steady_ring *r = ring_of(m);
    r->capacity = o->capacity;
    r->slots = m->slots;
    r->elem_size = o->elem_size;
    /* The latency probe's start (as steady__latency_init): stamp the first publish. */
    atomic_store_explicit(&r->stamp_after, 0, memory_order_relaxed);
    atomic_store_explicit(&r->stamp_taken_after, UINT64_MAX, memory_order_relaxed);
}

/* Makes the mapping under a temporary name and links it to path: the new file's descriptor,
 * -1 when path appeared meanwhile (errno EEXIST: open that one), or -2 (failure recorded). */
static int create_mapping(const char *path, const steady_ipc_opts *o, const char *fn)
{
    uint64_t bytes = map_bytes(o->capacity, o->elem_size);
    char tmp[sizeof IPC_DIR + 64];
    static _Atomic unsigned serial;
    snprintf(tmp, sizeof tmp, IPC_DIR "/.steady-new-%d-%u", (int)getpid(),
             atomic_fetch_add_explicit(&serial, 1, memory_order_relaxed));
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        sys_fail(fn, "cannot create", tmp);
        return -2;
    }
    int err = posix_fallocate(fd, 0, (off_t)bytes); /* ENOSPC now, not SIGBUS at a send */
    void *m = err ? MAP_FAILED : mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        errno = err ? err : errno;
        steady__fail(STEADY_ESYS,
                     "%s: no room for the mapping %s (%llu KiB): %s; free space in " IPC_DIR
                     " or give a smaller capacity",
                     fn, path, (unsigned long long)(bytes >> 10), strerror(errno));
        unlink(tmp);
        close(fd);
        return -2;
    }
    init_header(m, o, bytes);
    munmap(m, bytes);
    int rc = link(tmp, path);
    err = errno;
    unlink(tmp);
    if (rc == 0)
        return fd;
    close(fd);
    errno = err;
    if (err == EEXIST)
        return -1;
    sys_fail(fn, "cannot link the new mapping to", path);
    return -2;
}

/* Opens path into *fd, creating it when there is none. */
static steady_err open_or_create(const char *path, const steady_ipc_opts *o, const char *fn,
                                 int *fd)
{
    for (int tries = 0; tries < 8; tries++) {
        if ((*fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW)) >= 0)
            return STEADY_OK;
        if (errno != ENOENT)
            return sys_fail(fn, "cannot open", path);
        if (o->capacity == 0)
            return steady__fail(STEADY_EINVAL,
                                "%s: there is no channel %s yet, and capacity 0 can only attach "
                                "to one; give the capacity, or start the side that gives it "
                                "first",
                                fn, o->name);
        int made = create_mapping(path, o, fn);
        if (made >= 0) {
            *fd = made;
            return STEADY_OK;
        }
        if (made == -2)
            return STEADY_ESYS; /* recorded by create_mapping */
    }
    return steady__fail(STEADY_ESYS,
                        "%s: %s kept appearing and disappearing; is another program removing it?",
                        fn, path);
}

/* The header of the mapping on fd matches what this side asks for: STEADY_OK, or the failure
 * recorded naming the difference. */
static steady_err check_header(const struct ipc_header *m, uint64_t size, const steady_ipc_opts *o,
                               const char *fn)
{
    const char *nm = o->name;
    if (size < IPC_PAGE || memcmp(m->magic, IPC_MAGIC, sizeof m->magic) != 0)
        return steady__fail(STEADY_EINVAL,
                            "%s: " IPC_DIR "%s is not a steady channel; remove it, or choose "
                            "another name",
                            fn, nm);
    if (m->version != IPC_VERSION || m->layout != IPC_LAYOUT)
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s was made by another steady (format %u, layout %#x; "
                            "this one is %u, %#x); run the same steady on both sides",
                            fn, nm, m->version, m->layout, IPC_VERSION, IPC_LAYOUT);
    if (m->elem_size != o->elem_size)
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s carries elements of %u bytes, not %u; both sides "
                            "must send the same type",
                            fn, nm, m->elem_size, o->elem_size);
    if (o->capacity && m->capacity != o->capacity)
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s has capacity %llu, not %llu; give the same capacity, "
                            "or 0 to take the channel's",
                            fn, nm, (unsigned long long)m->capacity,
                            (unsigned long long)o->capacity);
    if (o->type_id && m->type_id && o->type_id != m->type_id)
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s carries type %#llx, not %#llx; both sides must send "
                            "the same message type",
                            fn, nm, (unsigned long long)m->type_id, (unsigned long long)o->type_id);
    uint64_t want = map_bytes(m->capacity, m->elem_size);
    if (!want || m->slots != steady__next_pow2(m->capacity) || m->bytes != want || size != want ||
        ring_of(m)->slots != m->slots || ring_of(m)->elem_size != m->elem_size ||
        ring_of(m)->capacity != m->capacity)
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s is damaged (its size or ring does not match its "
                            "header); remove it with steady_ipc_remove",
                            fn, nm);
    return STEADY_OK;
}

/* The file on fd is ours to use: a regular file of this user. */
static steady_err check_file(int fd, const char *name, const char *fn, struct stat *st)
{
    if (fstat(fd, st) != 0)
        return sys_fail(fn, "cannot stat", name);
    if (!S_ISREG(st->st_mode))
        return steady__fail(STEADY_EINVAL,
                            "%s: " IPC_DIR "%s is not a regular file; choose another name", fn,
                            name);
    if (st->st_uid != geteuid())
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s belongs to uid %u, not to this user (uid %u); run "
                            "both sides as one user, or choose another name",
                            fn, name, (unsigned)st->st_uid, (unsigned)geteuid());
    return STEADY_OK;
}

/* ---- the end's lock ---- */

/* Takes the lock of `side`: STEADY_OK, or STEADY_EEXIST naming the holder. */
static steady_err lock_side(struct steady__ipc *p, const char *name, const char *fn)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = p->side, .l_len = 1};
    if (fcntl(p->fd, F_OFD_SETLK, &fl) == 0)
        return STEADY_OK;
    if (errno != EAGAIN && errno != EACCES)
        return sys_fail(fn, "cannot lock an end of", name);
    /* relaxed: a message only; the holder wrote it after taking the lock. */
    int pid = atomic_load_explicit(&p->map->pid[p->side], memory_order_relaxed);
    return steady__fail(STEADY_EEXIST,
                        "%s: the %s end of channel %s is held by another process (pid %d); stop "
                        "it first, or choose another name",
                        fn, side_name(p->side), name, pid);
}

static bool held(int fd, int side)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = side, .l_len = 1};
    return fcntl(fd, F_OFD_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
}

/* ---- attach ---- */

static void detach(struct steady__ipc *p)
{
    if (p->map)
        munmap(p->map, p->bytes);
    if (p->fd >= 0)
        close(p->fd);
    steady__free(p);
}

/* Opens, checks, maps and locks the channel for `side`. */
static steady_err open_end(struct steady__ipc *p, const steady_ipc_opts *o, const char *fn)
{
    snprintf(p->path, sizeof p->path, IPC_DIR "%s", o->name);
    steady_err e = open_or_create(p->path, o, fn, &p->fd);
    if (e != STEADY_OK)
        return e;
    struct stat st;
    e = check_file(p->fd, o->name, fn, &st);
    if (e != STEADY_OK)
        return e;
    p->dev = (uint64_t)st.st_dev;
    p->ino = (uint64_t)st.st_ino;
    if (st.st_size < (off_t)IPC_PAGE)
        return check_header(&(struct ipc_header){0}, 0, o, fn);
    p->bytes = (size_t)st.st_size;
    void *m = mmap(NULL, p->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, p->fd, 0);
    if (m == MAP_FAILED)
        return sys_fail(fn, "cannot map", p->path);
    p->map = m;
    if ((e = check_header(p->map, (uint64_t)st.st_size, o, fn)) != STEADY_OK)
        return e;
    return lock_side(p, o->name, fn);
}

/* The indices of this side's end start where the ring stands (a re-attach continues). */
static void position_ends(steady_channel *ch)
{
    steady_ring *r = ch->ring;
    /* acquire: pairs with the release stores of head and tail by earlier holders of the ends
     * (steady__rx_release_ring, steady__tx_publish_ring), in either process. */
    uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
    ch->tx.tail = tail;
    ch->tx.limit = head + r->capacity;
    ch->rx.head = head;
    ch->rx.tail_cache = tail;
}

static steady_err attach(steady_graph *g, const steady_ipc_opts *o, int side, steady_tx **tx,
                         steady_rx **rx, const char *fn)
{
    steady_err e;
    if (!g || !o || !(side == TX ? (void *)tx : (void *)rx))
        return steady__fail(STEADY_EINVAL, "%s: graph, opts and the end must not be NULL", fn);
    if ((e = check_name(o->name, fn)) != STEADY_OK)
        return e;
    if (o->elem_size == 0 || (o->capacity && !map_bytes(o->capacity, o->elem_size)))
        return steady__fail(STEADY_EINVAL,
                            "%s: channel %s: %s; give sizeof(your message type) and a capacity "
                            "of at most 2^40 that fits in memory",
                            fn, o->name,
                            o->elem_size ? "the capacity is too large" : "element size 0");
    /* acquire: pairs with the release stores of state (graph.c start, notify.c request, stop.c). */
    if (atomic_load_explicit(&g->state, memory_order_acquire) != STEADY_GRAPH_BUILDING)
        return steady__fail(STEADY_ESTATE, "%s: channel %s: attach before steady_graph_start()", fn,
                            o->name);
    if (!steady__membarrier_global_init())
        return steady__fail(STEADY_ESYS,
                            "%s: channel %s: channels between processes need membarrier(2) "
                            "global expedited barriers (Linux 4.16 or later, not blocked by "
                            "seccomp)",
                            fn, o->name);
    struct steady__ipc *p = steady__alloc(sizeof *p);
    if (!p)
        return steady__fail(STEADY_ENOMEM, "%s: channel %s: out of memory", fn, o->name);
    memset(p, 0, sizeof *p);
    p->fd = -1;
    p->side = side;
    if ((e = open_end(p, o, fn)) != STEADY_OK) {
        detach(p);
        return e;
    }
    steady_ring *r = ring_of(p->map);
    /* acquire: pairs with the release store in steady_tx_close (in the closing process). */
    if (side == TX && atomic_load_explicit(&r->tx_closed, memory_order_acquire)) {
        detach(p);
        return steady__fail(STEADY_ECLOSED,
                            "%s: the stream on channel %s was closed by its producer; remove it "
                            "with steady_ipc_remove() once its consumer is done, then start a "
                            "new one",
                            fn, o->name);
    }
    /* A want left by a process that died parked: nobody waits for it now. relaxed: the other
     * side clears wants with a compare-exchange, which a plain 0 cannot confuse. */
    atomic_store_explicit(side == TX ? &r->tx_want : &r->rx_want, 0, memory_order_relaxed);
    atomic_store_explicit(&p->map->bell[side].sleeping, STEADY__AWAKE, memory_order_relaxed);
    /* Only this process rings the other side's bell: its wakes count in this graph's
     * steady_graph_futex_wakes, as a wake of a thread of its own would. */
    p->map->bell[1 - side].wake_counter = &g->futex_wakes;
    char label[sizeof "shm:" + IPC_NAME_MAX + 1];
    snprintf(label, sizeof label, "shm:%s", o->name);
    steady_tx *t = NULL;
    steady_rx *x = NULL;
    steady_channel_opts co = {.name = label, .capacity = r->capacity, .elem_size = r->elem_size};
    if ((e = steady__channel_new_at(g, &co, r, &t, &x)) != STEADY_OK) {
        detach(p);
        return e;
    }
    steady_channel *ch = t->channel;
    ch->ipc = p;
    p->ch = ch;
    position_ends(ch);
    ch->tx.peer_bell = &p->map->bell[RX];
    ch->rx.peer_bell = &p->map->bell[TX];
    /* relaxed: informational (messages, telemetry); the lock is what holds the end. */
    atomic_store_explicit(&p->map->pid[side], (int32_t)getpid(), memory_order_relaxed);
    atomic_fetch_add_explicit(&p->map->attaches[side], 1, memory_order_relaxed);
    STEADY_DEBUG("channel %s: %s end attached at %llu sent, %llu taken", o->name, side_name(side),
                 (unsigned long long)ch->tx.tail, (unsigned long long)ch->rx.head);
    if (side == TX)
        *tx = t;
    else
        *rx = x;
    return STEADY_OK;
}

steady_err steady_ipc_tx_attach(steady_graph *g, const steady_ipc_opts *opts, steady_tx **tx)
{
    return attach(g, opts, TX, tx, NULL, "steady_ipc_tx_attach");
}

steady_err steady_ipc_rx_attach(steady_graph *g, const steady_ipc_opts *opts, steady_rx **rx)
{
    return attach(g, opts, RX, NULL, rx, "steady_ipc_rx_attach");
}

bool steady_ipc_peer_attached(const steady_channel *ch)
{
    if (!ch || !ch->ipc) {
        steady__fail(STEADY_EINVAL, "steady_ipc_peer_attached: %s",
                     ch ? "that channel is not between processes (steady_ipc_*_attach)"
                        : "the channel is NULL");
        return false;
    }
    return held(ch->ipc->fd, 1 - ch->ipc->side);
}

int steady__ipc_side(const steady_channel *ch)
{
    return ch->ipc ? ch->ipc->side : -1;
}

/* ---- doorbells ---- */

steady_err steady__ipc_wire(steady_graph *g)
{
    for (steady_troupe *t = g->troupes; t; t = t->next) { /* a start tried again starts over */
        steady__free(t->ipc_bells);
        steady__free(t->ipc_seen);
        t->ipc_bells = NULL;
        t->ipc_seen = NULL;
        t->n_ipc_bells = 0;
    }
    for (steady_channel *ch = g->channels; ch; ch = ch->next) {
        struct steady__ipc *p = ch->ipc;
        steady_actor *a = p ? (p->side == TX ? ch->tx_owner : ch->rx_owner) : NULL;
        if (!a)
            continue;
        steady_troupe *t = a->troupe;
        unsigned n = t->n_ipc_bells;
        struct steady__bell **b = steady__alloc((n + 1) * sizeof *b);
        uint32_t *seen = steady__alloc((n + 1) * sizeof *seen);
        if (!b || !seen) {
            steady__free(b);
            steady__free(seen);
            return steady__fail(STEADY_ENOMEM, "channel %s: out of memory for its doorbell",
                                ch->name);
        }
        if (n)
            memcpy(b, t->ipc_bells, n * sizeof *b);
        b[n] = &p->map->bell[p->side];
        steady__free(t->ipc_bells);
        steady__free(t->ipc_seen);
        t->ipc_bells = b;
        t->ipc_seen = seen;
        t->n_ipc_bells = n + 1;
    }
    return STEADY_OK;
}

/* ---- detach ---- */

/* The stream ended and every element was taken: nobody will need the mapping again. */
static bool finished(const struct steady__ipc *p)
{
    const steady_ring *r = ring_of(p->map);
    /* acquire: pairs with the release store in steady_tx_close, after the last publish. */
    if (!atomic_load_explicit(&r->tx_closed, memory_order_acquire))
        return false;
    /* relaxed: both final (the close above ordered tail; head is read as a snapshot). */
    return atomic_load_explicit(&r->head, memory_order_relaxed) ==
           atomic_load_explicit(&r->tail, memory_order_relaxed);
}

void steady__ipc_free(steady_channel *ch)
{
    struct steady__ipc *p = ch->ipc;
    if (!p)
        return;
    struct stat st;
    /* Remove only the file this side mapped: a new stream may have taken the name since. */
    if (finished(p) && stat(p->path, &st) == 0 && (uint64_t)st.st_dev == p->dev &&
        (uint64_t)st.st_ino == p->ino)
        unlink(p->path);
    ch->ipc = NULL;
    detach(p);
}

/* ---- remove ---- */

steady_err steady_ipc_remove(const char *name)
{
    const char *fn = "steady_ipc_remove";
    steady_err e = check_name(name, fn);
    if (e != STEADY_OK)
        return e;
    char path[sizeof IPC_DIR + IPC_NAME_MAX + 2];
    snprintf(path, sizeof path, IPC_DIR "%s", name);
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return sys_fail(fn, "cannot open", path);
    struct stat st;
    char magic[sizeof IPC_MAGIC - 1] = {0};
    if ((e = check_file(fd, name, fn, &st)) == STEADY_OK &&
        (pread(fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic ||
         memcmp(magic, IPC_MAGIC, sizeof magic) != 0))
        e = steady__fail(STEADY_EINVAL, "%s: %s is not a steady channel; it was left alone", fn,
                         path);
    if (e == STEADY_OK && (held(fd, TX) || held(fd, RX)))
        e = steady__fail(STEADY_EEXIST,
                         "%s: channel %s is in use (a process holds its %s end); stop it first", fn,
                         name, held(fd, TX) ? "sending" : "receiving");
    if (e == STEADY_OK && unlink(path) != 0)
        e = sys_fail(fn, "cannot remove", path);
    close(fd);
    return e;
}
