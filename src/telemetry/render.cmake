# The renderers (render.h): DOT, Prometheus text, the JSON snapshot and /config, with the
# helpers they share (fmt.h).
list(APPEND TM_SOURCES
    "${CMAKE_CURRENT_SOURCE_DIR}/fmt.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/render_dot.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/render_prom.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/render_json.c")
