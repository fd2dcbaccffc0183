/* block.h: block headers and blocks. Encoding and strict decoding of the
 * header, the block id H("hearth/block", header bytes), the Merkle root of
 * the tx ids, and the checks of a block against the tip it extends. The
 * checks that need the state (validator hashes, proposer) and applying the
 * txs are the ledger's (consensus/ledger.h).
 *
 * tx_root is the RFC 6962 Merkle tree hash over the tx ids in block order,
 * with BLAKE2b and distinct tags instead of RFC 6962's 0x00/0x01 bytes:
 *   MTH({})        = H("hearth/merkle/empty", "")
 *   MTH({d})       = H("hearth/merkle/leaf", d)             d a 32-byte tx id
 *   MTH(D[0..n))   = H("hearth/merkle/node", MTH(D[0..k)) || MTH(D[k..n)))
 * where k is the largest power of two smaller than n (n > 1).
 *
 * last_commit_hash is H("hearth/commit", encoded Commit) of the commit
 * carried in the block (the previous block's), 32 zero bytes at height 1. */
#ifndef HEARTH_CONSENSUS_BLOCK_H
#define HEARTH_CONSENSUS_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/params.h"
#include "consensus/reason.h"
#include "proto/codec.h"

struct block_header {
	char chain_id[CHAIN_ID_MAX + 1];
	uint64_t height;
	uint64_t time_ms;
	uint8_t prev_block_id[HASH_SIZE];
	uint8_t tx_root[HASH_SIZE];
	uint8_t app_hash[HASH_SIZE]; /* state after the previous block */
	uint8_t validators_hash[HASH_SIZE];
	uint8_t next_validators_hash[HASH_SIZE];
	uint8_t proposer[PUBKEY_SIZE];
	uint8_t last_commit_hash[HASH_SIZE];
};

/* The last block a node has applied, as far as the next block's checks need
 * it. At genesis: height 0, block_id all zeros, time_ms the genesis time,
 * app_hash the genesis app hash. */
struct chain_tip {
	uint64_t height;
	uint64_t time_ms;
	uint8_t block_id[HASH_SIZE];
	uint8_t app_hash[HASH_SIZE];
};

/* A decoded block. Owns msg. */
struct block {
	Hearth__Block *msg;
	struct block_header header;
	uint8_t id[HASH_SIZE];
};

/* Out: out = H("hearth/block", header bytes). */
void block_id(const uint8_t *header, size_t len, uint8_t out[HASH_SIZE]);

/* Out: out, the Merkle root defined above of ids[n]. */
void block_tx_root(const uint8_t (*ids)[HASH_SIZE], size_t n, uint8_t out[HASH_SIZE]);

/* Out: out = H("hearth/commit", encoded commit).
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int block_commit_hash(const Hearth__Commit *commit,
							  uint8_t out[HASH_SIZE]);

/* Encodes h as a BlockHeader. Out: *out (caller frees), *len.
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int block_header_encode(const struct block_header *h,
							    uint8_t **out, size_t *len);

/* Decodes a BlockHeader strictly (every hash 32 bytes, chain id at most
 * CHAIN_ID_MAX characters). Out: *h. Returns LEDGER_OK,
 * LEDGER_BLOCK_HEADER_MALFORMED or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
block_header_decode(const uint8_t *bytes, size_t len, struct block_header *h,
		    struct ledger_error *err);

/* Encodes a block from its header, txs[n] (encoded Tx, lens[n]) and the
 * previous block's commit (NULL at height 1).
 * Out: *out (caller frees), *len. Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int block_encode(const struct block_header *h,
						     const uint8_t *const *txs, const size_t *lens,
						     size_t n, const Hearth__Commit *last_commit,
						     uint8_t **out, size_t *len);

/* Decodes a block: size cap max_block_bytes, strict Block and BlockHeader,
 * at most max_block_txs txs.
 * Out: *b (free with block_free; zeroed on error), err (may be NULL).
 * Returns LEDGER_OK, LEDGER_BLOCK_TOO_LARGE, _MALFORMED, _HEADER_MALFORMED,
 * _TOO_MANY_TXS or LEDGER_INTERNAL. */
__attribute__((warn_unused_result)) enum ledger_reason
block_decode(const uint8_t *bytes, size_t len, const struct params *p, struct block *b,
	     struct ledger_error *err);

void block_free(struct block *b);

/* Checks b against the tip it must extend: chain id, height = tip + 1,
 * prev_block_id, time (> tip time; >= genesis time at height 1), app_hash =
 * tip's, tx_root, and the carried last commit (absent with a zero hash at
 * height 1; otherwise present, hashing to last_commit_hash, for the tip's
 * height and block id). The commit's signatures are the BFT engine's to
 * check. Returns LEDGER_OK or the LEDGER_BLOCK_* reason. */
__attribute__((warn_unused_result)) enum ledger_reason
block_check_against_tip(const struct block *b, const char *chain_id, const struct chain_tip *tip,
			struct ledger_error *err);

#endif
