/* tiebreak.c: tie-breaks of replicated bids (r >= 2). A reveal window that
 * ends without a majority while the valid reveals name at least two
 * different results gets a verifier, drawn as a dispute's is (verifier.c):
 * any provider but the bid's own, seeded by the bid's id, whose worst case
 * (price x max duration) fits the cover: the bid's tie-break reserve,
 * max_price x max_duration, which the bid keeps in escrow from its match
 * (bid.c, match.c), so every offer within the bid's max price qualifies.
 * The leases with a valid reveal stay RECEIPTED, their shares in the bid's
 * escrow, until the verifier reports with a plain receipt, which decides at
 * the end of its block:
 *  - its hash is one of the revealed ones: those replicas are paid price x
 *    billed seconds as a majority would be (completed); the others refund
 *    their shares and are slashed slash_wrong_result_ppm (failed, slashed).
 *  - its hash matches no replica: every share is refunded, nobody slashed.
 * Either way the verifier is paid price x billed seconds out of the
 * reserve and counts completed; the rest of the reserve goes back to the
 * consumer with the bid's last lease (lease.c). No verifier available: the
 * record is void and the bid settles as without a majority (everything
 * refunded, the reserve too). The verifier misses its deadline: it is
 * slashed as for any missed deadline and everything is refunded. Faults
 * (no reveal, a faulty reveal) are settled at the end of the window, as
 * without a tie-break. */
#include "market/order.h"

#include <string.h>

#include "market/market.h"

enum tiebreak_outcome {
	TIEBREAK_PENDING = 0,
	TIEBREAK_AGREED = 1,
	TIEBREAK_NO_MATCH = 2,
	TIEBREAK_VOID = 3,
	TIEBREAK_VERIFIER_FAILED = 4,
};

static enum state_status tiebreak_load(const struct state *st, const uint8_t *bid_id,
				       Hearth__TieBreakRecord **t)
{
	struct mkey k;

	mkey_id(&k, MKEY_TIEBREAK, bid_id);
	return market_record_get(st, &k, &hearth__tie_break_record__descriptor,
				 (ProtobufCMessage **)t);
}

static enum state_status tiebreak_store(const struct state *st, const Hearth__TieBreakRecord *t)
{
	struct mkey k;

	mkey_id(&k, MKEY_TIEBREAK, t->bid_id.data);
	return market_record_put(st, &k, &t->base);
}

static bool same(const uint8_t *a, const uint8_t *b)
{
	return a != NULL && b != NULL && memcmp(a, b, HASH_SIZE) == 0;
}

/* The number of different results among the r votes. */
static uint32_t tiebreak_distinct(uint32_t r, const uint8_t *const *votes)
{
	uint32_t distinct = 0;

	for (uint32_t i = 0; i < r; i++) {
		bool seen = false;

		for (uint32_t j = 0; votes[i] != NULL && j < i; j++)
			seen |= same(votes[i], votes[j]);
		distinct += votes[i] != NULL && !seen;
	}
	return distinct;
}

int market_tiebreak_open(const struct market_ctx *c, const Hearth__BidRecord *bid,
			 Hearth__Lease *const *leases, const uint8_t *const *votes, bool *pending)
{
	Hearth__TieBreakRecord t = HEARTH__TIE_BREAK_RECORD__INIT;
	const uint8_t *exclude[MARKET_REPLICAS_MAX];
	uint8_t vid[MARKET_ID_SIZE];
	uint32_t r = bid->bid->replicas;
	uint64_t cover;
	bool found;

	*pending = false;
	if (tiebreak_distinct(r, votes) < 2)
		return 0;
	if (!market_bid_reserve(bid->bid, &cover))
		return -1;
	for (uint32_t i = 0; i < r; i++)
		exclude[i] = leases[i]->provider.data;
	if (market_verifier_assign(c, bid, exclude, r, cover, bid->id.data, vid, &found) != 0)
		return -1;
	t.bid_id = bid->id;
	t.height = c->height;
	t.cover = cover;
	t.outcome = found ? TIEBREAK_PENDING : TIEBREAK_VOID;
	if (found) {
		t.has_verifier_lease_id = true;
		t.verifier_lease_id.data = vid;
		t.verifier_lease_id.len = MARKET_ID_SIZE;
	}
	if (tiebreak_store(c->st, &t) != STATE_OK)
		return -1;
	*pending = found;
	return 0;
}

/* A pending tie-break: the bid, its record, its leases and their receipts
 * (NULL for the leases that ended), the votes of those still open. */
struct tied {
	Hearth__BidRecord *bid;
	Hearth__TieBreakRecord *t;
	Hearth__Lease *leases[MARKET_REPLICAS_MAX];
	Hearth__ReceiptRecord *recs[MARKET_REPLICAS_MAX];
	const uint8_t *votes[MARKET_REPLICAS_MAX];
	uint32_t r;
};

static void tied_free(struct tied *x)
{
	for (uint32_t i = 0; i < x->r; i++) {
		codec_free((ProtobufCMessage *)x->leases[i]);
		codec_free((ProtobufCMessage *)x->recs[i]);
	}
	codec_free((ProtobufCMessage *)x->bid);
	codec_free((ProtobufCMessage *)x->t);
}

