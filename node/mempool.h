/* mempool.h: transactions waiting for a block. A tx is admitted only if the
 * ledger accepts it on top of the committed state plus every tx admitted
 * before it (the "check state", an overlay over the tip), so a sender's txs
 * with consecutive nonces can wait together and a block built from the pool
 * in arrival order is valid. After each committed block the txs it included
 * are removed and the others are re-checked against the new tip; those that
 * no longer apply (spent balance, stale nonce) are dropped, as CometBFT's
 * recheck does.
 *
 * Limits: a maximum number of txs and of bytes; when either is reached new
 * txs are refused (MEMPOOL_FULL) until a block makes room.
 *
 * The pool doubles as the verified-signature cache: mempool_sig_verified
 * tells the ledger that tx bytes it holds were verified on admission.
 * Owned by the loop thread. */
#ifndef HEARTH_NODE_MEMPOOL_H
#define HEARTH_NODE_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/kvmap.h"
#include "consensus/ledger.h"
#include "consensus/overlay.h"

struct mempool_limits {
	size_t max_txs;
	size_t max_bytes;
};

struct mempool_entry {
	uint8_t *tx; /* the exact bytes received */
	size_t len;
	uint8_t id[HASH_SIZE];
	uint64_t seq; /* arrival order */
};

struct mempool {
	const struct ledger *ledger;
	const struct state *base; /* the committed state (tip) */
	struct mempool_limits limits;
	struct mempool_entry *entries; /* in arrival order */
	size_t count, cap, bytes;
	uint64_t next_seq;
	struct kvmap ids; /* tx id -> its index in entries (u64, host order) */
	struct overlay check;
	struct state check_st;
	uint64_t next_height;
};

enum mempool_result {
	MEMPOOL_ADDED,
	MEMPOOL_DUPLICATE, /* already in the pool */
	MEMPOOL_FULL,
	MEMPOOL_REJECTED, /* the ledger refused it: err has the reason */
	MEMPOOL_ERROR,	  /* out of memory or a state failure */
};

/* A one-line description of r. Never NULL. */
const char *mempool_result_string(enum mempool_result r);

/* In:  l, base (the committed state; both must outlive mp), next_height
 *      (height of the next block), limits.
 * Out: mp (free with mempool_free). */
void mempool_init(struct mempool *mp, const struct ledger *l, const struct state *base,
		  uint64_t next_height, const struct mempool_limits *limits);

void mempool_free(struct mempool *mp);

/* Offers tx bytes to the pool.
 * Out: id: the tx id (when it decodes far enough to have one, else zeros);
 *      err: the ledger's reason for MEMPOOL_REJECTED (may be NULL).
 * Returns the outcome. */
__attribute__((warn_unused_result)) enum mempool_result mempool_add(struct mempool *mp,
								    const uint8_t *tx, size_t len,
								    uint8_t id[HASH_SIZE],
								    struct ledger_error *err);

/* mempool_add for bytes whose signature the caller has just verified
 * (tx_decode with verify_sig on another thread, so the loop thread does not
 * spend its time on BIP340): every other check still runs. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_add_verified(struct mempool *mp, const uint8_t *tx, size_t len, uint8_t id[HASH_SIZE],
		     struct ledger_error *err);

/* True when the pool holds the tx with this id. */
bool mempool_contains(const struct mempool *mp, const uint8_t id[HASH_SIZE]);

/* The entry of the tx with this id (O(log n), through ids), or NULL. The
 * pointer stays valid until the pool next changes. */
const struct mempool_entry *mempool_find(const struct mempool *mp, const uint8_t id[HASH_SIZE]);

/* Picks txs for a block in arrival order while they fit.
 * In:  max_bytes, max_txs: the block's limits for txs.
 * Out: txs[i], lens[i] for i < return value; pointers stay valid until the
 *      pool next changes. */
size_t mempool_reap(const struct mempool *mp, size_t max_bytes, size_t max_txs, const uint8_t **txs,
		    size_t *lens);

/* After a block is committed: removes the txs with the given ids, then
 * re-checks the rest against the new committed state (base, unchanged
 * object, new contents) for the block at next_height.
 * Returns the number of txs dropped by the re-check, or -1 on a state failure
 * (the pool is then empty). */
__attribute__((warn_unused_result)) long
mempool_update(struct mempool *mp, const uint8_t (*ids)[HASH_SIZE], size_t n, uint64_t next_height);

/* The ledger's verified-signature callback: arg is the pool. */
bool mempool_sig_verified(void *arg, const uint8_t *tx, size_t len);

#endif
