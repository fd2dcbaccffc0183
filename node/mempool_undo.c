/* mempool_undo.c: takes evicted ready txs (those with fx->doomed) out of
 * the check state without re-applying the rest of the pool. For each key a
 * doomed tx wrote, only the touches of that key from the earliest doomed one
 * on are looked at:
 * - none of another tx: the key gets back its value from before the first
 *   doomed write;
 * - only credits of other txs, and the doomed writes changed an account's
 *   balance (and its nonce, by its own txs) only: the doomed balance changes
 *   are subtracted from the current account, the nonce goes back, and the
 *   records of the later credits are fixed the same way;
 * - anything else (another tx read the key, spent from the account, or
 *   iterated over the key): the doomed txs cannot go alone
 *   (mempool_undo_possible says no before anything changes). */
#include "node/mempool_fx.h"

#include <string.h>

#include "consensus/kvmap.h"

static bool is_doomed(const struct mempool_touch *t)
{
	return t->fx->doomed;
}

/* A doomed write that changed an account's balance only (and the nonce when
 * the account is the tx's sender's). */
static bool delta_only(struct mempool_touch *t)
{
	const struct account *a = &t->prior_acct, *b = &t->post_acct;

	if (!(t->flags & MEMPOOL_TOUCH_WRITE))
		return true;
	if (!t->is_account || t->deleted || mempool_touch_decode(t) != 0 ||
	    a->bonded != b->bonded || a->unbonding != b->unbonding || a->validator != b->validator)
		return false;
	return a->nonce == b->nonce || memcmp(t->key + 1, t->fx->sender, PUBKEY_SIZE) == 0;
}

/* A credit (mempool_fx.h) that indeed only raised the balance. */
static bool credit_only(struct mempool_touch *t)
{
	const struct account *a = &t->prior_acct, *b = &t->post_acct;

	return (t->flags & MEMPOOL_TOUCH_CREDIT) && !t->deleted && mempool_touch_decode(t) == 0 &&
	       b->balance > a->balance && a->nonce == b->nonce && a->bonded == b->bonded &&
	       a->unbonding == b->unbonding && a->validator == b->validator;
}

/* The earliest doomed touch of the key whose latest touch is tail (touches
 * before min_seq are not looked at), or NULL. */
static struct mempool_touch *first_doomed(struct mempool_touch *tail, uint64_t min_seq)
{
	struct mempool_touch *first = NULL;

	for (struct mempool_touch *w = tail; w != NULL && w->fx->seq >= min_seq; w = w->prev)
		if (is_doomed(w))
			first = w;
	return first;
}

/* May the doomed touches of this key go? */
static bool key_undoable(struct mempool_touch *first)
{
	bool others = false, deltas = true;

	for (struct mempool_touch *w = first; w != NULL; w = w->next) {
		if (is_doomed(w)) {
			deltas = deltas && delta_only(w);
			continue;
		}
		if (!credit_only(w))
			return false;
		others = true;
	}
	return !others || deltas;
}

/* True when a range that a tx not doomed, applied from min_seq on,
 * iterated covers key. */
static bool key_in_later_range(const struct mempool *mp, const struct mempool_touch *t,
			       uint64_t min_seq)
{
	for (const struct mempool_fx *fx = mp->ranged; fx != NULL; fx = fx->rnext) {
		if (fx->doomed || fx->seq < min_seq)
			continue;
		for (size_t i = 0; i < fx->n_ranges; i++) {
			const struct mempool_range *g = &fx->ranges[i];

			if (kvmap_has_prefix(t->key, t->key_len, g->prefix, g->prefix_len) &&
			    (g->start == NULL ||
			     kvmap_compare(t->key, t->key_len, g->start, g->start_len) >= 0))
				return true;
		}
	}
	return false;
}

bool mempool_undo_possible(struct mempool *mp, const size_t *idx, size_t n, uint64_t min_seq)
{
	uint64_t mark = ++mp->undo_mark;

	if (mp->fx_lost)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct mempool_fx *fx = mp->entries[idx[i]].fx;

		if (mp->entries[idx[i]].waiting)
			continue;
		if (fx == NULL)
			return false;
		for (size_t j = 0; j < fx->n_touches; j++) {
			struct mempool_touch *t = &fx->touches[j];

			/* Each key once, however many doomed txs wrote it. */
			if (!(t->flags & MEMPOOL_TOUCH_WRITE) || t->head->mark == mark)
				continue;
			t->head->mark = mark;
			if (!key_undoable(first_doomed(t->head->tail, min_seq)) ||
			    key_in_later_range(mp, t, min_seq))
				return false;
		}
	}
	return true;
}

