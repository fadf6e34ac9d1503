/* Prelude of the decl blocks of bridge.md: the bridge headers are not in the umbrella header
 * (they are another library). Included after <steady/steady.h>. */
#include <steady/bridge_frame.h>
#include <steady/bridge_uri.h>
#include <steady/bridge.h>
