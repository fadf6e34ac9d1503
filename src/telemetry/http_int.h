/* telemetry/http_int.h — what the server's two halves share: the daemon's state (http.c) and
 * the request handler (http_serve.c).
 * Private to libsteady-telemetry (never installed). */
#ifndef STEADY_TELEMETRY_HTTP_INT_H
#define STEADY_TELEMETRY_HTTP_INT_H

#include <microhttpd.h>

#include "telemetry/http.h"

struct tm_http {
    struct MHD_Daemon *d;
    tm_pub *pub;
    uint16_t port;
    bool tls;
    char *addr;     /* the bound address, as given (Host values that name it pass) */
    char **allowed; /* copies of cfg.allowed_hosts */
    size_t n_allowed;
    char *user, *password; /* basic authentication, or NULL */
    size_t header_limit;
    char *cert_pem, *key_pem; /* TLS material, alive until MHD_stop_daemon */
};

/* The MHD access handler (MHD_AccessHandlerCallback); cls is the tm_http. Called on the
 * server's pool threads; reads only the tm_http's constant fields and the pub (locked). */
enum MHD_Result tm_http_handle(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload,
                               size_t *upload_size, void **req_cls);

/* Whether a Host header value names this server (see http.h: the DNS-rebinding check). */
bool tm_http_host_ok(const tm_http *h, const char *host);

#endif
