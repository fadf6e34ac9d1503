# steady/telemetry.h end to end: a real graph, the collector, the HTTP server on an ephemeral
# port, checked with dot and python3's json. SERIAL: it measures a 20 ms latency (+-25 %).
steady_test(NAME telemetry_graph
            SOURCES telemetry_test.c
            LABELS unit telemetry
            TIMEOUT 120
            SERIAL
            LIBS steady_telemetry_static)
