/* rpc_tables.c: every JSON-RPC method table of hearthd. */
#include "node/rpc_tables.h"

#include "node/net_rpc.h"
#include "node/node_control.h"
#include "node/node_rpc.h"
#include "node/node_wait.h"
#include "node/rpc_chain_more.h"
#include "node/rpc_input.h"
#include "node/rpc_market.h"
#include "node/rpc_result.h"

static const rpc_table_fn direct_tables[] = {
	node_rpc_methods,	node_control_methods, net_rpc_methods,
	rpc_chain_more_methods, rpc_market_methods,   rpc_result_methods,
	rpc_input_methods,
};

static const rpc_table_fn parked_tables[] = {
	node_wait_methods,
};

const rpc_table_fn *rpc_tables_direct(size_t *count)
{
	*count = sizeof(direct_tables) / sizeof(direct_tables[0]);
	return direct_tables;
}

const rpc_table_fn *rpc_tables_parked(size_t *count)
{
	*count = sizeof(parked_tables) / sizeof(parked_tables[0]);
	return parked_tables;
}
