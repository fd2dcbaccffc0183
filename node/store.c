/* store.c: the node's LevelDB store. It owns the one database at
 * <datadir>/state: its options (as Bitcoin Core sets them), the record
 * layout under one-byte key prefixes, the checks made on open, the two
 * commit paths (genesis, block) that each write one synced WriteBatch, the
 * read-only struct state over the committed ledger state and over
 * snapshots, and the chain getters. doc/storage.md describes the layout and
 * why the commit is crash-safe; keep the two in step. */
#include "node/store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "consensus/kvmap.h"

/* Key prefixes (doc/storage.md). Heights in keys are big-endian u64 so that
 * LevelDB's byte order is height order. */
enum {
	PREFIX_APP_HASH = 'a', /* + height -> app hash */
	PREFIX_BLOCK = 'b',    /* + height -> block id || block bytes */
	PREFIX_COMMIT = 'c',   /* + height -> commit certificate bytes */
	PREFIX_GENESIS = 'g',  /* -> genesis hash */
	PREFIX_BLOCK_ID = 'i', /* + block id -> height */
	PREFIX_STATE = 's',    /* + ledger key -> ledger value */
	PREFIX_TIP = 't',      /* -> height || block id || app hash */
	PREFIX_VERSION = 'v',  /* -> schema version (u32) */
	PREFIX_TX = 'x',       /* + tx id -> height || index in block (u32) */
};

#define HEIGHT_KEY_SIZE	 (1 + 8)
#define HASH_KEY_SIZE	 (1 + HASH_SIZE)
#define TIP_SIZE	 (8 + HASH_SIZE + HASH_SIZE)
#define TX_LOCATION_SIZE (8 + 4)
#define STATE_DB_KEY_MAX (1 + STATE_KEY_MAX)

/* What a struct state over the store reads through: the database and the
 * read options (the shared ones, or a snapshot's). */
struct store_reader {
	leveldb_t *db;
	const leveldb_readoptions_t *read;
};

struct store {
	leveldb_t *db;
	leveldb_options_t *options;
	leveldb_filterpolicy_t *filter;
	leveldb_cache_t *cache;
	leveldb_readoptions_t *read;
	leveldb_writeoptions_t *write;
	struct store_reader reader;
	struct state state;
	/* The committed tip, kept by the writer thread only. */
	bool has_tip;
	struct store_tip tip;
};

struct store_snapshot {
	struct store *store;
	const leveldb_snapshot_t *snap;
	leveldb_readoptions_t *read;
	struct store_reader reader;
	struct state state;
};

__attribute__((format(printf, 3, 4))) static enum store_status
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
static enum store_status store_fail_leveldb(struct store_error *err, const char *what,
					    char *leveldb_msg)
{
	enum store_status rc = store_fail(err, STORE_ERROR, "%s: LevelDB: %s", what, leveldb_msg);

	leveldb_free(leveldb_msg);
	return rc;
}

