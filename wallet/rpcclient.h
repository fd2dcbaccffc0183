/* rpcclient.h: hearth-cli's JSON-RPC 2.0 client over HTTP (libcurl), with
 * bitcoin-cli's habits:
 *   - credentials: -rpcuser/-rpcpassword when given, else the node's cookie
 *     <datadir>/.cookie of the network (<base> on main, <base>/testnet,
 *     <base>/dev; <base> = -datadir or ~/.hearth), read at each attempt so
 *     that -rpcwait picks up the cookie of a node that is still starting;
 *   - address: -rpcconnect (default 127.0.0.1) and -rpcport (default 9741,
 *     19741 on dev);
 *   - -rpcwait: retry while the node cannot be reached, has no cookie yet or
 *     answers -28 (warming up), for at most -rpcwaittimeout seconds.
 * The caller runs curl_global_init once before any client is made. */
#ifndef HEARTH_WALLET_RPCCLIENT_H
#define HEARTH_WALLET_RPCCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "consensus/crypto.h"

#define RPC_CLIENT_DEFAULT_HOST	  "127.0.0.1"
#define RPC_CLIENT_PORT_MAIN	  9741
#define RPC_CLIENT_PORT_DEV	  19741
#define RPC_CLIENT_REPLY_MAX	  (64u << 20) /* bytes of one answer */
#define RPC_CLIENT_ERR_MAX	  512
#define RPC_CLIENT_WAIT_DEFAULT_S 60
#define RPC_CLIENT_TIMEOUT_S	  300 /* one request */
#define RPC_CLIENT_PATH_MAX	  4096
#define RPC_CLIENT_CODE_WARMUP	  -28
#define RPC_CLIENT_CODE_NOT_FOUND -32601
#define RPC_CLIENT_CODE_NO_SUCH	  -5 /* no such block, tx, bid, lease... (doc/rpc.md) */

struct rpc_client_opts {
	const char *datadir; /* base directory, NULL: ~/.hearth */
	enum network net;
	const char *host; /* NULL: 127.0.0.1 */
	unsigned port;	  /* 0: the network's default */
	const char *user; /* with password: no cookie */
	const char *password;
	bool wait;
	unsigned wait_timeout_s;
};

/* Why a call failed. */
enum rpc_failure {
	RPC_FAIL_NONE,
	RPC_FAIL_CONNECT, /* no node at the address, or no cookie */
	RPC_FAIL_AUTH,	  /* HTTP 401 */
	RPC_FAIL_REMOTE,  /* a JSON-RPC error: code and message */
	RPC_FAIL_PROTOCOL /* not a JSON-RPC answer, too large, out of memory */
};

struct rpc_error {
	enum rpc_failure failure;
	int64_t code;			  /* RPC_FAIL_REMOTE */
	char message[RPC_CLIENT_ERR_MAX]; /* one line, for the user */
};

struct rpc_client {
	struct rpc_client_opts opts;
	char url[300];
	char cookie_path[RPC_CLIENT_PATH_MAX];
	unsigned port;
	uint64_t next_id;
};

/* Prepares a client (no connection yet).
 * Returns 0, or -1 with e->message (path too long, HOME unset, bad host). */
__attribute__((warn_unused_result)) int
rpc_client_init(struct rpc_client *c, const struct rpc_client_opts *o, struct rpc_error *e);

/* Calls method with params (a JSON array or object, or NULL; borrowed).
 * Out: *result (caller json_decref's it) on success.
 * Returns 0, or -1 with e filled: for RPC_FAIL_REMOTE, e->message is
 * "error code N: message". */
__attribute__((warn_unused_result)) int rpc_client_call(struct rpc_client *c, const char *method,
							json_t *params, json_t **result,
							struct rpc_error *e);

#endif
