/* test_ports.h — TCP ports on 127.0.0.1 for the servers the tests start: a free one the kernel
 * picks, and whether a server accepts on one yet (readiness is checked, never waited for). */
#ifndef STEADY_TEST_PORTS_H
#define STEADY_TEST_PORTS_H

#include <stdbool.h>
#include <sys/types.h>

/* A port nobody listens on now (the kernel's pick), or -1. */
int test_free_port(void);
/* true when a connection to 127.0.0.1:port is accepted now. */
bool test_port_accepts(int port);

/* Waits (10 s at most) until the server process *pid accepts on port: true then. false when
 * it exited (*pid set to 0) or never accepted (then SIGKILLed and reaped, *pid 0). */
bool test_await_server(pid_t *pid, int port);

#endif
