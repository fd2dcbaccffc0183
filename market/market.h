/* market.h: the market module's public interface: its registration with the
 * ledger (node/chain.c and the tests call market_register after ledger_init)
 * and the read-only queries the RPC serves over any struct state (a
 * snapshot): records by id, a bid's explanation, listings by owner and the
 * order book. doc/market.md describes the records, rules and reasons. */
#ifndef HEARTH_MARKET_MARKET_H
#define HEARTH_MARKET_MARKET_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/ledger.h"
#include "consensus/state.h"
#include "market/keys.h"
#include "market/reason.h"
#include "proto/codec.h"

/* The market's table: offer, cancel_offer, bid, cancel_bid, receipt,
 * receipt_commit, receipt_reveal, dispute. */
extern const struct ledger_module market_module;

/* Registers the market with l (after ledger_init).
 * Returns 0, or -1 (table full or a kind already routed). */
__attribute__((warn_unused_result)) int market_register(struct ledger *l);

/* Out: id = H("hearth/lease", bid id || replica (u32, big-endian)). */
void market_lease_id(const uint8_t bid_id[MARKET_ID_SIZE], uint32_t replica,
		     uint8_t id[MARKET_ID_SIZE]);

/* The record of an id.
 * Out: *rec (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_offer_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
		 Hearth__OfferRecord **rec);
__attribute__((warn_unused_result)) enum state_status
market_bid_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE], Hearth__BidRecord **rec);
__attribute__((warn_unused_result)) enum state_status
market_lease_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE], Hearth__Lease **rec);

/* The receipt of a lease.
 * Out: *rec (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND (no receipt yet) or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_receipt_get(const struct state *st, const uint8_t lease_id[MARKET_ID_SIZE],
		   Hearth__ReceiptRecord **rec);

/* The dispute of a lease (DisputeRecord; outcome 0 pending, 1 provider
 * right, 2 provider wrong, 3 void, 4 verifier failed).
 * Out: *rec (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_dispute_get(const struct state *st, const uint8_t lease_id[MARKET_ID_SIZE],
		   Hearth__DisputeRecord **rec);

/* The tie-break of a replicated bid (TieBreakRecord; outcome 0 pending, 1
 * the verifier agreed with some replicas, 2 with none, 3 void: no
 * verifier, 4 the verifier missed its deadline).
 * Out: *rec (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND (the bid never needed one) or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_tiebreak_get(const struct state *st, const uint8_t bid_id[MARKET_ID_SIZE],
		    Hearth__TieBreakRecord **rec);

/* The commitment a replicated lease's provider sends first:
 * out = H("hearth/receipt/commit", result_hash || provider || salt).
 * In:  salt[salt_len], 1 to 64 bytes (more is cut to 64). */
void market_receipt_commitment(const uint8_t result_hash[HASH_SIZE],
			       const uint8_t provider[PUBKEY_SIZE], const uint8_t *salt,
			       size_t salt_len, uint8_t out[HASH_SIZE]);

/* What became of a bid: its state and, while queued, why its last matching
 * attempt failed (a market_reason; MARKET_OK before the first attempt and
 * once matched); market_strreason gives the message.
 * Returns STATE_OK, STATE_NOT_FOUND or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_explain_bid(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
		   Hearth__BidState *state, uint32_t *reason);

enum market_listing {
	MARKET_OFFERS_BY_PROVIDER, /* open offers (and expired ones still leased) */
	MARKET_BIDS_BY_CONSUMER,   /* every bid, whatever its state */
	MARKET_LEASES_BY_PROVIDER,
	MARKET_LEASES_BY_CONSUMER,
};

/* Called with each id of a listing; returns 0 to go on, 1 to stop. */
typedef int (*market_list_fn)(void *arg, const uint8_t id[MARKET_ID_SIZE]);

/* Lists the ids of owner's records of one kind in id order, starting after
 * the id after (NULL: from the first), for pagination.
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_list(const struct state *st, enum market_listing which, const uint8_t owner[PUBKEY_SIZE],
	    const uint8_t *after, market_list_fn fn, void *arg);

/* Called with each entry of the book: price per second, then offer id. */
typedef int (*market_book_fn)(void *arg, uint64_t price, const uint8_t id[MARKET_ID_SIZE]);

/* Walks the book (open offers with a free slot) from the cheapest ask, ties
 * by age, as matching does. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_book_foreach(const struct state *st, market_book_fn fn, void *arg);

/* Out: *amount, the escrow the market holds. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status market_escrow_total(const struct state *st,
									  uint64_t *amount);

#endif
