/* mempool_internal.h: helpers shared by the files of the mempool
 * (mempool.c admission and re-check, mempool_reap.c, mempool_evict.c).
 * Not for other callers. */
#ifndef HEARTH_NODE_MEMPOOL_INTERNAL_H
#define HEARTH_NODE_MEMPOOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/mempool.h"
#include "node/mempool_fx.h"

/* Compares fee_a / len_a with fee_b / len_b exactly.
 * Returns < 0, 0 or > 0 as the first rate is lower, equal or higher. */
int mempool_rate_cmp(uint64_t fee_a, size_t len_a, uint64_t fee_b, size_t len_b);

/* Reads sender, nonce, fee and (for a transfer to another account) the
 * recipient of tx bytes into e (other fields untouched).
 * Returns 0, or -1 when the bytes do not decode (or no memory). */
__attribute__((warn_unused_result)) int mempool_read_entry(struct mempool_entry *e,
							   const uint8_t *tx, size_t len);

/* What admitting e (tx bytes with sender, nonce, fee read) would do, without
 * changing the pool: MEMPOOL_ADDED when it would be ready or may wait (then
 * *waits says which), else the refusal with err filled. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_classify(struct mempool *mp, const struct mempool_entry *e, const uint8_t *tx, size_t len,
		 bool verify_sig, bool *waits, struct ledger_error *err);

/* Removes entries[i] (freeing its bytes); later entries move down. */
void mempool_remove_at(struct mempool *mp, size_t i);

/* Removes every entries[i] with gone[i] (gone has mp->count flags) in one
 * pass; the others keep their order. */
void mempool_remove_marked(struct mempool *mp, const bool *gone);

/* Makes room for e (read, not yet admitted) by evicting cheaper txs, or
 * refuses it. Returns MEMPOOL_ADDED when there is room now, MEMPOOL_FULL
 * (err says why), or MEMPOOL_ERROR. Defined in mempool_evict.c. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_make_room(struct mempool *mp, const struct mempool_entry *e, struct ledger_error *err);

/* May e, whose nonce has a gap in the check state, wait? MEMPOOL_ADDED, or
 * MEMPOOL_NONCE_TOO_FAR / MEMPOOL_NONCE_WAITING / MEMPOOL_ERROR (err says
 * why). A nonce that has no gap (any more) also gives MEMPOOL_ADDED. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_wait_check(const struct mempool *mp, const struct mempool_entry *e,
		   struct ledger_error *err);

/* Marks e waiting and indexes it. Returns 0 or -1 (no memory). */
__attribute__((warn_unused_result)) int mempool_wait_register(struct mempool *mp,
							      struct mempool_entry *e);

/* Makes ready the waiting txs of sender that follow its next nonce. */
void mempool_promote(struct mempool *mp, const uint8_t sender[PUBKEY_SIZE]);

/* Empties the pool and its check state. */
void mempool_reset(struct mempool *mp);

/* Maps e's id to its seq in mp->ids (mempool_find's index).
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int mempool_ids_put(struct mempool *mp,
							const struct mempool_entry *e);

/* mempool_update, also used after a state failure (no ids) and, when the
 * records were lost (mp->fx_lost), after an eviction.
 * Defined in mempool_recheck.c. */
long mempool_recheck(struct mempool *mp, const uint8_t (*ids)[HASH_SIZE], size_t n,
		     uint64_t next_height);

/* Fills err (may be NULL) with reason and a formatted one-line text. */
__attribute__((format(printf, 3, 4))) void
mempool_fail(struct ledger_error *err, enum ledger_reason reason, const char *fmt, ...);

#endif
