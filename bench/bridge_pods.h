/* bridge_pods.h — the bridge benchmarks' two pods, one transport apart: a graph source ->
 * egress and a graph ingress -> sink (steady/bridge.h, 64 KiB frames by default), the sink
 * summing; each actor SOLO, or each pod's two actors in one troupe. */
#ifndef STEADY_BENCH_BRIDGE_PODS_H
#define STEADY_BENCH_BRIDGE_PODS_H

#include <stdbool.h>
#include <stdint.h>

/* Sends 1..n from one pod to the other over uri, the subscriber started (and ready) first:
 * the wall time in ns from the publisher's start to the subscriber's stop, the values' sum in
 * *sum. Exits the program with a message when anything was lost or a call failed. */
uint64_t bench_bridge_run(const char *uri, uint64_t n, uint64_t *sum, bool troupes);

#endif
