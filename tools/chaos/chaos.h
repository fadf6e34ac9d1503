/* chaos.h — steady-chaos: sequence-numbered messages through a multi-stage graph under
 * injected failures, counted at the end by a checker.
 *
 * The graph (main.c builds it):
 *
 *   source (solo) -> stage-a -> stage-b (one troupe, "ab") -> stage-c (solo) -> checker (solo)
 *
 * The source emits 0..messages-1; each stage copies the sequence number through and transforms
 * the payload (the checker recomputes it, so a torn or stale element shows as corrupt); the
 * checker counts lost, duplicated and reordered numbers (checker.h). Failures are injected into
 * the source and the three stages at points drawn from the seed up front (plan.c), in four kinds:
 *   before-peek      at the top of a step, before the input is looked at;
 *   after-peek       between peek and commit: the outputs are written in place (transactional)
 *                    or the output is already sent and the input not yet taken (separate);
 *   mid-batch        after part of a batch's outputs was written in place (and, to prove it is
 *                    discarded, a poisoned element after them), nothing published;
 *   during-shutdown  as after-peek, but only once shutdown was requested, while draining.
 * Each point is a position in the actor's input stream (the channel's taken total; for the
 * source its sent total). The actor advances its cursor in its state block before it fails, so
 * the restarted generation goes past the point instead of failing there again.
 *
 * With --isolated, troupe "ab" (stage-a and stage-b together) and stage-c each run in a child
 * process (the ISOLATED placement); the source and the checker stay in the main process. Their
 * failures may then also be native deaths: the child kills itself with SIGKILL or dies of a
 * real null write (SIGSEGV), at the same points. The state block is shared memory, so the
 * cursor advanced before dying survives; the warden restarts every member of the dead child
 * that had not finished (for troupe "ab", one death is a failure of both members).
 */
#ifndef CHAOS_H
#define CHAOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <steady/steady.h>

#include "checker.h"

/* One message: a sequence number and a payload each stage transforms (see chaos_payload). */
typedef struct chaos_msg {
    uint64_t seq;
    uint64_t payload;
} chaos_msg;

STEADY_CHANNEL_TYPE(msgch, chaos_msg);

/* Written into an unpublished slot by a mid-batch failure: it must never reach the checker. */
#define CHAOS_POISON_SEQ UINT64_MAX

typedef enum chaos_commit_mode {
    CHAOS_TRANSACTIONAL = 0, /* steady_commit1: publish outputs and take inputs in one call */
    CHAOS_SEPARATE,          /* per message: send, then take in a second call */
} chaos_commit_mode;

typedef enum chaos_kind {
    CHAOS_BEFORE_PEEK = 0,
    CHAOS_AFTER_PEEK,
    CHAOS_MID_BATCH,
    CHAOS_DURING_SHUTDOWN,
    CHAOS_KINDS
} chaos_kind;

/* How an injected failure fails the actor: the three ways an actor can fail by itself, and
 * (ISOLATED actors only) the two native deaths of its process. */
typedef enum chaos_how {
    CHAOS_BY_PANIC = 0, /* steady_panic */
    CHAOS_BY_ASSERT,    /* a failed STEADY_ASSERT */
    CHAOS_BY_RETURN,    /* run returns CHAOS_FAIL_CODE */
    CHAOS_BY_SIGKILL,   /* kill(getpid(), SIGKILL): the child dies at once */
    CHAOS_BY_SIGSEGV,   /* a real null write: the child dies of SIGSEGV */
    CHAOS_HOWS
} chaos_how;

/* The first native way: hows from here on kill the process, and only ISOLATED actors use them. */
#define CHAOS_FIRST_NATIVE CHAOS_BY_SIGKILL
#define CHAOS_HOW_BIT(h) (1u << (h))
#define CHAOS_HOWS_IN_PROCESS                                                                      \
    (CHAOS_HOW_BIT(CHAOS_BY_PANIC) | CHAOS_HOW_BIT(CHAOS_BY_ASSERT) |                              \
     CHAOS_HOW_BIT(CHAOS_BY_RETURN))
#define CHAOS_HOWS_NATIVE (CHAOS_HOW_BIT(CHAOS_BY_SIGKILL) | CHAOS_HOW_BIT(CHAOS_BY_SIGSEGV))

/* Restart latency is kept apart for failures inside the process and for native deaths. */
typedef enum chaos_class { CHAOS_IN_PROCESS = 0, CHAOS_NATIVE, CHAOS_CLASSES } chaos_class;

/* run's return value for CHAOS_BY_RETURN (logged as "run returned 86"). */
#define CHAOS_FAIL_CODE 86
/* Every injected failure's reason contains this (the return code's log line excepted). */
#define CHAOS_MARK "[chaos]"

/* The actors that get failures, in plan order. */
typedef enum chaos_role {
    CHAOS_SOURCE = 0,
    CHAOS_STAGE_A,
    CHAOS_STAGE_B,
    CHAOS_STAGE_C,
    CHAOS_ROLES
} chaos_role;

