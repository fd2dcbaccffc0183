/* settle.c: settlement at the end of every block, eager and automatic.
 * A receipted single-replica lease settles at the end of block receipt
 * height + challenge_blocks (unless disputed, dispute.c): the provider is
 * paid price x billed seconds, billed = ceil(wall ms / 1000) capped at the
 * bid's max duration, the rest of its escrow share is refunded, and the
 * provider's completed counter grows. An active lease still without a
 * receipt or commitment at the end of its deadline block fails: the
 * consumer gets its whole share back and the provider is slashed
 * slash_missed_deadline_ppm of its bonded stake (and of stake it started
 * unbonding after the lease began), without jail; its failed and slashed
 * counters grow. A verifier's lease ends its dispute (dispute.c) or
 * tie-break (tiebreak.c) instead;
 * a replicated lease's end may open its bid's reveal window (reveal.c). */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/staking.h"
#include "market/reputation.h"

enum outcome_counter { COUNT_COMPLETED, COUNT_FAILED, COUNT_SLASHED, COUNT_DISPUTE_LOST };

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
	case COUNT_DISPUTE_LOST:
		n = &rep.disputes_lost;
		break;
	}
	if (*n < UINT64_MAX)
		(*n)++;
	return market_reputation_store(st, provider, &rep);
}

int market_count_completed(const struct market_ctx *c, const uint8_t *provider)
{
	return reputation_count(c->st, provider, COUNT_COMPLETED) == STATE_OK ? 0 : -1;
}

uint64_t market_billed_seconds(uint64_t wall_ms, uint64_t max_s)
{
	uint64_t s = wall_ms / 1000 + (wall_ms % 1000 != 0);

	return s < max_s ? s : max_s;
}

int market_penalize(const struct market_ctx *c, const Hearth__Lease *lease, uint32_t fraction_ppm,
		    const uint8_t *reward_to, uint64_t reward_max, bool dispute_lost,
		    uint64_t *rewarded)
{
	const uint8_t *provider = lease->provider.data;
	uint64_t from, burned;

	/* Stake unbonded since the lease began was at stake for it. */
	if (__builtin_add_overflow(lease->start_height, c->p->unbonding_blocks, &from))
		from = UINT64_MAX;
	if (staking_slash(c->st, provider, fraction_ppm, from, reward_to, reward_max, &burned,
			  rewarded, NULL) != LEDGER_OK ||
	    reputation_count(c->st, provider, dispute_lost ? COUNT_DISPUTE_LOST : COUNT_FAILED) !=
		    STATE_OK ||
	    (burned > 0 && reputation_count(c->st, provider, COUNT_SLASHED) != STATE_OK))
		return -1;
	return 0;
}

/* Out: *max_s, the max duration of lease's bid. Returns 0 or -1. */
static int bid_duration(const struct market_ctx *c, const Hearth__Lease *lease, uint64_t *max_s)
{
	ProtobufCMessage *msg;
	struct mkey k;

	mkey_id(&k, MKEY_BID, lease->bid_id.data);
	if (market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return -1;
	*max_s = ((const Hearth__BidRecord *)msg)->bid->max_duration_seconds;
	codec_free(msg);
	return 0;
}

int market_settle_receipted(const struct market_ctx *c, struct market_state *ms,
			    Hearth__Lease *lease)
{
	ProtobufCMessage *msg;
	const Hearth__ReceiptRecord *rec;
	struct mkey k;
	uint64_t max_s, pay;
	int rc = -1;

	mkey_id(&k, MKEY_RECEIPT, lease->id.data);
	if (bid_duration(c, lease, &max_s) != 0 ||
	    market_record_get(c->st, &k, &hearth__receipt_record__descriptor, &msg) != STATE_OK)
		return -1;
	rec = (const Hearth__ReceiptRecord *)msg;
	if (rec->outcome != NULL &&
	    !__builtin_mul_overflow(lease->price_per_second,
				    market_billed_seconds(rec->outcome->usage->wall_ms, max_s),
				    &pay) &&
	    market_lease_close(c, ms, lease, pay, HEARTH__LEASE_STATE__LEASE_SETTLED) == 0 &&
	    market_count_completed(c, lease->provider.data) == 0)
		rc = 0;
	codec_free(msg);
	return rc;
}

/* Settles the receipted lease id. Returns 0 or -1. */
static int settle_one(const struct market_ctx *c, struct market_state *ms, const uint8_t *id)
{
	Hearth__Lease *lease;
	int rc = -1;

	if (market_lease_load(c->st, id, &lease) != STATE_OK)
		return -1;
	if (lease->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED)
		rc = lease->replica == MARKET_VERIFIER_REPLICA
			     ? market_verifier_settle(c, ms, lease)
			     : market_settle_receipted(c, ms, lease);
	codec_free((ProtobufCMessage *)lease);
	return rc;
}

/* Fails the active lease id at its deadline. Returns 0 or -1. */
static int fail_one(const struct market_ctx *c, struct market_state *ms, const uint8_t *id)
{
	Hearth__Lease *lease;
	int rc = -1;

	if (market_lease_load(c->st, id, &lease) != STATE_OK)
		return -1;
	if (lease->state != HEARTH__LEASE_STATE__LEASE_ACTIVE)
		rc = -1;
	else if (lease->replica == MARKET_VERIFIER_REPLICA)
		rc = market_verifier_fail(c, ms, lease);
	else if (market_lease_close(c, ms, lease, 0, HEARTH__LEASE_STATE__LEASE_FAILED) == 0 &&
		 market_penalize(c, lease, c->p->market_slash_missed_ppm, NULL, 0, false, NULL) ==
			 0 &&
		 market_reveal_maybe_open(c, lease->bid_id.data) == 0)
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
		rc = market_dispute_assign_block(c, &ms);
	if (rc == STATE_OK)
		rc = run_due(c, &ms, MKEY_SETTLE, settle_one);
	if (rc == STATE_OK)
		rc = run_due(c, &ms, MKEY_DEADLINE, fail_one);
	if (rc == STATE_OK)
		rc = market_reveal_settle_block(c, &ms);
	if (rc == STATE_OK && memcmp(&ms, &before, sizeof(ms)) != 0)
		rc = market_state_store(c->st, &ms);
	return rc == STATE_OK ? LEDGER_OK : ledger_fail(err, LEDGER_INTERNAL, "settling leases");
}
