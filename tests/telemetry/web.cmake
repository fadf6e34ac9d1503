# The dashboard in a browser: fixture_server.py serves the embedded assets (the same list that
# src/telemetry/web.cmake embeds) with animated fixture figures, and dashboard_test.mjs drives
# headless Chromium through it (playwright-core, from the build's npm install). Screenshots go
# to <build>/tests/telemetry/dashboard-shots/. Skipped (77) without node, playwright-core or
# Chromium, saying which.
find_package(Python3 QUIET COMPONENTS Interpreter)
if(NOT Python3_Interpreter_FOUND)
    message(STATUS "steady: telemetry_dashboard_browser not registered (no python3)")
    return()
endif()
find_program(STEADY_NODE node)
find_program(STEADY_CHROMIUM NAMES chromium chromium-browser google-chrome)

get_property(_tmw_manifest GLOBAL PROPERTY STEADY_WEB_ASSET_MANIFEST)
get_property(_tmw_have_viz GLOBAL PROPERTY STEADY_WEB_HAVE_VIZ)
get_property(_tmw_nm GLOBAL PROPERTY STEADY_WEB_NODE_MODULES)
set(_tmw_nm_args "")
foreach(_d IN ITEMS "${_tmw_nm}" "${CMAKE_BINARY_DIR}/web-npm/node_modules"
                    "${PROJECT_SOURCE_DIR}/web/node_modules")
    if(_d AND EXISTS "${_d}/playwright-core")
        list(APPEND _tmw_nm_args --node-modules "${_d}")
        break()
    endif()
endforeach()
set(_tmw_server_args --manifest "${_tmw_manifest}")
set(_tmw_test_args --expect-viz 0)
if(_tmw_have_viz)
    set(_tmw_test_args --expect-viz 1 --expect-nodes 5 --expect-edges 6)
else()
    list(APPEND _tmw_server_args --no-viz)
endif()
if(STEADY_CHROMIUM)
    list(APPEND _tmw_test_args --chromium "${STEADY_CHROMIUM}")
endif()
if(STEADY_NODE)
    set(_tmw_node "${STEADY_NODE}")
else()
    set(_tmw_node node) # absent: the fixture server reports it and exits 77
endif()

steady_test_script(NAME telemetry_dashboard_browser
    COMMAND "${Python3_EXECUTABLE}" "${CMAKE_CURRENT_SOURCE_DIR}/fixture_server.py"
            ${_tmw_server_args} --
            "${_tmw_node}" "${CMAKE_CURRENT_SOURCE_DIR}/dashboard_test.mjs"
            --base "{base}" --stop-url "{base}/__stop" --expect-bottleneck logger
            --shots "${CMAKE_CURRENT_BINARY_DIR}/dashboard-shots"
            ${_tmw_nm_args} ${_tmw_test_args}
    LABELS telemetry browser
    TIMEOUT 120)
set_tests_properties(telemetry_dashboard_browser PROPERTIES SKIP_RETURN_CODE 77)