typedef struct chaos_args {
    uint64_t seed;
    uint64_t messages;
    uint64_t failures;
    uint64_t capacity;    /* slots per channel */
    uint64_t batch;       /* most elements per step */
    uint64_t shutdown_at; /* the source requests shutdown before sending this number */
    chaos_commit_mode commit;
    bool isolated;     /* troupe "ab" and stage-c run in child processes */
    unsigned how_mask; /* CHAOS_HOW_BIT of each way a failure may take (native: isolated only) */
} chaos_args;

/* One planned failure. */
typedef struct chaos_point {
    uint64_t pos; /* position in the actor's input stream (source: output stream) */
    uint8_t kind; /* chaos_kind */
    uint8_t how;  /* chaos_how */
} chaos_point;

/* One actor's failures, sorted by position. */
typedef struct chaos_plan {
    chaos_point *points;
    size_t n;
} chaos_plan;

/* The state block of the source and of each stage: it survives restarts, and native deaths too
 * (it lies in the graph's shared memory), so everything an isolated child must hand back to
 * main lives here, the latency samples included. */
typedef struct chaos_state {
    size_t cursor;                  /* next point of the plan; advanced before failing */
    uint64_t injected[CHAOS_KINDS]; /* failures injected so far, by kind */
    uint64_t by_how[CHAOS_HOWS];    /* the same, by way of failing */
    uint64_t dup_window;            /* separate mode: failures after a send, before its take */
    uint64_t late;       /* points that struck only at the end of the stream (a harness bug) */
    uint64_t collateral; /* native deaths that also killed an unfinished troupe mate */
    uint64_t fail_ns;    /* when the last failure struck, until the next commit (0: none) */
    uint32_t fail_class; /* chaos_class of that failure */
    bool finished;       /* run returned 0 for the last time (troupe mates read it) */
    size_t n_latency[CHAOS_CLASSES]; /* samples in chaos_samples(..., CHAOS_LATENCY, class) */
    size_t n_reentry[CHAOS_CLASSES]; /* samples in chaos_samples(..., CHAOS_REENTRY, class) */
    uint64_t committed;              /* elements published */
    /* 2 * CHAOS_CLASSES arrays of plan->n samples (ns), see chaos_samples */
    uint64_t samples[];
} chaos_state;

/* What a sample array holds: failure to the next commit, or to run being entered again. */
typedef enum chaos_measure { CHAOS_LATENCY = 0, CHAOS_REENTRY } chaos_measure;

/* The size of the state block of an actor whose plan has n points. */
static inline size_t chaos_state_size(size_t n)
{
    return sizeof(chaos_state) + 2u * CHAOS_CLASSES * (n ? n : 1) * sizeof(uint64_t);
}

/* The n-slot sample array for a measure and a class in a state block of chaos_state_size(n). */
static inline uint64_t *chaos_samples(chaos_state *st, size_t n, chaos_measure m, chaos_class c)
{
    return st->samples + ((size_t)m * CHAOS_CLASSES + (size_t)c) * (n ? n : 1);
}

/* The arg of the source and of each stage: its ends and its plan. Made by main before the
 * start and never written after it (a child process sees the copy it was forked with); the
 * actor writes only its state block. */
typedef struct chaos_stage_io {
    msgch_rx in; /* unused by the source */
    msgch_tx out;
    chaos_role role;
    const chaos_args *args;
    const chaos_plan *plan;
    steady_actor *mate; /* the other member of isolated troupe "ab"; NULL otherwise */
} chaos_stage_io;

/* The checker actor's arg. */
typedef struct chaos_sink_io {
    msgch_rx in;
    const chaos_args *args;
    chaos_checker *checker;
} chaos_sink_io;

/* ---- plan.c ---- */

/* Draws args->failures points from args->seed and deals them to the roles: plans[r] gets its
 * points sorted by position. Positions of kind during-shutdown lie in [shutdown_at, messages),
 * the others in [0, messages). Returns false when out of memory (free what was made with
 * chaos_plans_free). */
bool chaos_plans_make(const chaos_args *args, chaos_plan plans[CHAOS_ROLES]);
void chaos_plans_free(chaos_plan plans[CHAOS_ROLES]);

/* Whether role r runs in a child process under args (troupe "ab" and stage-c, with --isolated),
 * and the ways its failures may take (native ones only when it does). */
bool chaos_role_isolated(const chaos_args *args, chaos_role r);
unsigned chaos_role_hows(const chaos_args *args, chaos_role r);

const char *chaos_kind_name(chaos_kind k);
const char *chaos_role_name(chaos_role r);
const char *chaos_how_name(chaos_how h);
/* Parses "panic,assert,return,sigkill,sigsegv" (any non-empty subset, or "all") into a mask of
 * CHAOS_HOW_BIT; false for an unknown name. */
bool chaos_parse_hows(const char *text, unsigned *mask);

/* ---- actors.c ---- */

int chaos_source_run(steady_actor *a, void *arg);
int chaos_stage_run(steady_actor *a, void *arg);
int chaos_sink_run(steady_actor *a, void *arg);

/* The payload the source gives `seq`, and what stage `role` makes of `payload`. */
uint64_t chaos_payload_origin(uint64_t seq);
uint64_t chaos_payload_step(chaos_role role, uint64_t seq, uint64_t payload);
/* The payload that reaches the checker: every stage applied once, in order. */
uint64_t chaos_payload_final(uint64_t seq);

#endif
