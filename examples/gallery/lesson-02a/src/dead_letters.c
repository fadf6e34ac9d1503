/* dead_letters.c — lesson 02A's dead-letter actor in the project steady-new makes from
 * examples/gallery/lesson-02a.toml: logs each value the supervisor moved aside.
 *
 * The description's showstopper = 3 and dead_letters = "dead" on the values channel: after 3
 * failed generations of the worker on one head value, the worker's supervisor takes it off and
 * sends it into "dead" from the worker's own end (an output of the worker); this actor only
 * reads. Its count is in the state block, so a restart does not forget what it received. */
#include <inttypes.h>

#include "lesson02a_gen.h"

int dead_letters_run(steady_actor *a, void *arg)
{
    dead_letters_io *io = arg;
    dead_letters_state *st = steady_actor_state(a); /* kept across restarts */
    if (st->starts++)
        STEADY_INFO("Dead letters starting (restart #%u) with %" PRIu64 " received", st->starts - 1,
                    st->count);
    while (STEADY_RUNNING(a, true && STEADY_I(uint64_ch_rx_is_closed_and_empty(io->dead)))) {
        steady_reason r = steady_wait_avail(a, io->dead, 1);
        if (r == STEADY_CLOSED)
            break; /* the worker is done: nothing more will come */
        uint64_t v;
        while (r == STEADY_READY && uint64_ch_rx_try_take(io->dead, &v) == STEADY_OK) {
            st->count++;
            STEADY_WARN("dead letter: %" PRIu64 " (the supervisor moved it aside)", v);
        }
    }
    STEADY_INFO("Dead letters shutting down. Received: %" PRIu64, st->count);
    return 0;
}
