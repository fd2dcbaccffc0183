/* settle.c: settlement at the end of every block, eager and automatic.
 * A receipted single-replica lease settles at the end of block receipt
 * height + challenge_blocks: the provider is paid price x billed seconds,
 * billed = ceil(wall ms / 1000) capped at the bid's max duration, the rest
 * of its escrow share is refunded, and the provider's completed counter
 * grows. An active lease still without a receipt at the end of its deadline
 * block fails: the consumer gets its whole share back and the provider is
 * slashed slash_missed_deadline_ppm of its bonded stake (and of stake it
 * started unbonding after the lease began), without jail; its failed and
 * slashed counters grow. Until commit-then-reveal exists, a lease of a bid
 * with replicas >= 2 cannot be receipted: its deadline refunds the consumer
 * and leaves the provider alone. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "market/reason.h"
#include "market/reputation.h"

enum outcome_counter { COUNT_COMPLETED, COUNT_FAILED, COUNT_SLASHED };

static enum state_status reputation_count(const struct state *st, const uint8_t *provider,
					  enum outcome_counter which)
{
	struct market_reputation rep;
	uint64_t *n = NULL;

	if (market_reputation_load(st, provider, &rep) != STATE_OK)
		return STATE_ERROR;
	switch (which) {
	case COUNT_COMPLETED:
		n = &rep.completed;
		break;
	case COUNT_FAILED:
		n = &rep.failed;
		break;
	case COUNT_SLASHED:
		n = &rep.slashed;
		break;
	}
	if (*n < UINT64_MAX)
		(*n)++;
	return market_reputation_store(st, provider, &rep);
}

/* Out: *billed seconds of a run of wall_ms, capped at max_s. */
static uint64_t billed_seconds(uint64_t wall_ms, uint64_t max_s)
{
	uint64_t s = wall_ms / 1000 + (wall_ms % 1000 != 0);

	return s < max_s ? s : max_s;
}

/* Settles the receipted lease id. Returns 0 or -1. */
static int settle_one(const struct market_ctx *c, struct market_state *ms, const uint8_t *id)
{
	Hearth__Lease *lease;
	ProtobufCMessage *rmsg, *bmsg;
	const Hearth__ReceiptRecord *rec;
	struct mkey k;
	uint64_t max_s, pay;
	int rc = -1;

	if (market_lease_load(c->st, id, &lease) != STATE_OK)
		return -1;
	mkey_id(&k, MKEY_RECEIPT, id);
	if (market_record_get(c->st, &k, &hearth__receipt_record__descriptor, &rmsg) != STATE_OK) {
		codec_free((ProtobufCMessage *)lease);
		return -1;
	}
	rec = (const Hearth__ReceiptRecord *)rmsg;
	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &bmsg) == STATE_OK) {
		max_s = ((const Hearth__BidRecord *)bmsg)->bid->max_duration_seconds;
		codec_free(bmsg);
		if (lease->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED && rec->outcome != NULL &&
		    !__builtin_mul_overflow(lease->price_per_second,
					    billed_seconds(rec->outcome->usage->wall_ms, max_s),
					    &pay))
			rc = market_lease_close(c, ms, lease, pay,
						HEARTH__LEASE_STATE__LEASE_SETTLED);
	}
	if (rc == 0 && reputation_count(c->st, lease->provider.data, COUNT_COMPLETED) != STATE_OK)
		rc = -1;
	codec_free(rmsg);
	codec_free((ProtobufCMessage *)lease);
	return rc == 0 ? 0 : -1;
}

/* Out: *replicas of the bid of lease. Returns 0 or -1. */
static int bid_replicas(const struct market_ctx *c, const Hearth__Lease *lease, uint32_t *replicas)
{
	ProtobufCMessage *msg;
	struct mkey k;

	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	*replicas = ((const Hearth__BidRecord *)msg)->bid->replicas;
	codec_free(msg);
	return 0;
}

/* Fails the active lease id at its deadline. Returns 0 or -1. */
static int fail_one(const struct market_ctx *c, struct market_state *ms, const uint8_t *id)
{
	Hearth__Lease *lease;
	uint64_t from, burned;
	uint32_t replicas;
	int rc = -1;

	if (market_lease_load(c->st, id, &lease) != STATE_OK)
		return -1;
	if (bid_replicas(c, lease, &replicas) != 0) {
		codec_free((ProtobufCMessage *)lease);
		return -1;
	}
	/* A replicated lease has no receipt tx yet (commit then reveal is the
	 * next stage of issue 8): its provider had no way to report, so its
	 * deadline refunds the consumer without a penalty or a mark. */
	if (replicas > 1) {
		if (lease->state == HEARTH__LEASE_STATE__LEASE_ACTIVE &&
		    market_lease_close(c, ms, lease, 0, HEARTH__LEASE_STATE__LEASE_FAILED) == 0)
			rc = 0;
		codec_free((ProtobufCMessage *)lease);
		return rc;
	}
	/* Stake unbonded since the lease began was at stake for it. */
	if (__builtin_add_overflow(lease->start_height, c->p->unbonding_blocks, &from))
		from = UINT64_MAX;
	if (lease->state == HEARTH__LEASE_STATE__LEASE_ACTIVE &&
	    market_lease_close(c, ms, lease, 0, HEARTH__LEASE_STATE__LEASE_FAILED) == 0 &&
	    staking_slash(c->st, lease->provider.data, c->p->market_slash_missed_ppm, from, &burned,
			  NULL) == LEDGER_OK &&
	    reputation_count(c->st, lease->provider.data, COUNT_FAILED) == STATE_OK &&
	    (burned == 0 ||
	     reputation_count(c->st, lease->provider.data, COUNT_SLASHED) == STATE_OK))
		rc = 0;
	codec_free((ProtobufCMessage *)lease);
	return rc;
}

/* Runs fn on every entry of the index prefix due at c->height, deleting the
 * entries. Returns STATE_OK or STATE_ERROR. */
static enum state_status
run_due(const struct market_ctx *c, struct market_state *ms, enum market_key_prefix prefix,
	int (*fn)(const struct market_ctx *, struct market_state *, const uint8_t *))
{
	uint8_t(*ids)[MARKET_ID_SIZE];
	size_t n;
	struct mkey k;
	enum state_status rc = market_collect_due(c->st, prefix, c->height, &ids, &n);

	for (size_t i = 0; rc == STATE_OK && i < n; i++) {
		/* due entries are exactly at c->height: earlier ones were run */
		mkey_u64_id(&k, prefix, c->height, ids[i]);
		if (fn(c, ms, ids[i]) != 0 || market_index_del(c->st, &k) != STATE_OK)
			rc = STATE_ERROR;
	}
	free(ids);
	return rc;
}

enum ledger_reason market_settle_block(const struct market_ctx *c, struct ledger_error *err)
{
	struct market_state ms, before;
	enum state_status rc = market_state_load(c->st, &ms);

	before = ms;
	if (rc == STATE_OK)
		rc = run_due(c, &ms, MKEY_SETTLE, settle_one);
	if (rc == STATE_OK)
		rc = run_due(c, &ms, MKEY_DEADLINE, fail_one);
	if (rc == STATE_OK && memcmp(&ms, &before, sizeof(ms)) != 0)
		rc = market_state_store(c->st, &ms);
	return rc == STATE_OK ? LEDGER_OK : ledger_fail(err, LEDGER_INTERNAL, "settling leases");
}
