/* proposer.h: who proposes at (height, round): CometBFT's weighted round
 * robin over proposer priorities, reproduced step for step so that every
 * node, given the same validator set, picks the same proposer.
 *
 * One increment ("IncrementProposerPriority" in CometBFT):
 *   1. if max - min priority > 2 * total power, divide every priority by
 *      ceil((max - min) / (2 * total)) (truncating, as Go's integer division);
 *   2. subtract the average priority (rounded toward minus infinity) from
 *      every priority;
 *   3. then `times` times: add each validator's power to its priority, pick
 *      the validator with the greatest priority (ties: the smaller key, the
 *      address order of CometBFT), subtract the total power from it.
 * Sums saturate at INT64 bounds as CometBFT's safeAddClip/safeSubClip do.
 *
 * How a chain uses it (CometBFT's state.Validators / NextValidators):
 *   - the set stored for height h is S_h; proposer(h, 0) is the pick of
 *     proposer_increment(copy of S_h, 1) and proposer(h, r) for r > 0 is the
 *     pick of proposer_increment(that copy, r), so the answer depends on
 *     (S_h, r) only, never on the rounds a node happened to go through;
 *   - S_{h+1} = proposer_update(S_h after proposer_increment(S_h, 1), new
 *     membership); with no change of membership S_{h+1} is simply S_h
 *     incremented once;
 *   - the genesis set S_1 is proposer_update of the empty set: every member
 *     new at -1.125 * total, then re-centred (so all priorities are 0). */
#ifndef HEARTH_CONSENSUS_PROPOSER_H
#define HEARTH_CONSENSUS_PROPOSER_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/validators.h"

/* Applies one IncrementProposerPriority(times) to set's priorities.
 * In/Out: set (count >= 1). In: times >= 1.
 * Returns the index of the last validator picked (the proposer). */
size_t proposer_increment(struct validator_set *set, uint32_t times);

/* The proposer of round `round` for a height whose stored set is base
 * (base is not modified; scratch is overwritten).
 * Returns the proposer's index in base. */
size_t proposer_select(const struct validator_set *base, uint32_t round,
		       struct validator_set *scratch);

/* The new set after a change of membership (CometBFT's UpdateWithChangeSet
 * given the complete new membership).
 * In:  old (may have count 0: the genesis case); members[n]: the new
 *      membership with powers (priorities ignored), n >= 1.
 * Out: out: members sorted by key; a member already in old keeps its
 *      priority; a new member starts at -(T + T/8) where T is the total power
 *      after the updates and before the removals (CometBFT's
 *      tvpAfterUpdatesBeforeRemovals); then priorities are rescaled to a
 *      window of 2 * total and re-centred.
 * Returns 0, or -1 when validators_set_init refuses the membership. */
__attribute__((warn_unused_result)) int proposer_update(const struct validator_set *old,
							const struct validator *members, size_t n,
							struct validator_set *out);

#endif
