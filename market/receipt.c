/* receipt.c: the receipt transaction of a single-replica lease: the
 * provider reports the outcome of the run (result hash, exit status, usage)
 * before the lease's deadline. The lease becomes RECEIPTED, leaves the
 * deadline index and enters the settlement queue at receipt height +
 * challenge_blocks (settle.c pays it then, unless the consumer disputes it,
 * dispute.c). A verifier, a dispute's or a tie-break's, reports with a
 * receipt too; it decides at the end of its block (verifier.c). */
#include "market/order.h"

#include <string.h>

#include "market/reason.h"

/* Loads the lease a receipt names, checking every rule. */
static enum ledger_reason load_receipted(const struct market_ctx *c, const struct tx *tx,
					 Hearth__Lease **lease, struct ledger_error *err)
{
	const Hearth__Receipt *rc = tx->body->receipt;
	ProtobufCMessage *msg;
	Hearth__BidRecord *bid;
	struct mkey k;
	enum state_status st;
	uint32_t replicas;

	*lease = NULL;
	if (rc->lease_id.len != MARKET_ID_SIZE)
		return market_fail(err, MARKET_RECEIPT_BAD_LEASE_ID, "%zu bytes", rc->lease_id.len);
	st = market_lease_load(c->st, rc->lease_id.data, lease);
	if (st == STATE_ERROR)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the lease");
	if (st == STATE_NOT_FOUND)
		return market_fail(err, MARKET_RECEIPT_LEASE_NOT_FOUND, NULL);
	if (memcmp((*lease)->provider.data, tx->sender, PUBKEY_SIZE) != 0)
		return market_fail(err, MARKET_RECEIPT_NOT_PROVIDER, NULL);
	mkey_id(&k, MKEY_BID, (*lease)->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the bid");
	bid = (Hearth__BidRecord *)msg;
	/* a verifier (a dispute's or a tie-break's) reports with a plain receipt */
	replicas = (*lease)->replica == MARKET_VERIFIER_REPLICA ? 1 : bid->bid->replicas;
	codec_free(msg);
	if (replicas != 1)
		return market_fail(err, MARKET_RECEIPT_REPLICATED, "%u replicas", replicas);
	if (c->height > (*lease)->deadline_height)
		return market_fail(err, MARKET_RECEIPT_AFTER_DEADLINE, "deadline %llu",
				   (unsigned long long)(*lease)->deadline_height);
	if ((*lease)->state != HEARTH__LEASE_STATE__LEASE_ACTIVE)
		return market_fail(err, MARKET_RECEIPT_NOT_ACTIVE, NULL);
	if (rc->outcome->result_hash.len != HASH_SIZE)
		return market_fail(err, MARKET_RECEIPT_BAD_RESULT_HASH, "%zu bytes",
				   rc->outcome->result_hash.len);
	return LEDGER_OK;
}

enum ledger_reason market_receipt_check(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err)
{
	Hearth__Lease *lease;
	enum ledger_reason r = load_receipted(c, tx, &lease, err);

	codec_free((ProtobufCMessage *)lease);
	return r;
}

static enum state_status receipt_write(const struct market_ctx *c, const struct tx *tx,
				       Hearth__Lease *lease)
{
	Hearth__ReceiptRecord rec = HEARTH__RECEIPT_RECORD__INIT;
	uint64_t settle;
	struct mkey k;

	/* a verifier's receipt decides at the end of this block */
	if (lease->replica == MARKET_VERIFIER_REPLICA)
		settle = c->height;
	else if (__builtin_add_overflow(c->height, c->p->market_challenge_blocks, &settle))
		return STATE_ERROR;
	rec.lease_id = lease->id;
	rec.provider = lease->provider;
	rec.height = c->height;
	rec.outcome = tx->body->receipt->outcome;
	mkey_id(&k, MKEY_RECEIPT, lease->id.data);
	if (market_record_put(c->st, &k, &rec.base) != STATE_OK)
		return STATE_ERROR;
	mkey_u64_id(&k, MKEY_DEADLINE, lease->deadline_height, lease->id.data);
	if (market_index_del(c->st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_u64_id(&k, MKEY_SETTLE, settle, lease->id.data);
	if (market_index_put(c->st, &k) != STATE_OK)
		return STATE_ERROR;
	lease->state = HEARTH__LEASE_STATE__LEASE_RECEIPTED;
	return market_lease_store(c->st, lease);
}

enum ledger_reason market_receipt_apply(const struct market_ctx *c, const struct tx *tx,
					struct ledger_error *err)
{
	Hearth__Lease *lease;
	enum ledger_reason r = load_receipted(c, tx, &lease, err);

	if (r == LEDGER_OK && receipt_write(c, tx, lease) != STATE_OK)
		r = ledger_fail(err, LEDGER_INTERNAL, "writing the receipt");
	codec_free((ProtobufCMessage *)lease);
	return r;
}
