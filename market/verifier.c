/* verifier.c: verifier leases, shared by disputes (dispute.c) and
 * tie-breaks (tiebreak.c). A verifier is drawn from the book: the offers
 * within the bid's max price that pass every filter of matching for the
 * bid, skipping the providers the caller excludes and offers whose worst
 * case (price x the bid's max duration) exceeds the cap the caller can pay,
 * up to VERIFIER_CANDIDATES distinct providers (and match_offers_per_bid
 * entries); one is picked by H("hearth/verifier", prev_block_id || seed id)
 * (first 8 bytes, big-endian, modulo the count). It gets the lease of
 * replica MARKET_VERIFIER_REPLICA of the bid and reports with a plain
 * receipt. This file also pays and ends those leases, and routes a verifier
 * lease's receipt or missed deadline to what it serves: a dispute when its
 * bid has one replica, a tie-break when it has more. */
#include "market/order.h"

#include <string.h>

#include "market/market.h"

#define VERIFIER_CANDIDATES 8u

/* The verifier candidates: the walk of the book. */
struct candidates {
	const struct market_ctx *c;
	const Hearth__BidRecord *bid;
	const uint8_t *const *exclude; /* providers that may not verify */
	size_t n_exclude;
	uint64_t cap;
	uint32_t budget;
	size_t n;
	Hearth__OfferRecord *offers[VERIFIER_CANDIDATES];
};

static bool excluded(const struct candidates *s, const Hearth__OfferRecord *rec)
{
	for (size_t i = 0; i < s->n_exclude; i++) {
		if (memcmp(rec->provider.data, s->exclude[i], PUBKEY_SIZE) == 0)
			return true;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (memcmp(s->offers[i]->provider.data, rec->provider.data, PUBKEY_SIZE) == 0)
			return true;
	}
	return false;
}

static int scan_candidate(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			  size_t val_len)
{
	struct candidates *s = arg;
	ProtobufCMessage *msg;
	Hearth__OfferRecord *rec;
	enum market_reason why;
	uint64_t worst;

	if (key_len != 1 + 8 + 8 + MARKET_ID_SIZE)
		return -1;
	if (key_get_u64(key + 1) > s->bid->bid->max_price_per_second || s->budget == 0)
		return 1;
	s->budget--;
	/* The book entry's value is the offer's record (market_offer_store). */
	if (codec_decode_stored(&hearth__offer_record__descriptor, val, val_len, MARKET_RECORD_MAX,
				&msg, NULL) != CODEC_OK)
		return -1;
	rec = (Hearth__OfferRecord *)msg;
	if (rec->id.len != MARKET_ID_SIZE || memcmp(rec->id.data, key + 17, MARKET_ID_SIZE) != 0 ||
	    rec->provider.len != PUBKEY_SIZE || market_offer_fits(s->c, rec, s->bid, &why) != 0) {
		codec_free(msg);
		return -1;
	}
	if (why != MARKET_OK || excluded(s, rec) ||
	    __builtin_mul_overflow(rec->offer->price_per_second, s->bid->bid->max_duration_seconds,
				   &worst) ||
	    worst > s->cap) {
		codec_free(msg);
		return 0;
	}
	s->offers[s->n++] = rec;
	return s->n == VERIFIER_CANDIDATES ? 1 : 0;
}

