/* testing/stage.c — the stage manager: stand-ins for named actors, driven by the test.
 *
 * The test graph's spawn hook replaces each actor named in steady_test_opts.stand_ins by a
 * stand-in that owns the same ends. The test hands a stand-in one command at a time through a
 * mailbox (send on output i, take from input i, end); the stand-in, an ordinary actor, runs it
 * with the channels' own waits, so ownership, back-pressure and close work as for the actor it
 * replaces. Mailbox ordering: the test writes the command's fields, then release-stores `cmd`;
 * the stand-in acquire-loads `cmd`, runs it, writes the result, then release-stores cmd = 0,
 * which the test acquire-loads before reading the result. An idle stand-in sleeps on its own
 * eventfd, which the test writes after posting a command: no timer, so a stand-in works on
 * virtual time too (a polling timeout would never expire there) and never keeps
 * steady_test_time_next from finding the application's timers. */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "steady/actor.h"
#include "steady/bundle.h"
#include "steady/wait.h"
#include "testing/kit.h"

enum { CMD_NONE = 0, CMD_SEND, CMD_TAKE, CMD_END };

#define MAX_ENDS 32   /* inputs, and outputs, of one stand-in */
#define MAX_ELEM 4096 /* bytes of one element through the mailbox */

typedef struct standin {
    char label[128];
    steady_tx *tx[MAX_ENDS];
    steady_rx *rx[MAX_ENDS];
    unsigned n_tx, n_rx;
    bool spawned;
    _Atomic int cmd;     /* release by the writer of a command or a result (see the top) */
    unsigned index;      /* the command's end */
    uint64_t timeout_ns; /* how long the stand-in's wait may take */
    unsigned char elem[MAX_ELEM];
    steady_err result;
    _Atomic bool ended;                     /* the stand-in returned */
    bool (*eq)(const void *, const void *); /* stage_expect's compare; NULL: memcmp */
    int bell; /* eventfd: the test writes it after posting a command; -1 when not made */
} standin;

struct kit_stage {
    standin *s;
    size_t n;
};

static void stage_free(void *p)
{
    kit_stage *st = p;
    for (size_t i = 0; i < st->n; i++)
        if (st->s[i].bell >= 0)
            close(st->s[i].bell);
    free(st->s);
    free(st);
}

kit_stage *kit_stage_new(const char *const *names)
{
    size_t n = 0;
    while (names && names[n])
        n++;
    kit_stage *st = calloc(1, sizeof *st);
    if (!st || (n && !(st->s = calloc(n, sizeof *st->s)))) {
        free(st);
        return NULL;
    }
    st->n = n;
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        snprintf(st->s[i].label, sizeof st->s[i].label, "%s", names[i]);
        st->s[i].bell = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        ok = ok && st->s[i].bell >= 0;
    }
    if (!ok) {
        stage_free(st);
        return NULL;
    }
    return st;
}

bool kit_stage_own(steady_graph *g, kit_stage *st)
{
    return kit_own(g, st, stage_free);
}

void kit_stage_free(kit_stage *st)
{
    stage_free(st);
}

/* Runs one command with the end's own wait, bounded by the command's timeout. */
static steady_err run_command(steady_actor *a, standin *s, int cmd)
{
    if (cmd == CMD_SEND) {
        steady_tx *tx = s->tx[s->index];
        steady_reason r =
            steady_wait_any(a, steady_cond_vacant(tx, 1), STEADY_TIMEOUT(s->timeout_ns)).reason;
        if (r == STEADY_CLOSED)
            return STEADY_ECLOSED;
        return steady_tx_try_send(tx, s->elem);
    }
    steady_rx *rx = s->rx[s->index];
    steady_reason r =
        steady_wait_any(a, steady_cond_avail(rx, 1), STEADY_TIMEOUT(s->timeout_ns)).reason;
    steady_err e = steady_rx_try_take(rx, s->elem);
    return e == STEADY_EEMPTY && r == STEADY_CLOSED ? STEADY_ECLOSED : e;
}

static int standin_run(steady_actor *a, void *arg)
{
    standin *s = arg;
    while (STEADY_RUNNING(a, true)) {
        /* acquire: pairs with the test's release store of the command (see the top). */
        int cmd = atomic_load_explicit(&s->cmd, memory_order_acquire);
        if (cmd == CMD_NONE) {
            steady_wait_any(a, STEADY_FD(s->bell, STEADY_FD_READABLE), STEADY_SHUTDOWN_REQUESTED());
            uint64_t rings;
            if (read(s->bell, &rings, sizeof rings) < 0) { /* EAGAIN: not rung, woken by shutdown */
            }
            continue;
        }
        if (cmd == CMD_END)
            break;
        s->result = run_command(a, s, cmd);
        /* release: pairs with the test's acquire load in await_done; result and elem first. */
        atomic_store_explicit(&s->cmd, CMD_NONE, memory_order_release);
    }
    atomic_store_explicit(&s->ended, true, memory_order_release);
    atomic_store_explicit(&s->cmd, CMD_NONE, memory_order_release);
    return 0; /* its outputs close */
}

