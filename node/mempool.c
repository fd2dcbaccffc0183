/* mempool.c: admission, reaping and re-checking of pending txs. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"

static const uint8_t no_proposer[PUBKEY_SIZE];

const char *mempool_result_string(enum mempool_result r)
{
	switch (r) {
	case MEMPOOL_ADDED:
		return "added";
	case MEMPOOL_DUPLICATE:
		return "tx already in the mempool";
	case MEMPOOL_FULL:
		return "mempool full";
	case MEMPOOL_REJECTED:
		return "tx rejected";
	case MEMPOOL_ERROR:
		return "mempool internal error";
	}
	return "unknown mempool result";
}

void mempool_init(struct mempool *mp, const struct ledger *l, const struct state *base,
		  uint64_t next_height, const struct mempool_limits *limits)
{
	memset(mp, 0, sizeof(*mp));
	mp->ledger = l;
	mp->base = base;
	mp->limits = *limits;
	mp->next_height = next_height;
	kvmap_init(&mp->ids);
	overlay_init(&mp->check, base, &mp->check_st);
}

static void entries_clear(struct mempool *mp)
{
	for (size_t i = 0; i < mp->count; i++)
		free(mp->entries[i].tx);
	mp->count = 0;
	mp->bytes = 0;
	kvmap_clear(&mp->ids);
}

void mempool_free(struct mempool *mp)
{
	entries_clear(mp);
	free(mp->entries);
	overlay_free(&mp->check);
	memset(mp, 0, sizeof(*mp));
}

bool mempool_contains(const struct mempool *mp, const uint8_t id[HASH_SIZE])
{
	return kvmap_find(&mp->ids, id, HASH_SIZE) != NULL;
}

/* Maps id to its index in entries (mempool_find). */
static int ids_set(struct mempool *mp, const uint8_t id[HASH_SIZE], size_t index)
{
	uint64_t v = index;

	return kvmap_set(&mp->ids, id, HASH_SIZE, (const uint8_t *)&v, sizeof(v), false);
}

static int entries_reserve(struct mempool *mp)
{
	size_t cap = mp->cap ? mp->cap * 2 : 64;
	struct mempool_entry *grown;

	if (mp->count < mp->cap)
		return 0;
	grown = realloc(mp->entries, cap * sizeof(*grown));
	if (grown == NULL)
		return -1;
	mp->entries = grown;
	mp->cap = cap;
	return 0;
}

/* Applies tx to the check state. */
static enum ledger_reason check_apply(struct mempool *mp, const uint8_t *tx, size_t len,
				      bool verify_sig, struct ledger_error *err)
{
	struct ledger_block_ctx blk;

	ledger_block_ctx_init(&blk, mp->next_height, no_proposer);
	return ledger_apply_tx(mp->ledger, &mp->check_st, &blk, tx, len, verify_sig, err);
}

static enum mempool_result add_checked(struct mempool *mp, const uint8_t *tx, size_t len,
				       bool verify_sig, uint8_t id[HASH_SIZE],
				       struct ledger_error *err)
{
	struct mempool_entry *e;
	enum ledger_reason r;

	ledger_error_clear(err);
	tx_id(tx, len, id);
	if (mempool_contains(mp, id))
		return MEMPOOL_DUPLICATE;
	if (mp->count >= mp->limits.max_txs || len > mp->limits.max_bytes - mp->bytes)
		return MEMPOOL_FULL;
	/* Everything that can fail for lack of memory comes before the check
	 * state changes, so a refusal leaves the pool as it was. */
	if (entries_reserve(mp) != 0)
		return MEMPOOL_ERROR;
	e = &mp->entries[mp->count];
	e->tx = malloc(len > 0 ? len : 1);
	if (e->tx == NULL)
		return MEMPOOL_ERROR;
	if (ids_set(mp, id, mp->count) != 0) {
		free(e->tx);
		return MEMPOOL_ERROR;
	}
	r = check_apply(mp, tx, len, verify_sig, err);
	if (r != LEDGER_OK) {
		free(e->tx);
		kvmap_erase(&mp->ids, id, HASH_SIZE);
		if (r != LEDGER_INTERNAL)
			return MEMPOOL_REJECTED;
		/* The check state may hold part of the tx: rebuild it from the
		 * pool (which empties itself if even that fails). */
		if (mempool_update(mp, NULL, 0, mp->next_height) < 0)
			return MEMPOOL_ERROR; /* the pool emptied itself */
		return MEMPOOL_ERROR;
	}
	memcpy(e->tx, tx, len);
	e->len = len;
	memcpy(e->id, id, HASH_SIZE);
	e->seq = mp->next_seq++;
	mp->count++;
	mp->bytes += len;
	return MEMPOOL_ADDED;
}

