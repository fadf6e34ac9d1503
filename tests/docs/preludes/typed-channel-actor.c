/* Prelude of fragment blocks that show statements of an actor's run function sending on a typed
 * channel (wait.md): `a` is the actor, `out` its u64ch_tx, `next` and `limit` its counters. */
#include <steady/steady.h>

STEADY_CHANNEL_TYPE(u64ch, uint64_t);

int fragment_run(steady_actor *a, void *arg);
int fragment_run(steady_actor *a, void *arg)
{
    u64ch_tx out = *(u64ch_tx *)arg;
    uint64_t next = 0, limit = 100;
    /* @BLOCK@ */
    return (int)(next % 2);
}