static void put_be64(uint8_t *out, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be64(const uint8_t *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

static void put_be32(uint8_t *out, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint32_t get_be32(const uint8_t *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | in[i];
	return v;
}

static void key_height(uint8_t out[HEIGHT_KEY_SIZE], uint8_t prefix, uint64_t height)
{
	out[0] = prefix;
	put_be64(out + 1, height);
}

static void key_hash(uint8_t out[HASH_KEY_SIZE], uint8_t prefix, const uint8_t hash[HASH_SIZE])
{
	out[0] = prefix;
	memcpy(out + 1, hash, HASH_SIZE);
}

/* Reads key. Out: *val (malloc'd copy, NULL when empty), *val_len.
 * Returns STORE_OK, STORE_NOT_FOUND, or STORE_ERROR with err set. */
static enum store_status db_get(const struct store_reader *r, const uint8_t *key, size_t key_len,
				uint8_t **val, size_t *val_len, struct store_error *err)
{
	char *leveldb_msg = NULL;
	size_t len = 0;
	char *raw = leveldb_get(r->db, r->read, (const char *)key, key_len, &len, &leveldb_msg);

	*val = NULL;
	*val_len = 0;
	if (leveldb_msg != NULL) {
		leveldb_free(raw);
		return store_fail_leveldb(err, "store read", leveldb_msg);
	}
	if (raw == NULL)
		return STORE_NOT_FOUND;
	/* Values go to callers that free() them; LevelDB's buffer must go back
	 * through leveldb_free, so hand out a copy. */
	if (len > 0) {
		*val = malloc(len);
		if (*val == NULL) {
			leveldb_free(raw);
			return store_fail(err, STORE_ERROR, "store read: out of memory (%zu bytes)",
					  len);
		}
		memcpy(*val, raw, len);
	}
	*val_len = len;
	leveldb_free(raw);
	return STORE_OK;
}

/* Reads a record that must be exactly size bytes long into out.
 * Returns STORE_OK, STORE_NOT_FOUND, STORE_CORRUPT (wrong size; what names
 * the record in the message) or STORE_ERROR. */
static enum store_status db_get_fixed(const struct store_reader *r, const uint8_t *key,
				      size_t key_len, uint8_t *out, size_t size, const char *what,
				      struct store_error *err)
{
	uint8_t *val;
	size_t len;
	enum store_status rc = db_get(r, key, key_len, &val, &len, err);

	if (rc != STORE_OK)
		return rc;
	if (len != size) {
		free(val);
		return store_fail(err, STORE_CORRUPT, "store: %s record is %zu bytes, expected %zu",
				  what, len, size);
	}
	memcpy(out, val, size);
	free(val);
	return STORE_OK;
}

/* ---- struct state over the store (read-only) ---- */

static enum state_status reader_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				    size_t *val_len)
{
	const struct store_reader *r = impl;
	uint8_t db_key[STATE_DB_KEY_MAX];

	if (key_len > STATE_KEY_MAX)
		return STATE_ERROR;
	db_key[0] = PREFIX_STATE;
	memcpy(db_key + 1, key, key_len);
	switch (db_get(r, db_key, 1 + key_len, val, val_len, NULL)) {
	case STORE_OK:
		return STATE_OK;
	case STORE_NOT_FOUND:
		return STATE_NOT_FOUND;
	case STORE_REJECTED:
	case STORE_CORRUPT:
	case STORE_ERROR:
		return STATE_ERROR;
	}
	return STATE_ERROR;
}

/* The committed state changes only through store_commit_block. */
static enum state_status reader_put(void *impl, const uint8_t *key, size_t key_len,
				    const uint8_t *val, size_t val_len)
{
	(void)impl;
	(void)key;
	(void)key_len;
	(void)val;
	(void)val_len;
	return STATE_ERROR;
}

static enum state_status reader_del(void *impl, const uint8_t *key, size_t key_len)
{
	(void)impl;
	(void)key;
	(void)key_len;
	return STATE_ERROR;
}

/* Visits 's' || key for keys starting with prefix and >= start, in order:
 * seeks to 's' || max(prefix, start) (as kvmap_seek does) and stops at the
 * first key outside the prefix. */
static enum state_status reader_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
					const uint8_t *start, size_t start_len, state_iter_fn fn,
					void *arg)
{
	const struct store_reader *r = impl;
	uint8_t seek[STATE_DB_KEY_MAX];
	const uint8_t *from = prefix;
	size_t from_len = prefix_len;
	leveldb_iterator_t *it;
	char *leveldb_msg = NULL;
	enum state_status status = STATE_OK;

	if (prefix_len > STATE_KEY_MAX || start_len > STATE_KEY_MAX)
		return STATE_ERROR;
	if (start != NULL && kvmap_compare(start, start_len, prefix, prefix_len) > 0) {
		from = start;
		from_len = start_len;
	}
	seek[0] = PREFIX_STATE;
	if (from_len > 0)
		memcpy(seek + 1, from, from_len);

	it = leveldb_create_iterator(r->db, r->read);
	for (leveldb_iter_seek(it, (const char *)seek, 1 + from_len); leveldb_iter_valid(it);
	     leveldb_iter_next(it)) {
		size_t key_len, val_len;
		const uint8_t *key = (const uint8_t *)leveldb_iter_key(it, &key_len);
		const uint8_t *val;
		int rc;

		if (key_len < 1 + prefix_len || key[0] != PREFIX_STATE ||
		    (prefix_len > 0 && memcmp(key + 1, prefix, prefix_len) != 0))
			break;
		val = (const uint8_t *)leveldb_iter_value(it, &val_len);
		rc = fn(arg, key + 1, key_len - 1, val_len > 0 ? val : NULL, val_len);
		if (rc < 0) {
			status = STATE_ERROR;
			break;
		}
		if (rc > 0)
			break;
	}
	leveldb_iter_get_error(it, &leveldb_msg);
	if (leveldb_msg != NULL) {
		leveldb_free(leveldb_msg);
		status = STATE_ERROR;
	}
	leveldb_iter_destroy(it);
	return status;
}

static const struct state_ops reader_ops = {
	.get = reader_get,
	.put = reader_put,
	.del = reader_del,
	.iterate = reader_iterate,
};

static void reader_init(struct store_reader *r, struct state *st, leveldb_t *db,
			const leveldb_readoptions_t *read)
{
	r->db = db;
	r->read = read;
	st->ops = &reader_ops;
	st->impl = r;
}

/* ---- open, checks, close ---- */

void store_options_default(struct store_options *opts)
{
	opts->create_if_missing = true;
	opts->cache_bytes = (size_t)32 << 20;
	opts->max_open_files = sizeof(void *) >= 8 ? 1000 : 64;
}

/* Read options as Bitcoin Core's: checksums verified on every read. */
static leveldb_readoptions_t *store_read_options(void)
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
	enum store_status rc = db_get_fixed(&store->reader, key, sizeof(key), val, sizeof(val),
					    "schema version", err);
	char *leveldb_msg = NULL;
	int count;

	if (rc == STORE_OK) {
		if (get_be32(val) != STORE_SCHEMA_VERSION)
			return store_fail(err, STORE_CORRUPT,
					  "schema version %u is not supported (this build reads "
					  "version %u)",
					  get_be32(val), STORE_SCHEMA_VERSION);
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
	put_be32(val, STORE_SCHEMA_VERSION);
	leveldb_put(store->db, store->write, (const char *)key, sizeof(key), (const char *)val,
		    sizeof(val), &leveldb_msg);
	if (leveldb_msg != NULL)
		return store_fail_leveldb(err, "writing the schema version", leveldb_msg);
	return STORE_OK;
}

/* The tip record: height, block id, app hash. */
static void tip_encode(uint8_t out[TIP_SIZE], const struct store_tip *tip)
{
	put_be64(out, tip->height);
	memcpy(out + 8, tip->block_id, HASH_SIZE);
	memcpy(out + 8 + HASH_SIZE, tip->app_hash, HASH_SIZE);
}

static void tip_decode(struct store_tip *tip, const uint8_t in[TIP_SIZE])
{
	tip->height = get_be64(in);
	memcpy(tip->block_id, in + 8, HASH_SIZE);
	memcpy(tip->app_hash, in + 8 + HASH_SIZE, HASH_SIZE);
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
		rc = db_get_fixed(r, key, 1, hash, HASH_SIZE, "genesis hash", err);
		if (rc == STORE_NOT_FOUND)
			return store_fail(err, STORE_CORRUPT,
					  "tip is height 0 but no genesis hash is stored");
		if (rc != STORE_OK)
			return rc;
		if (memcmp(hash, tip->block_id, HASH_SIZE) != 0)
			return store_fail(err, STORE_CORRUPT,
					  "tip is height 0 but its id is not the genesis hash");
	} else {
		key_height(key, PREFIX_BLOCK, tip->height);
		rc = db_get(r, key, HEIGHT_KEY_SIZE, &block, &len, err);
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
		key_hash(key, PREFIX_BLOCK_ID, tip->block_id);
		rc = db_get_fixed(r, key, HASH_KEY_SIZE, height_be, 8, "block id index", err);
		if (rc == STORE_NOT_FOUND || (rc == STORE_OK && get_be64(height_be) != tip->height))
			return store_fail(err, STORE_CORRUPT,
					  "the block id index does not give the tip's block "
					  "height %llu",
					  (unsigned long long)tip->height);
		if (rc != STORE_OK)
			return rc;
	}
	key_height(key, PREFIX_APP_HASH, tip->height);
	rc = db_get_fixed(r, key, HEIGHT_KEY_SIZE, hash, HASH_SIZE, "app hash", err);
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
		key_height(key, PREFIX_BLOCK, tip->height + 1);
		rc = db_get(r, key, HEIGHT_KEY_SIZE, &block, &len, err);
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
		db_get_fixed(&store->reader, key, sizeof(key), val, sizeof(val), "tip", err);
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
	tip_decode(&store->tip, val);
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
	reader_init(&store->reader, &store->state, store->db, store->read);
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

const struct state *store_state(const struct store *store)
{
	return &store->state;
}

/* ---- snapshots ---- */

enum store_status store_snapshot_open(struct store *store, struct store_snapshot **out,
				      struct store_error *err)
{
	struct store_snapshot *snap = calloc(1, sizeof(*snap));

	*out = NULL;
	if (snap == NULL)
		return store_fail(err, STORE_ERROR, "store_snapshot_open: out of memory");
	snap->store = store;
	snap->snap = leveldb_create_snapshot(store->db);
	snap->read = store_read_options();
	leveldb_readoptions_set_snapshot(snap->read, snap->snap);
	reader_init(&snap->reader, &snap->state, store->db, snap->read);
	*out = snap;
	return STORE_OK;
}

void store_snapshot_close(struct store_snapshot *snap)
{
	if (snap == NULL)
		return;
	leveldb_readoptions_destroy(snap->read);
	leveldb_release_snapshot(snap->store->db, snap->snap);
	free(snap);
}

const struct state *store_snapshot_state(const struct store_snapshot *snap)
{
	return &snap->state;
}

/* ---- commits ---- */

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
			"%s height %llu: a state write is out of bounds (key of %zu bytes)", what,
			(unsigned long long)tip->height, bw.bad_key_len);
	key_height(key, PREFIX_APP_HASH, tip->height);
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
	key_height(key, PREFIX_BLOCK, block->height);
	leveldb_writebatch_put(batch, (const char *)key, HEIGHT_KEY_SIZE, (const char *)record,
			       HASH_SIZE + block->len);
	free(record);

	put_be64(height_be, block->height);
	key_hash(key, PREFIX_BLOCK_ID, block->id);
	leveldb_writebatch_put(batch, (const char *)key, HASH_KEY_SIZE, (const char *)height_be,
			       sizeof(height_be));

	key_height(key, PREFIX_COMMIT, block->height);
	leveldb_writebatch_put(batch, (const char *)key, HEIGHT_KEY_SIZE,
			       block->commit_len > 0 ? (const char *)block->commit : "",
			       block->commit_len);

	put_be64(location, block->height);
	for (size_t i = 0; i < block->tx_count; i++) {
		put_be32(location + 8, (uint32_t)i);
		key_hash(key, PREFIX_TX, block->tx_ids + i * HASH_SIZE);
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

/* ---- getters ---- */

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
	enum store_status rc = db_get_fixed(store_reader_of(store, snap), key, sizeof(key), val,
					    sizeof(val), "tip", err);

	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no genesis committed yet");
	if (rc == STORE_OK)
		tip_decode(tip, val);
	return rc;
}

