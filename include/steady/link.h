/* steady/link.h — an actor's link to the world outside its graph: a bridge's server, a peer
 * process, a socket. The actor (or whoever spawned it) says what the link is and where it
 * goes, and keeps its state current; readers see it in steady_actor_info (steady/inspect.h),
 * and so in telemetry: /graph.dot (the node names its endpoint, red while the link is down),
 * /metrics (steady_actor_link_up) and the dashboard. The bridge actors of libsteady-bridge
 * describe their links this way; any actor that talks to the outside may.
 *
 * Thread-safety: steady_link_describe on the building thread before steady_graph_start (the
 * text is then frozen, read by any thread without a lock); steady_link_set_state from any
 * thread at any time (a relaxed store: a reader sees it at its next read; the count of downs
 * is exact). */
#ifndef STEADY_LINK_H
#define STEADY_LINK_H

#include <stdint.h>

#include "steady/actor.h"
#include "steady/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum steady_link_state {
    STEADY_LINK_NONE = 0, /* the actor has no link (never described) */
    STEADY_LINK_DOWN,     /* described, not connected now (not yet, or lost) */
    STEADY_LINK_UP        /* connected */
} steady_link_state;

#define STEADY_LINK_KIND_MAX 48      /* bytes of a kind, its NUL included */
#define STEADY_LINK_ENDPOINT_MAX 208 /* bytes of an endpoint, its NUL included */

/* Describes a's link: its kind (e.g. "nats+js egress") and its endpoint (e.g.
 * "nats+js://10.0.0.5:4222/ORDERS/orders.new"; no secrets: it is shown to anyone who can read
 * the telemetry). The state starts DOWN. Copied. Errors: STEADY_EINVAL (NULL or empty kind or
 * endpoint, longer than the maxima above), STEADY_ESTATE (the graph has started). */
STEADY_API steady_err steady_link_describe(steady_actor *a, const char *kind, const char *endpoint);
/* Sets the link's state (UP or DOWN; NONE is refused, as is an actor never described: both
 * ignored with the detail set). Any thread. */
STEADY_API void steady_link_set_state(steady_actor *a, steady_link_state s);
/* The link's state now (NONE when not described; NULL a: NONE). Any thread. */
STEADY_API steady_link_state steady_link_state_get(const steady_actor *a);
/* "none", "down", "up" ("?" for another value). */
STEADY_API const char *steady_link_state_name(steady_link_state s);

#ifdef __cplusplus
}
#endif
#endif
