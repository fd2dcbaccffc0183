/* mempool_evict.c: room in a full pool for a tx that pays more. The
 * cheapest tx by fee per byte (the latest of equals) of another sender than
 * the newcomer's is evicted, with its sender's later-nonce txs (they cannot
 * apply without it), and again until the newcomer fits; a tx is never
 * evicted for one that does not pay strictly more per byte than it. The plan
 * is made first, so a newcomer that cannot fit evicts nothing.
 * A ready tx goes only when its removal can be undone in the check state
 * alone (node/mempool_undo.c: no other pooled tx depends on what it wrote);
 * one that cannot is passed over for the next cheapest, at most EVICT_TRIES
 * times for one newcomer, then the newcomer is refused. So an eviction costs
 * what the evicted txs touched, never a re-check of the whole pool (which
 * would let a sender that pays a little more than the cheapest stall the
 * loop thread once per tx), except after the records were lost to a lack of
 * memory (mp->fx_lost, until the next re-check). */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "node/mempool_internal.h"

/* Ready candidates with dependents passed over for one newcomer. */
#define EVICT_TRIES 8

static bool fits(const struct mempool *mp, size_t len, size_t gone, size_t gone_bytes)
{
	size_t bytes = mp->bytes - gone_bytes;

	return mp->count - gone < mp->limits.max_txs && bytes <= mp->limits.max_bytes &&
	       len <= mp->limits.max_bytes - bytes;
}

/* The index of the cheapest tx not doomed, not passed over and not of
 * cand's sender (the latest of equals), or mp->count. */
static size_t cheapest(const struct mempool *mp, const struct mempool_entry *cand,
		       const bool *doomed, const bool *passed)
{
	size_t best = mp->count;

	for (size_t i = 0; i < mp->count; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (doomed[i] || passed[i] || memcmp(e->sender, cand->sender, PUBKEY_SIZE) == 0)
			continue;
		if (best == mp->count || mempool_rate_cmp(e->fee, e->len, mp->entries[best].fee,
							  mp->entries[best].len) <= 0)
			best = i;
	}
	return best;
}

/* Marks (on true) or unmarks entries[i] as doomed. */
static void mark(struct mempool *mp, size_t i, bool *doomed, bool on)
{
	doomed[i] = on;
	if (mp->entries[i].fx != NULL)
		mp->entries[i].fx->doomed = on;
}

/* The plan so far. */
struct plan {
	bool *doomed, *passed;
	size_t *all, n_all; /* the doomed entries' indices */
	size_t gone, gone_bytes;
	uint64_t min_seq; /* lowest seq of a doomed ready tx */
	bool ready;	  /* a ready tx is doomed */
};

static void plan_free(struct plan *p)
{
	free(p->doomed);
	free(p->passed);
	free(p->all);
}

/* Dooms entries[v] and its sender's txs with a later nonce, if the check
 * state can lose them alone. Returns true when they were doomed. */
static bool doom(struct mempool *mp, size_t v, struct plan *p)
{
	const struct mempool_entry *victim = &mp->entries[v];
	size_t gone = 0, gone_bytes = 0;
	uint64_t min_seq = p->min_seq;
	bool ready = false;

	for (size_t i = 0; i < mp->count; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (p->doomed[i] ||
		    (i != v && (e->nonce <= victim->nonce ||
				memcmp(e->sender, victim->sender, PUBKEY_SIZE) != 0)))
			continue;
		mark(mp, i, p->doomed, true);
		p->all[p->n_all + gone++] = i;
		gone_bytes += e->len;
		if (!e->waiting) {
			ready = true;
			min_seq = e->seq < min_seq ? e->seq : min_seq;
		}
	}
	if (ready && !mp->fx_lost && !mempool_undo_possible(mp, p->all, p->n_all + gone, min_seq)) {
		/* Only this call's marks: an earlier victim stays doomed. */
		for (size_t k = 0; k < gone; k++)
			mark(mp, p->all[p->n_all + k], p->doomed, false);
		return false;
	}
	p->n_all += gone;
	p->gone += gone;
	p->gone_bytes += gone_bytes;
	p->min_seq = min_seq;
	p->ready |= ready;
	return true;
}

