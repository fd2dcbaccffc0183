/* overlay.h: a layer of pending writes over a base state. The ledger applies
 * a block (or checks a tx) through an overlay; reads see the pending writes
 * first, then the base. Nothing reaches the base until the caller commits the
 * write set (node/store_commit.c writes it in the block's one WriteBatch) or
 * flushes it into another state (overlay_flush). Dropping the overlay discards
 * it.
 *
 * The write set, sorted by key, defines the block's app hash:
 *   write_set_hash = H("hearth/writeset", for each pair in key order:
 *                      len(key) key, 1 byte live(1)/deleted(0), len(val) val)
 *   app_hash       = H("hearth/app", prev_app_hash || write_set_hash)
 * where len is a little-endian u64. */
#ifndef HEARTH_CONSENSUS_OVERLAY_H
#define HEARTH_CONSENSUS_OVERLAY_H

#include <stdbool.h>

#include "consensus/crypto.h"
#include "consensus/kvmap.h"
#include "consensus/state.h"

struct overlay {
	const struct state *base;
	struct kvmap writes; /* tombstones record deletions */
};

/* Starts an empty overlay over base (which must outlive it) and returns the
 * struct state that reads and writes through it in *st. */
void overlay_init(struct overlay *ov, const struct state *base, struct state *st);

/* Discards every pending write. */
void overlay_free(struct overlay *ov);

/* Calls fn for each pending write in key order; val is NULL for a deletion.
 * Returns 0, or the first non-zero value fn returned. */
typedef int (*overlay_write_fn)(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
				size_t val_len, bool deleted);
int overlay_foreach_write(const struct overlay *ov, overlay_write_fn fn, void *arg);

/* Writes every pending write into dst (e.g. a per-tx overlay into the
 * per-block one) and empties the overlay. Returns STATE_OK, or STATE_ERROR
 * when dst fails: dst may then hold part of the writes and must be dropped. */
__attribute__((warn_unused_result)) enum state_status overlay_flush(struct overlay *ov,
								    const struct state *dst);

/* Out: out, the write-set hash defined above. */
void overlay_write_set_hash(const struct overlay *ov, uint8_t out[HASH_SIZE]);

/* Out: out = H("hearth/app", prev || write_set_hash). */
void overlay_app_hash(const uint8_t prev[HASH_SIZE], const uint8_t write_set_hash[HASH_SIZE],
		      uint8_t out[HASH_SIZE]);

#endif
