/* txverify.h: the stateless checks of txs (tx_decode, BIP340 signature
 * included) on libuv's worker pool, in batches, with the results handed
 * back on the loop in the order the txs were added. Used for txs received
 * by gossip, so that the loop thread does not spend its time verifying
 * signatures (DESIGN.md, "Node": the worker pool verifies).
 *
 * A batch is the txs added during one turn of the loop (handed to a worker
 * by a uv_idle handle at the start of the next turn, before the loop
 * polls again), or TXVERIFY_BATCH of them
 * when more arrive at once; several batches may be verified at once on
 * different workers, and a batch that finishes early waits for those added
 * before it. At most TXVERIFY_MAX_PENDING txs wait or are being verified;
 * more are refused (gossip asks for them again later). A tx whose id waits
 * already is refused too: the same tx from several peers is verified once.
 * Owned by the loop thread; the workers only read the batch they verify
 * and the chain id and params copied at init. */
#ifndef HEARTH_NODE_TXVERIFY_H
#define HEARTH_NODE_TXVERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/kvmap.h"
#include "consensus/ledger.h"

#define TXVERIFY_BATCH	     256
#define TXVERIFY_MAX_PENDING 20000

/* One tx and its verdict. */
struct txverify_item {
	uint8_t *tx; /* the bytes added (owned by the batch) */
	size_t len;
	uint8_t id[HASH_SIZE];
	uint64_t tag;		   /* the caller's (the peer the tx came from) */
	enum ledger_reason reason; /* LEDGER_OK: decodes, checks and signature hold */
	char why[200];		   /* the reason's one line when not LEDGER_OK */
};

/* Called on the loop with the verdicts of one batch, batches in the order
 * of their txs' txverify_add. The batch's txs no longer wait then
 * (txverify_has is false for them); the items are freed after it returns. */
typedef void (*txverify_done_fn)(void *arg, const struct txverify_item *items, size_t n);

struct txverify_batch;

struct txverify {
	uv_loop_t *loop;
	uv_idle_t idle;
	bool idle_open, closing;
	char chain_id[CHAIN_ID_MAX + 1];
	struct params params;
	txverify_done_fn done;
	void *arg;
	struct txverify_batch *open;	    /* being filled this turn, or NULL */
	struct txverify_batch *head, *tail; /* handed to workers, oldest first */
	size_t pending;			    /* txs in open and in flight */
	struct kvmap ids;		    /* their ids */
};

/* In:  loop; chain_id, p: what tx_decode checks against (copied); done,
 *      arg: the verdicts' receiver.
 * Out: q (close with txverify_close).
 * Returns 0, or -1 when the idle handle cannot be made. */
__attribute__((warn_unused_result)) int txverify_init(struct txverify *q, uv_loop_t *loop,
						      const char *chain_id, const struct params *p,
						      txverify_done_fn done, void *arg);

/* Queues a copy of tx[len], whose id (tx_id) is id, with tag.
 * Returns 0, or -1 when the same id waits already, TXVERIFY_MAX_PENDING
 * txs wait, memory runs out or q is closing (the tx is then not verified). */
__attribute__((warn_unused_result)) int txverify_add(struct txverify *q, const uint8_t *tx,
						     size_t len, const uint8_t id[HASH_SIZE],
						     uint64_t tag);

/* True when the tx with this id waits or is being verified. */
bool txverify_has(const struct txverify *q, const uint8_t id[HASH_SIZE]);

/* True when nothing waits or is being verified. */
bool txverify_idle(const struct txverify *q);

/* Stops: txs not yet handed to a worker are dropped, and done is not called
 * again. Batches in flight are freed when their workers finish, so the loop
 * must run on (as it does to close handles) before it is closed. */
void txverify_close(struct txverify *q);

#endif
