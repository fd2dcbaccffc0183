/* rpc_server.h: hearthd's HTTP server for JSON-RPC, /health and /metrics,
 * on libmicrohttpd with its own thread pool (epoll on Linux).
 *
 *   POST /         JSON-RPC 2.0 or legacy 1.0, single or batch (rpc_dispatch)
 *   GET  /health   the node's health callback: its status (200/503), JSON body
 *   GET  /metrics  the node's collect callback, then the metrics registry
 *   GET  /input/H  the job input <datadir>/inputs/H (node/input_store.h)
 *   other paths    404; another HTTP method on a known path 405 with Allow
 *
 * POST / needs HTTP Basic credentials (rpc_auth: cookie, rpcauth,
 * rpcuser/rpcpassword); wrong ones are answered 401 after a fixed delay.
 * With public mode an unauthenticated client may call read-only methods.
 * /health, /metrics and /input/H need no credentials. Clients are accepted only from
 * loopback and the -rpcallowip subnets; listening on a non-loopback address
 * without any -rpcallowip is refused at start. Bodies over the cap are
 * answered 413 without being kept, idle connections time out, and the number
 * of connections is capped.
 *
 * Methods that wait (waitforblock, ...) are registered apart and run on
 * threads of their own while their connection is suspended (rpc_park.c),
 * so they never hold one of the pool's threads.
 *
 * Use: rpc_server_opts_from_config (or fill the options by hand),
 * rpc_server_new, rpc_server_add_methods (and rpc_server_add_parked_methods)
 * for each part of the node, rpc_server_start; at shutdown rpc_server_stop
 * and rpc_server_free. */
#ifndef HEARTH_NODE_RPC_SERVER_H
#define HEARTH_NODE_RPC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "node/config.h"
#include "node/datadir.h"
#include "node/log.h"
#include "node/metrics.h"
#include "node/rpc_auth.h"
#include "node/rpc_dispatch.h"

#define RPC_MAX_BIND		8
#define RPC_MAX_ALLOWIP		64
#define RPC_DEFAULT_PORT	9741
#define RPC_DEFAULT_PORT_DEV	19741
#define RPC_DEFAULT_THREADS	4
#define RPC_DEFAULT_MAX_BODY	(4u * 1024 * 1024)
#define RPC_DEFAULT_TIMEOUT_S	30
#define RPC_DEFAULT_MAX_CONN	128
#define RPC_DEFAULT_AUTH_DELAY	250 /* ms, like bitcoind */
#define RPC_DEFAULT_MAX_WAITERS 32
#define RPC_DRAIN_MS		2000 /* at stop, for answers still being sent */

/* The node's answer to GET /health.
 * Out: *body, a new JSON object (e.g. {"status":"ok","height":12}).
 * Returns the HTTP status: 200 when synced and committing, else 503. */
typedef unsigned (*rpc_health_fn)(void *ctx, json_t **body);

/* Called before each GET /metrics renders, to refresh sampled gauges. */
typedef void (*rpc_collect_fn)(void *ctx);

struct rpc_server_opts {
	const char *bind[RPC_MAX_BIND]; /* none: 127.0.0.1 */
	size_t num_bind;
	uint16_t port; /* for bind addresses without one; 0: the OS picks */
	const char *allowip[RPC_MAX_ALLOWIP];
	size_t num_allowip;
	const char *rpcauth[RPC_AUTH_MAX_ENTRIES];
	size_t num_rpcauth;
	const char *user, *password; /* NULL when unset */
	bool public_mode;
	unsigned threads;	       /* 1..64 */
	size_t max_body;	       /* bytes */
	unsigned timeout_s;	       /* idle connection timeout */
	unsigned max_connections;      /* >= threads */
	size_t max_batch;	       /* requests per batch */
	unsigned max_parked;	       /* calls of parked methods at once */
	unsigned auth_fail_delay_ms;   /* before a 401 for wrong credentials */
	const struct datadir *datadir; /* where .cookie goes; NULL: no cookie */
	struct metrics *metrics;       /* NULL: nothing recorded, /metrics 404 */
	struct log *log;	       /* NULL: silent */
	rpc_health_fn health;	       /* NULL: /health 404 */
	rpc_collect_fn collect;	       /* may be NULL */
	void *ctx;		       /* for health and collect */
};

/* Fills o with the defaults above (no bind, port RPC_DEFAULT_PORT, no
 * credentials, no callbacks). */
void rpc_server_opts_default(struct rpc_server_opts *o);

/* Reads the rpc* settings of cfg into o (over the defaults): rpcbind,
 * rpcport (default by network), rpcallowip, rpcauth, rpcuser, rpcpassword,
 * rpcpublic, rpcthreads, rpcmaxbody, rpcservertimeout, rpcmaxconnections,
 * rpcmaxbatch, rpcmaxwaiters. The strings point into cfg, which must outlive o.
 * Returns 0, or -1 with err when a list has too many values. */
__attribute__((warn_unused_result)) int rpc_server_opts_from_config(struct rpc_server_opts *o,
								    const struct config *cfg,
								    char *err, size_t err_size);

struct rpc_server;

/* Checks the options and prepares a server (nothing bound yet) with the
 * methods help and uptime registered and the RPC metric families in
 * opts->metrics. The strings and objects of opts must outlive the server.
 * Out: err on failure (bad address, subnet, rpcauth entry, credentials,
 * limits, a non-loopback bind without -rpcallowip).
 * Returns the server (free with rpc_server_free), or NULL. */
__attribute__((warn_unused_result)) struct rpc_server *
rpc_server_new(const struct rpc_server_opts *opts, char *err, size_t err_size);

/* Registers methods[0..count) with their context (see rpc_table_add); only
 * before rpc_server_start. Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int rpc_server_add_methods(struct rpc_server *srv,
							       const struct rpc_method *methods,
							       size_t count, void *ctx, char *err,
							       size_t err_size);

/* Registers methods that may wait for a long time (see
 * rpc_table_add_parked): a request calling one runs on a thread of its own
 * while its connection is suspended, at most opts.max_parked at once (more
 * are answered -31); their handlers must return promptly once the node
 * starts stopping. Only before rpc_server_start. Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int
rpc_server_add_parked_methods(struct rpc_server *srv, const struct rpc_method *methods,
			      size_t count, void *ctx, char *err, size_t err_size);

/* rpc_table_set_batch on the server's table; before rpc_server_start.
 * Returns 0, or -1 (err set) for an unknown method or a started server. */
__attribute__((warn_unused_result)) int rpc_server_set_batch(struct rpc_server *srv,
							     const char *name, rpc_batch_fn fn,
							     char *err, size_t err_size);

/* Binds every address, starts the threads, and writes the cookie (unless
 * -rpcpassword is set or there is no datadir).
 * Returns 0, or -1 with err (nothing left running). */
__attribute__((warn_unused_result)) int rpc_server_start(struct rpc_server *srv, char *err,
							 size_t err_size);

/* The port the i-th bind address listens on (useful with port 0), or 0. */
uint16_t rpc_server_port(const struct rpc_server *srv, size_t i);

/* Refuses new parked calls and waits for the parked ones to be answered,
 * waits up to RPC_DRAIN_MS for answers still being sent (so the answer of
 * `stop` reaches its client), then stops accepting, waits for the threads
 * and deletes the cookie. Safe to call twice or on a server never started. */
void rpc_server_stop(struct rpc_server *srv);

/* Stops the server if needed and frees it. NULL is allowed. */
void rpc_server_free(struct rpc_server *srv);

#endif
