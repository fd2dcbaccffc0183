/* mempool_internal.h: helpers shared by the files of the mempool
 * (mempool.c admission and re-check, mempool_reap.c, mempool_evict.c).
 * Not for other callers. */
#ifndef HEARTH_NODE_MEMPOOL_INTERNAL_H
#define HEARTH_NODE_MEMPOOL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/mempool.h"

/* Compares fee_a / len_a with fee_b / len_b exactly.
 * Returns < 0, 0 or > 0 as the first rate is lower, equal or higher. */
int mempool_rate_cmp(uint64_t fee_a, size_t len_a, uint64_t fee_b, size_t len_b);

/* Reads sender, nonce and fee of tx bytes into e (other fields untouched).
 * Returns 0, or -1 when the bytes do not decode (or no memory). */
__attribute__((warn_unused_result)) int mempool_read_entry(struct mempool_entry *e,
							   const uint8_t *tx, size_t len);

/* What admitting e (tx bytes with sender, nonce, fee read) would do, without
 * changing the pool: MEMPOOL_ADDED when it would be ready or may wait, else
 * the refusal with err filled. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_classify(struct mempool *mp, const struct mempool_entry *e, const uint8_t *tx, size_t len,
		 bool verify_sig, struct ledger_error *err);

/* Removes entries[i] (freeing its bytes); later entries move down. */
void mempool_remove_at(struct mempool *mp, size_t i);

/* Makes room for e (read, not yet admitted) by evicting cheaper txs, or
 * refuses it. Returns MEMPOOL_ADDED when there is room now, MEMPOOL_FULL
 * (err says why), or MEMPOOL_ERROR. Defined in mempool_evict.c. */
__attribute__((warn_unused_result)) enum mempool_result
mempool_make_room(struct mempool *mp, const struct mempool_entry *e, struct ledger_error *err);

/* Fills err (may be NULL) with reason and a formatted one-line text. */
__attribute__((format(printf, 3, 4))) void
mempool_fail(struct ledger_error *err, enum ledger_reason reason, const char *fmt, ...);

#endif
