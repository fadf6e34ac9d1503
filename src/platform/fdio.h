/*
 * fdio.h: writes that never raise SIGPIPE.
 *
 * steady's own writes (log lines to stderr, notices from a signal handler, the last words of a
 * failing actor) go through steady__write_quiet: whatever SIGPIPE's disposition, a write to a
 * closed pipe returns -1 with EPIPE instead of killing the process. Any thread;
 * async-signal-safe.
 */
#ifndef STEADY_PLATFORM_FDIO_H
#define STEADY_PLATFORM_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* write(2), retried on EINTR, with SIGPIPE blocked around it for the calling thread; a SIGPIPE
 * the write raised is taken off the pending set (unless one was pending already: it belongs to
 * someone else). */
ssize_t steady__write_quiet(int fd, const void *buf, size_t n);

#endif
