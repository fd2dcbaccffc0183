/* rpc_chain_more.c: estimatefee, getblockheader, getvalidators and
 * decoderawtransaction. Every result is a JSON object. */
#include "node/rpc_chain_more.h"

#include "node/fee_estimate.h"
#include "node/node.h"

static int no_memory(struct rpc_error *err)
{
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

/* estimatefee: computed on the loop thread, which owns the mempool. */
struct fee_query {
	struct node *node;
	struct fee_estimate est;
	int rc;
};

static void fee_on_loop(void *arg)
{
	struct fee_query *q = arg;
	const struct params *p = &q->node->chain.genesis.params;

	q->rc = fee_estimate(&q->node->mempool, p->min_fee_per_byte, p->max_tx_bytes, &q->est);
}

static int estimatefee(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct fee_query q = { .node = ctx };

	(void)params;
	if (loop_call_run(&q.node->calls, fee_on_loop, &q) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is shutting down");
	if (q.rc != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "a pending tx does not decode");
	*result = json_pack("{s:I, s:I}", "feerate", (json_int_t)q.est.feerate, "min_feerate",
			    (json_int_t)q.est.min_feerate);
	return *result != NULL ? 0 : no_memory(err);
}

static const struct rpc_method methods[] = {
	{ "estimatefee", "fee per byte a new tx should pay to get into the mempool", NULL, 0, true,
	  estimatefee },
};

const struct rpc_method *rpc_chain_more_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
