/* rpc_builtin.h: the RPC methods that belong to the server itself and need
 * no chain: `help [command]` (the registered methods, or one method's
 * parameters) and `uptime` (seconds since the server was created). Both are
 * read-only. The server registers them in its table at creation. */
#ifndef HEARTH_NODE_RPC_BUILTIN_H
#define HEARTH_NODE_RPC_BUILTIN_H

#include <stddef.h>
#include <time.h>

#include "node/rpc_dispatch.h"

struct rpc_builtin {
	const struct rpc_table *table; /* what help describes */
	struct timespec started;       /* CLOCK_MONOTONIC */
};

/* Starts the uptime clock and registers help and uptime in t (with b as
 * their context; b must outlive t).
 * Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int
rpc_builtin_register(struct rpc_builtin *b, struct rpc_table *t, char *err, size_t err_size);

#endif
