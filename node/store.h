/* store.h: the node's durable store, one LevelDB database at <datadir>/state
 * holding the chain (blocks, commit certificates, per-height app hashes, the
 * tx index, the tip) and the ledger state (doc/storage.md lists every key).
 *
 * The ledger reads the committed state through store_state(), a struct state
 * that refuses writes: state changes reach the disk only through
 * store_init_genesis and store_commit_block, each of which writes everything
 * of one height (state writes, block, certificate, indexes and the new tip)
 * in ONE LevelDB WriteBatch with sync=true, so a crash leaves the old tip or
 * the new one and never a mix.
 *
 * Threads: one thread (the node's loop) writes; any thread may read, and
 * readers that need a consistent view across several reads (RPC) open a
 * snapshot. The store keeps no global state. */
#ifndef HEARTH_NODE_STORE_H
#define HEARTH_NODE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "consensus/overlay.h"
#include "consensus/state.h"

/* The name of the store's directory inside the datadir. */
#define STORE_DIR_NAME "state"

/* The layout version written in the database; store_open refuses others. */
#define STORE_SCHEMA_VERSION 1u

#define STORE_ERROR_MAX 512

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND = 1, /* no such record (or no genesis yet) */
	STORE_REJECTED = 2,  /* the request was refused and nothing was written */
	STORE_CORRUPT = -2,  /* the database contradicts itself or is not a Hearth store */
	STORE_ERROR = -1,    /* I/O error, LevelDB error or out of memory */
};

/* The reason of the last failure, one line, e.g.
 * "store_open /x/state: tip names height 7 but no block is stored there". */
struct store_error {
	char msg[STORE_ERROR_MAX];
};

struct store_options {
	bool create_if_missing; /* create an empty store when path holds none */
	size_t cache_bytes;	/* half goes to the block cache, a quarter to the write buffer */
	int max_open_files;
};

/* The last committed height. */
struct store_tip {
	uint64_t height;
	uint8_t block_id[HASH_SIZE]; /* the genesis hash at height 0 */
	uint8_t app_hash[HASH_SIZE]; /* app hash after the block at height */
};

/* One block as store_commit_block writes it. The store does not decode the
 * block or the certificate: the ledger and consensus have checked them. */
struct store_block {
	uint64_t height;
	uint8_t id[HASH_SIZE];
	const uint8_t *bytes; /* the block exactly as received and hashed */
	size_t len;
	const uint8_t *commit; /* its commit certificate bytes */
	size_t commit_len;
	const uint8_t *tx_ids; /* tx_count * HASH_SIZE bytes, in block order */
	size_t tx_count;
};

struct store;
struct store_snapshot;

/* Out: opts, the defaults: create_if_missing, 32 MiB of cache, and the open
 * file limit Bitcoin Core uses (1000 on 64-bit hosts, where LevelDB maps
 * table files instead of keeping them open, 64 otherwise). */
void store_options_default(struct store_options *opts);

/* Opens (or creates) the store in directory path and checks it: the schema
 * version, and when a tip exists that the block (or the genesis hash at
 * height 0) at the tip's height carries the tip's id and that the app hash
 * recorded for that height is the tip's.
 * In:  path, the database directory (normally <datadir>/state); its parent
 *      must exist. opts, or NULL for store_options_default.
 * Out: *out, the open store (close with store_close); NULL on failure.
 *      err (may be NULL): the reason on failure.
 * Returns STORE_OK, STORE_CORRUPT when the checks fail, STORE_ERROR when
 * LevelDB cannot open the directory (LevelDB's message is in err). */
__attribute__((warn_unused_result)) enum store_status store_open(const char *path,
								 const struct store_options *opts,
								 struct store **out,
								 struct store_error *err);

/* Closes the store and frees it. Every snapshot must be closed first.
 * In: store (NULL is ignored). */
void store_close(struct store *store);

/* Returns the committed ledger state: get and iterate read the latest
 * committed data; put and del return STATE_ERROR. Valid until store_close. */
const struct state *store_state(const struct store *store);

/* Freezes the current committed data for reading (RPC threads).
 * Out: *out, the snapshot (close with store_snapshot_close); err (may be NULL).
 * Returns STORE_OK or STORE_ERROR (out of memory). */
__attribute__((warn_unused_result)) enum store_status
store_snapshot_open(struct store *store, struct store_snapshot **out, struct store_error *err);

/* Releases the snapshot. In: snap (NULL is ignored). */
void store_snapshot_close(struct store_snapshot *snap);

/* Returns the ledger state as of the snapshot (read-only, like store_state).
 * Valid until store_snapshot_close. */
