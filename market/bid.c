/* bid.c: the bid and cancel_bid transactions, and the expiry of bids. A bid
 * locks max_price x max_duration x replicas in escrow when it is accepted,
 * and one more max_price x max_duration for r >= 2, the tie-break reserve
 * (doc/market.md, "Tie-break");
 * while queued it is indexed in the queue (arrival seq), whose entry holds
 * a copy of the record so that matching reads the queue in one sequential
 * walk (doc/state-keys.md), and by expiry height; cancel and expiry refund
 * the whole escrow. Bid records stay (with
 * their final state) so a consumer can always ask what became of a bid. */
#include "market/order.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "market/reason.h"

bool market_bid_reserve(const Hearth__Bid *b, uint64_t *reserve)
{
	*reserve = 0;
	return b->replicas < 2 ||
	       !__builtin_mul_overflow(b->max_price_per_second, b->max_duration_seconds, reserve);
}

/* Out: *escrow = price x duration x replicas, plus the tie-break reserve
 * (r >= 2). Returns false on overflow. */
static bool bid_escrow(const Hearth__Bid *b, uint64_t *escrow)
{
	uint64_t per_replica, reserve;

	return !__builtin_mul_overflow(b->max_price_per_second, b->max_duration_seconds,
				       &per_replica) &&
	       !__builtin_mul_overflow(per_replica, (uint64_t)b->replicas, escrow) &&
	       market_bid_reserve(b, &reserve) && !__builtin_add_overflow(*escrow, reserve, escrow);
}

/* input_url: "http://" and something after it, printable ASCII without
 * spaces (no control bytes a log line or an HTTP request could be split
 * with), at most MARKET_INPUT_URL_MAX bytes. Where it points is the
 * provider's concern (doc/provider.md), not the chain's. */
static bool input_url_valid(const char *url)
{
	static const char scheme[] = "http://";
	size_t len = strlen(url);

	if (len <= sizeof(scheme) - 1 || len > MARKET_INPUT_URL_MAX ||
	    strncmp(url, scheme, sizeof(scheme) - 1) != 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (url[i] <= 0x20 || url[i] >= 0x7f)
			return false;
	}
	return true;
}

static enum ledger_reason check_job(const struct market_ctx *c, const Hearth__Job *job,
				    struct ledger_error *err)
{
	if (job->n_argv == 0)
		return market_fail(err, MARKET_BID_EMPTY_ARGV, NULL);
	if (job->has_inline_input && job->has_input_hash)
		return market_fail(err, MARKET_BID_TWO_INPUTS, NULL);
	if (job->has_inline_input && job->inline_input.len > c->p->max_inline_input_bytes)
		return market_fail(err, MARKET_BID_INPUT_TOO_LARGE, "%zu > %llu",
				   job->inline_input.len,
				   (unsigned long long)c->p->max_inline_input_bytes);
	if (job->has_input_hash && job->input_hash.len != HASH_SIZE)
		return market_fail(err, MARKET_BID_BAD_INPUT_HASH, "%zu bytes",
				   job->input_hash.len);
	if (job->input_url != NULL && !job->has_input_hash)
		return market_fail(err, MARKET_BID_URL_WITHOUT_HASH, NULL);
	if (job->input_url != NULL && !input_url_valid(job->input_url))
		return market_fail(err, MARKET_BID_BAD_INPUT_URL, NULL);
	return LEDGER_OK;
}

enum ledger_reason market_bid_check(const struct market_ctx *c, const struct tx *tx,
				    struct ledger_error *err)
{
	const Hearth__Bid *b = tx->body->bid;
	struct account acct;
	uint64_t escrow;
	size_t runtime_len = strlen(b->runtime);
	enum ledger_reason r;

