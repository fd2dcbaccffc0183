/* rpc_tables.h: the list of every JSON-RPC method table hearthd serves, in
 * registration order, so that start-up and the documentation test read the
 * same list. A table is a function returning its methods and their count. */
#ifndef HEARTH_NODE_RPC_TABLES_H
#define HEARTH_NODE_RPC_TABLES_H

#include <stddef.h>

#include "node/rpc_dispatch.h"

typedef const struct rpc_method *(*rpc_table_fn)(size_t *count);

/* The tables answered on the HTTP threads. Out: *count. */
const rpc_table_fn *rpc_tables_direct(size_t *count);

/* The tables whose calls wait (long polls), run parked off the HTTP
 * threads (rpc_server_add_parked_methods). Out: *count. */
const rpc_table_fn *rpc_tables_parked(size_t *count);

#endif
