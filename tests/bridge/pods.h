/* pods.h — the two pods the bridge tests join (two graphs of one process, or of two): a source
 * of the values 0..n-1 feeding an egress, and an ingress feeding a sink that audits the order. */
#ifndef STEADY_TEST_BRIDGE_PODS_H
#define STEADY_TEST_BRIDGE_PODS_H

#include <steady/bridge.h>
#include <steady/steady.h>

#include "steady_test_support.h"

typedef struct source {
    u64ch_tx out;
    uint64_t n;
    unsigned pace; /* after each `pace` values, a 1 ms timer (0: none) */
} source;

typedef struct sink {
    u64ch_rx in;
    uint64_t count, last, out_of_order;
    bool any;
    uint64_t hold_at; /* takes nothing more from hold_at values on until its graph stops (0: no) */
    bool hold_for_good; /* with hold_at: nor afterwards (a consumer that never drains) */
} sink;

int source_run(steady_actor *a, void *arg);
int sink_run(steady_actor *a, void *arg);
/* The subscribing pod: ingress -> sink (a channel of 4,096). */
steady_graph *subscriber(const char *uri, sink *k, uint64_t type_id, steady_actor **in);
/* The publishing pod: source -> egress (a channel of 4,096). */
steady_graph *publisher(const char *uri, source *s, steady_actor **out);
/* The same pods with the bridge's options given whole. */
steady_graph *subscriber_opts(const steady_bridge_opts *o, sink *k, steady_actor **in);
steady_graph *publisher_opts(const steady_bridge_opts *o, source *s, steady_actor **out);
/* A bridge's counters (asserted to be readable). */
steady_bridge_stats stats(const steady_actor *a);
/* Waits (bounded: 10 s) until the ingress is ready; asserts it is. */
void await_ready(const steady_actor *in);

/* The bad peers' messages every ingress test sends on its subject, through publish(ctx, bytes,
 * len): a stranger's JSON, a truncated frame, frames of another element size, type and format
 * version, then the values 0..9 twice and an end frame from 12 (10 and 11 lost, no type). */
void send_bad_peers(void (*publish)(void *ctx, const void *p, size_t n), void *ctx);
/* Asserts what an ingress expecting type 0xfeed made of them: 0..9 and 12..15 in order, one
 * refusal of each kind, 10 duplicates, 2 gaps. */
void assert_bad_peers_outcome(const sink *k, const steady_actor *in);

#endif
