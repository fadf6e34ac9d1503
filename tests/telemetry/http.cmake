# The HTTP server on its own (http_test.c): routes, methods, safety headers, the Host check,
# header and connection limits, 200 stalled clients, basic authentication, TLS with a
# certificate made by openssl (curl checks it), the port walk and blob lifetimes.
steady_test(NAME telemetry_http
            SOURCES http_test.c
            LABELS unit telemetry
            TIMEOUT 60
            LIBS steady_telemetry_static)
