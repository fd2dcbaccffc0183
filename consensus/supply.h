/* supply.h: the supply counters (Supply under KEY_SUPPLY): what genesis
 * created, what was issued since (rewards, none yet) and what was burned
 * (slashing). consensus/invariant.c checks them against the holdings. */
#ifndef HEARTH_CONSENSUS_SUPPLY_H
#define HEARTH_CONSENSUS_SUPPLY_H

#include <stdint.h>

#include "consensus/state.h"

struct supply {
	uint64_t genesis;
	uint64_t issued;
	uint64_t burned;
};

/* Out: *s. Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status supply_load(const struct state *st,
								  struct supply *s);

/* Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status supply_store(const struct state *st,
								   const struct supply *s);

/* Adds amount to the burned counter. Returns 0, 1 on overflow (nothing
 * written), -1 on a state error or a missing record. */
__attribute__((warn_unused_result)) int supply_add_burned(const struct state *st, uint64_t amount);

#endif
