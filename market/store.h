/* store.h: how the market reads and writes its state: records (protobuf,
 * strictly decoded) and empty secondary index entries under market/keys.h,
 * the MarketState counters, and escrow, the funds the market holds for bids
 * (moved between account balances and MarketState.escrow, so the supply
 * invariant sees them through the module's held function). */
#ifndef HEARTH_MARKET_STORE_H
#define HEARTH_MARKET_STORE_H

#include <stdint.h>

#include "consensus/state.h"
#include "market/keys.h"
#include "proto/codec.h"

/* Bound of any market record on decoding. */
#define MARKET_RECORD_MAX (2u << 20)

struct market_state {
	uint64_t next_seq;     /* arrival sequence of the next offer or bid */
	uint64_t escrow;       /* total held for bids */
	uint64_t match_cursor; /* queue seq where the next matching pass starts */
};

/* Out: *ms (zeros when the market never wrote it). Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status market_state_load(const struct state *st,
									struct market_state *ms);

/* Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_state_store(const struct state *st, const struct market_state *ms);

/* Reads and decodes the record under k.
 * Out: *msg (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR (also a bad record). */
__attribute__((warn_unused_result)) enum state_status
market_record_get(const struct state *st, const struct mkey *k,
		  const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg);

/* Encodes msg under k. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_record_put(const struct state *st, const struct mkey *k, const ProtobufCMessage *msg);

/* Writes or deletes an (empty) index entry. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status market_index_put(const struct state *st,
								       const struct mkey *k);
__attribute__((warn_unused_result)) enum state_status market_index_del(const struct state *st,
								       const struct mkey *k);

/* Moves amount from owner's balance into escrow (ms->escrow grows).
 * Returns 0, 1 when the balance is short or escrow would overflow (nothing
 * written), -1 on a state error. */
__attribute__((warn_unused_result)) int market_escrow_lock(const struct state *st,
							   struct market_state *ms,
							   const uint8_t owner[PUBKEY_SIZE],
							   uint64_t amount);

/* Pays amount out of escrow to to's balance (ms->escrow shrinks).
 * Returns 0, 1 when escrow holds less or the balance would overflow (nothing
 * written), -1 on a state error. */
__attribute__((warn_unused_result)) int market_escrow_release(const struct state *st,
							      struct market_state *ms,
							      const uint8_t to[PUBKEY_SIZE],
							      uint64_t amount);

#endif
