/* store.c: the node's LevelDB store, its lifetime. It owns the one database
 * at <datadir>/state: its options (as Bitcoin Core sets them), the checks made
 * on open (the schema version, then the tip against the records of its
 * height), and close. The other pieces: store_reader.c (reads, the read-only
 * struct state, snapshots), store_commit.c (the two commit paths, genesis and
 * block, each one synced WriteBatch) and store_get.c (the chain getters);
 * store_internal.h holds what they share. doc/storage.md describes the
 * layout and why the commit is crash-safe; keep the two in step. */
#include "node/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "node/store_internal.h"

__attribute__((format(printf, 3, 4))) enum store_status
store_fail(struct store_error *err, enum store_status status, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return status;
}

/* Copies LevelDB's error string into err, frees it, returns STORE_ERROR. */
enum store_status store_fail_leveldb(struct store_error *err, const char *what, char *leveldb_msg)
{
	enum store_status rc = store_fail(err, STORE_ERROR, "%s: LevelDB: %s", what, leveldb_msg);

	leveldb_free(leveldb_msg);
	return rc;
}

/* ---- open, checks, close ---- */

void store_options_default(struct store_options *opts)
{
	opts->create_if_missing = true;
	opts->cache_bytes = (size_t)32 << 20;
	opts->max_open_files = sizeof(void *) >= 8 ? 1000 : 64;
}

/* Read options as Bitcoin Core's: checksums verified on every read. */
leveldb_readoptions_t *store_read_options(void)
{
	leveldb_readoptions_t *read = leveldb_readoptions_create();

	leveldb_readoptions_set_verify_checksums(read, 1);
	return read;
}

/* Creates the LevelDB objects store_close destroys. */
static void store_make_options(struct store *store, const struct store_options *opts)
{
	size_t write_buffer = opts->cache_bytes / 4;

	/* LevelDB would raise a smaller write buffer to 64 KiB: do it here, visibly. */
	if (write_buffer < ((size_t)64 << 10))
		write_buffer = (size_t)64 << 10;
	store->filter = leveldb_filterpolicy_create_bloom(10);
	store->cache = leveldb_cache_create_lru(opts->cache_bytes / 2);
	store->options = leveldb_options_create();
	leveldb_options_set_create_if_missing(store->options, opts->create_if_missing ? 1 : 0);
	leveldb_options_set_paranoid_checks(store->options, 1);
	leveldb_options_set_filter_policy(store->options, store->filter);
	leveldb_options_set_cache(store->options, store->cache);
	leveldb_options_set_write_buffer_size(store->options, write_buffer);
	leveldb_options_set_max_open_files(store->options, opts->max_open_files);
	leveldb_options_set_compression(store->options, leveldb_no_compression);
	store->read = store_read_options();
	store->write = leveldb_writeoptions_create();
	leveldb_writeoptions_set_sync(store->write, 1);
}

/* Returns the number of keys in the database, counting at most limit. */
static enum store_status db_count_keys(const struct store *store, int limit, int *count,
				       struct store_error *err)
{
	leveldb_iterator_t *it = leveldb_create_iterator(store->db, store->read);
	char *leveldb_msg = NULL;

	*count = 0;
	for (leveldb_iter_seek_to_first(it); leveldb_iter_valid(it) && *count < limit;
	     leveldb_iter_next(it))
		(*count)++;
	leveldb_iter_get_error(it, &leveldb_msg);
	leveldb_iter_destroy(it);
	if (leveldb_msg != NULL)
		return store_fail_leveldb(err, "scanning keys", leveldb_msg);
	return STORE_OK;
}

/* Checks the schema version; writes it into an empty database. */
static enum store_status store_check_version(struct store *store, struct store_error *err)
{
	const uint8_t key[1] = { PREFIX_VERSION };
	uint8_t val[4];
	enum store_status rc = store_db_get_fixed(&store->reader, key, sizeof(key), val,
						  sizeof(val), "schema version", err);
	char *leveldb_msg = NULL;
	int count;

	if (rc == STORE_OK) {
		if (store_decode_be32(val) != STORE_SCHEMA_VERSION)
			return store_fail(err, STORE_CORRUPT,
					  "schema version %u is not supported (this build reads "
					  "version %u)",
					  store_decode_be32(val), STORE_SCHEMA_VERSION);
		return STORE_OK;
	}
	if (rc != STORE_NOT_FOUND)
		return rc;
	rc = db_count_keys(store, 1, &count, err);
	if (rc != STORE_OK)
		return rc;
	if (count > 0)
		return store_fail(err, STORE_CORRUPT,
				  "the database has records but no schema version: not a Hearth "
				  "store");
	store_encode_be32(val, STORE_SCHEMA_VERSION);
	leveldb_put(store->db, store->write, (const char *)key, sizeof(key), (const char *)val,
		    sizeof(val), &leveldb_msg);
	if (leveldb_msg != NULL)
		return store_fail_leveldb(err, "writing the schema version", leveldb_msg);
	return STORE_OK;
}

/* Checks that the records of the tip's height agree with the tip. */
static enum store_status store_check_tip(struct store *store, const struct store_tip *tip,
					 struct store_error *err)
{
	const struct store_reader *r = &store->reader;
	uint8_t key[HASH_KEY_SIZE];
	uint8_t hash[HASH_SIZE];
	uint8_t height_be[8];
	uint8_t *block;
	size_t len;
	enum store_status rc;

