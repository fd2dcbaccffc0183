/* order.h: the market's internal interface between its files: the context a
 * tx or an end of block runs in, and the functions of offer.c, bid.c,
 * match.c that market.c routes to. Not for use outside market/. */
#ifndef HEARTH_MARKET_ORDER_H
#define HEARTH_MARKET_ORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "consensus/params.h"
#include "consensus/reason.h"
#include "consensus/state.h"
#include "consensus/tx.h"
#include "market/reason.h"
#include "market/store.h"

#define MARKET_NAME_MAX	      64u	/* bytes of a runtime, attribute key or value */
#define MARKET_LIST_MAX	      16u	/* runtimes or attributes of one order */
#define MARKET_SLOTS_MAX      65535u	/* slots of one offer */
#define MARKET_REPLICAS_MAX   16u	/* replicas of one bid */
#define MARKET_DURATION_MAX   31536000u /* seconds: one year */
#define MARKET_REPUTATION_MAX 100u
#define MARKET_INPUT_URL_MAX  256u /* bytes of a job's input_url */

struct market_ctx {
	const struct state *st;
	const struct params *p;
	uint64_t height;
	const uint8_t *prev_block_id; /* the block's (zeros outside a block) */
};

/* offer.c. check only reads; apply assumes check passed. */
enum ledger_reason market_offer_check(const struct market_ctx *c, const struct tx *tx,
				      struct ledger_error *err);
enum ledger_reason market_offer_apply(const struct market_ctx *c, const struct tx *tx,
				      struct ledger_error *err);
enum ledger_reason market_cancel_offer_check(const struct market_ctx *c, const struct tx *tx,
					     struct ledger_error *err);
enum ledger_reason market_cancel_offer_apply(const struct market_ctx *c, const struct tx *tx,
					     struct ledger_error *err);

/* Writes rec under its id and, when booked (the offer is open with a free
 * slot, so its book entry exists), the same bytes as the value of its book
 * entry (a matching pass reads the offers it examines from the book). Every
 * write of a booked offer's record goes through here. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_offer_store(const struct state *st, const Hearth__OfferRecord *rec, bool booked);

/* Takes one slot of rec (written back); an offer left without a free slot
 * leaves the book. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_offer_take_slot(const struct state *st, Hearth__OfferRecord *rec);

/* As market_offer_take_slot, but the caller writes rec back. */
__attribute__((warn_unused_result)) enum state_status
market_offer_use_slot(const struct state *st, Hearth__OfferRecord *rec);

/* Gives a slot back to the offer of a lease that ended in the end of block
 * c->height: an open offer returns to the book if it was full; an expired
 * one is deleted once nothing is leased any more. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_offer_release_slot(const struct market_ctx *c, const uint8_t *offer_id);

/* Closes every open offer whose expiry height is <= c->height.
 * Returns LEDGER_OK or LEDGER_INTERNAL. */
enum ledger_reason market_offer_expire(const struct market_ctx *c, struct ledger_error *err);

/* The ids of the expiry index entries under prefix (MKEY_OFFER_EXPIRY or
 * MKEY_BID_EXPIRY) due at or before height, in key order.
 * Out: *ids (caller frees; NULL when none), *n. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_collect_due(const struct state *st, enum market_key_prefix prefix, uint64_t height,
		   uint8_t (**ids)[MARKET_ID_SIZE], size_t *n);

/* bid.c */
enum ledger_reason market_bid_check(const struct market_ctx *c, const struct tx *tx,
				    struct ledger_error *err);
enum ledger_reason market_bid_apply(const struct market_ctx *c, const struct tx *tx,
				    struct ledger_error *err);
enum ledger_reason market_cancel_bid_check(const struct market_ctx *c, const struct tx *tx,
					   struct ledger_error *err);
enum ledger_reason market_cancel_bid_apply(const struct market_ctx *c, const struct tx *tx,
					   struct ledger_error *err);

/* Writes rec under its id and, while it is queued, the same bytes as the
 * value of its queue entry (matching reads queued bids from the queue).
 * Every write of a queued bid's record goes through here.
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_bid_store(const struct state *st, const Hearth__BidRecord *rec);

/* Out: *reserve, the tie-break reserve a bid keeps in escrow from its
 * match until it settles: max_price x max_duration for r >= 2, 0 for r = 1
 * (doc/market.md, "Tie-break"). Returns false on overflow. */
bool market_bid_reserve(const Hearth__Bid *b, uint64_t *reserve);

/* Takes a queued bid out of the queue and expiry indexes. */
__attribute__((warn_unused_result)) enum state_status
market_bid_dequeue(const struct state *st, const Hearth__BidRecord *rec);

/* Expires every queued bid whose expiry height is <= c->height, refunding
 * its escrow. Returns LEDGER_OK or LEDGER_INTERNAL. */
