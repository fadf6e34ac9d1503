/*
 * An installed-package consumer of the bridge library (steady/bridge_frame.h,
 * steady/bridge_uri.h, libsteady-bridge): a frame encoded and decoded, a URI parsed. Built by
 * tests/install/install_test.sh against the installed headers and libraries only.
 */
#include <steady/bridge_frame.h>
#include <steady/bridge_uri.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    uint64_t v[3] = {7, 8, 9};
    unsigned char buf[STEADY_FRAME_HEADER + sizeof v];
    steady_frame f = {.elem_size = 8, .count = 3, .first_seq = 7, .elems = v}, g;
    steady_uri u;
    int ok = steady_frame_encode(buf, sizeof buf, &f) == sizeof buf &&
             steady_frame_decode(buf, sizeof buf, 8, 0, &g) == STEADY_FRAME_OK &&
             memcmp(g.elems, v, sizeof v) == 0 &&
             steady_frame_decode(buf, 3, 8, 0, &g) == STEADY_FRAME_TRUNCATED &&
             steady_uri_parse("nats+js://127.0.0.1/ORDERS/orders.new", &u) == STEADY_OK &&
             u.transport == STEADY_TRANSPORT_NATS_JS && u.port == 4222 &&
             strcmp(u.stream, "ORDERS") == 0;
    puts(ok ? "success" : "failure");
    return ok ? 0 : 1;
}
