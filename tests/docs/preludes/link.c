/* Prelude of link.md's fragment: a function that has the bridge actor it describes. */
#include <steady/steady.h>
void describe_link(steady_actor *egress);
void describe_link(steady_actor *egress)
{
    /* @BLOCK@ */
}