enum ledger_reason market_bid_expire(const struct market_ctx *c, struct ledger_error *err);

/* Validates a list of attributes: keys and values 1..MARKET_NAME_MAX bytes,
 * keys distinct, at most MARKET_LIST_MAX. */
bool market_attributes_valid(Hearth__Attribute *const *attrs, size_t n);

/* lease.c: ends lease in state final (SETTLED or FAILED): pay goes to the
 * provider out of the lease's escrow share (price x the bid's max
 * duration), the rest back to the consumer; the bid's escrow shrinks by the
 * share and its open leases by one (SETTLED at none, what is left of its
 * escrow, the tie-break reserve, then going back to the consumer); the
 * offer gets its slot back. Returns 0, 1 when pay exceeds the share or an
 * amount overflows, -1 on a state error. */
int market_lease_close(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *lease,
		       uint64_t pay, Hearth__LeaseState final);

/* Pays amount (a tie-break verifier's pay) to to out of the tie-break
 * reserve of the matched bid bid_id; the bid's escrow shrinks by it.
 * Returns 0, 1 when amount exceeds the reserve or the escrow, -1 on a
 * state error. */
int market_reserve_pay(const struct market_ctx *c, struct market_state *ms, const uint8_t *bid_id,
		       const uint8_t *to, uint64_t amount);

/* Reads and writes a lease record. */
__attribute__((warn_unused_result)) enum state_status
market_lease_load(const struct state *st, const uint8_t *id, Hearth__Lease **lease);
__attribute__((warn_unused_result)) enum state_status
market_lease_store(const struct state *st, const Hearth__Lease *lease);

/* receipt.c: the receipt transaction (r = 1). */
enum ledger_reason market_receipt_check(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err);
enum ledger_reason market_receipt_apply(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err);

/* settle.c: settles the receipted leases due at c->height, then fails the
 * active leases whose deadline is c->height. Returns LEDGER_OK or
 * LEDGER_INTERNAL. */
enum ledger_reason market_settle_block(const struct market_ctx *c, struct ledger_error *err);

/* A provider's standing, for the last filters of matching. */
struct market_standing {
	uint32_t score; /* reputation score */
	bool bond_ok;	/* bonded stake >= min_provider_bond */
	bool jailed;
};

/* match.c: whether o lists runtime. */
bool market_offer_has_runtime(const Hearth__Offer *o, const char *runtime);

/* match.c. Out: *sd, provider's standing now. Returns 0, or -1 on a state
 * error. */
int market_standing_load(const struct market_ctx *c, const uint8_t *provider,
			 struct market_standing *sd);

/* match.c: the filters of matching (doc/market.md), in the order of the
 * reason codes. Out: *why, the first one rec fails for bid, or MARKET_OK.
 * Returns 0, or -1 on a state error. */
int market_offer_fits(const struct market_ctx *c, const Hearth__OfferRecord *rec,
		      const Hearth__BidRecord *bid, enum market_reason *why);

/* Out: deadline = c->height + ceil(duration s / block time) + grace.
 * Returns false on overflow. */
bool market_lease_deadline(const struct market_ctx *c, uint64_t duration_s, uint64_t *deadline);

/* Writes the lease of bid's replica on offer (record, owner and deadline
 * indexes); the caller takes the offer's slot. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_lease_create(const struct market_ctx *c, const Hearth__BidRecord *bid,
		    const Hearth__OfferRecord *offer, uint32_t replica, uint64_t deadline);

/* The replica number of a dispute's verifier lease (a bid has at most
 * MARKET_REPLICAS_MAX replicas, numbered from 0). */
#define MARKET_VERIFIER_REPLICA 0x80000000u

/* settle.c: settles the receipted single-replica lease now: pays the
 * provider its billed seconds, refunds the rest. Returns 0 or -1. */
int market_settle_receipted(const struct market_ctx *c, struct market_state *ms,
			    Hearth__Lease *lease);

/* Out: billed seconds of a run of wall_ms, capped at max_s. */
uint64_t market_billed_seconds(uint64_t wall_ms, uint64_t max_s);

/* Slashes provider fraction_ppm for lease (stake unbonded since the lease
 * began included), paying up to reward_max of it to reward_to (may be
 * NULL), and counts failed, slashed (when anything burned) and, with
 * dispute_lost, disputes_lost. Out: *rewarded (may be NULL).
 * Returns 0 or -1. */
int market_penalize(const struct market_ctx *c, const Hearth__Lease *lease, uint32_t fraction_ppm,
		    const uint8_t *reward_to, uint64_t reward_max, bool dispute_lost,
		    uint64_t *rewarded);

/* Adds one completed outcome to provider. Returns 0 or -1. */
int market_count_completed(const struct market_ctx *c, const uint8_t *provider);

