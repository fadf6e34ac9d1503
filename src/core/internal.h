/* core/internal.h — the core library's internal umbrella (as nng's nng_impl.h): every
 * module's private header, in layer order, lowest first. Never installed.
 *
 * Layers: calls go only downward (docs/DESIGN-NOTES.md, "Layers of the core"):
 *   platform   fiber, futex, thread, stacks, fdio            (src/platform/)
 *   base       error, alloc, shm, names, bell, logring
 *   context    context (the running actor, failing it), notify (waking the graph's threads)
 *   log        log
 *   data       channel, ipc, bundle, batch, arena, durable, state, overflow
 *   waits      wait
 *   policy     supervise, signal
 *   life       run (an actor's generations and vote)
 *   threads    troupe
 *   processes  zygote, isolate
 *   top        actor (spawn), graph (new/start/free), stop
 * core/records.h holds the layouts every layer reads (graph, actor, troupe, channel and what
 * they embed); a module's own header declares only its functions. What a module may *call* is
 * what lies below it.
 */
#ifndef STEADY_CORE_INTERNAL_H
#define STEADY_CORE_INTERNAL_H

#include "core/base.h"
#include "core/records.h"

#include "core/error.h"
#include "core/alloc.h"
#include "core/shm.h"
#include "core/names.h"
#include "core/bell.h"
#include "core/logring.h"

#include "core/context.h"
#include "core/failure.h"
#include "core/notify.h"
#include "core/log.h"

#include "core/channel.h"
#include "core/ipc.h"
#include "core/latency.h"
#include "core/bundle.h"
#include "core/frame.h"
#include "core/arena.h"
#include "core/batch.h"
#include "core/durable.h"
#include "core/state.h"
#include "core/overflow.h"

#include "core/wait.h"
#include "core/supervise.h"
#include "core/signal.h"

#include "core/actor.h"
#include "core/troupe.h"
#include "core/isolate.h"
#include "core/stop.h"

#endif
