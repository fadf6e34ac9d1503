/* core/signal.c — SIGINT and SIGTERM start the same negotiated shutdown as a request.
 *
 * The handler is async-signal-safe: it writes a one-line notice with write(2) and makes the
 * request with atomics and futex wakes only (steady__graph_request). One graph per process
 * owns the handlers at a time (the last one started); the previous dispositions are
 * restored when it is freed.
 */
#include "core/internal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static steady_graph *_Atomic signal_graph;
static struct sigaction old_int, old_term;

static void on_signal(int sig)
{
    static const char int_msg[] = "steady: SIGINT received, requesting shutdown\n";
    static const char term_msg[] = "steady: SIGTERM received, requesting shutdown\n";
    int saved = errno;
    ssize_t w = sig == SIGINT ? write(STDERR_FILENO, int_msg, sizeof int_msg - 1)
                              : write(STDERR_FILENO, term_msg, sizeof term_msg - 1);
    (void)w;
    steady_graph *g = atomic_load_explicit(&signal_graph, memory_order_acquire);
    if (g)
        steady__graph_request(g, "signal");
    errno = saved;
}

void steady__signals_install(steady_graph *g)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    atomic_store_explicit(&signal_graph, g, memory_order_release);
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    g->signals_installed = true;
}

void steady__signals_restore(steady_graph *g)
{
    steady_graph *expected = g;
    if (atomic_compare_exchange_strong_explicit(&signal_graph, &expected, NULL,
                                                memory_order_acq_rel, memory_order_relaxed)) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGTERM, &old_term, NULL);
    }
    g->signals_installed = false;
}
