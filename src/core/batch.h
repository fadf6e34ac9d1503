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

/* Completes a commit whose process died while its intent was armed (warden). True if it did. */
bool steady__intent_replay(steady_actor *a);

#endif
