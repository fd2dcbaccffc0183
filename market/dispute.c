/* dispute.c: disputes of single-replica receipts. During the challenge
 * window (up to and including block receipt height + challenge_blocks) the
 * consumer may dispute a receipt, locking dispute_bond. At the end of that
 * block a verifier is chosen (verifier.c) among the fitting offers of
 * other providers whose worst case (price x max duration) the bond covers,
 * seeded by the block's prev_block_id and the disputed lease. The
 * verifier re-runs the job on a lease of its own and reports with a plain
 * receipt, which decides at the end of its block:
 *  - same result hash: the provider was right. The bond pays the verifier
 *    (price x billed seconds) and the rest goes to the provider; the lease
 *    settles as if undisputed.
 *  - another hash: the provider was wrong. Its share is refunded, it is
 *    slashed slash_wrong_result_ppm and that slash pays the verifier first
 *    (the bond covers what the slash does not); the consumer gets the rest
 *    of the bond back; the provider's disputes_lost grows.
 * No verifier available: the dispute is void, the bond returns and the
 * receipt settles. The verifier misses its deadline: it is slashed as for
 * any missed deadline, the bond returns and the receipt settles. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "market/market.h"

#define REASON_MAX 256u

enum dispute_outcome {
	DISPUTE_PENDING = 0,
	DISPUTE_PROVIDER_RIGHT = 1,
	DISPUTE_PROVIDER_WRONG = 2,
	DISPUTE_VOID = 3,
	DISPUTE_VERIFIER_FAILED = 4,
};

static enum ledger_reason dispute_rules(const struct market_ctx *c, const struct tx *tx,
					Hearth__Lease **lease, struct ledger_error *err)
{
	const Hearth__Dispute *d = tx->body->dispute;
	ProtobufCMessage *msg;
	struct mkey k;
	struct account acct;
	uint32_t replicas;
	enum state_status rc;

	*lease = NULL;
	if (d->lease_id.len != MARKET_ID_SIZE)
		return market_fail(err, MARKET_DISPUTE_BAD_LEASE_ID, "%zu bytes", d->lease_id.len);
	rc = market_lease_load(c->st, d->lease_id.data, lease);
	if (rc == STATE_ERROR)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the lease");
	if (rc == STATE_NOT_FOUND)
		return market_fail(err, MARKET_DISPUTE_LEASE_NOT_FOUND, NULL);
	if (memcmp((*lease)->consumer.data, tx->sender, PUBKEY_SIZE) != 0)
		return market_fail(err, MARKET_DISPUTE_NOT_CONSUMER, NULL);
	mkey_id(&k, MKEY_BID, (*lease)->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the bid");
	replicas = ((const Hearth__BidRecord *)msg)->bid->replicas;
	codec_free(msg);
	if (replicas != 1 || (*lease)->replica == MARKET_VERIFIER_REPLICA)
		return market_fail(err, MARKET_DISPUTE_REPLICATED, NULL);
	switch ((*lease)->state) {
	case HEARTH__LEASE_STATE__LEASE_ACTIVE:
		return market_fail(err, MARKET_DISPUTE_NOT_RECEIPTED, NULL);
	case HEARTH__LEASE_STATE__LEASE_DISPUTED:
		return market_fail(err, MARKET_DISPUTE_ALREADY_DISPUTED, NULL);
	case HEARTH__LEASE_STATE__LEASE_SETTLED:
	case HEARTH__LEASE_STATE__LEASE_FAILED:
		return market_fail(err, MARKET_DISPUTE_WINDOW_CLOSED, NULL);
	case HEARTH__LEASE_STATE__LEASE_RECEIPTED:
	case _HEARTH__LEASE_STATE_IS_INT_SIZE:
		break;
	}
	if (strlen(d->reason) > REASON_MAX)
		return market_fail(err, MARKET_DISPUTE_BAD_REASON, NULL);
	if (account_load(c->st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the consumer");
	if (acct.balance < c->p->market_dispute_bond)
		return market_fail(err, MARKET_DISPUTE_INSUFFICIENT_BALANCE, "%llu < %llu",
				   (unsigned long long)acct.balance,
				   (unsigned long long)c->p->market_dispute_bond);
	return LEDGER_OK;
}

enum ledger_reason market_dispute_check(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err)
{
	Hearth__Lease *lease;
	enum ledger_reason r = dispute_rules(c, tx, &lease, err);

	codec_free((ProtobufCMessage *)lease);
	return r;
}

static enum state_status dispute_load(const struct state *st, const uint8_t *lease_id,
				      Hearth__DisputeRecord **d)
{
	struct mkey k;

	mkey_id(&k, MKEY_DISPUTE, lease_id);
	return market_record_get(st, &k, &hearth__dispute_record__descriptor,
				 (ProtobufCMessage **)d);
}

static enum state_status dispute_store(const struct state *st, const Hearth__DisputeRecord *d)
{
	struct mkey k;

	mkey_id(&k, MKEY_DISPUTE, d->lease_id.data);
	return market_record_put(st, &k, &d->base);
}

/* The settlement height of a receipted lease. */
static enum state_status settle_height(const struct market_ctx *c, const Hearth__Lease *lease,
				       uint64_t *height)
{
	Hearth__ReceiptRecord *rec;
	struct mkey k;
	enum state_status rc;

	mkey_id(&k, MKEY_RECEIPT, lease->id.data);
	rc = market_record_get(c->st, &k, &hearth__receipt_record__descriptor,
			       (ProtobufCMessage **)&rec);
	if (rc != STATE_OK)
		return STATE_ERROR;
	if (__builtin_add_overflow(rec->height, c->p->market_challenge_blocks, height))
		rc = STATE_ERROR;
	codec_free((ProtobufCMessage *)rec);
	return rc;
}

