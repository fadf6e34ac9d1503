/* term.h — the terminal for the live view: signals, raw keys, the screen, its size.
 *
 * Signals (SIGINT, SIGTERM, SIGWINCH) are caught with sigaction and kept blocked except while
 * top_term_wait sleeps in ppoll, so none arrives between "check the flags" and "sleep"; their
 * handlers only set a flag. During a transfer a pending SIGINT/SIGTERM is seen through
 * sigpending (top_term_interrupted), so Ctrl-C does not wait for a slow server.
 */
#ifndef TOP_TERM_H
#define TOP_TERM_H

#include <stdbool.h>

typedef enum top_event {
    TOP_EVENT_TIMEOUT, /* the interval passed */
    TOP_EVENT_QUIT,    /* q, or SIGINT/SIGTERM */
    TOP_EVENT_RESIZE,  /* SIGWINCH: redraw at the new size */
    TOP_EVENT_KEY,     /* another key, in *key */
} top_event;

/* Installs the signal handlers (and blocks those signals). Returns false when sigaction fails. */
bool top_term_signals(void);

/* Takes the screen: the alternate screen and a hidden cursor when `screen`, raw keys (no echo,
 * no line buffering; Ctrl-C still a signal) when `keys` and stdin is a terminal. Undone by
 * top_term_restore (idempotent; also at exit). */
void top_term_take(bool screen, bool keys);
void top_term_restore(void);

/* Columns and rows of the terminal on stdout; 0 when it is not a terminal. */
void top_term_size(int *cols, int *rows);

/* Waits up to ms milliseconds for a key (when keys were taken) or a signal. */
top_event top_term_wait(long ms, int *key);

/* True when SIGINT or SIGTERM is pending or was seen. */
bool top_term_interrupted(void);

#endif
