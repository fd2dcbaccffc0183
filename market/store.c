/* store.c: market records, index entries, counters and escrow moves. */
#include "market/store.h"

#include "consensus/account.h"
#include "consensus/record.h"

enum state_status market_state_load(const struct state *st, struct market_state *ms)
{
	ProtobufCMessage *msg;
	const Hearth__MarketState *rec;
	struct mkey k;
	enum state_status rc;

	mkey_start(&k, MKEY_STATE);
	rc = market_record_get(st, &k, &hearth__market_state__descriptor, &msg);
	if (rc == STATE_NOT_FOUND) {
		ms->next_seq = 0;
		ms->escrow = 0;
		ms->match_cursor = 0;
		return STATE_OK;
	}
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__MarketState *)msg;
	ms->next_seq = rec->next_seq;
	ms->escrow = rec->escrow;
	ms->match_cursor = rec->match_cursor;
	codec_free(msg);
	return STATE_OK;
}

enum state_status market_state_store(const struct state *st, const struct market_state *ms)
{
	Hearth__MarketState rec = HEARTH__MARKET_STATE__INIT;
	struct mkey k;

	rec.next_seq = ms->next_seq;
	rec.escrow = ms->escrow;
	rec.match_cursor = ms->match_cursor;
	mkey_start(&k, MKEY_STATE);
	return market_record_put(st, &k, &rec.base);
}

enum state_status market_record_get(const struct state *st, const struct mkey *k,
				    const ProtobufCMessageDescriptor *desc, ProtobufCMessage **msg)
{
	return record_get_bytes(st, k->bytes, k->len, desc, MARKET_RECORD_MAX, msg);
}

enum state_status market_record_put(const struct state *st, const struct mkey *k,
				    const ProtobufCMessage *msg)
{
	return record_put_bytes(st, k->bytes, k->len, msg);
}

enum state_status market_index_put(const struct state *st, const struct mkey *k)
{
	return state_put(st, k->bytes, k->len, NULL, 0);
}

enum state_status market_index_del(const struct state *st, const struct mkey *k)
{
	return state_del(st, k->bytes, k->len);
}

int market_escrow_lock(const struct state *st, struct market_state *ms,
		       const uint8_t owner[PUBKEY_SIZE], uint64_t amount)
{
	struct account acct;
	uint64_t escrow;

	if (account_load(st, owner, &acct) != STATE_OK)
		return -1;
	if (acct.balance < amount || __builtin_add_overflow(ms->escrow, amount, &escrow))
		return 1;
	acct.balance -= amount;
	if (account_store(st, owner, &acct) != STATE_OK)
		return -1;
	ms->escrow = escrow;
	return 0;
}

int market_escrow_release(const struct state *st, struct market_state *ms,
			  const uint8_t to[PUBKEY_SIZE], uint64_t amount)
{
	int rc;

	if (ms->escrow < amount)
		return 1;
	if (amount == 0)
		return 0;
	rc = account_credit(st, to, amount);
	if (rc != 0)
		return rc;
	ms->escrow -= amount;
	return 0;
}