enum mempool_result mempool_add(struct mempool *mp, const uint8_t *tx, size_t len,
				uint8_t id[HASH_SIZE], struct ledger_error *err)
{
	return add_checked(mp, tx, len, true, id, err);
}

enum mempool_result mempool_add_verified(struct mempool *mp, const uint8_t *tx, size_t len,
					 uint8_t id[HASH_SIZE], struct ledger_error *err)
{
	return add_checked(mp, tx, len, false, id, err);
}

size_t mempool_reap(const struct mempool *mp, size_t max_bytes, size_t max_txs, const uint8_t **txs,
		    size_t *lens)
{
	size_t n = 0, bytes = 0;

	for (size_t i = 0; i < mp->count && n < max_txs; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		/* Stop at the first tx that does not fit: skipping it could skip a
		 * nonce that later txs of its sender depend on. */
		if (e->len > max_bytes - bytes)
			break;
		txs[n] = e->tx;
		lens[n] = e->len;
		bytes += e->len;
		n++;
	}
	return n;
}

long mempool_update(struct mempool *mp, const uint8_t (*ids)[HASH_SIZE], size_t n,
		    uint64_t next_height)
{
	struct kvmap committed;
	size_t kept = 0;
	long dropped = 0;

	/* A set of the committed ids, so the update is O(pool · log n). */
	kvmap_init(&committed);
	for (size_t i = 0; i < n; i++) {
		if (kvmap_set(&committed, ids[i], HASH_SIZE, NULL, 0, false) != 0) {
			kvmap_clear(&committed);
			entries_clear(mp);
			overlay_free(&mp->check);
			overlay_init(&mp->check, mp->base, &mp->check_st);
			return -1;
		}
	}
	overlay_free(&mp->check);
	overlay_init(&mp->check, mp->base, &mp->check_st);
	mp->next_height = next_height;
	mp->bytes = 0;
	kvmap_clear(&mp->ids);
	for (size_t i = 0; i < mp->count; i++) {
		struct mempool_entry e = mp->entries[i];
		bool keep = kvmap_find(&committed, e.id, HASH_SIZE) == NULL &&
			    check_apply(mp, e.tx, e.len, false, NULL) == LEDGER_OK &&
			    ids_set(mp, e.id, kept) == 0;

		if (!keep) {
			if (kvmap_find(&committed, e.id, HASH_SIZE) == NULL)
				dropped++;
			free(e.tx);
			continue;
		}
		mp->entries[kept++] = e;
		mp->bytes += e.len;
	}
	mp->count = kept;
	kvmap_clear(&committed);
	return dropped;
}

bool mempool_sig_verified(void *arg, const uint8_t *tx, size_t len)
{
	const struct mempool *mp = arg;
	uint8_t id[HASH_SIZE];

	tx_id(tx, len, id);
	return mempool_contains(mp, id);
}

const struct mempool_entry *mempool_find(const struct mempool *mp, const uint8_t id[HASH_SIZE])
{
	const struct kv_entry *e = kvmap_find(&mp->ids, id, HASH_SIZE);
	uint64_t index;

	if (e == NULL)
		return NULL;
	if (e->val_len == sizeof(index)) {
		memcpy(&index, e->val, sizeof(index));
		if (index < mp->count && memcmp(mp->entries[index].id, id, HASH_SIZE) == 0)
			return &mp->entries[index];
	}
	/* Not reached while every change of entries keeps ids' indexes (add
	 * and update do); a wrong answer would cost more than this scan. */
	for (size_t i = 0; i < mp->count; i++)
		if (memcmp(mp->entries[i].id, id, HASH_SIZE) == 0)
			return &mp->entries[i];
	return NULL;
}
