/* reputation.h: provider reputation, kept on the ledger as outcome counters
 * (Reputation under MKEY_REPUTATION || provider) and summarized as a score
 * in [0, 100] that bids filter on (Bid.min_reputation):
 *   score = floor(100 * (completed + 1) / (outcomes + 2))
 * where outcomes = completed + failed + slashed + disputes_lost: the Laplace
 * estimate of the chance a lease completes, so a new provider scores 50 and
 * one bad outcome cannot sink a long record. */
#ifndef HEARTH_MARKET_REPUTATION_H
#define HEARTH_MARKET_REPUTATION_H

#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/state.h"

struct market_reputation {
	uint64_t completed;
	uint64_t failed;
	uint64_t slashed;
	uint64_t disputes_lost;
};

/* Out: *rep (zeros for a provider without outcomes).
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_reputation_load(const struct state *st, const uint8_t provider[PUBKEY_SIZE],
		       struct market_reputation *rep);

/* Writes rep. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_reputation_store(const struct state *st, const uint8_t provider[PUBKEY_SIZE],
			const struct market_reputation *rep);

/* Returns the score of rep, in [0, 100]. */
uint32_t market_reputation_score(const struct market_reputation *rep);

#endif
