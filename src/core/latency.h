/* core/latency.h — the latency probe: send-to-take delays measured on a sample of each
 * channel's messages (latency.c), read through steady/inspect.h.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_LATENCY_H
#define STEADY_CORE_LATENCY_H

#include "core/base.h"

/* Arms a new channel's probe: its first publish is stamped. Main, while building. */
void steady__latency_init(steady_channel *ch);

#endif
