/* mempool_fx.c: records what a ready tx reads and writes while it enters
 * the check state (a struct state that forwards to mp->check_st and notes
 * every key), and keeps the per-key index of those touches (mempool_fx.h). */
#include "node/mempool_fx.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/keys.h"
#include "node/mempool_internal.h"

static const uint8_t no_proposer[PUBKEY_SIZE];

struct recorder {
	struct mempool *mp;
	const struct mempool_entry *e;
	struct mempool_fx *fx;
};

static uint8_t *dup_bytes(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	if (d != NULL && len > 0)
		memcpy(d, p, len);
	return d;
}

static bool is_account_key(const uint8_t *key, size_t len)
{
	return len == 1 + PUBKEY_SIZE && key[0] == KEY_ACCOUNT;
}

/* The touch of key in fx, added (with flags 0) when new; NULL: no memory. */
static struct mempool_touch *touch_of(struct mempool_fx *fx, const uint8_t *key, size_t len)
{
	struct mempool_touch *t;

	for (size_t i = 0; i < fx->n_touches; i++)
		if (fx->touches[i].key_len == len && memcmp(fx->touches[i].key, key, len) == 0)
			return &fx->touches[i];
	if (fx->n_touches == fx->cap_touches) {
		size_t cap = fx->cap_touches ? 2 * fx->cap_touches : 4;
		struct mempool_touch *grown = realloc(fx->touches, cap * sizeof(*grown));

		if (grown == NULL)
			return NULL;
		fx->touches = grown;
		fx->cap_touches = cap;
	}
	t = &fx->touches[fx->n_touches];
	memset(t, 0, sizeof(*t));
	t->key = malloc(len ? len : 1);
	if (t->key == NULL)
		return NULL;
	memcpy(t->key, key, len);
	t->key_len = len;
	t->fx = fx;
	fx->n_touches++;
	return t;
}

static void note_read(struct recorder *r, const uint8_t *key, size_t len)
{
	struct mempool_touch *t = touch_of(r->fx, key, len);

	if (t == NULL)
		r->fx->failed = true;
	else
		t->flags |= MEMPOOL_TOUCH_READ;
}

/* Before key is written: keeps its current value (once per tx). */
static struct mempool_touch *note_write(struct recorder *r, const uint8_t *key, size_t len)
{
	struct mempool_touch *t = touch_of(r->fx, key, len);
	enum state_status st;

	if (t == NULL) {
		r->fx->failed = true;
		return NULL;
	}
	if (t->flags & MEMPOOL_TOUCH_WRITE)
		return t;
	t->flags |= MEMPOOL_TOUCH_WRITE;
	t->is_account = is_account_key(key, len);
	st = state_get(&r->mp->check_st, key, len, &t->prior, &t->prior_len);
	t->had_prior = st == STATE_OK;
	if (st == STATE_ERROR)
		r->fx->failed = true;
	return t;
}

static enum state_status rec_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				 size_t *val_len)
{
	struct recorder *r = impl;

	note_read(r, key, key_len);
	return state_get(&r->mp->check_st, key, key_len, val, val_len);
}

static enum state_status rec_put(void *impl, const uint8_t *key, size_t key_len, const uint8_t *val,
				 size_t val_len)
{
	struct recorder *r = impl;
	struct mempool_touch *t = note_write(r, key, key_len);

	if (t != NULL)
		t->deleted = false;
	if (t != NULL && t->is_account) {
		free(t->post);
		t->post = dup_bytes(val, val_len);
		t->post_len = val_len;
		if (t->post == NULL)
			r->fx->failed = true;
	}
	return state_put(&r->mp->check_st, key, key_len, val, val_len);
}

static enum state_status rec_del(void *impl, const uint8_t *key, size_t key_len)
{
	struct recorder *r = impl;
	struct mempool_touch *t = note_write(r, key, key_len);

	if (t != NULL) {
		t->deleted = true;
		free(t->post);
		t->post = NULL;
		t->post_len = 0;
	}
	return state_del(&r->mp->check_st, key, key_len);
}

