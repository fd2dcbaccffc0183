/* lease.c: lease records and the end of a lease: the split of its escrow
 * share between provider, consumer and (a tie-break's) verifier, the bid's
 * bookkeeping and the slot returned to the offer. Settlement (settle.c)
 * decides the payment; this file moves the money. */
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
			   const Hearth__Lease *lease, uint64_t pay, const uint8_t *to,
			   uint64_t to_amount)
{
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;
	struct mkey k;
	uint64_t share, out;
	int rc;

	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	bid = (Hearth__BidRecord *)msg;
	if (__builtin_mul_overflow(lease->price_per_second, bid->bid->max_duration_seconds,
				   &share) ||
	    __builtin_add_overflow(pay, to_amount, &out) || out > share || share > bid->escrow ||
	    bid->open_leases == 0 || (to == NULL && to_amount != 0)) {
		codec_free(msg);
		return 1;
	}
	rc = market_escrow_release(c->st, ms, lease->provider.data, pay);
	if (rc == 0 && to_amount != 0)
		rc = market_escrow_release(c->st, ms, to, to_amount);
	if (rc == 0)
		rc = market_escrow_release(c->st, ms, lease->consumer.data, share - out);
	if (rc == 0) {
		bid->escrow -= share;
		if (--bid->open_leases == 0)
			bid->state = HEARTH__BID_STATE__BID_SETTLED;
		rc = market_record_put(c->st, &k, &bid->base) == STATE_OK ? 0 : -1;
	}
	codec_free(msg);
	return rc;
}

int market_lease_close(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *lease,
		       uint64_t pay, Hearth__LeaseState final)
{
	return market_lease_close_to(c, ms, lease, pay, NULL, 0, final);
}

int market_lease_close_to(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *lease,
			  uint64_t pay, const uint8_t *to, uint64_t to_amount,
			  Hearth__LeaseState final)
{
	int rc = bid_close_lease(c, ms, lease, pay, to, to_amount);

	if (rc != 0)
		return rc;
	lease->state = final;
	if (market_lease_store(c->st, lease) != STATE_OK ||
	    market_offer_release_slot(c, lease->offer_id.data) != STATE_OK)
		return -1;
	return 0;
}
