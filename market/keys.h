/* keys.h: the market's state key prefixes (0x20 and up, see
 * doc/state-keys.md) and the helpers that build its keys. Integers inside
 * keys are big-endian so that byte order is numeric order; ids and keys are
 * 32 bytes. Every secondary index entry has an empty value. */
#ifndef HEARTH_MARKET_KEYS_H
#define HEARTH_MARKET_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consensus/crypto.h"
#include "consensus/keys.h"

enum market_key_prefix {
	MKEY_STATE = 0x20,	    /* (alone) -> MarketState */
	MKEY_OFFER = 0x21,	    /* || offer id -> OfferRecord */
	MKEY_OFFER_BOOK = 0x22,	    /* || price (8) || seq (8) || offer id: open, free slots */
	MKEY_OFFER_OWNER = 0x23,    /* || provider || offer id */
	MKEY_OFFER_EXPIRY = 0x24,   /* || expiry height (8) || offer id: open offers */
	MKEY_BID = 0x25,	    /* || bid id -> BidRecord */
	MKEY_BID_QUEUE = 0x26,	    /* || seq (8) || bid id: queued bids */
	MKEY_BID_OWNER = 0x27,	    /* || consumer || bid id */
	MKEY_BID_EXPIRY = 0x28,	    /* || expiry height (8) || bid id: queued bids */
	MKEY_LEASE = 0x29,	    /* || lease id -> Lease */
	MKEY_LEASE_PROVIDER = 0x2a, /* || provider || lease id */
	MKEY_LEASE_CONSUMER = 0x2b, /* || consumer || lease id */
	MKEY_REPUTATION = 0x2c,	    /* || provider -> Reputation */
	MKEY_RECEIPT = 0x2d,	    /* || lease id -> ReceiptRecord */
	MKEY_SETTLE = 0x2e,	    /* || settle height (8) || lease id: receipted leases */
	MKEY_DEADLINE = 0x2f,	    /* || deadline height (8) || lease id: active leases */
	MKEY_REVEAL = 0x30,	    /* || last reveal height (8) || bid id: open windows */
	MKEY_DISPUTE_QUEUE = 0x31,  /* || filing height (8) || lease id: awaiting a verifier */
	MKEY_DISPUTE = 0x32,	    /* || lease id -> DisputeRecord */
	MKEY_TIEBREAK = 0x33,	    /* || bid id -> TieBreakRecord */
};

#define MARKET_ID_SIZE HASH_SIZE

/* Longest market key: prefix, two u64 and an id. */
#define MKEY_MAX_LEN (1 + 8 + 8 + MARKET_ID_SIZE + PUBKEY_SIZE)

struct mkey {
	uint8_t bytes[MKEY_MAX_LEN];
	size_t len;
};

static inline void mkey_start(struct mkey *k, enum market_key_prefix prefix)
{
	k->bytes[0] = (uint8_t)prefix;
	k->len = 1;
}

static inline void mkey_add_u64(struct mkey *k, uint64_t v)
{
	key_put_u64(k->bytes + k->len, v);
	k->len += 8;
}

static inline void mkey_add_bytes(struct mkey *k, const uint8_t *b, size_t n)
{
	memcpy(k->bytes + k->len, b, n);
	k->len += n;
}

/* prefix || id (32 bytes): records and the reputation. */
static inline void mkey_id(struct mkey *k, enum market_key_prefix prefix, const uint8_t *id)
{
	mkey_start(k, prefix);
	mkey_add_bytes(k, id, MARKET_ID_SIZE);
}

/* prefix || a (32) || b (32): the by-owner indexes. */
static inline void mkey_pair(struct mkey *k, enum market_key_prefix prefix, const uint8_t *a,
			     const uint8_t *b)
{
	mkey_start(k, prefix);
	mkey_add_bytes(k, a, 32);
	mkey_add_bytes(k, b, 32);
}

/* prefix || v (8) || id (32): the queue and expiry indexes. */
static inline void mkey_u64_id(struct mkey *k, enum market_key_prefix prefix, uint64_t v,
			       const uint8_t *id)
{
	mkey_start(k, prefix);
	mkey_add_u64(k, v);
	mkey_add_bytes(k, id, MARKET_ID_SIZE);
}

/* MKEY_OFFER_BOOK || price || seq || id. */
static inline void mkey_book(struct mkey *k, uint64_t price, uint64_t seq, const uint8_t *id)
{
	mkey_start(k, MKEY_OFFER_BOOK);
	mkey_add_u64(k, price);
	mkey_add_u64(k, seq);
	mkey_add_bytes(k, id, MARKET_ID_SIZE);
}

#endif
