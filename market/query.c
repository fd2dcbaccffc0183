/* query.c: the market's read-only queries (market.h): records by id, a
 * bid's explanation, listings by owner, the book, the escrow total. Each
 * listing is one ordered walk of a secondary index. */
#include "market/market.h"

#include <string.h>

#include "market/store.h"

void market_lease_id(const uint8_t bid_id[MARKET_ID_SIZE], uint32_t replica,
		     uint8_t id[MARKET_ID_SIZE])
{
	uint8_t buf[MARKET_ID_SIZE + 4];

	memcpy(buf, bid_id, MARKET_ID_SIZE);
	buf[MARKET_ID_SIZE] = (uint8_t)(replica >> 24);
	buf[MARKET_ID_SIZE + 1] = (uint8_t)(replica >> 16);
	buf[MARKET_ID_SIZE + 2] = (uint8_t)(replica >> 8);
	buf[MARKET_ID_SIZE + 3] = (uint8_t)replica;
	hash_tagged("hearth/lease", buf, sizeof(buf), id);
}

static enum state_status get_by_id(const struct state *st, enum market_key_prefix prefix,
				   const uint8_t *id, const ProtobufCMessageDescriptor *desc,
				   ProtobufCMessage **msg)
{
	struct mkey k;

	mkey_id(&k, prefix, id);
	return market_record_get(st, &k, desc, msg);
}

enum state_status market_offer_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
				   Hearth__OfferRecord **rec)
{
	return get_by_id(st, MKEY_OFFER, id, &hearth__offer_record__descriptor,
			 (ProtobufCMessage **)rec);
}

enum state_status market_bid_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
				 Hearth__BidRecord **rec)
{
	return get_by_id(st, MKEY_BID, id, &hearth__bid_record__descriptor,
			 (ProtobufCMessage **)rec);
}

enum state_status market_lease_get(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
				   Hearth__Lease **rec)
{
	return get_by_id(st, MKEY_LEASE, id, &hearth__lease__descriptor, (ProtobufCMessage **)rec);
}

enum state_status market_receipt_get(const struct state *st, const uint8_t lease_id[MARKET_ID_SIZE],
				     Hearth__ReceiptRecord **rec)
{
	return get_by_id(st, MKEY_RECEIPT, lease_id, &hearth__receipt_record__descriptor,
			 (ProtobufCMessage **)rec);
}

enum state_status market_dispute_get(const struct state *st, const uint8_t lease_id[MARKET_ID_SIZE],
				     Hearth__DisputeRecord **rec)
{
	return get_by_id(st, MKEY_DISPUTE, lease_id, &hearth__dispute_record__descriptor,
			 (ProtobufCMessage **)rec);
}

enum state_status market_tiebreak_get(const struct state *st, const uint8_t bid_id[MARKET_ID_SIZE],
				      Hearth__TieBreakRecord **rec)
{
	return get_by_id(st, MKEY_TIEBREAK, bid_id, &hearth__tie_break_record__descriptor,
			 (ProtobufCMessage **)rec);
}

enum state_status market_explain_bid(const struct state *st, const uint8_t id[MARKET_ID_SIZE],
				     Hearth__BidState *state, uint32_t *reason)
{
	Hearth__BidRecord *rec;
	enum state_status rc = market_bid_get(st, id, &rec);

	if (rc != STATE_OK)
		return rc;
	*state = rec->state;
	*reason = rec->unmatched_reason;
	codec_free((ProtobufCMessage *)rec);
	return STATE_OK;
}

struct listing {
	const uint8_t *after;
	market_list_fn fn;
	void *arg;
};

static int list_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct listing *ls = arg;
	const uint8_t *id = key + 1 + PUBKEY_SIZE;

	(void)val;
	if (key_len != 1 + PUBKEY_SIZE + MARKET_ID_SIZE || val_len != 0)
		return -1;
	if (ls->after != NULL && memcmp(id, ls->after, MARKET_ID_SIZE) == 0)
		return 0;
	return ls->fn(ls->arg, id) != 0 ? 1 : 0;
}

static enum market_key_prefix listing_prefix(enum market_listing which)
{
	switch (which) {
	case MARKET_OFFERS_BY_PROVIDER:
		return MKEY_OFFER_OWNER;
	case MARKET_BIDS_BY_CONSUMER:
		return MKEY_BID_OWNER;
	case MARKET_LEASES_BY_PROVIDER:
		return MKEY_LEASE_PROVIDER;
	case MARKET_LEASES_BY_CONSUMER:
		return MKEY_LEASE_CONSUMER;
	}
	return MKEY_OFFER_OWNER;
}

enum state_status market_list(const struct state *st, enum market_listing which,
			      const uint8_t owner[PUBKEY_SIZE], const uint8_t *after,
			      market_list_fn fn, void *arg)
{
	struct listing ls = { .after = after, .fn = fn, .arg = arg };
	struct mkey prefix, start;

	mkey_start(&prefix, listing_prefix(which));
	mkey_add_bytes(&prefix, owner, PUBKEY_SIZE);
	start = prefix;
	if (after != NULL)
		mkey_add_bytes(&start, after, MARKET_ID_SIZE);
	return state_iterate(st, prefix.bytes, prefix.len, start.bytes, start.len, list_entry, &ls);
}

struct book_walk {
	market_book_fn fn;
	void *arg;
};

static int book_entry(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct book_walk *w = arg;

	(void)val; /* the offer's record (market_offer_store) */
	(void)val_len;
	if (key_len != 1 + 8 + 8 + MARKET_ID_SIZE)
		return -1;
	return w->fn(w->arg, key_get_u64(key + 1), key + 17) != 0 ? 1 : 0;
}

enum state_status market_book_foreach(const struct state *st, market_book_fn fn, void *arg)
{
	struct book_walk w = { .fn = fn, .arg = arg };
	uint8_t prefix = MKEY_OFFER_BOOK;

	return state_iterate(st, &prefix, 1, NULL, 0, book_entry, &w);
}

enum state_status market_escrow_total(const struct state *st, uint64_t *amount)
{
	struct market_state ms;
	enum state_status rc = market_state_load(st, &ms);

	if (rc == STATE_OK)
		*amount = ms.escrow;
	return rc;
}
