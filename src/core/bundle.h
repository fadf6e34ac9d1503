/* core/bundle.h — bundle bookkeeping (bundle.c).
 *
 * Each steady_bundle_new (and each join) makes one allocation: this header, the bundle
 * end(s), one lane array per end, and the name. The graph keeps them on a list and frees them
 * in steady_graph_free.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_BUNDLE_H
#define STEADY_CORE_BUNDLE_H

#include "core/base.h"

struct steady__bundle_block; /* bundle.c */
void steady__bundles_free(steady_graph *g);
/* STEADY_OK when `b` is a bundle end of the declared kind that actor `a` owns; otherwise the
 * misuse (NULL, the other kind, not a's) is reported by steady__misuse: a failure of the
 * calling actor. */
steady_err steady__tx_bundle_use(const steady_tx_bundle *b, const steady_actor *a, const char *op);
steady_err steady__rx_bundle_use(const steady_rx_bundle *b, const steady_actor *a, const char *op);

#endif
