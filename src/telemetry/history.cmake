# The history file (history.h): every frame's snapshot as a gzip stream of JSON lines.
list(APPEND TM_SOURCES "${CMAKE_CURRENT_SOURCE_DIR}/history.c")
