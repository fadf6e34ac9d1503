# The history file (history_test.c): every frame served recorded in order, byte for byte
# (fetched with curl), rotation within the bound, a torn tail, bad paths.
steady_test(NAME telemetry_history
            SOURCES history_test.c
            LABELS unit telemetry
            TIMEOUT 90
            LIBS steady_telemetry_static ZLIB::ZLIB)
