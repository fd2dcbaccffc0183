/* mempool.c: admission of pending txs (ready, or waiting for an earlier
 * nonce), promotion of waiting txs when their gap fills, and the
 * verified-signature cache. Picking a block is in mempool_reap.c, eviction
 * when full in mempool_evict.c, the re-check after a commit in
 * mempool_recheck.c. */
#include "node/mempool.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/tx.h"
#include "node/mempool_internal.h"
#include "proto/codec.h"

#define WAIT_KEY_SIZE (PUBKEY_SIZE + 8)

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
	case MEMPOOL_NONCE_TOO_FAR:
		return "nonce too far ahead of the sender's next";
	case MEMPOOL_NONCE_WAITING:
		return "another tx of the sender waits with this nonce";
	case MEMPOOL_REJECTED:
		return "tx rejected";
	case MEMPOOL_ERROR:
		return "mempool internal error";
	}
	return "unknown mempool result";
}

void mempool_fail(struct ledger_error *err, enum ledger_reason reason, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	ledger_error_clear(err);
	err->reason = reason;
	va_start(ap, fmt);
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
}

int mempool_rate_cmp(uint64_t fee_a, size_t len_a, uint64_t fee_b, size_t len_b)
{
	/* fee_a / la against fee_b / lb, exactly: cross-multiplied in 128
	 * bits (no division: the eviction compares every pooled tx). */
	unsigned __int128 xa = (unsigned __int128)fee_a * (len_b ? len_b : 1),
			  xb = (unsigned __int128)fee_b * (len_a ? len_a : 1);

	return xa < xb ? -1 : xa > xb;
}

/* The recipient of a transfer to another account than the sender's. */
static void read_credit(struct mempool_entry *e, const Hearth__TxBody *body)
{
	const Hearth__Transfer *t = body->transfer;

	e->credits = body->kind_case == HEARTH__TX_BODY__KIND_TRANSFER && t != NULL &&
		     t->to.len == PUBKEY_SIZE && memcmp(t->to.data, e->sender, PUBKEY_SIZE) != 0;
	if (e->credits)
		memcpy(e->credit_to, t->to.data, PUBKEY_SIZE);
}

int mempool_read_entry(struct mempool_entry *e, const uint8_t *tx, size_t len)
{
	ProtobufCMessage *env_msg, *body_msg;
	const Hearth__Tx *env;
	const Hearth__TxBody *body;
	int rc = -1;

	if (len == 0 ||
	    codec_decode(&hearth__tx__descriptor, tx, len, len, &env_msg, NULL) != CODEC_OK)
		return -1;
	env = (const Hearth__Tx *)env_msg;
	if (codec_decode(&hearth__tx_body__descriptor, env->body.data, env->body.len, env->body.len,
			 &body_msg, NULL) == CODEC_OK) {
		body = (const Hearth__TxBody *)body_msg;
		if (body->sender.len == PUBKEY_SIZE) {
			memcpy(e->sender, body->sender.data, PUBKEY_SIZE);
			e->nonce = body->nonce;
			e->fee = body->fee;
			read_credit(e, body);
			rc = 0;
		}
		codec_free(body_msg);
	}
	codec_free(env_msg);
	return rc;
}

static void wait_key(const uint8_t sender[PUBKEY_SIZE], uint64_t nonce, uint8_t key[WAIT_KEY_SIZE])
{
	memcpy(key, sender, PUBKEY_SIZE);
	for (int i = 0; i < 8; i++)
		key[PUBKEY_SIZE + i] = (uint8_t)(nonce >> (56 - 8 * i));
}

void mempool_init(struct mempool *mp, const struct ledger *l, const struct state *base,
		  uint64_t next_height, const struct mempool_limits *limits)
{
	memset(mp, 0, sizeof(*mp));
	mp->ledger = l;
	mp->base = base;
	mp->limits = *limits;
	if (mp->limits.max_ahead == 0)
		mp->limits.max_ahead = MEMPOOL_AHEAD_DEFAULT;
	mp->next_height = next_height;
	kvmap_init(&mp->ids);
	kvmap_init(&mp->waiting);
	kvmap_init(&mp->touched);
	overlay_init(&mp->check, base, &mp->check_st);
}

static void entries_clear(struct mempool *mp)
{
	mempool_fx_clear(mp);
	for (size_t i = 0; i < mp->count; i++)
		free(mp->entries[i].tx);
	mp->count = 0;
	mp->bytes = 0;
	mp->n_waiting = 0;
	kvmap_clear(&mp->ids);
	kvmap_clear(&mp->waiting);
}