const struct state *store_snapshot_state(const struct store_snapshot *snap);

/* Commits the genesis state as height 0: the state writes of writes, the
 * genesis hash, app hash 0 and the tip, in one synced WriteBatch.
 * In:  genesis_hash, the hash of the genesis file, which becomes the tip's
 *      block id at height 0; writes, the genesis state (its base is ignored);
 *      app_hash, the app hash of the genesis state (its formula is the
 *      ledger's, the store only records it).
 * Out: err (may be NULL).
 * Returns STORE_OK; STORE_REJECTED when the store already has a tip or a
 * write is out of bounds (nothing written); STORE_ERROR when LevelDB fails. */
__attribute__((warn_unused_result)) enum store_status
store_init_genesis(struct store *store, const uint8_t genesis_hash[HASH_SIZE],
		   const struct overlay *writes, const uint8_t app_hash[HASH_SIZE],
		   struct store_error *err);

/* Commits one block: its state writes, the block, its commit certificate,
 * its app hash, the index entries of its id and tx ids, and the new tip, in
 * one synced WriteBatch.
 * In:  block, with block->height == tip height + 1; writes, the block's write
 *      set (overlay_foreach_write order; its base is ignored); app_hash, the
 *      state's app hash after the block, which must equal
 *      overlay_app_hash(tip app hash, overlay_write_set_hash(writes)).
 * Out: err (may be NULL).
 * Returns STORE_OK; STORE_REJECTED (nothing written) when there is no
 * genesis yet, the height is not tip + 1, app_hash does not match the write
 * set, or a write or field is out of bounds; STORE_ERROR when LevelDB fails
 * (then nothing of the block is visible, and the caller should stop). */
__attribute__((warn_unused_result)) enum store_status
store_commit_block(struct store *store, const struct store_block *block,
		   const struct overlay *writes, const uint8_t app_hash[HASH_SIZE],
		   struct store_error *err);

/* The getters below read the latest committed data when snap is NULL, else
 * the data of snapshot snap (which must belong to store). Byte buffers they
 * return are malloc'd and the caller frees them; an empty record gives NULL
 * and length 0. Each returns STORE_OK, STORE_NOT_FOUND, STORE_CORRUPT (a
 * record of the wrong size) or STORE_ERROR; err (may be NULL) says why. */

/* Out: *tip. STORE_NOT_FOUND before store_init_genesis. */
__attribute__((warn_unused_result)) enum store_status
store_get_tip(const struct store *store, const struct store_snapshot *snap, struct store_tip *tip,
	      struct store_error *err);

/* Out: genesis_hash, the hash store_init_genesis recorded. */
__attribute__((warn_unused_result)) enum store_status
store_get_genesis_hash(const struct store *store, const struct store_snapshot *snap,
		       uint8_t genesis_hash[HASH_SIZE], struct store_error *err);

/* In:  height >= 1 (height 0 has no block: it is the genesis state).
 * Out: id (may be NULL), the block id; *bytes and *len, the block. */
__attribute__((warn_unused_result)) enum store_status
store_get_block(const struct store *store, const struct store_snapshot *snap, uint64_t height,
		uint8_t id[HASH_SIZE], uint8_t **bytes, size_t *len, struct store_error *err);

/* In:  id, a block id.
 * Out: *height; *bytes and *len, the block (bytes may be NULL to get only
 *      the height, len is then ignored). */
__attribute__((warn_unused_result)) enum store_status
store_get_block_by_id(const struct store *store, const struct store_snapshot *snap,
		      const uint8_t id[HASH_SIZE], uint64_t *height, uint8_t **bytes, size_t *len,
		      struct store_error *err);

/* Out: *bytes and *len, the commit certificate of the block at height. */
__attribute__((warn_unused_result)) enum store_status
store_get_commit(const struct store *store, const struct store_snapshot *snap, uint64_t height,
		 uint8_t **bytes, size_t *len, struct store_error *err);

/* Out: app_hash, the app hash after the block at height (0: genesis). */
__attribute__((warn_unused_result)) enum store_status
store_get_app_hash(const struct store *store, const struct store_snapshot *snap, uint64_t height,
		   uint8_t app_hash[HASH_SIZE], struct store_error *err);

/* Out: *height and *index, where the tx with id tx_id was committed. */
__attribute__((warn_unused_result)) enum store_status
store_get_tx_location(const struct store *store, const struct store_snapshot *snap,
		      const uint8_t tx_id[HASH_SIZE], uint64_t *height, uint32_t *index,
		      struct store_error *err);

#endif
