# The renderers on hand-made frames (render_test.c), checked by dot, promtool and python3 where
# installed, and the number formatting they share (fmt_test.c). They use the renderers, fmt.h,
# buf.h and the collector only, so the library's HTTP objects are never linked in.
steady_test(NAME telemetry_render
            SOURCES render_test.c
            LABELS unit telemetry
            TIMEOUT 60
            LIBS steady_telemetry_static m)
steady_test(NAME telemetry_render_fmt
            SOURCES fmt_test.c
            LABELS unit telemetry
            TIMEOUT 10
            LIBS steady_telemetry_static m)
