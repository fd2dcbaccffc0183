/* cs_wal.h: the consensus write-ahead log, <datadir>/cs.wal. It holds every
 * proposal (signed header and block bytes) of the height being decided that
 * this validator proposed or is about to vote on, written and fsynced BEFORE
 * the engine may sign anything for it. After a crash the node replays these
 * proposals into the engine, so a validator that had prevoted or precommitted
 * a block still has that block and can finish the height (CometBFT keeps a
 * WAL for the same reason). Its own last vote needs no log: the double-sign
 * guard (priv_validator_state) keeps it and the engine sends it again.
 *
 * Record: u32le length of the rest, then H("hearth/wal", body) (32 bytes),
 * then body = u64le height, u32le round, i32le pol_round, block id (32),
 * proposer (32), signature (64), the block bytes. A torn or corrupt tail is
 * cut off on open. The log is emptied when a height is committed; records
 * of other heights are ignored on replay. */
#ifndef HEARTH_NODE_CS_WAL_H
#define HEARTH_NODE_CS_WAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/bft.h"
#include "node/datadir.h"

#define CS_WAL_NAME	   "cs.wal"
#define CS_WAL_MAX_ENTRIES 64

struct cs_wal_entry {
	struct proposal_header header;
	uint8_t *payload;
	size_t len;
};

struct cs_wal {
	int fd;
	uint64_t height; /* the height the entries belong to */
	size_t count;
	struct cs_wal_entry entries[CS_WAL_MAX_ENTRIES];
};

/* Opens (creating) the log and loads its entries of `height` (the height
 * being decided); a corrupt tail is truncated. Out: wal. Returns 0 or -1
 * with err. */
__attribute__((warn_unused_result)) int cs_wal_open(struct cs_wal *wal, const struct datadir *dd,
						    uint64_t height, size_t max_payload, char *err,
						    size_t err_size);

/* The payload logged for block_id at the current height, or NULL. */
const struct cs_wal_entry *cs_wal_find_block(const struct cs_wal *wal,
					     const uint8_t block_id[HASH_SIZE]);

/* True when this exact proposal (height, round, block id) is logged. */
bool cs_wal_has(const struct cs_wal *wal, const struct proposal_header *h);

/* Appends a proposal and fsyncs. Returns 0 or -1. */
__attribute__((warn_unused_result)) int cs_wal_append(struct cs_wal *wal,
						      const struct proposal_header *h,
						      const uint8_t *payload, size_t len);

/* Empties the log for a new height (after the previous one is committed). */
__attribute__((warn_unused_result)) int cs_wal_reset(struct cs_wal *wal, uint64_t height);

void cs_wal_close(struct cs_wal *wal);

#endif
