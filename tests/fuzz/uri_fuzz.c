/* uri_fuzz.c — libFuzzer target over steady_uri_parse (steady/bridge_uri.h): no input crashes
 * it, and what it accepts is well formed: a known transport, every text field terminated within
 * its array, a port for the network transports, a qos only for MQTT. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <steady/bridge_uri.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void terminated(const char *field)
{
    if (!memchr(field, '\0', STEADY_URI_MAX))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    steady_uri u;
    if (steady_uri_parse(text, &u) == STEADY_OK) {
        if (u.transport < STEADY_TRANSPORT_SHM || u.transport > STEADY_TRANSPORT_MQTT)
            abort();
        terminated(u.host);
        terminated(u.user);
        terminated(u.password);
        terminated(u.stream);
        terminated(u.subject);
        terminated(u.queue);
        terminated(u.durable);
        if ((u.transport == STEADY_TRANSPORT_SHM) != (u.port == 0) || !u.subject[0] ||
            (u.transport == STEADY_TRANSPORT_MQTT ? u.qos < 0 || u.qos > 2 : u.qos != -1))
            abort();
    }
    free(text);
    return 0;
}