static enum state_status rec_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
				     const uint8_t *start, size_t start_len, state_iter_fn fn,
				     void *arg)
{
	struct recorder *r = impl;
	struct mempool_fx *fx = r->fx;
	struct mempool_range *g;

	if (fx->n_ranges == fx->cap_ranges) {
		size_t cap = fx->cap_ranges ? 2 * fx->cap_ranges : 2;
		struct mempool_range *grown = realloc(fx->ranges, cap * sizeof(*grown));

		if (grown == NULL)
			fx->failed = true;
		else {
			fx->ranges = grown;
			fx->cap_ranges = cap;
		}
	}
	if (fx->n_ranges < fx->cap_ranges) {
		g = &fx->ranges[fx->n_ranges];
		memset(g, 0, sizeof(*g));
		g->prefix = dup_bytes(prefix, prefix_len);
		g->prefix_len = prefix_len;
		if (start != NULL) {
			g->start = dup_bytes(start, start_len);
			g->start_len = start_len;
		}
		if (g->prefix == NULL || (start != NULL && g->start == NULL)) {
			free(g->prefix);
			free(g->start);
			fx->failed = true;
		} else {
			fx->n_ranges++;
		}
	}
	return state_iterate(&r->mp->check_st, prefix, prefix_len, start, start_len, fn, arg);
}

static const struct state_ops recorder_ops = {
	.get = rec_get,
	.put = rec_put,
	.del = rec_del,
	.iterate = rec_iterate,
};

static void fx_free(struct mempool_fx *fx)
{
	if (fx == NULL)
		return;
	for (size_t i = 0; i < fx->n_touches; i++) {
		free(fx->touches[i].key);
		free(fx->touches[i].prior);
		free(fx->touches[i].post);
	}
	for (size_t i = 0; i < fx->n_ranges; i++) {
		free(fx->ranges[i].prefix);
		free(fx->ranges[i].start);
	}
	free(fx->touches);
	free(fx->ranges);
	free(fx);
}

/* Marks the credit touch of a transfer: its recipient's account, another
 * than the sender's (that only its balance grew is checked when it counts,
 * mempool_undo.c). */
static void mark_credit(struct mempool_fx *fx, const struct mempool_entry *e)
{
	struct key k;

	if (!e->credits)
		return;
	key_make_pubkey(&k, KEY_ACCOUNT, e->credit_to);
	for (size_t i = 0; i < fx->n_touches; i++) {
		struct mempool_touch *t = &fx->touches[i];

		if (t->key_len == k.len && memcmp(t->key, k.bytes, k.len) == 0 &&
		    (t->flags & MEMPOOL_TOUCH_WRITE) && !t->deleted)
			t->flags |= MEMPOOL_TOUCH_CREDIT;
	}
}

/* Links fx's touches at the end of their keys' lists and fx into the list
 * of range readers. Returns 0 or -1 (no memory; fx is then not linked). */
static int fx_link(struct mempool *mp, struct mempool_fx *fx)
{
	/* First every head, so a failure links nothing. */
	for (size_t i = 0; i < fx->n_touches; i++) {
		struct mempool_touch *t = &fx->touches[i];
		const struct kv_entry *k = kvmap_find(&mp->touched, t->key, t->key_len);

		if (k != NULL) {
			memcpy(&t->head, k->val, sizeof(t->head));
			continue;
		}
		t->head = calloc(1, sizeof(*t->head));
		if (t->head == NULL ||
		    kvmap_set(&mp->touched, t->key, t->key_len, (const uint8_t *)&t->head,
			      sizeof(t->head), false) != 0) {
			free(t->head);
			return -1;
		}
	}
	for (size_t i = 0; i < fx->n_touches; i++) {
		struct mempool_touch *t = &fx->touches[i];

		t->prev = t->head->tail;
		t->next = NULL;
		if (t->prev != NULL)
			t->prev->next = t;
		t->head->tail = t;
	}
	if (fx->n_ranges > 0) {
		fx->rprev = mp->ranged_tail;
		fx->rnext = NULL;
		if (mp->ranged_tail != NULL)
			mp->ranged_tail->rnext = fx;
		else
			mp->ranged = fx;
		mp->ranged_tail = fx;
	}
	return 0;
}

