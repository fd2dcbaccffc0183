/* store_reader.c: reading the store. It owns the reads through a struct
 * store_reader (the database and either the shared read options or a
 * snapshot's), the read-only struct state over the committed ledger state
 * that store_state() hands to the ledger, and snapshots: a frozen view for a
 * reader on another thread (RPC) that store_snapshot_state() and every getter
 * given the snapshot see. Writes reach the state only through
 * store_commit.c. */
#include "node/store.h"

#include <stdlib.h>
#include <string.h>

#include <leveldb/c.h>

#include "consensus/kvmap.h"
#include "node/store_internal.h"

/* Reads key. Out: *val (malloc'd copy, NULL when empty), *val_len.
 * Returns STORE_OK, STORE_NOT_FOUND, or STORE_ERROR with err set. */
enum store_status store_db_get(const struct store_reader *r, const uint8_t *key, size_t key_len,
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
enum store_status store_db_get_fixed(const struct store_reader *r, const uint8_t *key,
				     size_t key_len, uint8_t *out, size_t size, const char *what,
				     struct store_error *err)
{
	uint8_t *val;
	size_t len;
	enum store_status rc = store_db_get(r, key, key_len, &val, &len, err);

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
	switch (store_db_get(r, db_key, 1 + key_len, val, val_len, NULL)) {
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
 * seeks to 's' || max(prefix, start) (as kvmap_cursor_seek_prefix does) and stops at the
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

void store_reader_init(struct store_reader *r, struct state *st, leveldb_t *db,
		       const leveldb_readoptions_t *read)
{
	r->db = db;
	r->read = read;
	st->ops = &reader_ops;
	st->impl = r;
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
	store_reader_init(&snap->reader, &snap->state, store->db, snap->read);
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
