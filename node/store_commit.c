/* store_commit.c: the only two ways the store changes. store_init_genesis
 * and store_commit_block check the request against the tip, then write
 * everything of one height (the state writes of the overlay, the block, its
 * certificate, the id and tx indexes, the app hash and the new tip) in ONE
 * LevelDB WriteBatch with sync=true, so that a crash leaves the old tip or the
 * new one and never a mix (doc/storage.md, "Crash safety"). */
#include "node/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "node/store_internal.h"

/* The tip record: height, block id, app hash (read by store_decode_tip). */
static void tip_encode(uint8_t out[TIP_SIZE], const struct store_tip *tip)
{
	store_encode_be64(out, tip->height);
	memcpy(out + 8, tip->block_id, HASH_SIZE);
	memcpy(out + 8 + HASH_SIZE, tip->app_hash, HASH_SIZE);
}

/* Adds one ledger write of an overlay to the batch under 's'. */
struct batch_writes {
	leveldb_writebatch_t *batch;
	size_t bad_key_len; /* the length of the first out-of-bounds write */
};

static int batch_add_write(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			   size_t val_len, bool deleted)
{
	struct batch_writes *bw = arg;
	uint8_t db_key[STATE_DB_KEY_MAX];

	if (key_len == 0 || key_len > STATE_KEY_MAX || val_len > STATE_VALUE_MAX) {
		bw->bad_key_len = key_len;
		return -1;
	}
	db_key[0] = PREFIX_STATE;
	memcpy(db_key + 1, key, key_len);
	if (deleted)
		leveldb_writebatch_delete(bw->batch, (const char *)db_key, 1 + key_len);
	else
		leveldb_writebatch_put(bw->batch, (const char *)db_key, 1 + key_len,
				       val_len > 0 ? (const char *)val : "", val_len);
	return 0;
}

/* Adds the state writes, the app hash of height and the tip to batch. */
static enum store_status batch_add_height(leveldb_writebatch_t *batch, const struct overlay *writes,
					  const struct store_tip *tip, const char *what,
					  struct store_error *err)
{
	struct batch_writes bw = { .batch = batch, .bad_key_len = 0 };
	uint8_t key[HEIGHT_KEY_SIZE];
	uint8_t tip_val[TIP_SIZE];

	if (overlay_foreach_write(writes, batch_add_write, &bw) != 0)
		return store_fail(
			err, STORE_REJECTED,
			"%s height %llu: a state write is out of bounds (key of %zu bytes; "
			"keys are 1..%d bytes, values at most %u)",
			what, (unsigned long long)tip->height, bw.bad_key_len, STATE_KEY_MAX,
			STATE_VALUE_MAX);
	store_key_height(key, PREFIX_APP_HASH, tip->height);
	leveldb_writebatch_put(batch, (const char *)key, sizeof(key), (const char *)tip->app_hash,
			       HASH_SIZE);
	key[0] = PREFIX_TIP;
	tip_encode(tip_val, tip);
	leveldb_writebatch_put(batch, (const char *)key, 1, (const char *)tip_val, sizeof(tip_val));
	return STORE_OK;
}

/* Writes batch with sync=true; on success the store's tip becomes tip. */
static enum store_status store_write_batch(struct store *store, leveldb_writebatch_t *batch,
					   const struct store_tip *tip, const char *what,
					   struct store_error *err)
{
	char *leveldb_msg = NULL;
	char context[96];

	leveldb_write(store->db, store->write, batch, &leveldb_msg);
	if (leveldb_msg != NULL) {
		snprintf(context, sizeof(context), "%s height %llu", what,
			 (unsigned long long)tip->height);
		return store_fail_leveldb(err, context, leveldb_msg);
	}
	store->tip = *tip;
	store->has_tip = true;
	return STORE_OK;
}

enum store_status store_init_genesis(struct store *store, const uint8_t genesis_hash[HASH_SIZE],
				     const struct overlay *writes,
				     const uint8_t app_hash[HASH_SIZE], struct store_error *err)
{
	struct store_tip tip = { .height = 0 };
	leveldb_writebatch_t *batch;
	const uint8_t key[1] = { PREFIX_GENESIS };
	enum store_status rc;

	if (store->has_tip)
		return store_fail(err, STORE_REJECTED,
				  "store_init_genesis: the store already has a tip (height %llu)",
				  (unsigned long long)store->tip.height);
	memcpy(tip.block_id, genesis_hash, HASH_SIZE);
	memcpy(tip.app_hash, app_hash, HASH_SIZE);
	batch = leveldb_writebatch_create();
	leveldb_writebatch_put(batch, (const char *)key, sizeof(key), (const char *)genesis_hash,
			       HASH_SIZE);
	rc = batch_add_height(batch, writes, &tip, "store_init_genesis", err);
	if (rc == STORE_OK)
		rc = store_write_batch(store, batch, &tip, "store_init_genesis", err);
	leveldb_writebatch_destroy(batch);
	return rc;
}