	if (tip->height == 0) {
		key[0] = PREFIX_GENESIS;
		rc = store_db_get_fixed(r, key, 1, hash, HASH_SIZE, "genesis hash", err);
		if (rc == STORE_NOT_FOUND)
			return store_fail(err, STORE_CORRUPT,
					  "tip is height 0 but no genesis hash is stored");
		if (rc != STORE_OK)
			return rc;
		if (memcmp(hash, tip->block_id, HASH_SIZE) != 0)
			return store_fail(err, STORE_CORRUPT,
					  "tip is height 0 but its id is not the genesis hash");
	} else {
		store_key_height(key, PREFIX_BLOCK, tip->height);
		rc = store_db_get(r, key, HEIGHT_KEY_SIZE, &block, &len, err);
		if (rc == STORE_NOT_FOUND)
			return store_fail(err, STORE_CORRUPT,
					  "tip names height %llu but no block is stored there",
					  (unsigned long long)tip->height);
		if (rc != STORE_OK)
			return rc;
		rc = len >= HASH_SIZE && memcmp(block, tip->block_id, HASH_SIZE) == 0
			     ? STORE_OK
			     : STORE_CORRUPT;
		free(block);
		if (rc != STORE_OK)
			return store_fail(
				err, rc,
				"the block stored at tip height %llu is not the tip's block",
				(unsigned long long)tip->height);
		store_key_hash(key, PREFIX_BLOCK_ID, tip->block_id);
		rc = store_db_get_fixed(r, key, HASH_KEY_SIZE, height_be, 8, "block id index", err);
		if (rc == STORE_NOT_FOUND ||
		    (rc == STORE_OK && store_decode_be64(height_be) != tip->height))
			return store_fail(err, STORE_CORRUPT,
					  "the block id index does not give the tip's block "
					  "height %llu",
					  (unsigned long long)tip->height);
		if (rc != STORE_OK)
			return rc;
	}
	store_key_height(key, PREFIX_APP_HASH, tip->height);
	rc = store_db_get_fixed(r, key, HEIGHT_KEY_SIZE, hash, HASH_SIZE, "app hash", err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, STORE_CORRUPT, "no app hash is recorded for tip height %llu",
				  (unsigned long long)tip->height);
	if (rc != STORE_OK)
		return rc;
	if (memcmp(hash, tip->app_hash, HASH_SIZE) != 0)
		return store_fail(
			err, STORE_CORRUPT,
			"the tip's app hash differs from the one recorded for height %llu",
			(unsigned long long)tip->height);
	/* A tip moved back onto an older, self-consistent height would pass the
	 * checks above while the state is newer: no block may follow the tip. */
	if (tip->height < UINT64_MAX) {
		store_key_height(key, PREFIX_BLOCK, tip->height + 1);
		rc = store_db_get(r, key, HEIGHT_KEY_SIZE, &block, &len, err);
		free(block);
		if (rc == STORE_OK)
			return store_fail(err, STORE_CORRUPT,
					  "a block is stored at height %llu, after the tip",
					  (unsigned long long)tip->height + 1);
		if (rc != STORE_NOT_FOUND)
			return rc;
	}
	return STORE_OK;
}

/* Loads the tip into store and checks it. */
static enum store_status store_load_tip(struct store *store, struct store_error *err)
{
	const uint8_t key[1] = { PREFIX_TIP };
	uint8_t val[TIP_SIZE];
	enum store_status rc =
		store_db_get_fixed(&store->reader, key, sizeof(key), val, sizeof(val), "tip", err);
	int count;

	if (rc == STORE_NOT_FOUND) {
		/* No genesis yet: the schema version must be the only record. */
		store->has_tip = false;
		rc = db_count_keys(store, 2, &count, err);
		if (rc != STORE_OK)
			return rc;
		if (count > 1)
			return store_fail(err, STORE_CORRUPT,
					  "the database has records but no tip");
		return STORE_OK;
	}
	if (rc != STORE_OK)
		return rc;
	store_decode_tip(&store->tip, val);
	rc = store_check_tip(store, &store->tip, err);
	if (rc != STORE_OK)
		return rc;
	store->has_tip = true;
	return STORE_OK;
}

enum store_status store_open(const char *path, const struct store_options *opts, struct store **out,
			     struct store_error *err)
{
	struct store_options defaults;
	struct store_error why = { .msg = "unknown error" };
	struct store *store;
	char *leveldb_msg = NULL;
	enum store_status rc;

	*out = NULL;
	if (opts == NULL) {
		store_options_default(&defaults);
		opts = &defaults;
	}
	store = calloc(1, sizeof(*store));
	if (store == NULL)
		return store_fail(err, STORE_ERROR, "store_open %s: out of memory", path);
	store_make_options(store, opts);
	store->db = leveldb_open(store->options, path, &leveldb_msg);
	if (leveldb_msg != NULL) {
		rc = store_fail(err, STORE_ERROR, "store_open %s: LevelDB: %s", path, leveldb_msg);
		leveldb_free(leveldb_msg);
		store_close(store);
		return rc;
	}
	store_reader_init(&store->reader, &store->state, store->db, store->read);
	rc = store_check_version(store, &why);
	if (rc == STORE_OK)
		rc = store_load_tip(store, &why);
	if (rc != STORE_OK) {
		store_close(store);
		return store_fail(err, rc, "store_open %s: %s", path, why.msg);
	}
	*out = store;
	return STORE_OK;
}

void store_close(struct store *store)
{
	if (store == NULL)
		return;
	/* The database refers to the cache and the filter: close it first. */
	if (store->db != NULL)
		leveldb_close(store->db);
	if (store->options != NULL)
		leveldb_options_destroy(store->options);
	if (store->filter != NULL)
		leveldb_filterpolicy_destroy(store->filter);
	if (store->cache != NULL)
		leveldb_cache_destroy(store->cache);
	if (store->read != NULL)
		leveldb_readoptions_destroy(store->read);
	if (store->write != NULL)
		leveldb_writeoptions_destroy(store->write);
	free(store);
}
