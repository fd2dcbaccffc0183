/* rpc_options.c: the RPC server's options: defaults, and how the rpc*
 * settings of hearth.conf and the command line map onto them (declared in
 * rpc_server.h, whose struct they fill). */
#include "node/rpc_server.h"

#include <stdio.h>
#include <string.h>

void rpc_server_opts_default(struct rpc_server_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->port = RPC_DEFAULT_PORT;
	o->threads = RPC_DEFAULT_THREADS;
	o->max_body = RPC_DEFAULT_MAX_BODY;
	o->timeout_s = RPC_DEFAULT_TIMEOUT_S;
	o->max_connections = RPC_DEFAULT_MAX_CONN;
	o->max_batch = RPC_DEFAULT_MAX_BATCH;
	o->max_parked = RPC_DEFAULT_MAX_WAITERS;
	o->auth_fail_delay_ms = RPC_DEFAULT_AUTH_DELAY;
}

#define LIST_MAX 64
_Static_assert(RPC_MAX_BIND <= LIST_MAX && RPC_MAX_ALLOWIP <= LIST_MAX &&
		       RPC_AUTH_MAX_ENTRIES <= LIST_MAX,
	       "get_list's probe holds every list");

/* Reads list key name into values[0..max); one more value than fits is an
 * error rather than a silent cut. */
static int get_list(const struct config *cfg, const char *name, const char **values, size_t max,
		    size_t *count, char *err, size_t err_size)
{
	const char *probe[LIST_MAX + 1];
	size_t n = config_get_list(cfg, name, probe, max + 1);

	if (n > max) {
		snprintf(err, err_size, "more than %zu -%s values", max, name);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		values[i] = probe[i];
	*count = n;
	return 0;
}

int rpc_server_opts_from_config(struct rpc_server_opts *o, const struct config *cfg, char *err,
				size_t err_size)
{
	bool dev = strcmp(config_network(cfg), "dev") == 0;

	if (get_list(cfg, "rpcbind", o->bind, RPC_MAX_BIND, &o->num_bind, err, err_size) != 0 ||
	    get_list(cfg, "rpcallowip", o->allowip, RPC_MAX_ALLOWIP, &o->num_allowip, err,
		     err_size) != 0 ||
	    get_list(cfg, "rpcauth", o->rpcauth, RPC_AUTH_MAX_ENTRIES, &o->num_rpcauth, err,
		     err_size) != 0)
		return -1;
	/* The settings table bounds every number below (see config.c). */
	o->port = (uint16_t)config_get_int(cfg, "rpcport",
					   dev ? RPC_DEFAULT_PORT_DEV : RPC_DEFAULT_PORT);
	o->user = config_get(cfg, "rpcuser");
	o->password = config_get(cfg, "rpcpassword");
	o->public_mode = config_get_bool(cfg, "rpcpublic", false);
	o->threads = (unsigned)config_get_int(cfg, "rpcthreads", RPC_DEFAULT_THREADS);
	o->max_body = (size_t)config_get_int(cfg, "rpcmaxbody", RPC_DEFAULT_MAX_BODY);
	o->timeout_s = (unsigned)config_get_int(cfg, "rpcservertimeout", RPC_DEFAULT_TIMEOUT_S);
	o->max_connections =
		(unsigned)config_get_int(cfg, "rpcmaxconnections", RPC_DEFAULT_MAX_CONN);
	o->max_batch = (size_t)config_get_int(cfg, "rpcmaxbatch", RPC_DEFAULT_MAX_BATCH);
	o->max_parked = (unsigned)config_get_int(cfg, "rpcmaxwaiters", RPC_DEFAULT_MAX_WAITERS);
	return 0;
}
