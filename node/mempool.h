/* mempool.h: transactions waiting for a block.
 *
 * Ready txs: a tx is ready when the ledger accepts it on top of the committed
 * state plus every ready tx admitted before it (the "check state", an
 * overlay over the tip). The entries array keeps the ready txs in the order
 * they entered the check state, so its ready txs in that order always form a
 * valid block.
 *
 * Waiting txs: a tx whose nonce is ahead of its sender's next nonce (a gap)
 * passes every other stateless check (signature included) and waits, at most
 * limits.max_ahead nonces ahead and one tx per nonce; it is not in the check
 * state. When the gap fills (by admission or by a committed block) it is
 * applied and becomes ready, moving to the end of the array.
 *
 * Blocks: when all ready txs fit, mempool_reap takes them in pool order.
 * Otherwise it picks them by fee per byte, highest first, each sender's in
 * nonce order (a heap over the senders' next txs; ties in pool order); when
 * that order is not the pool's it is checked on a scratch overlay (one more
 * apply per tx), so the picked block is always valid.
 *
 * Limits: a maximum number of txs and of bytes (waiting txs count). When
 * full, a ready tx paying strictly more per byte than the cheapest tx of
 * another sender evicts it, with that sender's later-nonce txs that depend
 * on it, as many as needed; otherwise (and always for a tx that would wait)
 * it is refused (MEMPOOL_FULL). A ready tx is evicted only when its removal
 * (with its sender's later nonces) can be undone in the check state alone:
 * no other pooled tx read a key it wrote, except transfers crediting an
 * account it only credited or debited (node/mempool_undo.c); otherwise the
 * next cheapest is tried (a few at most, then MEMPOOL_FULL). An eviction
 * costs what the evicted txs touched, not a re-check of the pool.
 *
 * After each committed block the txs it included are removed and the others
 * are re-checked against the new tip; those that no longer apply (spent
 * balance, stale nonce) are dropped, as CometBFT's recheck does; a ready tx
 * whose nonce now has a gap goes back to waiting, and waiting txs whose gap
 * the block filled become ready.
 *
 * Every refusal has its own result and a one-line reason in err->text.
 * The pool doubles as the verified-signature cache: mempool_sig_verified
 * tells the ledger that tx bytes it holds were verified on admission.
 * Owned by the loop thread. */
#ifndef HEARTH_NODE_MEMPOOL_H
#define HEARTH_NODE_MEMPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/kvmap.h"
#include "consensus/ledger.h"
#include "consensus/overlay.h"

/* Default of mempool_limits.max_ahead. */
#define MEMPOOL_AHEAD_DEFAULT 16

struct mempool_limits {
	size_t max_txs;
	size_t max_bytes;
	/* How far ahead of its sender's next nonce a tx may wait (so also the
	 * most txs of one sender that wait); 0: MEMPOOL_AHEAD_DEFAULT. */
	uint64_t max_ahead;
};

struct mempool_entry {
	uint8_t *tx; /* the exact bytes received */
	size_t len;
	uint8_t id[HASH_SIZE];
	uint64_t seq; /* order of entry into the array: entries ascend by seq */
	uint8_t sender[PUBKEY_SIZE];
	uint64_t nonce;
	uint64_t fee;
	bool waiting; /* nonce ahead of the sender's next: not in the check state */
	bool credits; /* a transfer to another account than the sender's */
	uint8_t credit_to[PUBKEY_SIZE];
	struct mempool_fx *fx; /* a ready tx's effects (node/mempool_fx.h) */
};

struct mempool {
	const struct ledger *ledger;
	const struct state *base; /* the committed state (tip) */
	struct mempool_limits limits;
	struct mempool_entry *entries; /* ready ones in check-state order */
	size_t count, cap, bytes;      /* count and bytes include waiting txs */
	size_t n_waiting;
	uint64_t next_seq;
	struct kvmap ids;     /* tx id -> its entry's seq (8 bytes) */
	struct kvmap waiting; /* sender || nonce (big-endian) of waiting txs */
	struct overlay check;
	struct state check_st;
	uint64_t next_height;
	/* What the ready txs touched in the check state (node/mempool_fx.h):
	 * key -> its touches; the txs that iterated over key ranges. */
	struct kvmap touched;
	struct mempool_fx *ranged, *ranged_tail;
	bool fx_lost; /* a record failed: evictions rebuild until a re-check */
	uint64_t undo_mark;
};

enum mempool_result {
	MEMPOOL_ADDED,	       /* ready, or waiting for an earlier nonce */
	MEMPOOL_DUPLICATE,     /* already in the pool */
	MEMPOOL_FULL,	       /* full, and it does not pay more per byte than the
				* cheapest tx it could evict */
	MEMPOOL_NONCE_TOO_FAR, /* nonce more than max_ahead past the next */
	MEMPOOL_NONCE_WAITING, /* another tx of the sender waits with this nonce */
	MEMPOOL_REJECTED,      /* the ledger refused it: err has the reason */
	MEMPOOL_ERROR,	       /* out of memory or a state failure */
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
 *      err: for every refusal a one-line reason in err->text, and for
 *      MEMPOOL_REJECTED the ledger's reason code (may be NULL).
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

/* The entry of the tx with this id (O(log n): ids gives its seq, then a
 * binary search of entries), or NULL. Valid until the pool next changes. */
const struct mempool_entry *mempool_find(const struct mempool *mp, const uint8_t id[HASH_SIZE]);

/* The number of ready txs (those a block could take now). */
size_t mempool_ready_count(const struct mempool *mp);

/* True when the pool holds this tx waiting for an earlier nonce. */
bool mempool_is_waiting(const struct mempool *mp, const uint8_t id[HASH_SIZE]);

/* Picks ready txs for a block: all in pool order when they fit, else the
 * highest fee per byte first, each sender's in nonce order, while they fit
 * (a sender whose next tx does not fit is left out from there on). The
 * result always applies on the committed state.
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