enum store_status store_get_genesis_hash(const struct store *store,
					 const struct store_snapshot *snap,
					 uint8_t genesis_hash[HASH_SIZE], struct store_error *err)
{
	const uint8_t key[1] = { PREFIX_GENESIS };
	enum store_status rc = db_get_fixed(store_reader_of(store, snap), key, sizeof(key),
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
	key_height(key, PREFIX_BLOCK, height);
	rc = db_get(store_reader_of(store, snap), key, sizeof(key), &record, &record_len, err);
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
	key_hash(key, PREFIX_BLOCK_ID, id);
	rc = db_get_fixed(r, key, sizeof(key), height_be, sizeof(height_be), "block id index", err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no block with this id");
	if (rc != STORE_OK)
		return rc;
	*height = get_be64(height_be);
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

	key_height(key, PREFIX_COMMIT, height);
	rc = db_get(store_reader_of(store, snap), key, sizeof(key), bytes, len, err);
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

	key_height(key, PREFIX_APP_HASH, height);
	rc = db_get_fixed(store_reader_of(store, snap), key, sizeof(key), app_hash, HASH_SIZE,
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

	key_hash(key, PREFIX_TX, tx_id);
	rc = db_get_fixed(store_reader_of(store, snap), key, sizeof(key), val, sizeof(val),
			  "tx location", err);
	if (rc == STORE_NOT_FOUND)
		return store_fail(err, rc, "store: no tx with this id");
	if (rc != STORE_OK)
		return rc;
	*height = get_be64(val);
	*index = get_be32(val + 8);
	return STORE_OK;
}
