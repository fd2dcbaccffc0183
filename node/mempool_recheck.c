/* mempool_recheck.c: the re-check of the pool after a committed block (and
 * after a state failure, and after an eviction when the records of the
 * ready txs were lost): the committed txs go, the others
 * are applied again, in pool order, to a fresh check state over the new tip.
 * A ready tx that fails is dropped, except one whose nonce now has a gap,
 * which waits again; then waiting txs whose nonce was used are dropped and
 * those whose gap closed are promoted. */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "node/mempool_internal.h"

/* Re-applies one kept entry to the fresh check state. Returns 1 when it
 * stays (ready, or waiting), 0 when it is dropped, -1 on a state failure. */
static int recheck_entry(struct mempool *mp, struct mempool_entry *e)
{
	enum ledger_reason r;

	if (mempool_ids_put(mp, e) != 0)
		return 0;
	if (!e->waiting) {
		r = mempool_check_apply(mp, e, false, NULL);
		if (r == LEDGER_OK)
			return 1;
		if (r == LEDGER_INTERNAL)
			return -1;
		if (r != LEDGER_TX_NONCE_GAP) {
			kvmap_erase(&mp->ids, e->id, HASH_SIZE);
			return 0;
		}
		/* An earlier nonce of its sender went: it waits again. */
	}
	e->waiting = false;
	if (mempool_wait_check(mp, e, NULL) != MEMPOOL_ADDED || mempool_wait_register(mp, e) != 0) {
		kvmap_erase(&mp->ids, e->id, HASH_SIZE);
		return 0;
	}
	return 1;
}

/* After a re-check: drops the waiting txs whose nonce is now used and
 * promotes those whose gap closed. Returns the number dropped. */
static long settle_waiting(struct mempool *mp)
{
	uint8_t(*senders)[PUBKEY_SIZE] = NULL;
	size_t n_senders = 0;
	long dropped = 0;

	if (mp->n_waiting == 0)
		return 0;
	senders = malloc(mp->n_waiting * PUBKEY_SIZE);
	for (size_t i = 0; i < mp->count;) {
		const struct mempool_entry *e = &mp->entries[i];
		struct account acct;

		if (!e->waiting || account_load(&mp->check_st, e->sender, &acct) != STATE_OK) {
			i++;
			continue;
		}
		if (e->nonce <= acct.nonce) {
			mempool_remove_at(mp, i);
			dropped++;
			continue;
		}
		if (e->nonce == acct.nonce + 1 && senders != NULL)
			memcpy(senders[n_senders++], e->sender, PUBKEY_SIZE);
		i++;
	}
	for (size_t i = 0; i < n_senders; i++)
		mempool_promote(mp, senders[i]);
	free(senders);
	return dropped;
}

long mempool_recheck(struct mempool *mp, const uint8_t (*ids)[HASH_SIZE], size_t n,
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
			mempool_reset(mp);
			return -1;
		}
	}
	mempool_fx_clear(mp);
	overlay_free(&mp->check);
	overlay_init(&mp->check, mp->base, &mp->check_st);
	mp->next_height = next_height;
	mp->bytes = 0;
	mp->n_waiting = 0;
	kvmap_clear(&mp->ids);
	kvmap_clear(&mp->waiting);
	for (size_t i = 0; i < mp->count; i++) {
		struct mempool_entry e = mp->entries[i];
		bool was_committed = kvmap_find(&committed, e.id, HASH_SIZE) != NULL;
		int keep = was_committed ? 0 : recheck_entry(mp, &e);

		if (keep < 0) {
			/* The state failed: the pool empties itself. Entries from
			 * i on are untouched; those before kept were moved. */
			for (size_t j = i; j < mp->count; j++)
				free(mp->entries[j].tx);
			mp->count = kept;
			kvmap_clear(&committed);
			mempool_reset(mp);
			return -1;
		}
		if (keep == 0) {
			if (!was_committed)
				dropped++;
			free(e.tx);
			continue;
		}
		mp->entries[kept++] = e;
		mp->bytes += e.len;
	}
	mp->count = kept;
	kvmap_clear(&committed);
	return dropped + settle_waiting(mp);
}

long mempool_update(struct mempool *mp, const uint8_t (*ids)[HASH_SIZE], size_t n,
		    uint64_t next_height)
{
	return mempool_recheck(mp, ids, n, next_height);
}