/* reveal.c: commit then reveal for replicas >= 2. */
enum ledger_reason market_commit_check(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err);
enum ledger_reason market_commit_apply(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err);
enum ledger_reason market_reveal_check(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err);
enum ledger_reason market_reveal_apply(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err);

/* Opens the reveal window of bid_id once none of its leases is still
 * active and at least one committed. Returns 0 or -1. */
int market_reveal_maybe_open(const struct market_ctx *c, const uint8_t *bid_id);

/* Settles the bids whose reveal window ends at c->height (majority).
 * Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_reveal_settle_block(const struct market_ctx *c, struct market_state *ms);

/* dispute.c: disputes of single-replica receipts. */
enum ledger_reason market_dispute_check(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err);
enum ledger_reason market_dispute_apply(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err);

/* Assigns a verifier to every dispute filed in this block (seed: the
 * block's prev_block_id). Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
market_dispute_assign_block(const struct market_ctx *c, struct market_state *ms);

/* The verifier's receipt of lease (a verifier lease) decides its dispute;
 * its missed deadline voids it. Return 0 or -1. */
int market_dispute_resolve(const struct market_ctx *c, struct market_state *ms,
			   Hearth__Lease *verifier);
int market_dispute_verifier_failed(const struct market_ctx *c, struct market_state *ms,
				   Hearth__Lease *verifier);

/* verifier.c: verifier leases of disputes and tie-breaks.
 * Draws a verifier for bid from the book (doc/market.md, "Disputes"):
 * offers within the bid's max price that fit it, of providers not in
 * exclude[n_exclude] (32-byte keys), whose worst case (price x the bid's
 * max duration) is at most cap; picked by H("hearth/verifier",
 * c->prev_block_id || seed_id). The pick gets the lease of replica
 * MARKET_VERIFIER_REPLICA (record, indexes, one slot of its offer).
 * Out: vid, its lease id, and *found (false: no candidate, nothing
 * written). Returns 0 or -1. */
int market_verifier_assign(const struct market_ctx *c, const Hearth__BidRecord *bid,
			   const uint8_t *const *exclude, size_t n_exclude, uint64_t cap,
			   const uint8_t *seed_id, uint8_t vid[MARKET_ID_SIZE], bool *found);

/* Ends verifier lease v in state final: record, the slot back. */
int market_verifier_close(const struct market_ctx *c, Hearth__Lease *v, Hearth__LeaseState final);

/* What the verifier of lease v reported. Out: *pay, its price x billed
 * seconds; hash, its result hash. Returns 0 or -1. */
int market_verifier_report(const struct market_ctx *c, const Hearth__Lease *v, uint64_t *pay,
			   uint8_t hash[HASH_SIZE]);

/* The receipt of verifier lease v (at the end of its block), or its missed
 * deadline: decides the dispute (bid of one replica) or the tie-break
 * (more) it serves. Return 0 or -1. */
int market_verifier_settle(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *v);
int market_verifier_fail(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *v);

/* tiebreak.c: tie-breaks of replicated bids (doc/market.md, "Tie-break").
 * At the end of bid's reveal window, without a majority: when the valid
 * reveals (votes[i] non-NULL for the committed leases[i]) name at least two
 * results, writes the bid's TieBreakRecord and draws a verifier whose worst
 * case fits the bid's tie-break reserve (the cover). Out: *pending, true
 * when a verifier was drawn (the leases with a vote then stay open until it
 * decides); false when there is nothing to break, or no verifier (the
 * record then says void).
 * Returns 0 or -1. */
int market_tiebreak_open(const struct market_ctx *c, const Hearth__BidRecord *bid,
			 Hearth__Lease *const *leases, const uint8_t *const *votes, bool *pending);

/* The verifier's receipt decides; its missed deadline voids the tie-break.
 * Return 0 or -1. */
int market_tiebreak_resolve(const struct market_ctx *c, struct market_state *ms,
			    Hearth__Lease *verifier);
int market_tiebreak_verifier_failed(const struct market_ctx *c, struct market_state *ms,
				    Hearth__Lease *verifier);

/* match.c: one matching pass (doc/market.md, "Matching"), which decodes
 * its bids in batches of at most MARKET_MATCH_BATCH_BYTES of records (at
 * least one bid each), so that its memory stays bounded whatever the size
 * of the bids. Returns LEDGER_OK or LEDGER_INTERNAL. */
#define MARKET_MATCH_BATCH_BYTES ((size_t)4 << 20)
enum ledger_reason market_match_block(const struct market_ctx *c, struct ledger_error *err);

/* As market_match_block, with batches of batch_bytes (tests: the batches
 * do not change the outcome). */
enum ledger_reason market_match_pass(const struct market_ctx *c, size_t batch_bytes,
				     struct ledger_error *err);

#endif