/* Checks a block against the tip before anything is written. */
static enum store_status store_check_block(const struct store *store,
					   const struct store_block *block,
					   const struct overlay *writes,
					   const uint8_t app_hash[HASH_SIZE],
					   struct store_error *err)
{
	unsigned long long height = (unsigned long long)block->height;
	uint8_t write_set_hash[HASH_SIZE];
	uint8_t expected[HASH_SIZE];

	if (!store->has_tip)
		return store_fail(err, STORE_REJECTED,
				  "store_commit_block height %llu: no genesis committed yet",
				  height);
	if (store->tip.height == UINT64_MAX || block->height != store->tip.height + 1)
		return store_fail(err, STORE_REJECTED,
				  "store_commit_block height %llu: the tip is %llu, expected %llu",
				  height, (unsigned long long)store->tip.height,
				  (unsigned long long)store->tip.height + 1);
	if ((block->bytes == NULL && block->len > 0) ||
	    (block->commit == NULL && block->commit_len > 0) ||
	    (block->tx_ids == NULL && block->tx_count > 0))
		return store_fail(err, STORE_REJECTED,
				  "store_commit_block height %llu: a NULL buffer with a length",
				  height);
	if (block->len > SIZE_MAX - HASH_SIZE || block->tx_count > UINT32_MAX)
		return store_fail(err, STORE_REJECTED,
				  "store_commit_block height %llu: block of %zu bytes or %zu txs "
				  "is too large",
				  height, block->len, block->tx_count);
	overlay_write_set_hash(writes, write_set_hash);
	overlay_app_hash(store->tip.app_hash, write_set_hash, expected);
	if (memcmp(expected, app_hash, HASH_SIZE) != 0)
		return store_fail(err, STORE_REJECTED,
				  "store_commit_block height %llu: the app hash does not match "
				  "the tip's app hash and the write set",
				  height);
	return STORE_OK;
}

/* Adds the block, its id index, certificate and tx index entries to batch. */
static enum store_status batch_add_block(leveldb_writebatch_t *batch,
					 const struct store_block *block, struct store_error *err)
{
	uint8_t key[HASH_KEY_SIZE];
	uint8_t height_be[8];
	uint8_t location[TX_LOCATION_SIZE];
	uint8_t *record = malloc(HASH_SIZE + block->len);

	if (record == NULL)
		return store_fail(err, STORE_ERROR,
				  "store_commit_block height %llu: out of memory (%zu bytes)",
				  (unsigned long long)block->height, block->len);
	memcpy(record, block->id, HASH_SIZE);
	if (block->len > 0)
		memcpy(record + HASH_SIZE, block->bytes, block->len);
	store_key_height(key, PREFIX_BLOCK, block->height);
	leveldb_writebatch_put(batch, (const char *)key, HEIGHT_KEY_SIZE, (const char *)record,
			       HASH_SIZE + block->len);
	free(record);

	store_encode_be64(height_be, block->height);
	store_key_hash(key, PREFIX_BLOCK_ID, block->id);
	leveldb_writebatch_put(batch, (const char *)key, HASH_KEY_SIZE, (const char *)height_be,
			       sizeof(height_be));

	store_key_height(key, PREFIX_COMMIT, block->height);
	leveldb_writebatch_put(batch, (const char *)key, HEIGHT_KEY_SIZE,
			       block->commit_len > 0 ? (const char *)block->commit : "",
			       block->commit_len);

	store_encode_be64(location, block->height);
	for (size_t i = 0; i < block->tx_count; i++) {
		store_encode_be32(location + 8, (uint32_t)i);
		store_key_hash(key, PREFIX_TX, block->tx_ids + i * HASH_SIZE);
		leveldb_writebatch_put(batch, (const char *)key, HASH_KEY_SIZE,
				       (const char *)location, sizeof(location));
	}
	return STORE_OK;
}

enum store_status store_commit_block(struct store *store, const struct store_block *block,
				     const struct overlay *writes,
				     const uint8_t app_hash[HASH_SIZE], struct store_error *err)
{
	struct store_tip tip = { .height = block->height };
	leveldb_writebatch_t *batch;
	enum store_status rc = store_check_block(store, block, writes, app_hash, err);

	if (rc != STORE_OK)
		return rc;
	memcpy(tip.block_id, block->id, HASH_SIZE);
	memcpy(tip.app_hash, app_hash, HASH_SIZE);
	batch = leveldb_writebatch_create();
	rc = batch_add_block(batch, block, err);
	if (rc == STORE_OK)
		rc = batch_add_height(batch, writes, &tip, "store_commit_block", err);
	if (rc == STORE_OK)
		rc = store_write_batch(store, batch, &tip, "store_commit_block", err);
	leveldb_writebatch_destroy(batch);
	return rc;
}
