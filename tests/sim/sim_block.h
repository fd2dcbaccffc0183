/* sim_block.h: the simulator's stand-in for a ledger block. The engine sees
 * only (block id, payload); here the payload records who proposed it, a
 * validity flag (a byzantine proposer may build invalid blocks) and the
 * evidence it carries, and the block id is H("hearth/simblock", payload),
 * as the ledger's is H("hearth/block", header). */
#ifndef HEARTH_TESTS_SIM_BLOCK_H
#define HEARTH_TESTS_SIM_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/evidence.h"

#define SIM_BLOCK_EVIDENCE_MAX 4
#define SIM_BLOCK_MAX	       (32 + SIM_BLOCK_EVIDENCE_MAX * (2 + EVIDENCE_ENCODED_MAX))

struct sim_block {
	uint64_t height;
	uint32_t round;
	uint32_t proposer; /* node number */
	uint64_t nonce;
	bool valid;
	size_t evidence_count;
	struct duplicate_vote evidence[SIM_BLOCK_EVIDENCE_MAX];
};

/* Encodes b. Out: buf (SIM_BLOCK_MAX bytes), *len. Returns 0 or -1. */
int sim_block_encode(const struct sim_block *b, uint8_t *buf, size_t *len);

/* Decodes a payload. Returns 0, or -1 when it is not a well-formed block. */
int sim_block_decode(const uint8_t *buf, size_t len, struct sim_block *b);

/* The block id of a payload. */
void sim_block_id(const uint8_t *buf, size_t len, uint8_t id[HASH_SIZE]);

#endif