enum ledger_reason market_dispute_apply(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err)
{
	Hearth__DisputeRecord d = HEARTH__DISPUTE_RECORD__INIT;
	struct market_state ms;
	Hearth__Lease *lease;
	struct mkey k;
	uint64_t settle;
	enum ledger_reason r = dispute_rules(c, tx, &lease, err);
	int rc = 0;

	if (r != LEDGER_OK) {
		codec_free((ProtobufCMessage *)lease);
		return r;
	}
	rc = market_state_load(c->st, &ms) == STATE_OK ? 0 : -1;
	if (rc == 0)
		rc = market_escrow_lock(c->st, &ms, tx->sender, c->p->market_dispute_bond);
	if (rc == 0 && settle_height(c, lease, &settle) != STATE_OK)
		rc = -1;
	if (rc == 0) {
		mkey_u64_id(&k, MKEY_SETTLE, settle, lease->id.data);
		rc = market_index_del(c->st, &k) == STATE_OK ? 0 : -1;
	}
	if (rc == 0) {
		mkey_u64_id(&k, MKEY_DISPUTE_QUEUE, c->height, lease->id.data);
		rc = market_index_put(c->st, &k) == STATE_OK ? 0 : -1;
	}
	d.lease_id = lease->id;
	d.consumer = lease->consumer;
	d.bond = c->p->market_dispute_bond;
	d.height = c->height;
	d.outcome = DISPUTE_PENDING;
	lease->state = HEARTH__LEASE_STATE__LEASE_DISPUTED;
	if (rc == 0 &&
	    (dispute_store(c->st, &d) != STATE_OK || market_lease_store(c->st, lease) != STATE_OK ||
	     market_state_store(c->st, &ms) != STATE_OK))
		rc = -1;
	codec_free((ProtobufCMessage *)lease);
	if (rc != 0)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the dispute");
	return LEDGER_OK;
}

/* Voids the dispute of lease: the bond returns, the receipt settles now. */
static int dispute_void(const struct market_ctx *c, struct market_state *ms, Hearth__Lease *lease,
			Hearth__DisputeRecord *d, enum dispute_outcome outcome)
{
	if (market_escrow_release(c->st, ms, d->consumer.data, d->bond) != 0)
		return -1;
	d->outcome = outcome;
	lease->state = HEARTH__LEASE_STATE__LEASE_RECEIPTED;
	if (dispute_store(c->st, d) != STATE_OK)
		return -1;
	return market_settle_receipted(c, ms, lease);
}

/* Assigns the dispute of the lease id a verifier (verifier.c): any
 * provider but the disputed one whose worst case the bond covers, seeded
 * by the disputed lease's id. Returns 0 or -1. */
static int assign_one(const struct market_ctx *c, struct market_state *ms, const uint8_t *id)
{
	Hearth__Lease *lease = NULL;
	Hearth__BidRecord *bid = NULL;
	Hearth__DisputeRecord *d = NULL;
	uint8_t vid[MARKET_ID_SIZE];
	const uint8_t *exclude[1];
	struct mkey k;
	bool found;
	int rc = -1;

	if (market_lease_load(c->st, id, &lease) != STATE_OK ||
	    dispute_load(c->st, id, &d) != STATE_OK)
		goto out;
	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor,
			      (ProtobufCMessage **)&bid) != STATE_OK)
		goto out;
	exclude[0] = lease->provider.data;
	if (market_verifier_assign(c, bid, exclude, 1, d->bond, id, vid, &found) != 0)
		goto out;
	if (!found) {
		rc = dispute_void(c, ms, lease, d, DISPUTE_VOID);
		goto out;
	}
	d->has_verifier_lease_id = true;
	d->verifier_lease_id.data = vid;
	d->verifier_lease_id.len = MARKET_ID_SIZE;
	rc = dispute_store(c->st, d) == STATE_OK ? 0 : -1;
	d->has_verifier_lease_id = false; /* vid is on the stack */
	d->verifier_lease_id.data = NULL;
	d->verifier_lease_id.len = 0;
out:
	codec_free((ProtobufCMessage *)bid);
	codec_free((ProtobufCMessage *)d);
	codec_free((ProtobufCMessage *)lease);
	return rc;
}