/* The label an actor will have: name, or name-suffix. */
static void label_of(const steady_actor_opts *o, char *buf, size_t cap)
{
    if (o->has_suffix)
        snprintf(buf, cap, "%s-%u", o->name, o->suffix);
    else
        snprintf(buf, cap, "%s", o->name);
}

/* Appends an end; false when the stand-in already has MAX_ENDS of that kind or the end's
 * elements do not fit the mailbox. */
static bool add_end(void **list, unsigned *n, void *end, uint32_t elem_size)
{
    if (*n == MAX_ENDS || elem_size > MAX_ELEM)
        return false;
    list[(*n)++] = end;
    return true;
}

/* The replaced actor's ends, in spawn order: the plain ones, then each bundle's lanes.
 * STEADY_EINVAL, naming the limit, when they do not fit (the spawn is refused). */
static steady_err take_ends(standin *s, const steady_actor_opts *o)
{
    bool ok = true;
    s->n_tx = s->n_rx = 0;
    for (size_t k = 0; ok && o->txs && o->txs[k]; k++)
        ok = add_end((void **)s->tx, &s->n_tx, o->txs[k], o->txs[k]->elem_size);
    for (size_t k = 0; ok && o->tx_bundles && o->tx_bundles[k]; k++)
        for (uint32_t l = 0; ok && l < steady_tx_bundle_lanes(o->tx_bundles[k]); l++) {
            steady_tx *tx = steady_tx_bundle_lane(o->tx_bundles[k], l);
            ok = add_end((void **)s->tx, &s->n_tx, tx, tx->elem_size);
        }
    for (size_t k = 0; ok && o->rxs && o->rxs[k]; k++)
        ok = add_end((void **)s->rx, &s->n_rx, o->rxs[k], o->rxs[k]->elem_size);
    for (size_t k = 0; ok && o->rx_bundles && o->rx_bundles[k]; k++)
        for (uint32_t l = 0; ok && l < steady_rx_bundle_lanes(o->rx_bundles[k]); l++) {
            steady_rx *rx = steady_rx_bundle_lane(o->rx_bundles[k], l);
            ok = add_end((void **)s->rx, &s->n_rx, rx, rx->elem_size);
        }
    return ok ? STEADY_OK
              : steady_error_set(STEADY_EINVAL,
                                 "the stage manager plays actors of at most %d inputs and %d "
                                 "outputs, elements of at most %d bytes; '%s' has more",
                                 MAX_ENDS, MAX_ENDS, MAX_ELEM, s->label);
}

steady_err kit_stage_hook(void *ctx, steady_actor_opts *o)
{
    kit_stage *st = ctx;
    char label[128];
    if (!o->name)
        return STEADY_OK;
    label_of(o, label, sizeof label);
    for (size_t i = 0; i < st->n; i++) {
        standin *s = &st->s[i];
        if (strcmp(s->label, label) != 0)
            continue;
        steady_err e = take_ends(s, o);
        if (e != STEADY_OK)
            return e;
        o->run = standin_run;
        o->arg = s;
        o->policy = NULL; /* a stand-in does not fail; the graph's policy */
        /* Its mailbox is in the test's memory: an ISOLATED actor's stand-in runs in the test's
         * process (a child would never see a command). */
        o->isolated = false;
        s->spawned = true;
    }
    return STEADY_OK;
}

