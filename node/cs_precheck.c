/* cs_precheck.c: a proposal's tx signatures checked on the worker pool
 * before it is validated (cs_precheck.h). */
#include "node/cs_precheck.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/block.h"
#include "consensus/tx.h"
#include "node/consensus_internal.h"
#include "node/node.h"
#include "node/sigcache.h"

void cs_precheck_clear(struct cs_precheck *p)
{
	free(p->payload);
	free(p->pending);
	memset(p, 0, sizeof(*p));
}

/* The pool's queue, or NULL when there is none. */
static struct txverify *pool_of(struct consensus *c)
{
	struct node *node = c->node;

	return node->net_open && node->net.txv_open ? &node->net.txv : NULL;
}

/* Takes the waiting proposal out of c and validates it, unless the chain
 * moved past its height meanwhile. */
static void validate_waiting(struct consensus *c)
{
	struct cs_precheck ready = c->precheck;

	memset(&c->precheck, 0, sizeof(c->precheck));
	if (ready.height == c->node->chain.tip.height + 1 && c->engine != NULL && !c->failed)
		consensus_validate_now(c, ready.height, ready.id, ready.payload, ready.len);
	cs_precheck_clear(&ready);
}

/* Queues the txs of block b not checked yet; notes in p those pending. */
static void queue_unchecked(struct consensus *c, struct txverify *q, const struct block *b,
			    struct cs_precheck *p)
{
	for (size_t i = 0; i < b->msg->n_txs; i++) {
		const uint8_t *tx = b->msg->txs[i].data;
		size_t len = b->msg->txs[i].len;
		uint8_t *id = p->pending[p->n_pending];

		tx_id(tx, len, id);
		if (sigcache_has_id(c->node, id))
			continue;
		if (txverify_has(q, id) || txverify_add(q, tx, len, id, NET_TX_FROM_BLOCK) == 0)
			p->n_pending++;
	}
}

bool cs_precheck_defer(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
		       const uint8_t *payload, size_t len)
{
	struct cs_precheck *p = &c->precheck;
	struct txverify *q = pool_of(c);
	struct block b;

	if (p->waiting)
		validate_waiting(c);
	if (q == NULL ||
	    block_decode(payload, len, &c->node->chain.genesis.params, &b, NULL) != LEDGER_OK)
		return false;
	p->pending = calloc(b.msg->n_txs ? b.msg->n_txs : 1, HASH_SIZE);
	p->payload = malloc(len ? len : 1);
	if (p->pending != NULL && p->payload != NULL)
		queue_unchecked(c, q, &b, p);
	block_free(&b);
	if (p->n_pending == 0) {
		cs_precheck_clear(p);
		return false;
	}
	memcpy(p->payload, payload, len);
	p->len = len;
	p->height = height;
	memcpy(p->id, id, HASH_SIZE);
	p->waiting = true;
	return true;
}

void cs_precheck_on_checked(struct consensus *c)
{
	const struct cs_precheck *p = &c->precheck;
	struct txverify *q = pool_of(c);

	if (!p->waiting)
		return;
	for (size_t i = 0; q != NULL && i < p->n_pending; i++) {
		if (txverify_has(q, p->pending[i]))
			return;
	}
	validate_waiting(c);
}