static int tied_load(const struct market_ctx *c, const Hearth__Lease *v, struct tied *x)
{
	uint8_t id[MARKET_ID_SIZE];
	struct mkey k;
	int rc = 0;

	memset(x, 0, sizeof(*x));
	mkey_id(&k, MKEY_BID, v->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor,
			      (ProtobufCMessage **)&x->bid) != STATE_OK ||
	    tiebreak_load(c->st, v->bid_id.data, &x->t) != STATE_OK ||
	    x->t->outcome != TIEBREAK_PENDING || x->bid->bid->replicas > MARKET_REPLICAS_MAX)
		return -1;
	x->r = x->bid->bid->replicas;
	for (uint32_t i = 0; rc == 0 && i < x->r; i++) {
		market_lease_id(v->bid_id.data, i, id);
		mkey_id(&k, MKEY_RECEIPT, id);
		if (market_lease_load(c->st, id, &x->leases[i]) != STATE_OK)
			rc = -1;
		else if (x->leases[i]->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED &&
			 market_record_get(c->st, &k, &hearth__receipt_record__descriptor,
					   (ProtobufCMessage **)&x->recs[i]) != STATE_OK)
			rc = -1;
		else if (x->recs[i] != NULL && x->recs[i]->outcome != NULL && !x->recs[i]->faulty)
			x->votes[i] = x->recs[i]->outcome->result_hash.data;
	}
	return rc;
}

/* Pays the replica i of x that revealed the verifier's result. */
static int pay_agreeing(const struct market_ctx *c, struct market_state *ms, struct tied *x,
			uint32_t i)
{
	uint64_t pay;

	if (__builtin_mul_overflow(x->leases[i]->price_per_second,
				   market_billed_seconds(x->recs[i]->outcome->usage->wall_ms,
							 x->bid->bid->max_duration_seconds),
				   &pay) ||
	    market_lease_close(c, ms, x->leases[i], pay, HEARTH__LEASE_STATE__LEASE_SETTLED) != 0 ||
	    market_count_completed(c, x->leases[i]->provider.data) != 0)
		return -1;
	return 0;
}

int market_tiebreak_resolve(const struct market_ctx *c, struct market_state *ms,
			    Hearth__Lease *verifier)
{
	struct tied x;
	uint8_t hash[HASH_SIZE];
	uint64_t owed;
	bool agreed = false;
	int rc = tied_load(c, verifier, &x);

	/* the reserve pays the verifier before the last lease returns the rest */
	if (rc == 0 &&
	    (market_verifier_report(c, verifier, &owed, hash) != 0 || owed > x.t->cover ||
	     market_reserve_pay(c, ms, x.bid->id.data, verifier->provider.data, owed) != 0))
		rc = -1;
	for (uint32_t i = 0; rc == 0 && i < x.r; i++)
		agreed |= same(x.votes[i], hash);
	for (uint32_t i = 0; rc == 0 && i < x.r; i++) {
		if (x.leases[i]->state != HEARTH__LEASE_STATE__LEASE_RECEIPTED)
			continue;
		if (same(x.votes[i], hash))
			rc = pay_agreeing(c, ms, &x, i);
		else if (market_lease_close(c, ms, x.leases[i], 0,
					    HEARTH__LEASE_STATE__LEASE_FAILED) != 0 ||
			 (agreed && market_penalize(c, x.leases[i], c->p->market_slash_wrong_ppm,
						    NULL, 0, false, NULL) != 0))
			rc = -1;
	}
	if (rc == 0) {
		x.t->outcome = agreed ? TIEBREAK_AGREED : TIEBREAK_NO_MATCH;
		x.t->has_result_hash = true;
		x.t->result_hash.data = hash;
		x.t->result_hash.len = HASH_SIZE;
		if (tiebreak_store(c->st, x.t) != STATE_OK ||
		    market_verifier_close(c, verifier, HEARTH__LEASE_STATE__LEASE_SETTLED) != 0 ||
		    market_count_completed(c, verifier->provider.data) != 0)
			rc = -1;
		x.t->has_result_hash = false; /* hash is on the stack */
		x.t->result_hash.data = NULL;
		x.t->result_hash.len = 0;
	}
	tied_free(&x);
	return rc;
}

int market_tiebreak_verifier_failed(const struct market_ctx *c, struct market_state *ms,
				    Hearth__Lease *verifier)
{
	struct tied x;
	int rc = tied_load(c, verifier, &x);

	if (rc == 0 &&
	    (market_verifier_close(c, verifier, HEARTH__LEASE_STATE__LEASE_FAILED) != 0 ||
	     market_penalize(c, verifier, c->p->market_slash_missed_ppm, NULL, 0, false, NULL) !=
		     0))
		rc = -1;
	for (uint32_t i = 0; rc == 0 && i < x.r; i++) {
		if (x.leases[i]->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED &&
		    market_lease_close(c, ms, x.leases[i], 0, HEARTH__LEASE_STATE__LEASE_FAILED) !=
			    0)
			rc = -1;
	}
	if (rc == 0) {
		x.t->outcome = TIEBREAK_VERIFIER_FAILED;
		if (tiebreak_store(c->st, x.t) != STATE_OK)
			rc = -1;
	}
	tied_free(&x);
	return rc;
}