/* The stand-in named `actor`, or NULL with a message naming the stand-ins there are. */
static standin *find(steady_graph *g, const char *fn, const char *actor)
{
    kit_stage *st = kit_find(g, stage_free);
    for (size_t i = 0; st && actor && i < st->n; i++)
        if (strcmp(st->s[i].label, actor) == 0 && st->s[i].spawned)
            return &st->s[i];
    char names[512] = "";
    size_t at = 0;
    for (size_t i = 0; st && i < st->n && at < sizeof names; i++)
        if (st->s[i].spawned)
            at += (size_t)snprintf(names + at, sizeof names - at, "%s'%s'", at ? ", " : "",
                                   st->s[i].label);
    kit_fail("%s: no stand-in named '%s' in this graph (stand-ins: %s)", fn,
             actor ? actor : "(NULL)",
             at ? names : "none; list them in steady_test_opts.stand_ins");
    return NULL;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Hands the command over and waits until the stand-in has run it (its own timeout, plus 5 s
 * for a stand-in that is slow to be scheduled). False when it could not be run. */
static bool command(const char *fn, standin *s, int cmd, unsigned index, uint64_t timeout_ms)
{
    if (atomic_load_explicit(&s->ended, memory_order_acquire))
        return kit_fail("%s: the stand-in '%s' has ended", fn, s->label);
    s->index = index;
    s->timeout_ns = timeout_ms > UINT64_MAX / 1000000u ? UINT64_MAX : timeout_ms * 1000000u;
    /* release: pairs with the stand-in's acquire load of cmd; index, timeout, elem first. */
    atomic_store_explicit(&s->cmd, cmd, memory_order_release);
    if (write(s->bell, &(uint64_t){1}, sizeof(uint64_t)) != (ssize_t)sizeof(uint64_t))
        return kit_fail("%s: could not wake the stand-in '%s'", fn, s->label);
    uint64_t deadline = now_ns() + s->timeout_ns / 1000000u * 1000000u + 5000000000u;
    /* acquire: pairs with the stand-in's release store of cmd = 0 (result written before). */
    while (atomic_load_explicit(&s->cmd, memory_order_acquire) != CMD_NONE) {
        if (now_ns() > deadline)
            return kit_fail("%s: the stand-in '%s' did not run the command within %llu ms; is "
                            "the graph running?",
                            fn, s->label, (unsigned long long)timeout_ms + 5000);
        nanosleep(&(struct timespec){0, 100000}, NULL);
    }
    bool ended = atomic_load_explicit(&s->ended, memory_order_acquire);
    if (cmd == CMD_END)
        return ended;
    return !ended ||
           kit_fail("%s: the stand-in '%s' ended before the command (shutdown?)", fn, s->label);
}

bool steady_test_stage_send(steady_graph *g, const char *actor, unsigned out, const void *elem,
                            uint64_t timeout_ms)
{
    const char *fn = "steady_test_stage_send";
    standin *s = find(g, fn, actor);
    if (!s)
        return false;
    if (out >= s->n_tx)
        return kit_fail("%s: the stand-in '%s' has %u outputs; there is no output %u", fn, s->label,
                        s->n_tx, out);
    if (!elem)
        return kit_fail("%s: elem is NULL", fn);
    memcpy(s->elem, elem, s->tx[out]->elem_size);
    const char *name = steady_channel_name(steady_tx_channel(s->tx[out]));
    if (!command(fn, s, CMD_SEND, out, timeout_ms))
        return false;
    if (s->result == STEADY_OK)
        return true;
    return kit_fail("%s: the stand-in '%s' output %u ('%s'): %s", fn, s->label, out, name,
                    s->result == STEADY_ECLOSED ? "the consumer is gone"
                                                : "no room within the timeout");
}

bool steady_test_stage_expect(steady_graph *g, const char *actor, unsigned in, const void *expected,
                              steady_test_fmt fmt, uint64_t timeout_ms, void *got)
{
    const char *fn = "steady_test_stage_expect";
    standin *s = find(g, fn, actor);
    if (!s)
        return false;
    if (in >= s->n_rx)
        return kit_fail("%s: the stand-in '%s' has %u inputs; there is no input %u", fn, s->label,
                        s->n_rx, in);
    if (!expected)
        return kit_fail("%s: expected is NULL", fn);
    size_t size = s->rx[in]->elem_size;
    const char *name = steady_channel_name(steady_rx_channel(s->rx[in]));
    char want[256], have[256];
    kit_show(want, sizeof want, expected, size, fmt);
    if (!command(fn, s, CMD_TAKE, in, timeout_ms))
        return false;
    if (s->result != STEADY_OK)
        return kit_fail("%s: the stand-in '%s' input %u ('%s'): expected %s, got %s", fn, s->label,
                        in, name, want,
                        s->result == STEADY_ECLOSED ? "nothing: the channel is closed and empty"
                                                    : "nothing within the timeout");
    if (got)
        memcpy(got, s->elem, size);
    if (s->eq ? s->eq(s->elem, expected) : memcmp(s->elem, expected, size) == 0)
        return true;
    kit_show(have, sizeof have, s->elem, size, fmt);
    return kit_fail("%s: the stand-in '%s' input %u ('%s'): expected %s, got %s", fn, s->label, in,
                    name, want, have);
}

bool steady_test_stage_compare(steady_graph *g, const char *actor,
                               bool (*eq)(const void *a, const void *b))
{
    standin *s = find(g, "steady_test_stage_compare", actor);
    if (s)
        s->eq = eq;
    return s != NULL;
}

bool steady_test_stage_end(steady_graph *g, const char *actor)
{
    standin *s = find(g, "steady_test_stage_end", actor);
    if (!s)
        return false;
    if (atomic_load_explicit(&s->ended, memory_order_acquire))
        return true;
    return command("steady_test_stage_end", s, CMD_END, 0, 0);
}
