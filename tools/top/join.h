/* join.h — several pods' snapshots joined at their bridges (steady-pods).
 *
 * A bridge is an egress in one pod and an ingress in another whose links (steady/link.h) name
 * the same place: the same transport, server and subject (and stream), a queue group or the
 * credentials left out. Its rate is that of the egress's input channel; its lag is what the
 * egress took from its channel and the ingress has not yet delivered into its own (elements,
 * 0 or more).
 */
#ifndef TOP_JOIN_H
#define TOP_JOIN_H

#include <stdio.h>

#include "model.h"

typedef struct top_pod {
    const char *shown; /* its URL, for people (no password) */
    top_snapshot snap;
    bool ok; /* snap was read; else `why` says what went wrong */
    char why[256];
} top_pod;

typedef struct top_bridge {
    size_t from_pod, to_pod;
    const top_actor *egress, *ingress;
    const top_channel *in, *out; /* the egress's input and the ingress's output (NULL: none) */
    double rate, lag;            /* NAN when unknown */
} top_bridge;

/* Reads the pod at URL arg (normalized: http://HOST:PORT gains /snapshot.json) into *pod:
 * pod->ok, or pod->why says what went wrong. *shown (malloc'd, free it) is the URL for people. */
void top_pod_read(top_pod *pod, const char *arg, const char *cacert, long timeout_ms, char **shown);

/* The bridges between pods[0..n); *out malloc'd (free it), its count returned; 0 with *out
 * NULL when there is none (or out of memory). */
size_t top_join_bridges(const top_pod *pods, size_t n, top_bridge **out);

/* The pods and their bridges as text: one line per pod, one per bridge. */
void top_join_text(FILE *out, const top_pod *pods, size_t n, const top_bridge *b, size_t nb);
/* The same as one Graphviz graph: a cluster per pod (its own colour), its actors and channels,
 * and each bridge a bold dashed edge between the pods, labelled with its place, rate and lag;
 * an actor whose link is down is red. */
void top_join_dot(FILE *out, const top_pod *pods, size_t n, const top_bridge *b, size_t nb);

/* The colour of pod p ("#rrggbb"), the same in every view. */
const char *top_join_colour(size_t p);

/* The same as JSON (join_json.c), for the served page (steady-pods --serve): a malloc'd string
 * (free it), NULL when out of memory. Its form:
 *   {"pods": [{"url", "ok", "why", "name", "state", "colour",
 *              "actors": [{"id", "label", "link_kind", "link_endpoint", "link_state"}],
 *              "channels": [{"from", "to", "name", "rate", "fill"}]}],
 *    "bridges": [{"from_pod", "to_pod", "egress", "ingress", "endpoint", "up", "rate",
 *                 "lag"}]}
 * (pod indices from 0, actor ids as the pods give them; a figure not known is null). */
char *top_join_json(const top_pod *pods, size_t n, const top_bridge *b, size_t nb);

#endif
