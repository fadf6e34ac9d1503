/* core/supervise.h — supervision (supervise.c): what happens when a generation ends.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_SUPERVISE_H
#define STEADY_CORE_SUPERVISE_H

#include "core/base.h"

/* How a generation ended, as the supervisor sees it. */
typedef enum steady__ending {
    STEADY__RETURNED = 0, /* run returned 0 */
    STEADY__FAILED,       /* non-zero return, steady_panic, STEADY_ASSERT, misuse */
} steady__ending;

/* The supervisor's view of one actor: its policy and the restart history the intensity limit
 * and the backoff streak need. Owned by the actor's thread once running. */
struct steady__supervision {
    steady_policy policy;
    uint64_t *restart_ns; /* ring of the last max_restarts restart times (NULL: unlimited) */
    uint32_t ring_len, ring_next;
    uint32_t streak;          /* restarts in the current backoff streak */
    uint64_t gen_start;       /* graph clock when the running generation started */
    _Atomic uint32_t pending; /* a restart was decided; its backoff or rewind is under way */
    uint64_t rng;             /* jitter: xorshift64* state */
};

/* Checks a policy's fields; `who` names the actor or graph in the error. */
steady_err steady__policy_check(const steady_policy *p, const char *who);
/* Copies the policy into the actor and allocates its restart history. Spawn. */
steady_err steady__supervision_init(steady_actor *a, const steady_policy *p);
/* Called on the actor's own stack when a generation ended (`why`: the failure's reason, or NULL
 * when it returned 0). Releases the arena, counts showstoppers, saves a durable state, then
 * decides: true when the actor is to run again (the backoff has been waited and the next
 * generation prepared), false when it is done (returned, voted, or stopped for good). */
bool steady__supervise(steady_actor *a, const char *why);
/* For an actor whose process died (ISOLATED): the same decision as steady__supervise, made by
 * the parent's warden; no wait. True with *delay_ns: restart it after that long, first calling
 * steady__restart_prepare (which also resets what a fresh process must find). */
bool steady__supervise_death(steady_actor *a, const char *why, uint64_t *delay_ns);
void steady__restart_prepare(steady_actor *a);
/* Showstopper settings that steady_graph_start checks (the dead letter's owner). */
steady_err steady__showstoppers_validate(steady_graph *g);

#endif
