/* Prelude of the decl blocks of telemetry.md: steady/telemetry.h is not in the umbrella
 * header (it is another library). Included after <steady/steady.h>. */
#include <steady/telemetry.h>
