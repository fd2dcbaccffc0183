/* reveal.c: receipts of replicated leases (replicas >= 2), commit then
 * reveal. Each provider first commits to its result,
 *   commitment = H("hearth/receipt/commit", result_hash || provider || salt),
 * before its lease's deadline. Once no lease of the bid is still active (all
 * committed, or failed at their deadline), the reveal window opens until
 * height + reveal_blocks; it closes early when every committed lease has
 * revealed. No provider can copy another's answer: nothing is revealed
 * before everyone is bound. At the end of the window the bid settles by
 * majority (settle_bid below), or a tie-break verifier decides. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "market/market.h"

#define SALT_MAX 64u

void market_receipt_commitment(const uint8_t result_hash[HASH_SIZE],
			       const uint8_t provider[PUBKEY_SIZE], const uint8_t *salt,
			       size_t salt_len, uint8_t out[HASH_SIZE])
{
	uint8_t buf[HASH_SIZE + PUBKEY_SIZE + SALT_MAX];

	if (salt_len > SALT_MAX)
		salt_len = SALT_MAX;
	memcpy(buf, result_hash, HASH_SIZE);
	memcpy(buf + HASH_SIZE, provider, PUBKEY_SIZE);
	memcpy(buf + HASH_SIZE + PUBKEY_SIZE, salt, salt_len);
	hash_tagged("hearth/receipt/commit", buf, HASH_SIZE + PUBKEY_SIZE + salt_len, out);
}

static enum state_status bid_load(const struct state *st, const uint8_t *id,
				  Hearth__BidRecord **bid)
{
	struct mkey k;

	mkey_id(&k, MKEY_BID, id);
	return market_record_get(st, &k, &hearth__bid_record__descriptor, (ProtobufCMessage **)bid);
}

static enum state_status bid_store(const struct state *st, const Hearth__BidRecord *bid)
{
	struct mkey k;

	mkey_id(&k, MKEY_BID, bid->id.data);
	return market_record_put(st, &k, &bid->base);
}

static enum state_status receipt_load(const struct state *st, const uint8_t *lease_id,
				      Hearth__ReceiptRecord **rec)
{
	struct mkey k;

	mkey_id(&k, MKEY_RECEIPT, lease_id);
	return market_record_get(st, &k, &hearth__receipt_record__descriptor,
				 (ProtobufCMessage **)rec);
}

/* The lease and bid a commit or reveal names, with the rules they share.
 * codes: bad id, not found, not provider, not replicated. */
