/* Prelude of fragment blocks that use steady/telemetry.h (not in the umbrella header). */
#include <steady/telemetry.h>

/* @BLOCK@ */
