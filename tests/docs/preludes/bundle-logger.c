/* Prelude of the fragment in bundle.md's "Giving a bundle end to an actor": a logger whose io
 * holds a typed receiving bundle end, io.in. */
#include <steady/steady.h>

STEADY_BUNDLE_TYPE(u64b, uint64_t);

typedef struct logger_io {
    u64b_rx_bundle in;
} logger_io;

int logger_run(steady_actor *a, void *arg);
void give_bundle(steady_graph *g, logger_io io);

void give_bundle(steady_graph *g, logger_io io)
{
    /* @BLOCK@ */
    steady_actor_spawn(g, &o, NULL);
}
