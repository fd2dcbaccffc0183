/* mempool_reap.c: picks the txs of a block from the pool. When all ready
 * txs fit they go in pool order. Otherwise they go by fee per byte, highest
 * first (ties in pool order), each sender's in nonce order, through a binary
 * heap over the senders' next txs. The ready txs in
 * the pool's order always form a valid block (that is how they entered the
 * check state); a pick in any other order is made again with each tx applied
 * on a scratch overlay over the committed state, leaving out a sender whose
 * tx fails there (it depended on a tx of another sender left behind). */
#include "node/mempool.h"

#include <stdlib.h>
#include <string.h>

#include "node/mempool_internal.h"

#define NONE SIZE_MAX

struct reap {
	const struct mempool *mp;
	size_t *next; /* next[i]: the sender's next ready tx after i, or NONE */
	size_t *tail; /* tail[head]: the sender's last ready tx so far */
	size_t *heap; /* entry indices, best on top */
	size_t n_heap;
};

/* True when entry a goes before entry b. */
static bool better(const struct mempool *mp, size_t a, size_t b)
{
	const struct mempool_entry *x = &mp->entries[a], *y = &mp->entries[b];
	int c = mempool_rate_cmp(x->fee, x->len, y->fee, y->len);

	return c != 0 ? c > 0 : a < b;
}

static void heap_push(struct reap *r, size_t idx)
{
	size_t k = r->n_heap++;

	while (k > 0 && better(r->mp, idx, r->heap[(k - 1) / 2])) {
		r->heap[k] = r->heap[(k - 1) / 2];
		k = (k - 1) / 2;
	}
	r->heap[k] = idx;
}

static size_t heap_pop(struct reap *r)
{
	size_t top = r->heap[0], last = r->heap[--r->n_heap], k = 0;

	for (;;) {
		size_t c = 2 * k + 1;

		if (c >= r->n_heap)
			break;
		if (c + 1 < r->n_heap && better(r->mp, r->heap[c + 1], r->heap[c]))
			c++;
		if (!better(r->mp, r->heap[c], last))
			break;
		r->heap[k] = r->heap[c];
		k = c;
	}
	if (r->n_heap > 0)
		r->heap[k] = last;
	return top;
}

/* Links each sender's ready txs in pool order and puts each sender's first
 * on the heap. Returns 0 or -1 (no memory). */
static int chains_build(struct reap *r)
{
	const struct mempool *mp = r->mp;
	struct kvmap heads; /* sender -> index of its first ready tx */
	int rc = 0;

	kvmap_init(&heads);
	r->n_heap = 0;
	for (size_t i = 0; i < mp->count && rc == 0; i++) {
		const struct mempool_entry *e = &mp->entries[i];
		const struct kv_entry *h;
		size_t head;

		if (e->waiting)
			continue;
		r->next[i] = NONE;
		h = kvmap_find(&heads, e->sender, PUBKEY_SIZE);
		if (h == NULL) {
			rc = kvmap_set(&heads, e->sender, PUBKEY_SIZE, (const uint8_t *)&i,
				       sizeof(i), false);
			r->tail[i] = i;
			heap_push(r, i);
			continue;
		}
		memcpy(&head, h->val, sizeof(head));
		r->next[r->tail[head]] = i;
		r->tail[head] = i;
	}
	kvmap_clear(&heads);
	return rc;
}

/* Pops txs off the heap while they fit; with check, only those that apply
 * on it. Returns the number picked. */
static size_t pick(struct reap *r, size_t max_bytes, size_t max_txs, const struct state *check,
		   const uint8_t **txs, size_t *lens)
{
	static const uint8_t no_proposer[PUBKEY_SIZE];
	const struct mempool *mp = r->mp;
	struct ledger_block_ctx blk;
	size_t n = 0, bytes = 0;

	ledger_block_ctx_init(&blk, mp->next_height, no_proposer);
	while (r->n_heap > 0 && n < max_txs) {
		size_t i = heap_pop(r);
		const struct mempool_entry *e = &mp->entries[i];
		enum ledger_reason res = LEDGER_OK;

		/* A tx that does not fit or fails leaves its sender out: its
		 * later nonces depend on it. */
		if (e->len > max_bytes - bytes)
			continue;
		if (check != NULL)
			res = ledger_apply_tx(mp->ledger, check, &blk, e->tx, e->len, false, NULL);
		if (res == LEDGER_INTERNAL)
			break;
		if (res != LEDGER_OK)
			continue;
		txs[n] = e->tx;
		lens[n] = e->len;
		bytes += e->len;
		n++;
		if (r->next[i] != NONE)
			heap_push(r, r->next[i]);
	}
	return n;
}

/* True when txs[n] are the first n ready txs of the pool, in its order. */
static bool in_pool_order(const struct mempool *mp, const uint8_t *const *txs, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < mp->count && k < n; i++) {
		if (mp->entries[i].waiting)
			continue;
		if (mp->entries[i].tx != txs[k++])
			return false;
	}
	return k == n;
}

/* The ready txs in pool order while they fit: valid, and needs no memory. */
static size_t reap_in_order(const struct mempool *mp, size_t max_bytes, size_t max_txs,
			    const uint8_t **txs, size_t *lens)
{
	size_t n = 0, bytes = 0;

	for (size_t i = 0; i < mp->count && n < max_txs; i++) {
		const struct mempool_entry *e = &mp->entries[i];

		if (e->waiting)
			continue;
		if (e->len > max_bytes - bytes)
			break;
		txs[n] = e->tx;
		lens[n] = e->len;
		bytes += e->len;
		n++;
	}
	return n;
}

size_t mempool_reap(const struct mempool *mp, size_t max_bytes, size_t max_txs, const uint8_t **txs,
		    size_t *lens)
{
	struct reap r = { .mp = mp };
	size_t n = 0;

	if (mp->count == 0 || max_txs == 0)
		return 0;
	/* When every ready tx fits, all go in, and in pool order nothing needs
	 * checking: priority only decides who waits for a later block. */
	n = reap_in_order(mp, max_bytes, max_txs, txs, lens);
	if (n == mp->count - mp->n_waiting)
		return n;
	r.next = malloc(mp->count * sizeof(*r.next));
	r.tail = malloc(mp->count * sizeof(*r.tail));
	r.heap = malloc(mp->count * sizeof(*r.heap));
	if (r.next == NULL || r.tail == NULL || r.heap == NULL || chains_build(&r) != 0) {
		n = reap_in_order(mp, max_bytes, max_txs, txs, lens);
		goto out;
	}
	n = pick(&r, max_bytes, max_txs, NULL, txs, lens);
	if (!in_pool_order(mp, txs, n)) {
		struct overlay ov;
		struct state scratch;

		overlay_init(&ov, mp->base, &scratch);
		n = chains_build(&r) == 0 ? pick(&r, max_bytes, max_txs, &scratch, txs, lens)
					  : reap_in_order(mp, max_bytes, max_txs, txs, lens);
		overlay_free(&ov);
	}
out:
	free(r.next);
	free(r.tail);
	free(r.heap);
	return n;
}
