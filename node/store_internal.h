/* store_internal.h: what the pieces of the store (node/store*.c) share and
 * nothing else includes: the structs behind the opaque handles of store.h,
 * the record layout (one-byte key prefixes, record sizes), the big-endian and
 * key helpers, the error helpers and the reads through a struct store_reader.
 * doc/storage.md describes the layout; keep the two in step.
 *
 *   store.c         options, open, the checks made on open, close
 *   store_reader.c  reads, the read-only struct state, snapshots
 *   store_commit.c  the genesis and block commit batches
 *   store_get.c     the chain getters */
#ifndef HEARTH_NODE_STORE_INTERNAL_H
#define HEARTH_NODE_STORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <leveldb/c.h>

#include "consensus/crypto.h"
#include "consensus/state.h"
#include "node/store.h"

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

/* ---- store.c ---- */

/* Formats the message into err (when not NULL) and returns status. */
__attribute__((format(printf, 3, 4))) enum store_status
store_fail(struct store_error *err, enum store_status status, const char *fmt, ...);

/* Copies LevelDB's error string into err, frees it, returns STORE_ERROR. */
enum store_status store_fail_leveldb(struct store_error *err, const char *what, char *leveldb_msg);

/* Read options as Bitcoin Core's (checksums verified); the caller destroys them. */
leveldb_readoptions_t *store_read_options(void);

/* ---- store_reader.c ---- */

/* Reads key. Out: *val (malloc'd copy, NULL when empty), *val_len.
 * Returns STORE_OK, STORE_NOT_FOUND, or STORE_ERROR with err set. */
enum store_status store_db_get(const struct store_reader *r, const uint8_t *key, size_t key_len,
			       uint8_t **val, size_t *val_len, struct store_error *err);

/* Reads a record that must be exactly size bytes long into out.
 * Returns STORE_OK, STORE_NOT_FOUND, STORE_CORRUPT (wrong size; what names
 * the record in the message) or STORE_ERROR. */
enum store_status store_db_get_fixed(const struct store_reader *r, const uint8_t *key,
				     size_t key_len, uint8_t *out, size_t size, const char *what,
				     struct store_error *err);

/* Points r at db and read, and makes st the read-only struct state over r. */
void store_reader_init(struct store_reader *r, struct state *st, leveldb_t *db,
		       const leveldb_readoptions_t *read);

/* ---- the record encodings, shared by the writers and the readers ---- */

/* Writes v big-endian into out[0..8). */
static inline void store_encode_be64(uint8_t *out, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Reads a big-endian u64 from in[0..8). */
static inline uint64_t store_decode_be64(const uint8_t *in)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | in[i];
	return v;
}

/* Writes v big-endian into out[0..4). */
static inline void store_encode_be32(uint8_t *out, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		out[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Reads a big-endian u32 from in[0..4). */
static inline uint32_t store_decode_be32(const uint8_t *in)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 8 | in[i];
	return v;
}

/* The key prefix || big-endian height. */
static inline void store_key_height(uint8_t out[HEIGHT_KEY_SIZE], uint8_t prefix, uint64_t height)
{
	out[0] = prefix;
	store_encode_be64(out + 1, height);
}

/* The key prefix || hash. */
static inline void store_key_hash(uint8_t out[HASH_KEY_SIZE], uint8_t prefix,
				  const uint8_t hash[HASH_SIZE])
{
	out[0] = prefix;
	memcpy(out + 1, hash, HASH_SIZE);
}

/* Reads the tip record (height, block id, app hash) that store_commit.c writes. */
static inline void store_decode_tip(struct store_tip *tip, const uint8_t in[TIP_SIZE])
{
	tip->height = store_decode_be64(in);
	memcpy(tip->block_id, in + 8, HASH_SIZE);
	memcpy(tip->app_hash, in + 8 + HASH_SIZE, HASH_SIZE);
}

#endif
