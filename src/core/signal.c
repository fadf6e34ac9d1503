/* core/signal.c — SIGINT and SIGTERM start the same negotiated shutdown as a request.
 *
 * The handler is async-signal-safe: it writes a one-line notice with write(2) and makes the
 * request with atomics and futex wakes only (steady__graph_request). One graph per process
 * owns the handlers at a time: the last one started that has not been freed. Freeing it hands
 * the signals back to the graph that had them before; freeing the last one restores the
 * dispositions the process had before the first graph started. (Saving the dispositions at
 * every start and restoring them when only the newest graph was freed used to leave our
 * handler installed with no graph behind it: SIGINT was then ignored for good.)
 */
#include "core/internal.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIGNAL_GRAPHS 64

static steady_graph *_Atomic signal_graph; /* the handler's only input */
/* Graphs with handlers, oldest first; old_* hold the dispositions from before the first.
 * Guarded by install_lock (graphs may be built on different threads). */
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static steady_graph *installed[MAX_SIGNAL_GRAPHS];
static unsigned n_installed;
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
    pthread_mutex_lock(&install_lock);
    if (n_installed == MAX_SIGNAL_GRAPHS) {
        pthread_mutex_unlock(&install_lock);
        STEADY_WARN("graph '%s': more than %d graphs handle SIGINT/SIGTERM; this one does not",
                    g->name, MAX_SIGNAL_GRAPHS);
        return;
    }
    if (n_installed == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, &old_int);
        sigaction(SIGTERM, &sa, &old_term);
    }
    installed[n_installed++] = g;
    /* release: pairs with the handler's acquire load; g is fully built. */
    atomic_store_explicit(&signal_graph, g, memory_order_release);
    g->signals_installed = true;
    pthread_mutex_unlock(&install_lock);
}

void steady__signals_restore(steady_graph *g)
{
    pthread_mutex_lock(&install_lock);
    unsigned i = 0;
    while (i < n_installed && installed[i] != g)
        i++;
    if (i < n_installed) {
        memmove(&installed[i], &installed[i + 1], (n_installed - i - 1) * sizeof installed[0]);
        n_installed--;
        /* release: pairs with the handler's acquire load (see install). */
        atomic_store_explicit(&signal_graph, n_installed ? installed[n_installed - 1] : NULL,
                              memory_order_release);
        if (n_installed == 0) {
            sigaction(SIGINT, &old_int, NULL);
            sigaction(SIGTERM, &old_term, NULL);
        }
    }
    g->signals_installed = false;
    pthread_mutex_unlock(&install_lock);
}