enum ledger_reason mempool_check_apply(struct mempool *mp, struct mempool_entry *e, bool verify_sig,
				       struct ledger_error *err)
{
	struct ledger_block_ctx blk;
	struct recorder r = { .mp = mp, .e = e };
	struct state rec = { .ops = &recorder_ops, .impl = &r };
	enum ledger_reason res;

	e->fx = NULL;
	if (!mp->fx_lost)
		r.fx = calloc(1, sizeof(*r.fx));
	ledger_block_ctx_init(&blk, mp->next_height, no_proposer);
	if (r.fx == NULL) {
		mp->fx_lost = true;
		return ledger_apply_tx(mp->ledger, &mp->check_st, &blk, e->tx, e->len, verify_sig,
				       err);
	}
	r.fx->seq = e->seq;
	memcpy(r.fx->sender, e->sender, PUBKEY_SIZE);
	r.fx->nonce = e->nonce;
	res = ledger_apply_tx(mp->ledger, &rec, &blk, e->tx, e->len, verify_sig, err);
	if (res == LEDGER_OK) {
		mark_credit(r.fx, e);
		if (!r.fx->failed && fx_link(mp, r.fx) == 0) {
			e->fx = r.fx;
			return res;
		}
		mp->fx_lost = true;
	}
	fx_free(r.fx);
	return res;
}

int mempool_touch_decode(struct mempool_touch *t)
{
	if (t->decoded)
		return 0;
	if (!t->is_account || !(t->flags & MEMPOOL_TOUCH_WRITE))
		return -1;
	memset(&t->prior_acct, 0, sizeof(t->prior_acct));
	memset(&t->post_acct, 0, sizeof(t->post_acct));
	if ((t->had_prior && account_decode(t->prior, t->prior_len, &t->prior_acct) != 0) ||
	    (!t->deleted && account_decode(t->post, t->post_len, &t->post_acct) != 0))
		return -1;
	t->decoded = true;
	return 0;
}

static void touch_unlink(struct mempool *mp, struct mempool_touch *t)
{
	if (t->next != NULL)
		t->next->prev = t->prev;
	else
		t->head->tail = t->prev;
	if (t->prev != NULL)
		t->prev->next = t->next;
	if (t->head->tail == NULL) {
		free(t->head);
		kvmap_erase(&mp->touched, t->key, t->key_len);
	}
}

void mempool_fx_drop(struct mempool *mp, struct mempool_entry *e)
{
	struct mempool_fx *fx = e->fx;

	if (fx == NULL)
		return;
	for (size_t i = 0; i < fx->n_touches; i++)
		touch_unlink(mp, &fx->touches[i]);
	if (fx->n_ranges > 0) {
		if (fx->rprev != NULL)
			fx->rprev->rnext = fx->rnext;
		else
			mp->ranged = fx->rnext;
		if (fx->rnext != NULL)
			fx->rnext->rprev = fx->rprev;
		else
			mp->ranged_tail = fx->rprev;
	}
	fx_free(fx);
	e->fx = NULL;
}

void mempool_fx_clear(struct mempool *mp)
{
	for (size_t i = 0; i < mp->count; i++)
		mempool_fx_drop(mp, &mp->entries[i]);
	/* Every head went with its last touch, except those a failed link
	 * left without any. */
	for (struct kvmap_cursor c = kvmap_cursor_first(&mp->touched); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		struct mempool_key_head *h;

		memcpy(&h, kvmap_cursor_entry(&c)->val, sizeof(h));
		free(h);
	}
	kvmap_clear(&mp->touched);
	mp->ranged = mp->ranged_tail = NULL;
	mp->fx_lost = false;
}
