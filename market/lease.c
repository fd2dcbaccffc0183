/* lease.c: lease records and the end of a lease: the split of its escrow
 * share between provider and consumer, the bid's bookkeeping (the rest of
 * its tie-break reserve back with its last lease) and the slot returned to
 * the offer; a tie-break verifier's pay out of the reserve. Settlement
 * (settle.c) decides the payment; this file moves the money. */
#include "market/order.h"

#include "market/reason.h"

enum state_status market_lease_load(const struct state *st, const uint8_t *id,
				    Hearth__Lease **lease)
{
	struct mkey k;

	mkey_id(&k, MKEY_LEASE, id);
	return market_record_get(st, &k, &hearth__lease__descriptor, (ProtobufCMessage **)lease);
}

enum state_status market_lease_store(const struct state *st, const Hearth__Lease *lease)
{
	struct mkey k;

	mkey_id(&k, MKEY_LEASE, lease->id.data);
	return market_record_put(st, &k, &lease->base);
}

/* The bid's side of a lease's end. Returns 0, 1 or -1 as market_lease_close. */
static int bid_close_lease(const struct market_ctx *c, struct market_state *ms,
			   const Hearth__Lease *lease, uint64_t pay)
{
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;
	struct mkey k;
	uint64_t share;
	int rc;

	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	bid = (Hearth__BidRecord *)msg;
	if (__builtin_mul_overflow(lease->price_per_second, bid->bid->max_duration_seconds,
				   &share) ||
	    pay > share || share > bid->escrow || bid->open_leases == 0) {
		codec_free(msg);
		return 1;
	}
	rc = market_escrow_release(c->st, ms, lease->provider.data, pay);
	if (rc == 0)
		rc = market_escrow_release(c->st, ms, lease->consumer.data, share - pay);
	bid->escrow -= share;
	/* the last lease: what is left of the tie-break reserve goes back */
	if (rc == 0 && --bid->open_leases == 0) {
		rc = market_escrow_release(c->st, ms, lease->consumer.data, bid->escrow);
		bid->escrow = 0;
		bid->state = HEARTH__BID_STATE__BID_SETTLED;
	}
	if (rc == 0)
		rc = market_record_put(c->st, &k, &bid->base) == STATE_OK ? 0 : -1;
	codec_free(msg);
	return rc;
}

int market_lease_close(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *lease,
		       uint64_t pay, Hearth__LeaseState final)
{
	int rc = bid_close_lease(c, ms, lease, pay);

	if (rc != 0)
		return rc;
	lease->state = final;
	if (market_lease_store(c->st, lease) != STATE_OK ||
	    market_offer_release_slot(c, lease->offer_id.data) != STATE_OK)
		return -1;
	return 0;
}

int market_reserve_pay(const struct market_ctx *c, struct market_state *ms, const uint8_t *bid_id,
		       const uint8_t *to, uint64_t amount)
{
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;
	struct mkey k;
	uint64_t reserve;
	int rc = 1;

	mkey_id(&k, MKEY_BID, bid_id);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	bid = (Hearth__BidRecord *)msg;
	if (bid->state == HEARTH__BID_STATE__BID_MATCHED &&
	    market_bid_reserve(bid->bid, &reserve) && amount <= reserve && amount <= bid->escrow) {
		rc = market_escrow_release(c->st, ms, to, amount);
		bid->escrow -= amount;
		if (rc == 0)
			rc = market_record_put(c->st, &k, &bid->base) == STATE_OK ? 0 : -1;
	}
	codec_free(msg);
	return rc;
}
