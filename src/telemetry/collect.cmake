# The collector, its windows, the options and the public API (steady/telemetry.h).
list(APPEND TM_SOURCES
    "${CMAKE_CURRENT_SOURCE_DIR}/window.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/collect.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/lint.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/telemetry_opts.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/telemetry.c")
