/* keys.h: every key prefix of the ledger's state and the helpers that build
 * the keys. doc/state-keys.md describes each prefix and its value; the market
 * module will add its own prefixes from 0x20 on. Integers inside keys are
 * big-endian so that byte order is numeric order. */
#ifndef HEARTH_CONSENSUS_KEYS_H
#define HEARTH_CONSENSUS_KEYS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "consensus/crypto.h"

enum key_prefix {
	KEY_ACCOUNT = 0x01,	  /* || pubkey -> Account */
	KEY_UNBONDING = 0x02,	  /* || release height (8) || pubkey -> UnbondingEntry */
	KEY_STAKE_INDEX = 0x03,	  /* || (UINT64_MAX - bonded) (8) || pubkey -> empty */
	KEY_VALIDATOR_SET = 0x04, /* || height (8) -> ValidatorSet */
	KEY_JAILED = 0x05,	  /* || pubkey -> empty */
	KEY_SUPPLY = 0x06,	  /* (alone) -> Supply */
	KEY_PARAMS = 0x07,	  /* (alone) -> Params */
};

/* Longest key built here: prefix, a u64 and a public key. */
#define KEY_MAX_LEN (1 + 8 + PUBKEY_SIZE)

/* A key built in place. */
struct key {
	uint8_t bytes[KEY_MAX_LEN];
	size_t len;
};

static inline void key_put_u64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static inline uint64_t key_get_u64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void key_make(struct key *k, enum key_prefix prefix)
{
	k->bytes[0] = (uint8_t)prefix;
	k->len = 1;
}

static inline void key_make_pubkey(struct key *k, enum key_prefix prefix,
				   const uint8_t pubkey[PUBKEY_SIZE])
{
	k->bytes[0] = (uint8_t)prefix;
	memcpy(k->bytes + 1, pubkey, PUBKEY_SIZE);
	k->len = 1 + PUBKEY_SIZE;
}

static inline void key_make_u64(struct key *k, enum key_prefix prefix, uint64_t v)
{
	k->bytes[0] = (uint8_t)prefix;
	key_put_u64(k->bytes + 1, v);
	k->len = 1 + 8;
}

static inline void key_make_u64_pubkey(struct key *k, enum key_prefix prefix, uint64_t v,
				       const uint8_t pubkey[PUBKEY_SIZE])
{
	key_make_u64(k, prefix, v);
	memcpy(k->bytes + 9, pubkey, PUBKEY_SIZE);
	k->len = 1 + 8 + PUBKEY_SIZE;
}

#endif
