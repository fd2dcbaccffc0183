/* invariant.h: the ledger's conservation checks, run by the tests after
 * every block (and cheap enough for a node to run on demand):
 *   supply.genesis + supply.issued - supply.burned
 *     = sum of balances + bonded + unbonding (+ what modules hold: escrow)
 * and the staking indexes agree with the accounts: the unbonding queue sums
 * to the accounts' unbonding amounts, the stake index holds exactly the
 * non-jailed validator candidates with bonded stake, at their bonded amount,
 * and no candidate has nothing bonded. */
#ifndef HEARTH_CONSENSUS_INVARIANT_H
#define HEARTH_CONSENSUS_INVARIANT_H

#include <stddef.h>

#include "consensus/ledger.h"
#include "consensus/state.h"

/* Runs every check over st.
 * Out: why[why_size], the first broken rule with its numbers.
 * Returns 0 when all hold, -1 otherwise (including a state error). */
__attribute__((warn_unused_result)) int
invariant_check(const struct ledger *l, const struct state *st, char *why, size_t why_size);

#endif
