/* genesis.h: the genesis file (doc/genesis.md) and the state it creates.
 * Parsing is strict: valid JSON with no duplicate keys, every key known and
 * present, integers only where numbers are expected, every bound checked;
 * each error names its line and column. The genesis hash is
 * H("hearth/genesis", canonical JSON) where canonical JSON is the document
 * re-serialized compactly with keys sorted (jansson JSON_COMPACT |
 * JSON_SORT_KEYS), so whitespace and key order do not change it.
 *
 * Parsing does no I/O: the node reads the file and passes the bytes. */
#ifndef HEARTH_CONSENSUS_GENESIS_H
#define HEARTH_CONSENSUS_GENESIS_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/ledger.h"
#include "consensus/params.h"

#define GENESIS_MAX_BYTES   (16u << 20)
#define GENESIS_MAX_ENTRIES 100000u

struct genesis_entry {
	uint8_t key[PUBKEY_SIZE];
	uint64_t amount;
	uint64_t bond; /* balances only: plain bonded stake, no candidacy (0: none) */
};

struct genesis {
	char chain_id[CHAIN_ID_MAX + 1];
	uint64_t genesis_time_ms;
	struct params params;
	enum network network;		/* of every address in the file */
	struct genesis_entry *balances; /* spendable balances (and plain bonds) */
	size_t n_balances;
	struct genesis_entry *validators; /* bonded stake of the initial validators
					   * (candidates) */
	size_t n_validators;
	uint64_t supply; /* sum of balances and bonds */
	uint8_t hash[HASH_SIZE];
};

struct genesis_error {
	unsigned line; /* 1-based; 0 when no position applies */
	unsigned column;
	char text[256]; /* "line L, column C: what is wrong" */
};

/* Parses a genesis document.
 * In:  text[len] (need not be NUL-terminated).
 * Out: *g (free with genesis_free; zeroed on error), err (may be NULL).
 * Returns 0, or -1 with err filled. */
__attribute__((warn_unused_result)) int genesis_parse(const char *text, size_t len,
						      struct genesis *g, struct genesis_error *err);

/* Frees the entry arrays. A zeroed struct is allowed. */
void genesis_free(struct genesis *g);

/* Out: cfg with g's chain id and params and no evidence verifier. */
void genesis_ledger_config(const struct genesis *g, struct ledger_config *cfg);

/* Builds the initial state over base (which stays untouched): params, supply,
 * accounts with their balances and bonds, the stake index and the validator
 * set in force from height 1.
 * Out: *res as ledger_apply_block gives it: the write set, app_hash =
 *      H("hearth/app", 32 zero bytes || H(write set)), and the tip at height
 *      0 (zero block id, the genesis time). Free with ledger_block_result_free.
 * Returns LEDGER_OK or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
genesis_apply(const struct genesis *g, const struct state *base, struct ledger_block_result *res,
	      struct ledger_error *err);

#endif
