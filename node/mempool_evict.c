/* mempool_evict.c: room in a full pool for a tx that pays more. The
 * cheapest tx by fee per byte (the latest of equals) of another sender than
 * the newcomer's is evicted, with its sender's later-nonce txs (they cannot
 * apply without it), and again until the newcomer fits; a tx is never
 * evicted for one that does not pay strictly more per byte than it. The plan
 * is made first, so a newcomer that cannot fit evicts nothing. Evicting a
 * ready tx rebuilds the check state (mempool_update with no committed ids). */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "node/mempool_internal.h"

static bool fits(const struct mempool *mp, size_t len, size_t gone, size_t gone_bytes)
{
	size_t bytes = mp->bytes - gone_bytes;

	return mp->count - gone < mp->limits.max_txs && bytes <= mp->limits.max_bytes &&
	       len <= mp->limits.max_bytes - bytes;
}

/* The index of the cheapest tx not doomed and not of cand's sender (the
 * latest of equals), or mp->count. */
static size_t cheapest(const struct mempool *mp, const struct mempool_entry *cand,
		       const bool *doomed)
{
	size_t best = mp->count;

	for (size_t i = 0; i < mp->count; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (doomed[i] || memcmp(e->sender, cand->sender, PUBKEY_SIZE) == 0)
			continue;
		if (best == mp->count || mempool_rate_cmp(e->fee, e->len, mp->entries[best].fee,
							  mp->entries[best].len) <= 0)
			best = i;
	}
	return best;
}

/* Dooms entries[v] and its sender's txs with a later nonce. */
static void doom(const struct mempool *mp, size_t v, bool *doomed, size_t *gone, size_t *gone_bytes)
{
	const struct mempool_entry *victim = &mp->entries[v];

	for (size_t i = 0; i < mp->count; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (doomed[i] || (i != v && (e->nonce <= victim->nonce ||
					     memcmp(e->sender, victim->sender, PUBKEY_SIZE) != 0)))
			continue;
		doomed[i] = true;
		(*gone)++;
		*gone_bytes += e->len;
	}
}

static enum mempool_result refuse(const struct mempool *mp, const struct mempool_entry *cand,
				  size_t cheap, struct ledger_error *err)
{
	const struct mempool_entry *c = cheap < mp->count ? &mp->entries[cheap] : NULL;

	if (cand->len > mp->limits.max_bytes)
		mempool_fail(err, LEDGER_OK, "mempool full: the tx's %zu bytes exceed its %zu",
			     cand->len, mp->limits.max_bytes);
	else if (c == NULL)
		mempool_fail(err, LEDGER_OK,
			     "mempool full (%zu txs, %zu bytes): no tx of another sender to evict",
			     mp->count, mp->bytes);
	else
		mempool_fail(err, LEDGER_OK,
			     "mempool full (%zu txs, %zu bytes): fee %llu for %zu bytes does not "
			     "pay more per byte than the cheapest tx (fee %llu for %zu bytes)",
			     mp->count, mp->bytes, (unsigned long long)cand->fee, cand->len,
			     (unsigned long long)c->fee, c->len);
	return MEMPOOL_FULL;
}

enum mempool_result mempool_make_room(struct mempool *mp, const struct mempool_entry *cand,
				      struct ledger_error *err)
{
	bool *doomed = calloc(mp->count ? mp->count : 1, sizeof(*doomed));
	size_t gone = 0, gone_bytes = 0;
	bool ready_gone = false;

	if (doomed == NULL)
		return MEMPOOL_ERROR;
	while (!fits(mp, cand->len, gone, gone_bytes)) {
		size_t v = cheapest(mp, cand, doomed);

		if (cand->len > mp->limits.max_bytes || v == mp->count ||
		    mempool_rate_cmp(mp->entries[v].fee, mp->entries[v].len, cand->fee,
				     cand->len) >= 0) {
			memset(doomed, 0, mp->count * sizeof(*doomed));
			v = cheapest(mp, cand, doomed);
			free(doomed);
			return refuse(mp, cand, v, err);
		}
		doom(mp, v, doomed, &gone, &gone_bytes);
	}
	for (size_t i = mp->count; i-- > 0;) {
		if (!doomed[i])
			continue;
		ready_gone |= !mp->entries[i].waiting;
		mempool_remove_at(mp, i);
	}
	free(doomed);
	if (ready_gone && mempool_recheck(mp, NULL, 0, mp->next_height) < 0)
		return MEMPOOL_ERROR;
	return MEMPOOL_ADDED;
}
