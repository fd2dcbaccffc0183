/* params.h: the chain parameters fixed at genesis, their bounds, and their
 * stored form (the Params record under KEY_PARAMS, see consensus/keys.h). */
#ifndef HEARTH_CONSENSUS_PARAMS_H
#define HEARTH_CONSENSUS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/state.h"

#define CHAIN_ID_MAX		    64
#define PARAMS_TX_BYTES_MIN	    128u
#define PARAMS_TX_BYTES_MAX	    (1u << 20)
#define PARAMS_BLOCK_BYTES_MAX	    (64u << 20)
#define PARAMS_BLOCK_TXS_MAX	    100000u
#define PARAMS_PPM		    1000000u
#define PARAMS_BLOCK_TIME_MS_MAX    3600000u
#define PARAMS_GRACE_BLOCKS_MAX	    1000000u
#define PARAMS_MATCH_BIDS_MAX	    100000u
#define PARAMS_MATCH_OFFERS_MAX	    100000u
#define PARAMS_CHALLENGE_BLOCKS_MAX 1000000u
#define PARAMS_REVEAL_BLOCKS_MAX    1000000u

struct params {
	uint64_t max_block_bytes; /* encoded Block */
	uint32_t max_block_txs;
	uint32_t max_tx_bytes;		    /* encoded Tx */
	uint64_t min_fee_per_byte;	    /* fee >= this * encoded Tx size */
	uint64_t unbonding_blocks;	    /* stake returns at end of height + this */
	uint64_t min_provider_bond;	    /* market: bond needed to offer */
	uint32_t max_validators;	    /* N of "top N bonded validator candidates" */
	uint32_t slash_fraction_ppm;	    /* share of the bond burned for evidence */
	uint64_t max_inline_input_bytes;    /* market: bound of a bid's inline input */
	uint64_t market_block_time_ms;	    /* market: nominal block interval */
	uint64_t market_lease_grace_blocks; /* market: deadline slack after the run */
	uint32_t market_match_bids;	    /* market: bids tried per block */
	uint32_t market_match_offers;	    /* market: offers examined per bid */
	uint64_t market_challenge_blocks;   /* market: receipt to settlement */
	uint32_t market_slash_missed_ppm;   /* market: bond burned for a missed deadline */
	uint32_t market_slash_wrong_ppm;    /* market: bond burned for a wrong result */
	uint64_t market_reveal_blocks;	    /* market: reveal window, r >= 2 */
	uint64_t market_dispute_bond;	    /* market: a consumer's stake in a dispute */
};

/* Checks every bound (doc/genesis.md).
 * Out: *why, a static string naming the parameter at fault.
 * Returns 0, or -1. */
__attribute__((warn_unused_result)) int params_validate(const struct params *p, const char **why);

/* Writes p as a Params record under KEY_PARAMS. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status params_store(const struct state *st,
								   const struct params *p);

/* Reads the Params record. Out: *p. Returns STATE_OK, STATE_NOT_FOUND or
 * STATE_ERROR (including a record that does not decode). */
__attribute__((warn_unused_result)) enum state_status params_load(const struct state *st,
								  struct params *p);

#endif
