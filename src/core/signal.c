/* core/signal.c — SIGINT and SIGTERM start the same negotiated shutdown as a request; SIGPIPE
 * does not kill the process.
 *
 * The handler is async-signal-safe: it writes a one-line notice with write(2) and acts with
 * atomics and futex wakes only. What it does depends on how many SIGINT/SIGTERM the graph
 * has received (the usual server convention):
 *   first   requests shutdown (the negotiated stop). One that arrives while the graph is
 *           still starting (handlers are installed before the state initialisers run) is
 *           remembered and honoured the moment the graph is RUNNING;
 *   second  forces the stop: block_until_stopped stops waiting for the votes at once, as if
 *           its deadline had passed (STEADY_EUNCLEAN, naming the actors still draining);
 *   third   restores the default action and re-raises: the process ends.
 * A remembered signal: the handler sets `signal_pending`, then tries the request; start
 * stores RUNNING, then reads `signal_pending`. Both pairs are seq_cst, so either the
 * handler's request sees RUNNING or start sees the flag (a Dekker pair).
 *
 * One graph per process owns the handlers at a time: the last one started that has not been
 * freed. Freeing it hands the signals back to the graph that had them before; freeing the last
 * one restores the dispositions the process had before the first graph started. (Saving the
 * dispositions at every start and restoring them when only the newest graph was freed used to
 * leave our handler installed with no graph behind it: SIGINT was then ignored for good.)
 *
 * SIGPIPE: a graph that installs handlers also ignores SIGPIPE while it owns them (when the
 * disposition was the default), so a write to a closed pipe or socket returns EPIPE to the
 * actor instead of killing the process, as in Rust and Go. steady's own writes (log lines,
 * notices) never raise it, whatever the disposition: steady__write_quiet.
 */
#include "core/internal.h"

#include "platform/fdio.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SIGNAL_GRAPHS 64

static steady_graph *_Atomic signal_graph; /* the handler's only input */
/* Graphs with handlers, oldest first; old_* hold the dispositions from before the first.
 * Guarded by install_lock (graphs may be built on different threads). */
static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static steady_graph *installed[MAX_SIGNAL_GRAPHS];
static unsigned n_installed;
static struct sigaction old_int, old_term, old_pipe;

static void notice(const char *msg)
{
    ssize_t w = steady__write_quiet(STDERR_FILENO, msg, strlen(msg));
    (void)w;
}

static void on_signal(int sig)
{
    int saved = errno;
    /* acquire: pairs with the release stores in steady__signals_install / _restore. */
    steady_graph *g = atomic_load_explicit(&signal_graph, memory_order_acquire);
    /* seq_cst: orders the count before the pending flag below (the Dekker pair with start: file
     * comment). */
    uint32_t n = g ? atomic_fetch_add_explicit(&g->signals_seen, 1, memory_order_seq_cst) : 0;
    bool intr = sig == SIGINT;
    if (!g || n == 0) {
        notice(intr ? "steady: SIGINT received, requesting shutdown\n"
                    : "steady: SIGTERM received, requesting shutdown\n");
        if (g) {
            /* seq_cst: the pair with steady__signals_started (see the file comment). */
            atomic_store_explicit(&g->signal_pending, 1, memory_order_seq_cst);
            steady__graph_request(g, "signal");
        }
    } else if (n == 1) {
        notice(intr ? "steady: second SIGINT received, forcing the stop (actors still draining "
                      "are cut short; a third ends the process)\n"
                    : "steady: second SIGTERM received, forcing the stop (actors still draining "
                      "are cut short; a third ends the process)\n");
        /* release: pairs with main's acquire loads of force_stop (stop.c). */
        atomic_store_explicit(&g->force_stop, 1, memory_order_release);
        steady__graph_request(g, "signal");
        steady__graph_ring_all(g);
        steady__graph_event(g);
    } else {
        notice(intr ? "steady: third SIGINT received, ending the process now\n"
                    : "steady: third SIGTERM received, ending the process now\n");
        signal(sig, SIG_DFL);
        raise(sig);
    }
    errno = saved;
}

void steady__signals_started(steady_graph *g)
{
    /* seq_cst: pairs with the handler's seq_cst store of signal_pending; start's store of
     * RUNNING precedes this load (see the file comment). */
    if (atomic_load_explicit(&g->signal_pending, memory_order_seq_cst))
        steady__graph_request(g, "signal received while starting");
}

static void install_dispositions(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    sigaction(SIGPIPE, NULL, &old_pipe);
    if (!(old_pipe.sa_flags & SA_SIGINFO) && old_pipe.sa_handler == SIG_DFL)
        signal(SIGPIPE, SIG_IGN); /* a handler or SIG_IGN the application set stays */
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
    if (n_installed == 0)
        install_dispositions();
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
            sigaction(SIGPIPE, &old_pipe, NULL);
        }
    }
    g->signals_installed = false;
    pthread_mutex_unlock(&install_lock);
}
