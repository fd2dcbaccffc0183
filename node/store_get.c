/* store_get.c: the chain getters. Each reads one record (the tip, the
 * genesis hash, a block by height or by id, a commit certificate, an app
 * hash, a tx location) from the committed data or, given a snapshot, from the
 * data of that snapshot, and says in err which record was missing or
 * malformed. */
#include "node/store.h"

#include <stdlib.h>
#include <string.h>

#include "node/store_internal.h"

static const struct store_reader *store_reader_of(const struct store *store,
						  const struct store_snapshot *snap)
{
	return snap != NULL ? &snap->reader : &store->reader;
}

enum store_status store_get_tip(const struct store *store, const struct store_snapshot *snap,
				struct store_tip *tip, struct store_error *err)
{
	const uint8_t key[1] = { PREFIX_TIP };
	uint8_t val[TIP_SIZE];
	enum store_status rc = store_db_get_fixed(store_reader_of(store, snap), key, sizeof(key),
						  val, sizeof(val), "tip", err);

	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no genesis committed yet");
	if (rc == STORE_OK)
		store_decode_tip(tip, val);
	return rc;
}

enum store_status store_get_genesis_hash(const struct store *store,
					 const struct store_snapshot *snap,
					 uint8_t genesis_hash[HASH_SIZE], struct store_error *err)
{
	const uint8_t key[1] = { PREFIX_GENESIS };
	enum store_status rc = store_db_get_fixed(store_reader_of(store, snap), key, sizeof(key),
						  genesis_hash, HASH_SIZE, "genesis hash", err);

	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no genesis committed yet");
	return rc;
}

enum store_status store_get_block(const struct store *store, const struct store_snapshot *snap,
				  uint64_t height, uint8_t id[HASH_SIZE], uint8_t **bytes,
				  size_t *len, struct store_error *err)
{
	uint8_t key[HEIGHT_KEY_SIZE];
	uint8_t *record;
	size_t record_len;
	enum store_status rc;

	*bytes = NULL;
	*len = 0;
	store_key_height(key, PREFIX_BLOCK, height);
	rc = store_db_get(store_reader_of(store, snap), key, sizeof(key), &record, &record_len,
			  err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no block at height %llu",
				  (unsigned long long)height);
	if (rc != STORE_OK)
		return rc;
	if (record_len < HASH_SIZE) {
		free(record);
		return store_fail(err, STORE_CORRUPT,
				  "store: the block record of height %llu is "
				  "%zu bytes, shorter than its id",
				  (unsigned long long)height, record_len);
	}
	if (id != NULL)
		memcpy(id, record, HASH_SIZE);
	if (record_len > HASH_SIZE) {
		/* Move the block to the start of the buffer; a failed shrink
		 * keeps the larger, still valid, buffer. */
		uint8_t *shrunk;

		memmove(record, record + HASH_SIZE, record_len - HASH_SIZE);
		shrunk = realloc(record, record_len - HASH_SIZE);
		*bytes = shrunk != NULL ? shrunk : record;
		*len = record_len - HASH_SIZE;
	} else {
		free(record);
	}
	return STORE_OK;
}

enum store_status store_get_block_by_id(const struct store *store,
					const struct store_snapshot *snap,
					const uint8_t id[HASH_SIZE], uint64_t *height,
					uint8_t **bytes, size_t *len, struct store_error *err)
{
	const struct store_reader *r = store_reader_of(store, snap);
	uint8_t key[HASH_KEY_SIZE];
	uint8_t height_be[8];
	uint8_t stored_id[HASH_SIZE];
	enum store_status rc;

	if (bytes != NULL) {
		*bytes = NULL;
		*len = 0;
	}
	store_key_hash(key, PREFIX_BLOCK_ID, id);
	rc = store_db_get_fixed(r, key, sizeof(key), height_be, sizeof(height_be), "block id index",
				err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no block with this id");
	if (rc != STORE_OK)
		return rc;
	*height = store_decode_be64(height_be);
	if (bytes == NULL)
		return STORE_OK;
	rc = store_get_block(store, snap, *height, stored_id, bytes, len, err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, STORE_CORRUPT,
				  "store: the block id index names height %llu, which has no block",
				  (unsigned long long)*height);
	if (rc != STORE_OK)
		return rc;
	if (memcmp(stored_id, id, HASH_SIZE) != 0) {
		free(*bytes);
		*bytes = NULL;
		*len = 0;
		return store_fail(err, STORE_CORRUPT,
				  "store: the block id index names height %llu, whose block has "
				  "another id",
				  (unsigned long long)*height);
	}
	return STORE_OK;
}

enum store_status store_get_commit(const struct store *store, const struct store_snapshot *snap,
				   uint64_t height, uint8_t **bytes, size_t *len,
				   struct store_error *err)
{
	uint8_t key[HEIGHT_KEY_SIZE];
	enum store_status rc;

	store_key_height(key, PREFIX_COMMIT, height);
	rc = store_db_get(store_reader_of(store, snap), key, sizeof(key), bytes, len, err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no commit certificate at height %llu",
				  (unsigned long long)height);
	return rc;
}

enum store_status store_get_app_hash(const struct store *store, const struct store_snapshot *snap,
				     uint64_t height, uint8_t app_hash[HASH_SIZE],
				     struct store_error *err)
{
	uint8_t key[HEIGHT_KEY_SIZE];
	enum store_status rc;

	store_key_height(key, PREFIX_APP_HASH, height);
	rc = store_db_get_fixed(store_reader_of(store, snap), key, sizeof(key), app_hash, HASH_SIZE,
				"app hash", err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no app hash at height %llu",
				  (unsigned long long)height);
	return rc;
}

enum store_status store_get_tx_location(const struct store *store,
					const struct store_snapshot *snap,
					const uint8_t tx_id[HASH_SIZE], uint64_t *height,
					uint32_t *index, struct store_error *err)
{
	uint8_t key[HASH_KEY_SIZE];
	uint8_t val[TX_LOCATION_SIZE];
	enum store_status rc;

	store_key_hash(key, PREFIX_TX, tx_id);
	rc = store_db_get_fixed(store_reader_of(store, snap), key, sizeof(key), val, sizeof(val),
				"tx location", err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no tx with this id");
	if (rc != STORE_OK)
		return rc;
	*height = store_decode_be64(val);
	*index = store_decode_be32(val + 8);
	return STORE_OK;
}
