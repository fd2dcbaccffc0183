/* txverify.c: tx signatures verified on libuv's worker pool, in batches,
 * the verdicts handed back on the loop in the order the txs came
 * (txverify.h). */
#include "node/txverify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"

_Static_assert(sizeof(((struct txverify_item *)0)->why) == sizeof(((struct ledger_error *)0)->text),
	       "why holds a ledger_error's text");

struct txverify_batch {
	uv_work_t work;
	struct txverify *q;
	struct txverify_item *items;
	size_t count, cap;
	bool verified; /* the worker is done */
	struct txverify_batch *next;
};

/* The batch's txs no longer wait (txverify_has is false for them). */
static void batch_forget_ids(struct txverify_batch *b)
{
	for (size_t i = 0; i < b->count; i++)
		kvmap_erase(&b->q->ids, b->items[i].id, HASH_SIZE);
}

static void batch_release(struct txverify_batch *b)
{
	for (size_t i = 0; i < b->count; i++)
		free(b->items[i].tx);
	free(b->items);
	free(b);
}

static void batch_free(struct txverify_batch *b)
{
	batch_forget_ids(b);
	batch_release(b);
}

/* On a worker: every check of tx_decode, signature included. */
static void on_work(uv_work_t *req)
{
	struct txverify_batch *b = req->data;
	const struct txverify *q = b->q;

	for (size_t i = 0; i < b->count; i++) {
		struct txverify_item *it = &b->items[i];
		struct ledger_error err;
		struct tx tx;

		it->reason = tx_decode(it->tx, it->len, q->chain_id, &q->params, true, &tx, &err);
		if (it->reason == LEDGER_OK)
			tx_free(&tx);
		else
			memcpy(it->why, err.text, sizeof(it->why));
	}
}

/* Hands the verdicts of every finished batch at the head to done. */
static void deliver(struct txverify *q)
{
	while (q->head != NULL && q->head->verified) {
		struct txverify_batch *b = q->head;

		q->head = b->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->pending -= b->count;
		/* done sees these txs as no longer waiting. */
		batch_forget_ids(b);
		if (!q->closing)
			q->done(q->arg, b->items, b->count);
		batch_release(b);
	}
}

static void on_after_work(uv_work_t *req, int status)
{
	struct txverify_batch *b = req->data;

	(void)status; /* cancelled or not, the batch is only dropped at close */
	b->verified = true;
	deliver(b->q);
}

/* Hands the open batch to a worker. */
static void submit(struct txverify *q)
{
	struct txverify_batch *b = q->open;

	if (b == NULL)
		return;
	q->open = NULL;
	b->work.data = b;
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	if (uv_queue_work(q->loop, &b->work, on_work, on_after_work) != 0) {
		/* Never for a valid loop and callbacks; verify here instead so
		 * the order and the verdicts stay the same. */
		on_work(&b->work);
		b->verified = true;
		deliver(q);
	}
}

static void on_idle(uv_idle_t *handle)
{
	struct txverify *q = handle->data;

	submit(q);
	(void)uv_idle_stop(&q->idle);
}

int txverify_init(struct txverify *q, uv_loop_t *loop, const char *chain_id, const struct params *p,
		  txverify_done_fn done, void *arg)
{
	memset(q, 0, sizeof(*q));
	kvmap_init(&q->ids);
	q->loop = loop;
	snprintf(q->chain_id, sizeof(q->chain_id), "%s", chain_id);
	q->params = *p;
	q->done = done;
	q->arg = arg;
	if (uv_idle_init(loop, &q->idle) != 0)
		return -1;
	q->idle.data = q;
	q->idle_open = true;
	return 0;
}

static struct txverify_batch *open_batch(struct txverify *q)
{
	struct txverify_batch *b;

	if (q->open != NULL)
		return q->open;
	b = calloc(1, sizeof(*b));
	if (b == NULL)
		return NULL;
	b->items = calloc(TXVERIFY_BATCH, sizeof(*b->items));
	if (b->items == NULL) {
		free(b);
		return NULL;
	}
	b->cap = TXVERIFY_BATCH;
	b->q = q;
	if (uv_idle_start(&q->idle, on_idle) != 0) {
		batch_free(b);
		return NULL;
	}
	q->open = b;
	return b;
}

int txverify_add(struct txverify *q, const uint8_t *tx, size_t len, const uint8_t id[HASH_SIZE],
		 uint64_t tag)
{
	struct txverify_batch *b;
	struct txverify_item *it;

	if (q->closing || q->pending >= TXVERIFY_MAX_PENDING || txverify_has(q, id))
		return -1;
	b = open_batch(q);
	if (b == NULL)
		return -1;
	it = &b->items[b->count];
	it->tx = malloc(len > 0 ? len : 1);
	if (it->tx == NULL)
		return -1;
	if (kvmap_set(&q->ids, id, HASH_SIZE, NULL, 0, false) != 0) {
		free(it->tx);
		return -1;
	}
	memcpy(it->id, id, HASH_SIZE);
	if (len > 0)
		memcpy(it->tx, tx, len);
	it->len = len;
	it->tag = tag;
	b->count++;
	q->pending++;
	if (b->count == b->cap)
		submit(q);
	return 0;
}

bool txverify_has(const struct txverify *q, const uint8_t id[HASH_SIZE])
{
	return kvmap_find(&q->ids, id, HASH_SIZE) != NULL;
}

bool txverify_idle(const struct txverify *q)
{
	return q->pending == 0;
}

void txverify_close(struct txverify *q)
{
	if (q->closing)
		return;
	q->closing = true;
	if (q->open != NULL) {
		q->pending -= q->open->count;
		batch_free(q->open);
		q->open = NULL;
	}
	if (q->idle_open)
		uv_close((uv_handle_t *)&q->idle, NULL);
	q->idle_open = false;
}
