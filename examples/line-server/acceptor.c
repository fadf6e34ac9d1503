/* acceptor.c — accepts connections and deals them out to the connection actors.
 *
 * It waits on the listening socket with STEADY_FD, accepts every pending connection, and sends
 * each socket to the next connection actor's channel (round-robin). A socket handed over belongs
 * to the receiver; one that cannot be handed over (every connection actor gone) is closed. */
#define _GNU_SOURCE /* accept4 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "line_server.h"

/* Sends fd to the lane after *next, waiting for room; false when no lane can take it. */
static bool hand_over(steady_actor *a, acceptor_io *io, uint32_t *next, int fd)
{
    uint32_t lanes = fdch_tx_bundle_lanes(io->conns);
    for (uint32_t k = 0; k < lanes; k++) {
        uint32_t lane = (*next + k) % lanes;
        steady_err e = fdch_tx_send_wait(a, fdch_tx_bundle_lane(io->conns, lane), fd);
        if (e == STEADY_OK) {
            *next = lane + 1;
            return true;
        }
        if (e == STEADY_ESHUTDOWN)
            return false; /* stopping: the client is refused */
    }
    return false;
}

int acceptor_run(steady_actor *a, void *arg)
{
    acceptor_io *io = arg;
    acceptor_totals *st = steady_actor_state(a);
    uint32_t next = 0;
    while (STEADY_RUNNING(a, true)) {
        if (steady_wait_fd(a, io->listen_fd, STEADY_FD_READABLE) != STEADY_READY)
            continue;
        int fd;
        while ((fd = accept4(io->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
            if (hand_over(a, io, &next, fd))
                st->accepted++;
            else
                close(fd);
        }
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
            /* out of descriptors or memory: the listening socket stays readable, so back off
             * instead of spinning; clients wait in the backlog meanwhile */
            STEADY_WARN("acceptor: accept: %s; retrying in 10 ms", strerror(errno));
            steady_wait_timeout(a, STEADY_MS(10));
        }
    }
    return 0; /* returning closes the channels: each connection actor then finishes */
}
