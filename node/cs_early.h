/* cs_early.h: proposals and votes of the next height that arrive before
 * the engine starts it. After deciding a height the engine waits in its
 * commit step (for the last precommits, or timeout_commit), and a node
 * that is a little behind is still deciding; either way it refuses a
 * message of the next height (BFT_STALE). Its sender does not send that
 * message again (it marked it as sent), so a refused proposal used to cost
 * the whole height a propose timeout and a second round. The driver keeps
 * such messages here and hands them to the engine as soon as it starts
 * their height. Bounded: when full, later messages are not kept (vote
 * gossip brings them once the node is at their height). */
#ifndef HEARTH_NODE_CS_EARLY_H
#define HEARTH_NODE_CS_EARLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/bft.h"

#define CS_EARLY_VOTES_MAX     128
#define CS_EARLY_PROPOSALS_MAX 4

struct cs_early {
	uint64_t height; /* of what is kept; 0: nothing is */
	struct vote votes[CS_EARLY_VOTES_MAX];
	size_t n_votes;
	struct bft_proposal proposals[CS_EARLY_PROPOSALS_MAX]; /* payloads: copies */
	size_t n_proposals;
};

/* Keeps a copy of ev when it is a proposal or vote of the height after
 * engine_height and is not kept already.
 * Returns true when kept. */
bool cs_early_keep(struct cs_early *k, uint64_t engine_height, const struct bft_event *ev);

/* The kept messages when the engine is now at their height.
 * Out: *out (the caller owns it: feeds its events, then cs_early_clear).
 * Returns true when out holds them (k is then empty). Messages of a
 * height the engine has passed are dropped. */
bool cs_early_take(struct cs_early *k, uint64_t engine_height, struct cs_early *out);

/* Frees the kept payloads; k is empty. */
void cs_early_clear(struct cs_early *k);

#endif
