/* steady/steady.h — the umbrella header: include this one. */
#ifndef STEADY_STEADY_H
#define STEADY_STEADY_H

#include "steady/error.h"
#include "steady/alloc.h"
#include "steady/clock.h"
#include "steady/log.h"
#include "steady/channel.h"
#include "steady/ipc.h"
#include "steady/bundle.h"
#include "steady/graph.h"
#include "steady/inspect.h"
#include "steady/actor.h"
#include "steady/link.h"
#include "steady/wait.h"
#include "steady/batch.h"
#include "steady/supervise.h"
#include "steady/arena.h"
#include "steady/stream.h"
#include "steady/tee.h"
#include "steady/hooks.h"
#include "steady/typed.h"

#endif
