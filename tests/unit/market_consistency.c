/* market_consistency.c: the check that the market's records, indexes and
 * escrow agree (mf_assert_consistent, see market_fixture.h). It reads the
 * state the way no node code does: every record, to compare with the
 * indexes built for the O(log n) paths. */
#include <stdlib.h>
#include <string.h>

#include "market/keys.h"
#include "market/store.h"
#include "tests/unit/market_fixture.h"
#include "tests/unit/test_util.h"

struct tally {
	const struct state *st;
	uint64_t height;
	uint64_t escrow;
	size_t queued, open, booked, active, receipted, entries;
};

static bool key_exists(const struct state *st, const struct mkey *k)
{
	uint8_t *val;
	size_t len;
	enum state_status rc = state_get(st, k->bytes, k->len, &val, &len);

	assert_int_not_equal(rc, STATE_ERROR);
	free(val);
	return rc == STATE_OK;
}

/* The queue entry of a queued bid, and the book entry of a booked offer,
 * hold the same bytes as the record. */
static void assert_copy(const struct state *st, const struct mkey *k, const uint8_t *rec,
			size_t rec_len)
{
	uint8_t *val;
	size_t len;

	assert_int_equal(state_get(st, k->bytes, k->len, &val, &len), STATE_OK);
	assert_int_equal(len, rec_len);
	assert_memory_equal(val, rec, rec_len);
	free(val);
}

/* A matched bid holds the shares of its open leases and, r >= 2, its
 * tie-break reserve (max price x max duration) until it settles. */
static void assert_matched_escrow(const struct state *st, const Hearth__BidRecord *b)
{
	uint64_t held = b->bid->replicas >= 2
				? b->bid->max_price_per_second * b->bid->max_duration_seconds
				: 0;
	uint8_t id[MARKET_ID_SIZE];
	Hearth__Lease *l;
	uint32_t open = 0;

	for (uint32_t i = 0; i < b->bid->replicas; i++) {
		market_lease_id(b->id.data, i, id);
		assert_int_equal(market_lease_get(st, id, &l), STATE_OK);
		if (l->state == HEARTH__LEASE_STATE__LEASE_ACTIVE ||
		    l->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED ||
		    l->state == HEARTH__LEASE_STATE__LEASE_DISPUTED) {
			held += l->price_per_second * b->bid->max_duration_seconds;
			open++;
		}
		codec_free((ProtobufCMessage *)l);
	}
	assert_int_equal(open, b->open_leases);
	assert_int_equal(b->escrow, held);
}

static int tally_bid(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		     size_t val_len)
{
	struct tally *t = arg;
	ProtobufCMessage *msg;
	const Hearth__BidRecord *b;
	struct mkey k;

	(void)key;
	(void)key_len;
	assert_int_equal(
		codec_decode(&hearth__bid_record__descriptor, val, val_len, val_len, &msg, NULL),
		CODEC_OK);
	b = (const Hearth__BidRecord *)msg;
	t->escrow += b->escrow;
	if (b->state == HEARTH__BID_STATE__BID_QUEUED) {
		t->queued++;
		mkey_u64_id(&k, MKEY_BID_QUEUE, b->seq, b->id.data);
		assert_copy(t->st, &k, val, val_len);
		mkey_u64_id(&k, MKEY_BID_EXPIRY, b->bid->expiry_height, b->id.data);
		assert_true(key_exists(t->st, &k));
		assert_true(b->bid->expiry_height > t->height);
	} else if (b->state == HEARTH__BID_STATE__BID_MATCHED) {
		assert_true(b->open_leases > 0);
		assert_matched_escrow(t->st, b);
	} else {
		assert_int_equal(b->escrow, 0);
		assert_int_equal(b->open_leases, 0);
	}
	codec_free(msg);
	return 0;
}

static int tally_offer(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct tally *t = arg;
	ProtobufCMessage *msg;
	const Hearth__OfferRecord *o;
	struct mkey k;
	bool open;

	(void)key;
	(void)key_len;
	assert_int_equal(
		codec_decode(&hearth__offer_record__descriptor, val, val_len, val_len, &msg, NULL),
		CODEC_OK);
	o = (const Hearth__OfferRecord *)msg;
	open = o->offer->expiry_height > t->height;
	assert_true(o->free_slots <= o->offer->slots);
	assert_true(open || o->free_slots < o->offer->slots);
	t->open += open;
	mkey_book(&k, o->offer->price_per_second, o->seq, o->id.data);
	assert_int_equal(key_exists(t->st, &k), open && o->free_slots > 0);
	if (open && o->free_slots > 0)
		assert_copy(t->st, &k, val, val_len);
	t->booked += open && o->free_slots > 0;
	mkey_u64_id(&k, MKEY_OFFER_EXPIRY, o->offer->expiry_height, o->id.data);
	assert_int_equal(key_exists(t->st, &k), open);
	codec_free(msg);
	return 0;
}

/* A lease committed under commit-reveal (no settlement entry: its bid's
 * reveal window settles it). */
static bool committed(const struct state *st, const Hearth__Lease *l)
{
	Hearth__ReceiptRecord *rec;
	bool c;

	assert_int_equal(market_receipt_get(st, l->id.data, &rec), STATE_OK);
	c = rec->has_commitment;
	codec_free((ProtobufCMessage *)rec);
	return c;
}

static int tally_dispute(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			 size_t val_len)
{
	struct tally *t = arg;
	ProtobufCMessage *msg;

	(void)key;
	(void)key_len;
	assert_int_equal(codec_decode(&hearth__dispute_record__descriptor, val, val_len, val_len,
				      &msg, NULL),
			 CODEC_OK);
	if (((const Hearth__DisputeRecord *)msg)->outcome == 0)
		t->escrow += ((const Hearth__DisputeRecord *)msg)->bond;
	codec_free(msg);
	return 0;
}