static enum ledger_reason load_named(const struct market_ctx *c, const struct tx *tx,
				     const ProtobufCBinaryData *lease_id,
				     const enum market_reason codes[4], Hearth__Lease **lease,
				     Hearth__BidRecord **bid, struct ledger_error *err)
{
	enum state_status rc;

	*lease = NULL;
	*bid = NULL;
	if (lease_id->len != MARKET_ID_SIZE)
		return market_fail(err, codes[0], "%zu bytes", lease_id->len);
	rc = market_lease_load(c->st, lease_id->data, lease);
	if (rc == STATE_ERROR)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the lease");
	if (rc == STATE_NOT_FOUND)
		return market_fail(err, codes[1], NULL);
	if (memcmp((*lease)->provider.data, tx->sender, PUBKEY_SIZE) != 0)
		return market_fail(err, codes[2], NULL);
	if (bid_load(c->st, (*lease)->bid_id.data, bid) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the bid");
	if ((*bid)->bid->replicas < 2 || (*lease)->replica == MARKET_VERIFIER_REPLICA)
		return market_fail(err, codes[3], NULL);
	return LEDGER_OK;
}

static const enum market_reason commit_codes[4] = {
	MARKET_COMMIT_BAD_LEASE_ID,
	MARKET_COMMIT_LEASE_NOT_FOUND,
	MARKET_COMMIT_NOT_PROVIDER,
	MARKET_COMMIT_NOT_REPLICATED,
};

static enum ledger_reason commit_rules(const struct market_ctx *c, const struct tx *tx,
				       Hearth__Lease **lease, Hearth__BidRecord **bid,
				       struct ledger_error *err)
{
	const Hearth__ReceiptCommit *rc = tx->body->receipt_commit;
	enum ledger_reason r = load_named(c, tx, &rc->lease_id, commit_codes, lease, bid, err);

	if (r != LEDGER_OK)
		return r;
	if (c->height > (*lease)->deadline_height)
		return market_fail(err, MARKET_COMMIT_AFTER_DEADLINE, "deadline %llu",
				   (unsigned long long)(*lease)->deadline_height);
	if ((*lease)->state != HEARTH__LEASE_STATE__LEASE_ACTIVE)
		return market_fail(err, MARKET_COMMIT_NOT_ACTIVE, NULL);
	if (rc->commitment.len != HASH_SIZE)
		return market_fail(err, MARKET_COMMIT_BAD_COMMITMENT, "%zu bytes",
				   rc->commitment.len);
	return LEDGER_OK;
}

enum ledger_reason market_commit_check(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err)
{
	Hearth__Lease *lease;
	Hearth__BidRecord *bid;
	enum ledger_reason r = commit_rules(c, tx, &lease, &bid, err);

	codec_free((ProtobufCMessage *)lease);
	codec_free((ProtobufCMessage *)bid);
	return r;
}

enum ledger_reason market_commit_apply(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err)
{
	Hearth__ReceiptRecord rec = HEARTH__RECEIPT_RECORD__INIT;
	Hearth__Lease *lease;
	Hearth__BidRecord *bid;
	struct mkey k;
	enum ledger_reason r = commit_rules(c, tx, &lease, &bid, err);
	enum state_status rc = STATE_OK;

	if (r == LEDGER_OK) {
		rec.lease_id = lease->id;
		rec.provider = lease->provider;
		rec.height = c->height;
		rec.has_commitment = true;
		rec.commitment = tx->body->receipt_commit->commitment;
		mkey_id(&k, MKEY_RECEIPT, lease->id.data);
		rc = market_record_put(c->st, &k, &rec.base);
		mkey_u64_id(&k, MKEY_DEADLINE, lease->deadline_height, lease->id.data);
		if (rc == STATE_OK)
			rc = market_index_del(c->st, &k);
		lease->state = HEARTH__LEASE_STATE__LEASE_RECEIPTED;
		if (rc == STATE_OK)
			rc = market_lease_store(c->st, lease);
		if (rc != STATE_OK || market_reveal_maybe_open(c, lease->bid_id.data) != 0)
			r = ledger_fail(err, LEDGER_INTERNAL, "writing the commitment");
	}
	codec_free((ProtobufCMessage *)lease);
	codec_free((ProtobufCMessage *)bid);
	return r;
}

/* The leases of bid, by replica. Out: leases[r] (caller frees each). */
static int bid_leases(const struct state *st, const Hearth__BidRecord *bid, Hearth__Lease **leases)
{
	uint8_t id[MARKET_ID_SIZE];
	int rc = 0;

	for (uint32_t i = 0; i < bid->bid->replicas; i++) {
		leases[i] = NULL;
		market_lease_id(bid->id.data, i, id);
		if (rc == 0 && market_lease_load(st, id, &leases[i]) != STATE_OK)
			rc = -1;
	}
	return rc;
}

static void leases_free(Hearth__Lease **leases, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		codec_free((ProtobufCMessage *)leases[i]);
}

/* Moves bid's window entry to end at height. */
static int window_set(const struct market_ctx *c, Hearth__BidRecord *bid, uint64_t height)
{
	struct mkey k;

	if (bid->reveal_height != 0) {
		mkey_u64_id(&k, MKEY_REVEAL, bid->reveal_height, bid->id.data);
		if (market_index_del(c->st, &k) != STATE_OK)
			return -1;
	}
	bid->reveal_height = height;
	mkey_u64_id(&k, MKEY_REVEAL, height, bid->id.data);
	return market_index_put(c->st, &k) == STATE_OK && bid_store(c->st, bid) == STATE_OK ? 0
											    : -1;
}

int market_reveal_maybe_open(const struct market_ctx *c, const uint8_t *bid_id)
{
	Hearth__Lease *leases[MARKET_REPLICAS_MAX];
	Hearth__BidRecord *bid;
	uint32_t r, committed = 0, active = 0;
	uint64_t end;
	int rc;

	if (bid_load(c->st, bid_id, &bid) != STATE_OK)
		return -1;
	r = bid->bid->replicas;
	if (r < 2 || bid->reveal_height != 0) {
		codec_free((ProtobufCMessage *)bid);
		return 0;
	}
	rc = bid_leases(c->st, bid, leases);
	for (uint32_t i = 0; rc == 0 && i < r; i++) {
		committed += leases[i]->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED;
		active += leases[i]->state == HEARTH__LEASE_STATE__LEASE_ACTIVE;
	}
	leases_free(leases, r);
	if (rc == 0 && active == 0 && committed > 0) {
		if (__builtin_add_overflow(c->height, c->p->market_reveal_blocks, &end))
			rc = -1;
		else
			rc = window_set(c, bid, end);
	}
	codec_free((ProtobufCMessage *)bid);
	return rc;
}

static const enum market_reason reveal_codes[4] = {
	MARKET_REVEAL_BAD_LEASE_ID,
	MARKET_REVEAL_LEASE_NOT_FOUND,
	MARKET_REVEAL_NOT_PROVIDER,
	MARKET_REVEAL_NOT_REPLICATED,
};

static enum ledger_reason reveal_rules(const struct market_ctx *c, const struct tx *tx,
				       Hearth__Lease **lease, Hearth__BidRecord **bid,
				       Hearth__ReceiptRecord **rec, struct ledger_error *err)
{
	const Hearth__ReceiptReveal *rv = tx->body->receipt_reveal;
	enum ledger_reason r = load_named(c, tx, &rv->lease_id, reveal_codes, lease, bid, err);

	*rec = NULL;
	if (r != LEDGER_OK)
		return r;
	if ((*bid)->reveal_height == 0)
		return market_fail(err, MARKET_REVEAL_NOT_OPEN, NULL);
	if (c->height > (*bid)->reveal_height)
		return market_fail(err, MARKET_REVEAL_CLOSED, "closed at %llu",
				   (unsigned long long)(*bid)->reveal_height);
	if ((*lease)->state != HEARTH__LEASE_STATE__LEASE_RECEIPTED)
		return market_fail(err, MARKET_REVEAL_NOT_COMMITTED, NULL);
	if (receipt_load(c->st, (*lease)->id.data, rec) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the commitment");
	if ((*rec)->outcome != NULL)
		return market_fail(err, MARKET_REVEAL_DUPLICATE, NULL);
	if (rv->salt.len == 0 || rv->salt.len > SALT_MAX)
		return market_fail(err, MARKET_REVEAL_BAD_SALT, "%zu bytes", rv->salt.len);
	if (rv->outcome->result_hash.len != HASH_SIZE)
		return market_fail(err, MARKET_REVEAL_BAD_RESULT_HASH, "%zu bytes",
				   rv->outcome->result_hash.len);
	return LEDGER_OK;
}

enum ledger_reason market_reveal_check(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err)
{
	Hearth__Lease *lease;
	Hearth__BidRecord *bid;
	Hearth__ReceiptRecord *rec;
	enum ledger_reason r = reveal_rules(c, tx, &lease, &bid, &rec, err);

	codec_free((ProtobufCMessage *)rec);
	codec_free((ProtobufCMessage *)lease);
	codec_free((ProtobufCMessage *)bid);
	return r;
}

/* True when every committed lease of bid has revealed (lease_id just did). */
static int all_revealed(const struct market_ctx *c, const Hearth__BidRecord *bid, bool *all)
{
	Hearth__Lease *leases[MARKET_REPLICAS_MAX];
	int rc = bid_leases(c->st, bid, leases);

	*all = true;
	for (uint32_t i = 0; rc == 0 && *all && i < bid->bid->replicas; i++) {
		Hearth__ReceiptRecord *rec;

		if (leases[i]->state != HEARTH__LEASE_STATE__LEASE_RECEIPTED)
			continue;
		if (receipt_load(c->st, leases[i]->id.data, &rec) != STATE_OK) {
			rc = -1;
			break;
		}
		*all = rec->outcome != NULL;
		codec_free((ProtobufCMessage *)rec);
	}
	leases_free(leases, bid->bid->replicas);
	return rc;
}

enum ledger_reason market_reveal_apply(const struct market_ctx *c, const struct tx *tx,
				       struct ledger_error *err)
{
	const Hearth__ReceiptReveal *rv = tx->body->receipt_reveal;
	Hearth__Lease *lease;
	Hearth__BidRecord *bid;
	Hearth__ReceiptRecord *rec;
	uint8_t expected[HASH_SIZE];
	struct mkey k;
	bool all;
	enum ledger_reason r = reveal_rules(c, tx, &lease, &bid, &rec, err);

	if (r == LEDGER_OK) {
		/* a reveal that does not open its commitment is accepted, and
		 * counted as a fault at settlement */
		market_receipt_commitment(rv->outcome->result_hash.data, lease->provider.data,
					  rv->salt.data, rv->salt.len, expected);
		rec->faulty = memcmp(expected, rec->commitment.data, HASH_SIZE) != 0;
		rec->outcome = rv->outcome;
		mkey_id(&k, MKEY_RECEIPT, lease->id.data);
		if (market_record_put(c->st, &k, &rec->base) != STATE_OK ||
		    all_revealed(c, bid, &all) != 0 ||
		    (all && bid->reveal_height > c->height && window_set(c, bid, c->height) != 0))
			r = ledger_fail(err, LEDGER_INTERNAL, "writing the reveal");
		rec->outcome = NULL; /* owned by the tx */
	}
	codec_free((ProtobufCMessage *)rec);
	codec_free((ProtobufCMessage *)lease);
	codec_free((ProtobufCMessage *)bid);
	return r;
}

/* The result a lease stands for: its revealed hash, or NULL (no reveal, or
 * a reveal that did not match its commitment). */
static const uint8_t *vote_of(const Hearth__ReceiptRecord *rec)
{
	return rec != NULL && rec->outcome != NULL && !rec->faulty ? rec->outcome->result_hash.data
								   : NULL;
}

/* Settles a replicated bid at the end of its reveal window: the result hash
 * revealed by a strict majority of the r replicas wins; its providers are
 * paid their billed seconds. Providers that revealed another result (when
 * there is a majority), did not reveal, or revealed something their
 * commitment does not open are slashed slash_wrong_result_ppm and refund
 * their share. Without a majority between two valid results or more, a
 * tie-break verifier decides for the leases with a valid reveal
 * (tiebreak.c); otherwise (one valid result or none, or no verifier to be
 * had) every share is refunded and nobody is paid. Either way only the
 * faults are slashed now. */
static int settle_bid(const struct market_ctx *c, struct market_state *ms, const uint8_t *bid_id)
{
	Hearth__Lease *leases[MARKET_REPLICAS_MAX];
	Hearth__ReceiptRecord *recs[MARKET_REPLICAS_MAX] = { NULL };
	const uint8_t *votes[MARKET_REPLICAS_MAX];
	Hearth__BidRecord *bid;
	const uint8_t *winner = NULL;
	bool pending = false;
	uint32_t r;
	int rc;

	if (bid_load(c->st, bid_id, &bid) != STATE_OK)
		return -1;
	r = bid->bid->replicas;
	rc = bid_leases(c->st, bid, leases);
	for (uint32_t i = 0; rc == 0 && i < r; i++) {
		if (leases[i]->state == HEARTH__LEASE_STATE__LEASE_RECEIPTED &&
		    receipt_load(c->st, leases[i]->id.data, &recs[i]) != STATE_OK)
			rc = -1;
	}
	for (uint32_t i = 0; i < r; i++)
		votes[i] = vote_of(recs[i]);
	for (uint32_t i = 0; rc == 0 && winner == NULL && i < r; i++) {
		uint32_t n = 0;

		for (uint32_t j = 0; votes[i] != NULL && j < r; j++)
			n += votes[j] != NULL && memcmp(votes[i], votes[j], HASH_SIZE) == 0;
		if (2 * n > r)
			winner = votes[i];
	}
	/* No majority between two results or more: a verifier breaks the tie
	 * (tiebreak.c); the leases with a valid reveal wait for it. */
	if (rc == 0 && winner == NULL)
		rc = market_tiebreak_open(c, bid, leases, votes, &pending);
	for (uint32_t i = 0; rc == 0 && i < r; i++) {
		const uint8_t *vote = votes[i];
		uint64_t pay;

		if (leases[i]->state != HEARTH__LEASE_STATE__LEASE_RECEIPTED ||
		    (pending && vote != NULL))
			continue;
		if (winner != NULL && vote != NULL && memcmp(vote, winner, HASH_SIZE) == 0) {
			if (__builtin_mul_overflow(
				    leases[i]->price_per_second,
				    market_billed_seconds(recs[i]->outcome->usage->wall_ms,
							  bid->bid->max_duration_seconds),
				    &pay) ||
			    market_lease_close(c, ms, leases[i], pay,
					       HEARTH__LEASE_STATE__LEASE_SETTLED) != 0 ||
			    market_count_completed(c, leases[i]->provider.data) != 0)
				rc = -1;
			continue;
		}
		if (market_lease_close(c, ms, leases[i], 0, HEARTH__LEASE_STATE__LEASE_FAILED) != 0)
			rc = -1;
		else if ((winner != NULL || vote == NULL) &&
			 market_penalize(c, leases[i], c->p->market_slash_wrong_ppm, NULL, 0, false,
					 NULL) != 0)
			rc = -1;
	}
	for (uint32_t i = 0; i < r; i++)
		codec_free((ProtobufCMessage *)recs[i]);
	leases_free(leases, r);
	codec_free((ProtobufCMessage *)bid);
	return rc;
}

enum state_status market_reveal_settle_block(const struct market_ctx *c, struct market_state *ms)
{
	uint8_t(*ids)[MARKET_ID_SIZE];
	size_t n;
	struct mkey k;
	enum state_status rc = market_collect_due(c->st, MKEY_REVEAL, c->height, &ids, &n);

	for (size_t i = 0; rc == STATE_OK && i < n; i++) {
		mkey_u64_id(&k, MKEY_REVEAL, c->height, ids[i]);
		if (settle_bid(c, ms, ids[i]) != 0 || market_index_del(c->st, &k) != STATE_OK)
			rc = STATE_ERROR;
	}
	free(ids);
	return rc;
}
