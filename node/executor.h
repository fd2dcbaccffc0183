/* executor.h: the provider's executor. With -provider, hearthd runs the jobs
 * the market leased to its provider key: after each committed block it
 * picks up the new leases of that key (from the block's write set; at
 * start-up from the market's index of the provider's leases), stores each
 * job's inline input, runs up to the offer's slots at once in sandboxes on
 * threads of their own with exactly the bid's limits, submits the receipt
 * (r = 1, and a dispute's verifier lease) or the commitment then the reveal
 * (r >= 2) through the node's own mempool, re-submits a tx the pool
 * dropped, and follows each lease until it settles. Every step is recorded
 * in the lease's journal (node/journal.h) so a restart resumes it. Owned by
 * the loop thread; doc/provider.md. */
#ifndef HEARTH_NODE_EXECUTOR_H
#define HEARTH_NODE_EXECUTOR_H

#include <stddef.h>

#include "consensus/overlay.h"

struct node;
struct executor;

/* Starts the executor of node (which has its provider key, chain, mempool,
 * metrics and loop): loads the journals under <datadir>/results, picks up
 * the provider's active leases, and starts what can run.
 * Out: *out (executor_free it after executor_stop). Returns 0, or -1 with
 * err. */
__attribute__((warn_unused_result)) int executor_start(struct executor **out, struct node *node,
						       char *err, size_t err_size);

/* Before the committed block's write set is dropped: notes the new leases
 * of the provider in it. */
void executor_note_writes(struct executor *x, const struct overlay *writes);

/* After a block is committed and the mempool updated: receives the noted
 * leases, starts jobs, submits and re-submits txs, follows settlements. */
void executor_on_block(struct executor *x);

/* Cancels the running jobs (they stay "running" in their journals and run
 * again after a restart), waits for their threads, and closes the loop
 * handles; the loop must run once more for them to close. */
void executor_stop(struct executor *x);

/* Frees x (after executor_stop and the loop's last run). NULL is allowed. */
void executor_free(struct executor *x);

/* Out: dir = the directory results are kept in. */
const char *executor_results_dir(const struct executor *x);

#endif