static enum mempool_result refuse(struct mempool *mp, const struct mempool_entry *cand,
				  struct plan *p, size_t tries, struct ledger_error *err)
{
	const struct mempool_entry *c;
	size_t cheap;

	for (size_t i = 0; i < mp->count; i++)
		mark(mp, i, p->doomed, false);
	memset(p->passed, 0, mp->count * sizeof(*p->passed));
	cheap = cheapest(mp, cand, p->doomed, p->passed);
	c = cheap < mp->count ? &mp->entries[cheap] : NULL;
	if (cand->len > mp->limits.max_bytes)
		mempool_fail(err, LEDGER_OK, "mempool full: the tx's %zu bytes exceed its %zu",
			     cand->len, mp->limits.max_bytes);
	else if (c == NULL)
		mempool_fail(err, LEDGER_OK,
			     "mempool full (%zu txs, %zu bytes): no tx of another sender to evict",
			     mp->count, mp->bytes);
	else if (tries >= EVICT_TRIES)
		mempool_fail(err, LEDGER_OK,
			     "mempool full (%zu txs, %zu bytes): the %zu cheapest txs it could "
			     "evict have txs of other senders depending on them",
			     mp->count, mp->bytes, tries);
	else if (tries > 0)
		mempool_fail(
			err, LEDGER_OK,
			"mempool full (%zu txs, %zu bytes): the %zu txs that pay less per byte "
			"than fee %llu for %zu bytes have txs of other senders depending on "
			"them",
			mp->count, mp->bytes, tries, (unsigned long long)cand->fee, cand->len);
	else
		mempool_fail(err, LEDGER_OK,
			     "mempool full (%zu txs, %zu bytes): fee %llu for %zu bytes does not "
			     "pay more per byte than the cheapest tx it could evict (fee %llu for "
			     "%zu bytes)",
			     mp->count, mp->bytes, (unsigned long long)cand->fee, cand->len,
			     (unsigned long long)c->fee, c->len);
	plan_free(p);
	return MEMPOOL_FULL;
}

/* Carries out the plan. Returns MEMPOOL_ADDED or MEMPOOL_ERROR. */
static enum mempool_result evict(struct mempool *mp, struct plan *p)
{
	/* Undo before the entries (and their records) go; if it fails, the
	 * check state is rebuilt from the pool, as it was before undo. */
	bool rebuild =
		p->ready && (mp->fx_lost || mempool_undo(mp, p->all, p->n_all, p->min_seq) != 0);

	mempool_remove_marked(mp, p->doomed);
	plan_free(p);
	if (rebuild && mempool_recheck(mp, NULL, 0, mp->next_height) < 0)
		return MEMPOOL_ERROR;
	return MEMPOOL_ADDED;
}

enum mempool_result mempool_make_room(struct mempool *mp, const struct mempool_entry *cand,
				      struct ledger_error *err)
{
	struct plan p = { .min_seq = UINT64_MAX };
	size_t n = mp->count ? mp->count : 1, tries = 0;

	p.doomed = calloc(n, sizeof(*p.doomed));
	p.passed = calloc(n, sizeof(*p.passed));
	p.all = calloc(n, sizeof(*p.all));
	if (p.doomed == NULL || p.passed == NULL || p.all == NULL) {
		plan_free(&p);
		return MEMPOOL_ERROR;
	}
	while (!fits(mp, cand->len, p.gone, p.gone_bytes)) {
		size_t v = cheapest(mp, cand, p.doomed, p.passed);

		if (cand->len > mp->limits.max_bytes || v == mp->count ||
		    mempool_rate_cmp(mp->entries[v].fee, mp->entries[v].len, cand->fee,
				     cand->len) >= 0)
			return refuse(mp, cand, &p, tries, err);
		if (doom(mp, v, &p))
			continue;
		p.passed[v] = true;
		if (++tries >= EVICT_TRIES)
			return refuse(mp, cand, &p, tries, err);
	}
	return evict(mp, &p);
}