enum state_status market_dispute_assign_block(const struct market_ctx *c, struct market_state *ms)
{
	uint8_t(*ids)[MARKET_ID_SIZE];
	size_t n;
	struct mkey k;
	enum state_status rc = market_collect_due(c->st, MKEY_DISPUTE_QUEUE, c->height, &ids, &n);

	for (size_t i = 0; rc == STATE_OK && i < n; i++) {
		mkey_u64_id(&k, MKEY_DISPUTE_QUEUE, c->height, ids[i]);
		if (assign_one(c, ms, ids[i]) != 0 || market_index_del(c->st, &k) != STATE_OK)
			rc = STATE_ERROR;
	}
	free(ids);
	return rc;
}

/* The disputed lease, its dispute and its receipt's result hash, for the
 * verifier lease v. */
struct disputed {
	Hearth__Lease *lease;
	Hearth__DisputeRecord *d;
	Hearth__ReceiptRecord *rec;
};

static int disputed_load(const struct market_ctx *c, const Hearth__Lease *v, struct disputed *x)
{
	uint8_t id[MARKET_ID_SIZE];
	struct mkey k;

	x->lease = NULL;
	x->d = NULL;
	x->rec = NULL;
	market_lease_id(v->bid_id.data, 0, id);
	mkey_id(&k, MKEY_RECEIPT, id);
	if (market_lease_load(c->st, id, &x->lease) != STATE_OK ||
	    dispute_load(c->st, id, &x->d) != STATE_OK ||
	    market_record_get(c->st, &k, &hearth__receipt_record__descriptor,
			      (ProtobufCMessage **)&x->rec) != STATE_OK ||
	    x->lease->state != HEARTH__LEASE_STATE__LEASE_DISPUTED || x->rec->outcome == NULL)
		return -1;
	return 0;
}

static void disputed_free(struct disputed *x)
{
	codec_free((ProtobufCMessage *)x->lease);
	codec_free((ProtobufCMessage *)x->d);
	codec_free((ProtobufCMessage *)x->rec);
}

int market_dispute_resolve(const struct market_ctx *c, struct market_state *ms,
			   Hearth__Lease *verifier)
{
	struct disputed x;
	uint8_t hash[HASH_SIZE];
	uint64_t pay, rewarded = 0;
	int rc = disputed_load(c, verifier, &x);

	if (rc == 0)
		rc = market_verifier_report(c, verifier, &pay, hash);
	if (rc == 0 && pay > x.d->bond)
		rc = -1;
	if (rc == 0 && memcmp(hash, x.rec->outcome->result_hash.data, HASH_SIZE) == 0) {
		/* the provider was right: the consumer's bond pays */
		x.d->outcome = DISPUTE_PROVIDER_RIGHT;
		if (market_escrow_release(c->st, ms, verifier->provider.data, pay) != 0 ||
		    market_escrow_release(c->st, ms, x.lease->provider.data, x.d->bond - pay) != 0)
			rc = -1;
		x.lease->state = HEARTH__LEASE_STATE__LEASE_RECEIPTED;
		if (rc == 0)
			rc = market_settle_receipted(c, ms, x.lease);
	} else if (rc == 0) {
		/* the provider was wrong: its slash pays the verifier first */
		x.d->outcome = DISPUTE_PROVIDER_WRONG;
		if (market_lease_close(c, ms, x.lease, 0, HEARTH__LEASE_STATE__LEASE_FAILED) != 0 ||
		    market_penalize(c, x.lease, c->p->market_slash_wrong_ppm,
				    verifier->provider.data, pay, true, &rewarded) != 0 ||
		    market_escrow_release(c->st, ms, verifier->provider.data, pay - rewarded) !=
			    0 ||
		    market_escrow_release(c->st, ms, x.d->consumer.data,
					  x.d->bond - (pay - rewarded)) != 0)
			rc = -1;
	}
	if (rc == 0 &&
	    (dispute_store(c->st, x.d) != STATE_OK ||
	     market_verifier_close(c, verifier, HEARTH__LEASE_STATE__LEASE_SETTLED) != 0 ||
	     market_count_completed(c, verifier->provider.data) != 0))
		rc = -1;
	disputed_free(&x);
	return rc;
}

int market_dispute_verifier_failed(const struct market_ctx *c, struct market_state *ms,
				   Hearth__Lease *verifier)
{
	struct disputed x;
	int rc = disputed_load(c, verifier, &x);

	if (rc == 0 &&
	    (market_verifier_close(c, verifier, HEARTH__LEASE_STATE__LEASE_FAILED) != 0 ||
	     market_penalize(c, verifier, c->p->market_slash_missed_ppm, NULL, 0, false, NULL) !=
		     0 ||
	     dispute_void(c, ms, x.lease, x.d, DISPUTE_VERIFIER_FAILED) != 0))
		rc = -1;
	disputed_free(&x);
	return rc;
}