/* Empties the pool and its check state (after a state failure). */
void mempool_reset(struct mempool *mp)
{
	entries_clear(mp);
	overlay_free(&mp->check);
	overlay_init(&mp->check, mp->base, &mp->check_st);
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

size_t mempool_ready_count(const struct mempool *mp)
{
	return mp->count - mp->n_waiting;
}

bool mempool_is_waiting(const struct mempool *mp, const uint8_t id[HASH_SIZE])
{
	if (mp->n_waiting == 0 || !mempool_contains(mp, id))
		return false;
	for (size_t i = 0; i < mp->count; i++)
		if (memcmp(mp->entries[i].id, id, HASH_SIZE) == 0)
			return mp->entries[i].waiting;
	return false;
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

/* Drops e's indexes, records and bytes (the array is left as it is). */
static void entry_release(struct mempool *mp, struct mempool_entry *e)
{
	if (e->waiting) {
		uint8_t key[WAIT_KEY_SIZE];

		wait_key(e->sender, e->nonce, key);
		kvmap_erase(&mp->waiting, key, sizeof(key));
		mp->n_waiting--;
	}
	mempool_fx_drop(mp, e);
	kvmap_erase(&mp->ids, e->id, HASH_SIZE);
	mp->bytes -= e->len;
	free(e->tx);
}

void mempool_remove_at(struct mempool *mp, size_t i)
{
	struct mempool_entry *e = &mp->entries[i];

	entry_release(mp, e);
	memmove(e, e + 1, (mp->count - i - 1) * sizeof(*e));
	mp->count--;
}

void mempool_remove_marked(struct mempool *mp, const bool *gone)
{
	size_t kept = 0;

	while (kept < mp->count && !gone[kept])
		kept++; /* those before the first to go stay where they are */
	for (size_t i = kept; i < mp->count; i++) {
		if (gone[i])
			entry_release(mp, &mp->entries[i]);
		else
			mp->entries[kept++] = mp->entries[i];
	}
	mp->count = kept;
}

/* Moves entries[i] to the end (it entered the check state just now). */
static void move_to_end(struct mempool *mp, size_t i)
{
	struct mempool_entry e = mp->entries[i];

	memmove(&mp->entries[i], &mp->entries[i + 1], (mp->count - i - 1) * sizeof(e));
	e.seq = mp->next_seq++;
	if (e.fx != NULL)
		e.fx->seq = e.seq;
	mp->entries[mp->count - 1] = e;
	if (mempool_ids_put(mp, &e) != 0)
		return; /* no memory: the old seq stays, mempool_find then scans */
}

int mempool_ids_put(struct mempool *mp, const struct mempool_entry *e)
{
	return kvmap_set(&mp->ids, e->id, HASH_SIZE, (const uint8_t *)&e->seq, sizeof(e->seq),
			 false);
}

/* The index of the entry with this seq (entries are in seq order), or
 * mp->count. */
static size_t find_seq(const struct mempool *mp, uint64_t seq)
{
	size_t lo = 0, hi = mp->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (mp->entries[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < mp->count && mp->entries[lo].seq == seq ? lo : mp->count;
}

const struct mempool_entry *mempool_find(const struct mempool *mp, const uint8_t id[HASH_SIZE])
{
	const struct kv_entry *k = kvmap_find(&mp->ids, id, HASH_SIZE);
	uint64_t seq;
	size_t i;

	if (k == NULL)
		return NULL;
	if (k->val_len == sizeof(seq)) {
		memcpy(&seq, k->val, sizeof(seq));
		i = find_seq(mp, seq);
		if (i < mp->count && memcmp(mp->entries[i].id, id, HASH_SIZE) == 0)
			return &mp->entries[i];
	}
	/* Only after a failed mempool_ids_put left an old seq. */
	for (i = 0; i < mp->count; i++)
		if (memcmp(mp->entries[i].id, id, HASH_SIZE) == 0)
			return &mp->entries[i];
	return NULL;
}

/* May e (whose nonce has a gap in the check state) wait? */
enum mempool_result mempool_wait_check(const struct mempool *mp, const struct mempool_entry *e,
				       struct ledger_error *err)
{
	uint8_t key[WAIT_KEY_SIZE];
	struct account acct;
	uint64_t next;

	if (account_load(&mp->check_st, e->sender, &acct) != STATE_OK) {
		mempool_fail(err, LEDGER_INTERNAL, "cannot read the sender's account");
		return MEMPOOL_ERROR;
	}
	next = acct.nonce + 1; /* the ledger refuses a nonce at UINT64_MAX before a gap */
	if (e->nonce <= next)
		return MEMPOOL_ADDED; /* not a gap (any more): the caller decides */
	if (e->nonce - next > mp->limits.max_ahead) {
		mempool_fail(
			err, LEDGER_TX_NONCE_GAP,
			"nonce %llu is %llu ahead of the sender's next nonce %llu (at most %llu "
			"may wait)",
			(unsigned long long)e->nonce, (unsigned long long)(e->nonce - next),
			(unsigned long long)next, (unsigned long long)mp->limits.max_ahead);
		return MEMPOOL_NONCE_TOO_FAR;
	}
	wait_key(e->sender, e->nonce, key);
	if (kvmap_find(&mp->waiting, key, sizeof(key)) != NULL) {
		mempool_fail(
			err, LEDGER_TX_NONCE_GAP,
			"another tx of this sender with nonce %llu already waits in the mempool",
			(unsigned long long)e->nonce);
		return MEMPOOL_NONCE_WAITING;
	}
	return MEMPOOL_ADDED;
}

/* Registers e (already in the array or about to be) as waiting.
 * Returns 0 or -1 (no memory). */
int mempool_wait_register(struct mempool *mp, struct mempool_entry *e)
{
	uint8_t key[WAIT_KEY_SIZE];

	wait_key(e->sender, e->nonce, key);
	if (kvmap_set(&mp->waiting, key, sizeof(key), NULL, 0, false) != 0)
		return -1;
	e->waiting = true;
	mp->n_waiting++;
	return 0;
}

/* The index of the waiting tx of sender with nonce, or mp->count. */
static size_t find_waiting(const struct mempool *mp, const uint8_t sender[PUBKEY_SIZE],
			   uint64_t nonce)
{
	for (size_t i = 0; i < mp->count; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (e->waiting && e->nonce == nonce && memcmp(e->sender, sender, PUBKEY_SIZE) == 0)
			return i;
	}
	return mp->count;
}

/* Makes ready the waiting txs of sender that follow its next nonce without a
 * gap, in nonce order. One that the ledger refuses now is dropped (and the
 * later ones keep waiting for another tx with its nonce). */
void mempool_promote(struct mempool *mp, const uint8_t sender[PUBKEY_SIZE])
{
	while (mp->n_waiting > 0) {
		uint8_t key[WAIT_KEY_SIZE];
		struct account acct;
		enum ledger_reason r;
		size_t i;

		if (account_load(&mp->check_st, sender, &acct) != STATE_OK ||
		    acct.nonce == UINT64_MAX)
			return;
		wait_key(sender, acct.nonce + 1, key);
		if (kvmap_find(&mp->waiting, key, sizeof(key)) == NULL)
			return;
		i = find_waiting(mp, sender, acct.nonce + 1);
		if (i == mp->count)
			return;
		kvmap_erase(&mp->waiting, key, sizeof(key));
		mp->n_waiting--;
		mp->entries[i].waiting = false;
		/* Its signature was verified when it was admitted. */
		r = mempool_check_apply(mp, &mp->entries[i], false, NULL);
		if (r == LEDGER_OK) {
			move_to_end(mp, i);
			continue;
		}
		mempool_remove_at(mp, i);
		if (r == LEDGER_INTERNAL) /* the check state may hold part of it */
			(void)mempool_recheck(mp, NULL, 0, mp->next_height);
		return;
	}
}

enum mempool_result mempool_classify(struct mempool *mp, const struct mempool_entry *e,
				     const uint8_t *tx, size_t len, bool verify_sig, bool *waits,
				     struct ledger_error *err)
{
	struct ledger_block_ctx blk;
	struct ledger_error local;
	struct overlay ov;
	struct state scratch;
	enum ledger_reason r;

	overlay_init(&ov, &mp->check_st, &scratch);
	ledger_block_ctx_init(&blk, mp->next_height, no_proposer);
	r = ledger_apply_tx(mp->ledger, &scratch, &blk, tx, len, verify_sig, err ? err : &local);
	overlay_free(&ov);
	*waits = r == LEDGER_TX_NONCE_GAP;
	if (r == LEDGER_OK)
		return MEMPOOL_ADDED;
	if (r == LEDGER_TX_NONCE_GAP)
		return mempool_wait_check(mp, e, err);
	return r == LEDGER_INTERNAL ? MEMPOOL_ERROR : MEMPOOL_REJECTED;
}

/* Adds e (sender, nonce and fee read; room made) to the pool. */
static enum mempool_result admit(struct mempool *mp, struct mempool_entry *e, const uint8_t *tx,
				 size_t len, bool verify_sig, struct ledger_error *err)
{
	struct ledger_error local;
	enum mempool_result res = MEMPOOL_REJECTED;
	enum ledger_reason r;

	if (err == NULL)
		err = &local;
	/* Everything that can fail for lack of memory comes before the check
	 * state changes, so a refusal leaves the pool as it was. */
	if (entries_reserve(mp) != 0)
		return MEMPOOL_ERROR;
	e->tx = malloc(len);
	if (e->tx == NULL)
		return MEMPOOL_ERROR;
	memcpy(e->tx, tx, len);
	e->seq = mp->next_seq;
	if (mempool_ids_put(mp, e) != 0) {
		free(e->tx);
		return MEMPOOL_ERROR;
	}
	r = mempool_check_apply(mp, e, verify_sig, err);
	if (r == LEDGER_TX_NONCE_GAP) {
		res = mempool_wait_check(mp, e, err);
		if (res == MEMPOOL_ADDED && mempool_wait_register(mp, e) != 0)
			res = MEMPOOL_ERROR;
	}
	if (r == LEDGER_OK || res == MEMPOOL_ADDED) {
		mp->next_seq++;
		mp->entries[mp->count++] = *e;
		mp->bytes += len;
		if (r == LEDGER_OK && mp->n_waiting > 0)
			mempool_promote(mp, e->sender);
		return MEMPOOL_ADDED;
	}
	free(e->tx);
	kvmap_erase(&mp->ids, e->id, HASH_SIZE);
	if (r != LEDGER_INTERNAL)
		return res;
	/* The check state may hold part of the tx: rebuild it from the pool
	 * (which empties itself if even that fails). */
	(void)mempool_recheck(mp, NULL, 0, mp->next_height);
	return MEMPOOL_ERROR;
}

/* The ledger's reason for bytes that do not even decode. */
static enum mempool_result refuse_undecodable(struct mempool *mp, const uint8_t *tx, size_t len,
					      struct ledger_error *err)
{
	enum ledger_reason r =
		ledger_check_tx(mp->ledger, &mp->check_st, mp->next_height, tx, len, err);

	if (r == LEDGER_OK || r == LEDGER_INTERNAL) {
		mempool_fail(err, LEDGER_INTERNAL, "cannot decode the tx (no memory?)");
		return MEMPOOL_ERROR;
	}
	return MEMPOOL_REJECTED;
}

static bool has_room(const struct mempool *mp, size_t len)
{
	return mp->count < mp->limits.max_txs && mp->bytes <= mp->limits.max_bytes &&
	       len <= mp->limits.max_bytes - mp->bytes;
}

static enum mempool_result add_checked(struct mempool *mp, const uint8_t *tx, size_t len,
				       bool verify_sig, uint8_t id[HASH_SIZE],
				       struct ledger_error *err)
{
	struct mempool_entry e = { 0 };
	enum mempool_result r;
	bool waits;

	ledger_error_clear(err);
	tx_id(tx, len, id);
	memcpy(e.id, id, HASH_SIZE);
	e.len = len;
	if (mempool_contains(mp, id)) {
		mempool_fail(err, LEDGER_OK, "tx already in the mempool");
		return MEMPOOL_DUPLICATE;
	}
	if (mempool_read_entry(&e, tx, len) != 0)
		return refuse_undecodable(mp, tx, len, err);
	if (!has_room(mp, len)) {
		/* Refuse what would be refused anyway before evicting anything. */
		r = mempool_classify(mp, &e, tx, len, verify_sig, &waits, err);
		if (r != MEMPOOL_ADDED)
			return r;
		/* A tx that cannot execute yet (and may never pay its fee)
		 * does not push out txs that can. */
		if (waits) {
			mempool_fail(err, LEDGER_OK,
				     "mempool full (%zu txs, %zu bytes): a tx waiting for an "
				     "earlier nonce evicts nothing",
				     mp->count, mp->bytes);
			return MEMPOOL_FULL;
		}
		verify_sig = false;
		r = mempool_make_room(mp, &e, err);
		if (r != MEMPOOL_ADDED)
			return r;
	}
	return admit(mp, &e, tx, len, verify_sig, err);
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

bool mempool_sig_verified(void *arg, const uint8_t *tx, size_t len)
{
	const struct mempool *mp = arg;
	uint8_t id[HASH_SIZE];

	tx_id(tx, len, id);
	return mempool_contains(mp, id);
}
