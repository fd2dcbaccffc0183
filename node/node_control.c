/* node_control.c: the `stop` method of node_control.h. The handler asks
 * the loop thread to stop, as the signal handler does; the loop then runs
 * node_stop, whose RPC server stop lets this answer reach the client before
 * the server closes (rpc_server_stop drains the answers being sent). */
#include "node/node_control.h"

#include "node/node.h"

static void stop_on_loop(void *arg)
{
	struct node *node = arg;

	if (!node->stop_requested)
		log_write(&node->log, LOG_INFO, LOG_MAIN, "shutdown requested by RPC stop");
	node->stop_requested = true;
	uv_stop(&node->loop);
}

static int stop(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;

	(void)params;
	if (loop_call_run(&node->calls, stop_on_loop, node) != 0)
		return rpc_error_set(err, RPC_SHUTTING_DOWN, "the node is already shutting down");
	*result = json_pack("{s:s}", "message", "hearthd stopping");
	return *result != NULL ? 0 : rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

static const struct rpc_method methods[] = {
	{ "stop", "shut the node down gracefully (as SIGTERM does)", NULL, 0, false, stop },
};

const struct rpc_method *node_control_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
