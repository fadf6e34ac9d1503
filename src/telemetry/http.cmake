# The HTTP server (http.h): the daemon's life (http.c), one request (http_serve.c) and what
# it serves (pub.c).
list(APPEND TM_SOURCES
    "${CMAKE_CURRENT_SOURCE_DIR}/pub.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/http.c"
    "${CMAKE_CURRENT_SOURCE_DIR}/http_serve.c")