/* The key had only doomed touches from first on: back to its value from
 * before the first doomed write. */
static int restore_value(struct mempool *mp, const struct mempool_touch *first)
{
	const struct mempool_touch *w = first;

	while (w != NULL && !(w->flags & MEMPOOL_TOUCH_WRITE))
		w = w->next;
	if (w == NULL)
		return 0;
	if (!w->had_prior)
		return state_del(&mp->check_st, w->key, w->key_len) == STATE_OK ? 0 : -1;
	/* An account's record may have been fixed by an earlier eviction. */
	if (w->decoded)
		return account_store(&mp->check_st, w->key + 1, &w->prior_acct) == STATE_OK ? 0
											    : -1;
	return state_put(&mp->check_st, w->key, w->key_len, w->prior, w->prior_len) == STATE_OK
		       ? 0
		       : -1;
}

/* balance - d, or -1 when it does not fit in a u64. */
static int sub_delta(uint64_t balance, __int128 d, uint64_t *out)
{
	__int128 v = (__int128)balance - d;

	if (v < 0 || v > (__int128)UINT64_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

/* The account had doomed balance (and nonce) changes and later credits:
 * subtracts the changes from the account and from the credits' records. */
static int restore_delta(struct mempool *mp, struct mempool_touch *first)
{
	struct account cur;
	__int128 d = 0;
	bool nonce_back = false, exists = false, seen_write = false;
	uint64_t nonce = 0;

	for (struct mempool_touch *w = first; w != NULL; w = w->next) {
		if ((w->flags & MEMPOOL_TOUCH_WRITE) && mempool_touch_decode(w) != 0)
			return -1;
		if (is_doomed(w)) {
			if (!(w->flags & MEMPOOL_TOUCH_WRITE))
				continue;
			if (!seen_write)
				exists = w->had_prior;
			seen_write = true;
			d += (__int128)w->post_acct.balance - (__int128)w->prior_acct.balance;
			if (!nonce_back && w->post_acct.nonce != w->prior_acct.nonce) {
				nonce_back = true;
				nonce = w->prior_acct.nonce;
			}
			continue;
		}
		/* A later credit: its record loses the doomed changes made
		 * before it. */
		if (sub_delta(w->prior_acct.balance, d, &w->prior_acct.balance) != 0 ||
		    sub_delta(w->post_acct.balance, d, &w->post_acct.balance) != 0)
			return -1;
		if (nonce_back)
			w->prior_acct.nonce = w->post_acct.nonce = nonce;
		/* Without the doomed writes, the account exists before this
		 * credit only if it did before them or an earlier credit made it. */
		if (seen_write)
			w->had_prior = exists;
		exists = true;
	}
	if (account_load(&mp->check_st, first->key + 1, &cur) != STATE_OK ||
	    sub_delta(cur.balance, d, &cur.balance) != 0)
		return -1;
	if (nonce_back)
		cur.nonce = nonce;
	return account_store(&mp->check_st, first->key + 1, &cur) == STATE_OK ? 0 : -1;
}

int mempool_undo(struct mempool *mp, const size_t *idx, size_t n, uint64_t min_seq)
{
	uint64_t mark = ++mp->undo_mark;

	for (size_t i = 0; i < n; i++) {
		struct mempool_fx *fx = mp->entries[idx[i]].fx;

		if (fx == NULL)
			continue;
		for (size_t j = 0; j < fx->n_touches; j++) {
			struct mempool_touch *t = &fx->touches[j], *first;
			bool others = false;

			if (!(t->flags & MEMPOOL_TOUCH_WRITE) || t->head->mark == mark)
				continue;
			t->head->mark = mark;
			first = first_doomed(t->head->tail, min_seq);
			for (const struct mempool_touch *w = first; w != NULL; w = w->next)
				others = others || !is_doomed(w);
			if ((others ? restore_delta(mp, first) : restore_value(mp, first)) != 0)
				return -1;
		}
	}
	return 0;
}
