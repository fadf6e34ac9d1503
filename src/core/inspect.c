/* core/inspect.c — steady/inspect.h: a read-only view of a graph for exporters.
 *
 * Everything read here is either constant after steady_graph_start (names, ids, owners,
 * shapes: the lists are frozen, and the reader's caller ordered itself after the start) or a
 * counter the runtime keeps for itself, read with a relaxed load: no figure is used to
 * synchronise anything, and the actors never learn they are being read. The kernel answers
 * the two questions the runtime does not track (CPU time, last core), per troupe.
 */
#include "core/internal.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- kernel figures, per troupe ---- */

/* The CPU clock of a thread (tid, this process) or a whole process (pid), as glibc builds them
 * for pthread_getcpuclockid / clock_getcpuclockid: from an id, so a thread that has exited
 * (pthread_t no longer valid) gives EINVAL instead of undefined behaviour. */
static clockid_t thread_clock(int tid)
{
    return (clockid_t)((~(unsigned)tid << 3) | 6u); /* CPUCLOCK_PERTHREAD | CPUCLOCK_SCHED */
}

static clockid_t process_clock(int pid)
{
    return (clockid_t)((~(unsigned)pid << 3) | 2u); /* CPUCLOCK_SCHED */
}

static uint64_t clock_ns(clockid_t c)
{
    struct timespec ts;
    if (clock_gettime(c, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Field 39 (processor) of /proc/<pid>/task/<tid>/stat; -1 if unreadable. The command name
 * (field 2) may hold spaces and parentheses, so fields are counted after its last ')'. */
static int last_cpu(int pid, int tid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", pid, tid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return -1;
    buf[n] = '\0';
    char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    /* the space after ")" starts field 3 (state); stop after the one that starts field 39 */
    int field = 2;
    for (p++; *p && field < 39; p++)
        if (*p == ' ')
            field++;
    int cpu = -1;
    return sscanf(p, "%d", &cpu) == 1 ? cpu : -1;
}

/* ---- graph ---- */

static bool graph_given(const steady_graph *g, const char *fn)
{
    if (g)
        return true;
    steady__fail(STEADY_EINVAL, "%s: the graph is NULL", fn);
    return false;
}

steady_err steady_inspect_graph(const steady_graph *g, steady_graph_info *out)
{
    if (!g || !out)
        return steady__fail(STEADY_EINVAL, "steady_inspect_graph: graph and out must not be NULL");
    *out = (steady_graph_info){
        .name = g->name,
        /* acquire: pairs with the release stores of state (graph.c start, notify.c, stop.c). */
        .state = (steady_graph_state)atomic_load_explicit(&g->state, memory_order_acquire),
        .n_actors = g->n_actors,
        .n_troupes = g->n_troupes,
        .n_channels = g->n_channels,
        .pid = (int)getpid(),
        .futex_wakes = atomic_load_explicit(&g->futex_wakes, memory_order_relaxed),
    };
    return STEADY_OK;
}

/* ---- actors ---- */

static steady_actor_phase phase_of(const steady_actor *a)
{
    steady_actor *m = (steady_actor *)a; /* relaxed loads of counters on a const record */
    if (atomic_load_explicit(&m->stopped_for_good, memory_order_relaxed))
        return STEADY_ACTOR_STOPPED_FOR_GOOD;
    if (atomic_load_explicit(&m->exited, memory_order_relaxed))
        return STEADY_ACTOR_ENDED;
    if (!atomic_load_explicit(&m->started, memory_order_relaxed))
        return STEADY_ACTOR_NOT_STARTED;
    if (atomic_load_explicit(&m->sup.pending, memory_order_relaxed))
        return STEADY_ACTOR_RESTARTING;
    if (atomic_load_explicit(&m->voted_yes, memory_order_relaxed))
        return STEADY_ACTOR_VOTED;
    return STEADY_ACTOR_RUNNING;
}

static steady_placement placement_of(const steady_actor *a)
{
    if (a->troupe->isolated)
        return STEADY_PLACEMENT_ISOLATED;
    return a->troupe->solo ? STEADY_PLACEMENT_SOLO : STEADY_PLACEMENT_MEMBER;
}

/* The current run's length: slice_start is a tick count with bit 0 set while running. The
 * tick counter is the same in every process of the machine (TSC), so this holds for ISOLATED
 * actors too. */
static uint64_t running_for(steady_actor *m)
{
    uint64_t start = atomic_load_explicit(&m->slice_start, memory_order_relaxed);
    if (!start)
        return 0;
    uint64_t now = steady__ticks();
    return now > start ? steady__ticks_to_ns(now - start) : 0;
}

/* Busy time charged at the switches, plus the run under way (charged only when it ends). */
static void actor_info(const steady_actor *a, steady_actor_info *o)
{
    steady_actor *m = (steady_actor *)a;
    uint64_t running = running_for(m);
    *o = (steady_actor_info){
        .id = a->id,
        .name = a->name,
        .label = a->label,
        .has_suffix = a->has_suffix,
        .suffix = a->suffix,
        .placement = placement_of(a),
        .troupe = a->troupe->index,
        .regeneration = atomic_load_explicit(&m->regeneration, memory_order_relaxed),
        .failures = atomic_load_explicit(&m->failures, memory_order_relaxed),
        .busy_ns = steady__ticks_to_ns(atomic_load_explicit(&m->busy_ticks, memory_order_relaxed)) +
                   running,
        .wakes = atomic_load_explicit(&m->resumes, memory_order_relaxed),
        .running_for_ns = running,
        .phase = phase_of(a),
        .n_inputs = (uint32_t)a->n_rxs,
        .n_outputs = (uint32_t)a->n_txs,
        .waiting_fds = atomic_load_explicit(&m->fd_waits, memory_order_relaxed),
        .deadline_ns = atomic_load_explicit(&m->wait_deadline, memory_order_relaxed),
        /* acquire: pairs with the release store of parked in steady_wait (wait.c) */
        .waiting = atomic_load_explicit(&m->parked, memory_order_acquire) != 0,
    };
    steady__failure_copy(a, o->last_failure, sizeof o->last_failure);
    if (a->link_kind[0]) {
        o->link_kind = a->link_kind;
        o->link_endpoint = a->link_endpoint;
        o->link_state =
            (steady_link_state)atomic_load_explicit(&m->link_state, memory_order_relaxed);
        o->link_downs = atomic_load_explicit(&m->link_downs, memory_order_relaxed);
    }
}

size_t steady_inspect_actors(const steady_graph *g, steady_actor_info *out, size_t cap)
{
    if (!graph_given(g, "steady_inspect_actors"))
        return 0;
    if (cap > 0 && !out) {
        steady__fail(STEADY_EINVAL, "steady_inspect_actors: out is NULL with cap %zu", cap);
        return 0;
    }
    size_t i = 0;
    for (const steady_actor *a = g->actors; a && i < cap; a = a->next)
        actor_info(a, &out[i++]);
    return g->n_actors;
}

/* ---- troupes ---- */

static void troupe_info(const steady_troupe *t, steady_troupe_info *o)
{
    steady_troupe *m = (steady_troupe *)t;
    int pid = atomic_load_explicit(&m->run_pid, memory_order_relaxed);
    int tid = atomic_load_explicit(&m->run_tid, memory_order_relaxed);
    *o = (steady_troupe_info){
        .index = t->index,
        .name = t->solo && t->n_members == 1 ? t->members[0]->label : t->name,
        .solo = t->solo,
        .isolated = t->isolated,
        .n_members = (uint32_t)t->n_members,
        .pid = pid,
        .tid = t->isolated ? 0 : tid,
        .core = t->pin ? t->core : -1,
        .pinned = t->pin,
    };
    if (pid <= 0 || tid <= 0)
        return;
    if (!t->pin)
        o->core = last_cpu(pid, tid);
    /* A thread of this process: its own clock. A child process: the whole child's. */
    o->cpu_ns = t->isolated ? clock_ns(process_clock(pid)) : clock_ns(thread_clock(tid));
}

size_t steady_inspect_troupes(const steady_graph *g, steady_troupe_info *out, size_t cap)
{
    if (!graph_given(g, "steady_inspect_troupes"))
        return 0;
    if (cap > 0 && !out) {
        steady__fail(STEADY_EINVAL, "steady_inspect_troupes: out is NULL with cap %zu", cap);
        return 0;
    }
    size_t i = 0;
    for (const steady_troupe *t = g->troupes; t && i < cap; t = t->next)
        troupe_info(t, &out[i++]);
    return g->n_troupes;
}

/* ---- channels ---- */

static void channel_info(const steady_channel *ch, steady_channel_info *o)
{
    steady_ring *r = ch->ring;
    /* taken before sent: both only grow, so taken <= sent holds in the record. */
    uint64_t taken = atomic_load_explicit(&r->head, memory_order_relaxed);
    uint64_t sent = atomic_load_explicit(&r->tail, memory_order_relaxed);
    steady_channel *m = (steady_channel *)ch;
    *o = (steady_channel_info){
        .id = ch->id,
        .name = ch->name,
        .bundle = ch->bundle,
        .lane = ch->lane,
        .lanes = ch->bundle ? ch->lanes : 1,
        .elem_size = r->elem_size,
        .capacity = r->capacity,
        .memory_bytes = sizeof(steady_ring) + r->slots * r->elem_size,
        .sent_total = sent,
        .taken_total = taken <= sent ? taken : sent,
        .from_actor = ch->tx_owner ? (int64_t)ch->tx_owner->id : -1,
        .to_actor = ch->rx_owner ? (int64_t)ch->rx_owner->id : -1,
        .tx_closed = atomic_load_explicit(&r->tx_closed, memory_order_relaxed) != 0,
        .rx_closed = atomic_load_explicit(&r->rx_closed, memory_order_relaxed) != 0,
        .showstoppers_removed = atomic_load_explicit(&m->ss_removed, memory_order_relaxed),
        .showstoppers_dropped = atomic_load_explicit(&m->ss_dropped, memory_order_relaxed),
        .latency_samples = atomic_load_explicit(&m->lat_seq, memory_order_relaxed),
    };
}

size_t steady_inspect_channels(const steady_graph *g, steady_channel_info *out, size_t cap)
{
    if (!graph_given(g, "steady_inspect_channels"))
        return 0;
    if (cap > 0 && !out) {
        steady__fail(STEADY_EINVAL, "steady_inspect_channels: out is NULL with cap %zu", cap);
        return 0;
    }
    size_t i = 0;
    for (const steady_channel *ch = g->channels; ch && i < cap; ch = ch->next)
        channel_info(ch, &out[i++]);
    return g->n_channels;
}

/* ---- latency samples ---- */

/* Samples [from, to) are in the slots unless the writer lapped them: after copying, samples
 * below lat_seq - STEADY__LAT_SAMPLES (re-read) may have been overwritten and are dropped. */
static size_t copy_samples(steady_channel *ch, uint64_t from, uint64_t to, uint64_t *out)
{
    size_t n = 0;
    for (uint64_t i = from; i < to; i++)
        out[n++] = atomic_load_explicit(&ch->lat_ns[i % STEADY__LAT_SAMPLES], memory_order_relaxed);
    /* acquire fence: the slot loads above happen before the re-read of lat_seq below. It pairs with
     * the writer's release store of lat_seq (latency.c), so a slot overwritten after its
     * copy shows in the re-read count. */
    atomic_thread_fence(memory_order_acquire);
    uint64_t now = atomic_load_explicit(&ch->lat_seq, memory_order_relaxed);
    uint64_t safe = now > STEADY__LAT_SAMPLES ? now - STEADY__LAT_SAMPLES : 0;
    if (safe <= from)
        return n;
    size_t lost = (size_t)(safe - from < n ? safe - from : n);
    memmove(out, out + lost, (n - lost) * sizeof *out);
    return n - lost;
}

size_t steady_inspect_latency(const steady_graph *g, uint32_t id, uint64_t *cursor,
                              uint64_t *out_ns, size_t cap)
{
    if (!graph_given(g, "steady_inspect_latency"))
        return 0;
    if (!cursor || (cap > 0 && !out_ns) || id >= g->n_channels) {
        steady__fail(STEADY_EINVAL, "steady_inspect_latency: %s",
                     !cursor               ? "cursor is NULL"
                     : id >= g->n_channels ? "no channel with that id"
                                           : "out_ns is NULL with cap > 0");
        return 0;
    }
    steady_channel *ch = g->channel_by_id[id];
    /* acquire: pairs with the consumer's release store of lat_seq (latency.c record). */
    uint64_t seq = atomic_load_explicit(&ch->lat_seq, memory_order_acquire);
    uint64_t from = *cursor;
    if (seq > STEADY__LAT_SAMPLES && from < seq - STEADY__LAT_SAMPLES)
        from = seq - STEADY__LAT_SAMPLES;
    if (from > seq)
        from = seq; /* a cursor from the future (another channel's): start over */
    uint64_t to = seq - from > cap ? from + cap : seq;
    *cursor = to;
    return to > from ? copy_samples(ch, from, to, out_ns) : 0;
}

/* ---- names ---- */

const char *steady_placement_name(steady_placement p)
{
    switch (p) {
    case STEADY_PLACEMENT_SOLO: return "solo";
    case STEADY_PLACEMENT_MEMBER: return "member";
    case STEADY_PLACEMENT_ISOLATED: return "isolated";
    }
    return "unknown";
}

const char *steady_actor_phase_name(steady_actor_phase p)
{
    switch (p) {
    case STEADY_ACTOR_NOT_STARTED: return "not started";
    case STEADY_ACTOR_RUNNING: return "running";
    case STEADY_ACTOR_RESTARTING: return "restarting";
    case STEADY_ACTOR_VOTED: return "voted";
    case STEADY_ACTOR_ENDED: return "ended";
    case STEADY_ACTOR_STOPPED_FOR_GOOD: return "stopped for good";
    }
    return "unknown";
}