/* A pending tie-break has an open verifier lease and a bid still matched;
 * a decided one leaves no replica of its bid waiting. */
static int tally_tiebreak(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			  size_t val_len)
{
	struct tally *t = arg;
	ProtobufCMessage *msg;
	const Hearth__TieBreakRecord *tb;
	Hearth__BidRecord *bid;
	Hearth__Lease *v;

	(void)key;
	(void)key_len;
	assert_int_equal(codec_decode(&hearth__tie_break_record__descriptor, val, val_len, val_len,
				      &msg, NULL),
			 CODEC_OK);
	tb = (const Hearth__TieBreakRecord *)msg;
	assert_int_equal(market_bid_get(t->st, tb->bid_id.data, &bid), STATE_OK);
	assert_true(bid->bid->replicas >= 2);
	assert_true(tb->outcome <= 4);
	if (tb->outcome == 0) {
		assert_int_equal(bid->state, HEARTH__BID_STATE__BID_MATCHED);
		assert_true(tb->has_verifier_lease_id);
		assert_int_equal(market_lease_get(t->st, tb->verifier_lease_id.data, &v), STATE_OK);
		assert_int_equal(v->state, HEARTH__LEASE_STATE__LEASE_ACTIVE);
		codec_free((ProtobufCMessage *)v);
	} else {
		assert_int_equal(bid->state, HEARTH__BID_STATE__BID_SETTLED);
		assert_int_equal(tb->has_verifier_lease_id, tb->outcome != 3);
		assert_int_equal(tb->has_result_hash, tb->outcome == 1 || tb->outcome == 2);
	}
	codec_free((ProtobufCMessage *)bid);
	codec_free(msg);
	return 0;
}

static int tally_lease(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct tally *t = arg;
	ProtobufCMessage *msg;
	const Hearth__Lease *l;
	Hearth__BidRecord *bid;
	Hearth__ReceiptRecord *rec;
	struct mkey k;
	bool open;

	(void)key;
	(void)key_len;
	assert_int_equal(
		codec_decode(&hearth__lease__descriptor, val, val_len, val_len, &msg, NULL),
		CODEC_OK);
	l = (const Hearth__Lease *)msg;
	assert_int_equal(market_bid_get(t->st, l->bid_id.data, &bid), STATE_OK);
	open = l->state == HEARTH__LEASE_STATE__LEASE_ACTIVE ||
	       l->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED ||
	       l->state == HEARTH__LEASE_STATE__LEASE_DISPUTED;
	if (open)
		assert_int_equal(bid->state, HEARTH__BID_STATE__BID_MATCHED);
	else
		assert_true(bid->state == HEARTH__BID_STATE__BID_MATCHED ||
			    bid->state == HEARTH__BID_STATE__BID_SETTLED);
	codec_free((ProtobufCMessage *)bid);
	mkey_u64_id(&k, MKEY_DEADLINE, l->deadline_height, l->id.data);
	assert_int_equal(key_exists(t->st, &k), l->state == HEARTH__LEASE_STATE__LEASE_ACTIVE);
	if (l->state == HEARTH__LEASE_STATE__LEASE_ACTIVE) {
		t->active++;
		assert_true(l->deadline_height > t->height);
	}
	if (l->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED && !committed(t->st, l)) {
		t->receipted++;
		assert_int_equal(market_receipt_get(t->st, l->id.data, &rec), STATE_OK);
		codec_free((ProtobufCMessage *)rec);
	}
	codec_free(msg);
	return 0;
}

static int count_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	(void)key;
	(void)key_len;
	(void)val;
	(void)val_len;
	((struct tally *)arg)->entries++;
	return 0;
}

static size_t count_prefix(struct tally *t, uint8_t prefix)
{
	t->entries = 0;
	assert_int_equal(state_iterate(t->st, &prefix, 1, NULL, 0, count_entry, t), STATE_OK);
	return t->entries;
}

void mf_assert_consistent(const struct chain *c)
{
	struct tally t = { .st = fix_chain_state(c), .height = c->tip.height };
	uint8_t p;

	p = MKEY_BID;
	assert_int_equal(state_iterate(t.st, &p, 1, NULL, 0, tally_bid, &t), STATE_OK);
	p = MKEY_OFFER;
	assert_int_equal(state_iterate(t.st, &p, 1, NULL, 0, tally_offer, &t), STATE_OK);
	p = MKEY_LEASE;
	assert_int_equal(state_iterate(t.st, &p, 1, NULL, 0, tally_lease, &t), STATE_OK);
	p = MKEY_DISPUTE;
	assert_int_equal(state_iterate(t.st, &p, 1, NULL, 0, tally_dispute, &t), STATE_OK);
	p = MKEY_TIEBREAK;
	assert_int_equal(state_iterate(t.st, &p, 1, NULL, 0, tally_tiebreak, &t), STATE_OK);
	assert_int_equal(t.escrow, mf_escrow(c));
	assert_int_equal(count_prefix(&t, MKEY_BID_QUEUE), t.queued);
	assert_int_equal(count_prefix(&t, MKEY_BID_EXPIRY), t.queued);
	assert_int_equal(count_prefix(&t, MKEY_OFFER_BOOK), t.booked);
	assert_int_equal(count_prefix(&t, MKEY_OFFER_EXPIRY), t.open);
	assert_int_equal(count_prefix(&t, MKEY_DEADLINE), t.active);
	assert_int_equal(count_prefix(&t, MKEY_SETTLE), t.receipted);
}
