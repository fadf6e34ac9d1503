/* core/supervise.h — supervision (supervise.c): what happens when a generation ends.
 * Private to the core library (never installed); the umbrella core/internal.h includes it. */
#ifndef STEADY_CORE_SUPERVISE_H
#define STEADY_CORE_SUPERVISE_H

#include "core/base.h"

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
 * steady__restart_prepare (which also resets what a fresh process must find). !can_run: no
 * process can be started for it any more; true then only says it would have been restarted
 * (nothing announced), and the caller stops it for good. */
bool steady__supervise_death(steady_actor *a, const char *why, bool can_run, uint64_t *delay_ns);
void steady__restart_prepare(steady_actor *a);
/* Showstopper settings that steady_graph_start checks (the dead letter's owner). */
steady_err steady__showstoppers_validate(steady_graph *g);

#endif