	if (b->replicas == 0)
		return market_fail(err, MARKET_BID_ZERO_REPLICAS, NULL);
	if (b->replicas > MARKET_REPLICAS_MAX)
		return market_fail(err, MARKET_BID_TOO_MANY_REPLICAS, "%u > %u", b->replicas,
				   MARKET_REPLICAS_MAX);
	if (b->resources->cpu_millicores == 0 || b->resources->memory_bytes == 0)
		return market_fail(err, MARKET_BID_BAD_RESOURCES, NULL);
	if (runtime_len == 0 || runtime_len > MARKET_NAME_MAX)
		return market_fail(err, MARKET_BID_BAD_RUNTIME, NULL);
	if (!market_attributes_valid(b->required_attributes, b->n_required_attributes))
		return market_fail(err, MARKET_BID_BAD_ATTRIBUTE, NULL);
	if (b->min_reputation > MARKET_REPUTATION_MAX)
		return market_fail(err, MARKET_BID_BAD_REPUTATION, "%u", b->min_reputation);
	if (b->max_duration_seconds == 0)
		return market_fail(err, MARKET_BID_ZERO_DURATION, NULL);
	if (b->max_duration_seconds > MARKET_DURATION_MAX)
		return market_fail(err, MARKET_BID_DURATION_TOO_LONG, "%llu > %u s",
				   (unsigned long long)b->max_duration_seconds,
				   MARKET_DURATION_MAX);
	r = check_job(c, b->job, err);
	if (r != LEDGER_OK)
		return r;
	if (b->has_result_key && b->result_key.len != 32)
		return market_fail(err, MARKET_BID_BAD_RESULT_KEY, "%zu bytes", b->result_key.len);
	if (b->expiry_height <= c->height)
		return market_fail(err, MARKET_BID_EXPIRED, "%llu <= %llu",
				   (unsigned long long)b->expiry_height,
				   (unsigned long long)c->height);
	if (!bid_escrow(b, &escrow))
		return market_fail(err, MARKET_BID_ESCROW_OVERFLOW, NULL);
	if (account_load(c->st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the consumer");
	if (acct.balance < escrow)
		return market_fail(err, MARKET_BID_INSUFFICIENT_BALANCE, "%llu < %llu",
				   (unsigned long long)acct.balance, (unsigned long long)escrow);
	return LEDGER_OK;
}

enum ledger_reason market_bid_apply(const struct market_ctx *c, const struct tx *tx,
				    struct ledger_error *err)
{
	Hearth__BidRecord rec = HEARTH__BID_RECORD__INIT;
	struct market_state ms;
	struct mkey k;
	uint64_t escrow;
	int rc;

	if (!bid_escrow(tx->body->bid, &escrow))
		return market_fail(err, MARKET_BID_ESCROW_OVERFLOW, NULL);
	if (market_state_load(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the market state");
	rc = market_escrow_lock(c->st, &ms, tx->sender, escrow);
	if (rc < 0)
		return ledger_fail(err, LEDGER_INTERNAL, "locking the escrow");
	if (rc > 0)
		return market_fail(err, MARKET_BID_INSUFFICIENT_BALANCE, "escrow %llu",
				   (unsigned long long)escrow);
	rec.id.data = (uint8_t *)tx->id;
	rec.id.len = MARKET_ID_SIZE;
	rec.consumer.data = (uint8_t *)tx->sender;
	rec.consumer.len = PUBKEY_SIZE;
	rec.bid = tx->body->bid;
	rec.created_height = c->height;
	rec.escrow = escrow;
	rec.state = HEARTH__BID_STATE__BID_QUEUED;
	rec.unmatched_reason = MARKET_OK;
	rec.seq = ms.next_seq++;
	if (market_bid_store(c->st, &rec) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the bid");
	mkey_pair(&k, MKEY_BID_OWNER, tx->sender, tx->id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the owner index");
	mkey_u64_id(&k, MKEY_BID_EXPIRY, rec.bid->expiry_height, tx->id);
	if (market_index_put(c->st, &k) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the expiry index");
	if (market_state_store(c->st, &ms) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the market state");
	return LEDGER_OK;
}

/* Loads the bid named by a cancel_bid of sender, checking the rules. */
static enum ledger_reason load_cancelled(const struct market_ctx *c, const struct tx *tx,
					 Hearth__BidRecord **rec, struct ledger_error *err)
{
	const ProtobufCBinaryData *id = &tx->body->cancel_bid->bid_id;
	ProtobufCMessage *msg;
	struct mkey k;
	enum state_status rc;

	*rec = NULL;
	if (id->len != MARKET_ID_SIZE)
		return market_fail(err, MARKET_CANCEL_BID_BAD_ID, "%zu bytes", id->len);
	mkey_id(&k, MKEY_BID, id->data);
	rc = market_record_get(c->st, &k, &hearth__bid_record__descriptor, &msg);
	if (rc == STATE_ERROR)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the bid");
	if (rc == STATE_NOT_FOUND)
		return market_fail(err, MARKET_CANCEL_BID_NOT_FOUND, NULL);
	*rec = (Hearth__BidRecord *)msg;
	if (memcmp((*rec)->consumer.data, tx->sender, PUBKEY_SIZE) != 0)
		return market_fail(err, MARKET_CANCEL_BID_NOT_OWNER, NULL);
	if ((*rec)->state != HEARTH__BID_STATE__BID_QUEUED)
		return market_fail(err, MARKET_CANCEL_BID_NOT_QUEUED, "state %d",
				   (int)(*rec)->state);
	return LEDGER_OK;
}

enum ledger_reason market_cancel_bid_check(const struct market_ctx *c, const struct tx *tx,
					   struct ledger_error *err)
{
	Hearth__BidRecord *rec;
	enum ledger_reason r = load_cancelled(c, tx, &rec, err);

	codec_free((ProtobufCMessage *)rec);
	return r;
}

enum state_status market_bid_store(const struct state *st, const Hearth__BidRecord *rec)
{
	uint8_t *buf;
	size_t len;
	struct mkey k;
	enum state_status rc;

	if (codec_encode(&rec->base, &buf, &len) != CODEC_OK)
		return STATE_ERROR;
	mkey_id(&k, MKEY_BID, rec->id.data);
	rc = state_put(st, k.bytes, k.len, buf, len);
	if (rc == STATE_OK && rec->state == HEARTH__BID_STATE__BID_QUEUED) {
		mkey_u64_id(&k, MKEY_BID_QUEUE, rec->seq, rec->id.data);
		rc = state_put(st, k.bytes, k.len, buf, len);
	}
	free(buf);
	return rc;
}

enum state_status market_bid_dequeue(const struct state *st, const Hearth__BidRecord *rec)
{
	struct mkey k;

	mkey_u64_id(&k, MKEY_BID_QUEUE, rec->seq, rec->id.data);
	if (market_index_del(st, &k) != STATE_OK)
		return STATE_ERROR;
	mkey_u64_id(&k, MKEY_BID_EXPIRY, rec->bid->expiry_height, rec->id.data);
	return market_index_del(st, &k);
}

/* Ends a queued bid in state: out of the queue, escrow refunded. */
static enum state_status bid_close(const struct state *st, struct market_state *ms,
				   Hearth__BidRecord *rec, Hearth__BidState state)
{
	struct mkey k;

	if (market_bid_dequeue(st, rec) != STATE_OK ||
	    market_escrow_release(st, ms, rec->consumer.data, rec->escrow) != 0)
		return STATE_ERROR;
	rec->escrow = 0;
	rec->state = state;
	mkey_id(&k, MKEY_BID, rec->id.data);
	return market_record_put(st, &k, &rec->base);
}

enum ledger_reason market_cancel_bid_apply(const struct market_ctx *c, const struct tx *tx,
					   struct ledger_error *err)
{
	Hearth__BidRecord *rec;
	struct market_state ms;
	enum ledger_reason r = load_cancelled(c, tx, &rec, err);

	if (r == LEDGER_OK &&
	    (market_state_load(c->st, &ms) != STATE_OK ||
	     bid_close(c->st, &ms, rec, HEARTH__BID_STATE__BID_CANCELLED) != STATE_OK ||
	     market_state_store(c->st, &ms) != STATE_OK))
		r = ledger_fail(err, LEDGER_INTERNAL, "cancelling the bid");
	codec_free((ProtobufCMessage *)rec);
	return r;
}

static enum state_status bid_expire_one(const struct state *st, struct market_state *ms,
					const uint8_t *id)
{
	ProtobufCMessage *msg;
	struct mkey k;
	enum state_status rc;

	mkey_id(&k, MKEY_BID, id);
	if (market_record_get(st, &k, &hearth__bid_record__descriptor, &msg) != STATE_OK)
		return STATE_ERROR;
	rc = bid_close(st, ms, (Hearth__BidRecord *)msg, HEARTH__BID_STATE__BID_EXPIRED);
	codec_free(msg);
	return rc;
}

enum ledger_reason market_bid_expire(const struct market_ctx *c, struct ledger_error *err)
{
	uint8_t(*ids)[MARKET_ID_SIZE];
	struct market_state ms;
	size_t n;
	enum state_status rc = market_collect_due(c->st, MKEY_BID_EXPIRY, c->height, &ids, &n);

	if (rc == STATE_OK && n > 0) {
		rc = market_state_load(c->st, &ms);
		for (size_t i = 0; rc == STATE_OK && i < n; i++)
			rc = bid_expire_one(c->st, &ms, ids[i]);
		if (rc == STATE_OK)
			rc = market_state_store(c->st, &ms);
	}
	free(ids);
	return rc == STATE_OK ? LEDGER_OK : ledger_fail(err, LEDGER_INTERNAL, "expiring bids");
}