int market_verifier_assign(const struct market_ctx *c, const Hearth__BidRecord *bid,
			   const uint8_t *const *exclude, size_t n_exclude, uint64_t cap,
			   const uint8_t *seed_id, uint8_t vid[MARKET_ID_SIZE], bool *found)
{
	struct candidates s = { .c = c,
				.bid = bid,
				.exclude = exclude,
				.n_exclude = n_exclude,
				.cap = cap,
				.budget = c->p->market_match_offers };
	uint8_t seed_in[2 * HASH_SIZE], seed[HASH_SIZE];
	uint8_t prefix = MKEY_OFFER_BOOK;
	uint64_t deadline;
	int rc = -1;

	*found = false;
	if (state_iterate(c->st, &prefix, 1, NULL, 0, scan_candidate, &s) != STATE_OK)
		goto out;
	rc = 0;
	if (s.n == 0)
		goto out;
	memcpy(seed_in, c->prev_block_id, HASH_SIZE);
	memcpy(seed_in + HASH_SIZE, seed_id, MARKET_ID_SIZE);
	hash_tagged("hearth/verifier", seed_in, sizeof(seed_in), seed);
	{
		Hearth__OfferRecord *pick = s.offers[key_get_u64(seed) % s.n];

		market_lease_id(bid->id.data, MARKET_VERIFIER_REPLICA, vid);
		if (!market_lease_deadline(c, bid->bid->max_duration_seconds, &deadline) ||
		    market_lease_create(c, bid, pick, MARKET_VERIFIER_REPLICA, deadline) !=
			    STATE_OK ||
		    market_offer_take_slot(c->st, pick) != STATE_OK)
			rc = -1;
	}
	*found = rc == 0;
out:
	for (size_t i = 0; i < s.n; i++)
		codec_free((ProtobufCMessage *)s.offers[i]);
	return rc;
}

int market_verifier_close(const struct market_ctx *c, Hearth__Lease *v, Hearth__LeaseState final)
{
	v->state = final;
	return market_lease_store(c->st, v) == STATE_OK &&
			       market_offer_release_slot(c, v->offer_id.data) == STATE_OK
		       ? 0
		       : -1;
}

int market_verifier_report(const struct market_ctx *c, const Hearth__Lease *v, uint64_t *pay,
			   uint8_t hash[HASH_SIZE])
{
	Hearth__ReceiptRecord *rv;
	Hearth__BidRecord *bid;
	struct mkey k;
	int rc = -1;

	mkey_id(&k, MKEY_RECEIPT, v->id.data);
	if (market_record_get(c->st, &k, &hearth__receipt_record__descriptor,
			      (ProtobufCMessage **)&rv) != STATE_OK)
		return -1;
	mkey_id(&k, MKEY_BID, v->bid_id.data);
	if (rv->outcome != NULL && rv->outcome->result_hash.len == HASH_SIZE &&
	    market_record_get(c->st, &k, &hearth__bid_record__descriptor,
			      (ProtobufCMessage **)&bid) == STATE_OK) {
		if (!__builtin_mul_overflow(v->price_per_second,
					    market_billed_seconds(rv->outcome->usage->wall_ms,
								  bid->bid->max_duration_seconds),
					    pay)) {
			memcpy(hash, rv->outcome->result_hash.data, HASH_SIZE);
			rc = 0;
		}
		codec_free((ProtobufCMessage *)bid);
	}
	codec_free((ProtobufCMessage *)rv);
	return rc;
}

/* Out: *replicated, whether v's bid has more than one replica (a
 * tie-break's verifier) rather than one (a dispute's). */
static int verifier_of_tiebreak(const struct market_ctx *c, const Hearth__Lease *v,
				bool *replicated)
{
	ProtobufCMessage *msg;
	struct mkey k;

	mkey_id(&k, MKEY_BID, v->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	*replicated = ((const Hearth__BidRecord *)msg)->bid->replicas >= 2;
	codec_free(msg);
	return 0;
}

int market_verifier_settle(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *v)
{
	bool replicated;

	if (verifier_of_tiebreak(c, v, &replicated) != 0)
		return -1;
	return replicated ? market_tiebreak_resolve(c, ms, v) : market_dispute_resolve(c, ms, v);
}

int market_verifier_fail(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *v)
{
	bool replicated;

	if (verifier_of_tiebreak(c, v, &replicated) != 0)
		return -1;
	return replicated ? market_tiebreak_verifier_failed(c, ms, v)
			  : market_dispute_verifier_failed(c, ms, v);
}
