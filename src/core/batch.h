/* core/batch.h — transactional commits (batch.c).
 *
 * The intent record of a commit made by an ISOLATED actor: the absolute index each end will be
 * moved to, written and armed before the first store and disarmed after the last. If the child
 * dies while it is armed, the warden completes the commit before the restart (the stores are
 * absolute, so doing one twice changes nothing). Lives in the actor's record, in the graph's
 * shared memory.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_BATCH_H
#define STEADY_CORE_BATCH_H

#include "core/base.h"

#define STEADY__INTENT_MAX 16u
struct steady__intent_op {
    steady_tx *tx; /* exactly one of tx, rx */
    steady_rx *rx;
    uint64_t to;
};
struct steady__intent {
    _Atomic uint32_t armed;
    uint32_t n;
    struct steady__intent_op op[STEADY__INTENT_MAX];
};

/* Completes a commit whose process died while its intent was armed (warden). True if it did. */
bool steady__intent_replay(steady_actor *a);

#endif
