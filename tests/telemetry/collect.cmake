# steady/telemetry.h end to end: a real graph, the collector, the HTTP server on an ephemeral
# port, checked with dot and python3's json. SERIAL: it measures a 20 ms latency (+-25 %).
steady_test(NAME telemetry_graph
            SOURCES telemetry_test.c
            LABELS unit telemetry
            TIMEOUT 120
            SERIAL
            LIBS steady_telemetry_static)

# A graph served for the tests that look from outside (browser, Prometheus, slow clients).
add_executable(observed_graph observed_graph.c)
target_link_libraries(observed_graph PRIVATE steady_telemetry_static)

# The dashboard in headless Chromium against the real server: observed_graph (source -> slow
# middle -> sink) on an ephemeral port, dashboard_test.mjs (web.cmake) expecting its 3 nodes,
# 2 edges and the middle stage as the bottleneck, then "Snapshot at" once the program is
# killed. Skipped (77) as the fixture test is, without node, playwright-core or Chromium.
if(Python3_Interpreter_FOUND)
    set(_tmr_args --expect-viz 0)
    if(_tmw_have_viz)
        set(_tmr_args --expect-viz 1 --expect-nodes 3 --expect-edges 2)
    endif()
    if(STEADY_CHROMIUM)
        list(APPEND _tmr_args --chromium "${STEADY_CHROMIUM}")
    endif()
    steady_test_script(NAME telemetry_dashboard_real
        COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/real_server.py"
                --env STEADY_TELEMETRY_PORT=0
                -- $<TARGET_FILE:observed_graph> --seconds 90 --hold-us 300
                -- "${_tmw_node}" "${CMAKE_CURRENT_SOURCE_DIR}/dashboard_test.mjs"
                --base "{base}" --server-pid "{pid}" --expect-bottleneck middle
                --shots "${CMAKE_CURRENT_BINARY_DIR}/dashboard-real-shots"
                ${_tmw_nm_args} ${_tmr_args}
        LABELS telemetry browser
        TIMEOUT 150)
    set_tests_properties(telemetry_dashboard_real PROPERTIES SKIP_RETURN_CODE 77)
endif()

# The lints, each provoked by a graph built to show it (frames of 50 ms, a window of 1 s).
# SERIAL: the starving and polling cases time a spinning actor against the collector's clock.
steady_test(NAME telemetry_lints
            SOURCES lint_test.c
            LABELS unit telemetry
            TIMEOUT 90
            SERIAL
            LIBS steady_telemetry_static)
