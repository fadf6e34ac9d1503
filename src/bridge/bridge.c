/* bridge/bridge.c — steady/bridge.h: the bridge actors' spawn calls and their counters. The
 * record is the actor's state block, so it lives as long as the graph, survives restarts, and
 * is freed with it; the building thread fills it between spawn and start, when no actor runs. */
#include "bridge_impl.h"

#include <stdio.h>
#include <string.h>

#ifdef STEADY_BRIDGE_NATS
#define EGRESS steady__bridge_nats_egress
#define INGRESS steady__bridge_nats_ingress
#else
#define EGRESS NULL /* never reached: check() refuses every transport */
#define INGRESS NULL
#endif

static steady_err check(steady_graph *g, const void *end, const steady_bridge_opts *o,
                        steady_uri *u, const char *fn)
{
    if (!g || !end || !o)
        return steady_error_set(STEADY_EINVAL, "%s: graph, end and opts must not be NULL", fn);
    if (!o->uri)
        return steady_error_set(STEADY_EINVAL,
                                "%s: opts.uri is NULL; give where to bridge, "
                                "e.g. nats://127.0.0.1:4222/readings",
                                fn);
    if (steady_uri_parse(o->uri, u) != STEADY_OK)
        return steady_error_set(STEADY_EINVAL, "%s: %s", fn, steady_last_error());
#ifndef STEADY_BRIDGE_NATS
    if (u->transport == STEADY_TRANSPORT_NATS)
        return steady_error_set(STEADY_EINVAL,
                                "%s: this libsteady-bridge was built without the NATS client; "
                                "install libnats-dev (Debian) and build it again",
                                fn);
#endif
    if (u->transport != STEADY_TRANSPORT_NATS)
        return steady_error_set(STEADY_EINVAL,
                                "%s: %s bridges are not in this version of libsteady-bridge; "
                                "core NATS (nats://) is; for processes on one host, attach the "
                                "channel itself (steady/ipc.h)",
                                fn, steady_transport_name(u->transport));
    if (u->wildcard)
        return steady_error_set(STEADY_EINVAL,
                                "%s: '%s' has a wildcard; a bridge carries one stream: give its "
                                "exact subject",
                                fn, u->subject);
    return STEADY_OK;
}

/* The URI for log lines: the password left out. */
static void printable(char *dst, size_t cap, const char *actor, const steady_uri *u)
{
    snprintf(dst, cap, "'%s' (%s%s://%s%s%s:%u/%s%s%s)", actor, steady_transport_name(u->transport),
             u->tls ? "+tls" : "", u->user, u->user[0] ? "@" : "", u->host, (unsigned)u->port,
             u->subject, u->queue[0] ? "?queue=" : "", u->queue);
}

static steady_err spawn(steady_graph *g, const steady_bridge_opts *o, bool egress, void *end,
                        steady_actor **out, const char *fn)
{
    steady_uri u;
    steady_err e = check(g, end, o, &u, fn);
    if (e != STEADY_OK)
        return e;
    steady_channel *ch = egress ? steady_rx_channel(end) : steady_tx_channel(end);
    if (!ch)
        return steady_error_set(STEADY_EINVAL, "%s: that is not a %s end", fn,
                                egress ? "receiving" : "sending");
    steady_actor *a = NULL;
    steady_actor_opts ao = {
        .name = o->name  ? o->name
                : egress ? "egress"
                         : "ingress",
        .run = egress ? EGRESS : INGRESS,
        .troupe = o->troupe,
        .txs = egress ? NULL : (steady_tx *const[]){end, NULL},
        .rxs = egress ? (steady_rx *const[]){end, NULL} : NULL,
        .state_size = sizeof(bridge),
    };
    if ((e = steady_actor_spawn(g, &ao, &a)) != STEADY_OK)
        return e;
    bridge *b = steady_actor_state(a);
    b->magic = BRIDGE_MAGIC;
    b->egress = egress;
    b->uri = u;
    printable(b->text, sizeof b->text, ao.name, &u);
    b->type_id = o->type_id;
    b->graph = g;
    b->from = egress ? end : NULL;
    b->to = egress ? NULL : end;
    b->elem_size = steady_channel_elem_size(ch);
    uint32_t fit = (BRIDGE_FRAME_BYTES - STEADY_FRAME_HEADER) / b->elem_size;
    b->max_batch = o->max_batch ? o->max_batch : fit ? fit : 1;
    b->connect_timeout_ms = o->connect_timeout_ms ? o->connect_timeout_ms : 2000;
    atomic_store(&b->fd, -1);
    if (out)
        *out = a;
    return STEADY_OK;
}

steady_err steady_bridge_egress(steady_graph *g, steady_rx *from, const steady_bridge_opts *opts,
                                steady_actor **out)
{
    return spawn(g, opts, true, from, out, "steady_bridge_egress");
}

steady_err steady_bridge_ingress(steady_graph *g, steady_tx *to, const steady_bridge_opts *opts,
                                 steady_actor **out)
{
    return spawn(g, opts, false, to, out, "steady_bridge_ingress");
}

steady_err steady_bridge_stats_get(const steady_actor *a, steady_bridge_stats *out)
{
    const bridge *b = a ? steady_actor_state(a) : NULL;
    if (!out || !b || b->magic != BRIDGE_MAGIC)
        return steady_error_set(STEADY_EINVAL, "steady_bridge_stats_get: %s",
                                !out ? "out is NULL"
                                : !a ? "the actor is NULL"
                                     : "that actor is not a bridge (steady_bridge_egress / "
                                       "steady_bridge_ingress spawn them)");
    bridge *m = (bridge *)b; /* atomics: read-only loads */
    *out = (steady_bridge_stats){
        .connected = atomic_load(&m->connected),
        .ready = atomic_load(&m->ready),
        .frames = atomic_load(&m->frames),
        .elems = atomic_load(&m->elems),
        .next_seq = atomic_load(&m->next_seq),
        .gaps = atomic_load(&m->gaps),
        .duplicates = atomic_load(&m->duplicates),
        .dropped = atomic_load(&m->dropped),
        .reconnects = atomic_load(&m->reconnects),
    };
    for (int k = 0; k < STEADY_FRAME_FAULTS; k++)
        out->refused[k] = atomic_load(&m->refused[k]);
    return STEADY_OK;
}
