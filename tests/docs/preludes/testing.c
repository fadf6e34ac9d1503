/* Prelude of the decl blocks of testing.md: steady/testing.h is not in the umbrella header (it
 * is another library, the testing kit). Included after <steady/steady.h>. */
#include <steady/testing.h>
