/* rpc_dispatch.h: JSON-RPC without HTTP. A table of methods, registered by
 * the node (and by the server for its own methods), and the function that
 * turns a request body into a response body and the HTTP status to send.
 *
 * Requests follow JSON-RPC 2.0 ("jsonrpc": "2.0": notifications, batches,
 * id of type string, number or null) and, for bitcoind-era clients, the
 * legacy 1.0 form (no "jsonrpc" member, or "1.0"), answered as bitcoind does:
 * result, error and id always present. Each method declares its parameters
 * (name, type, optional); dispatch accepts them by position or by name,
 * checks them and hands the handler a normalised array with one slot per
 * declared parameter (JSON null for an absent optional one), so a handler
 * never re-validates its input. doc/rpc.md describes the protocol and every
 * error code below. */
#ifndef HEARTH_NODE_RPC_DISPATCH_H
#define HEARTH_NODE_RPC_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define RPC_ERROR_MESSAGE_MAX 256
#define RPC_MAX_METHODS	      256
#define RPC_MAX_PARAMS	      16
#define RPC_DEFAULT_MAX_BATCH 1000

/* Error codes: the JSON-RPC 2.0 standard ones, then the application ones
 * (bitcoind's numbers where the meaning is the same). */
enum rpc_code {
	RPC_OK = 0,
	RPC_PARSE_ERROR = -32700,
	RPC_INVALID_REQUEST = -32600,
	RPC_METHOD_NOT_FOUND = -32601,
	RPC_INVALID_PARAMS = -32602,
	RPC_INTERNAL_ERROR = -32603,
	RPC_MISC_ERROR = -1,	     /* an error with no code of its own */
	RPC_FORBIDDEN = -2,	     /* not a read-only method, in public mode */
	RPC_NOT_FOUND = -5,	     /* no such block, tx, account, lease, method */
	RPC_INVALID_PARAMETER = -8,  /* well typed but out of range */
	RPC_NOT_SYNCED = -10,	     /* the node is still catching up */
	RPC_TX_REJECTED = -26,	     /* the mempool refused a tx; message says why */
	RPC_TX_ALREADY_KNOWN = -27,  /* tx already in the mempool or the chain */
	RPC_IN_WARMUP = -28,	     /* the node is starting */
	RPC_SHUTTING_DOWN = -29,     /* the node is stopping */
	RPC_TIMEOUT = -30,	     /* reserved: waits answer timed_out instead */
	RPC_RESOURCE_EXHAUSTED = -31 /* a queue or limit of the node is full */
};

enum rpc_param_type {
	RPC_PARAM_STRING,
	RPC_PARAM_INT,	  /* JSON integer */
	RPC_PARAM_UINT,	  /* JSON integer >= 0 */
	RPC_PARAM_NUMBER, /* JSON integer or real */
	RPC_PARAM_BOOL,
	RPC_PARAM_OBJECT,
	RPC_PARAM_ARRAY,
	RPC_PARAM_ANY,
};

struct rpc_param {
	const char *name; /* as given in a by-name call */
	enum rpc_param_type type;
	bool optional;
	const char *help; /* one line, shown by help */
};

struct rpc_error {
	int code; /* enum rpc_code, or another documented code */
	char message[RPC_ERROR_MESSAGE_MAX];
};

/* A method's work. Called on an HTTP thread, concurrently with other calls.
 * In:  ctx: the pointer given with the method to rpc_table_add;
 *      params: array of exactly num_params items in declaration order, each
 *      of its declared type, JSON null for an absent optional one (borrowed).
 * Out: *result: a new reference (an object, by the project's rule) on
 *      success; err on failure (use rpc_error_set).
 * Returns 0 on success, -1 on failure. */
typedef int (*rpc_handler_fn)(void *ctx, json_t *params, json_t **result, struct rpc_error *err);

/* Runs n calls of one method at once: a run of consecutive calls of that
 * method inside a JSON-RPC batch (sendrawtransaction: one trip to the loop
 * thread for the whole run). Called on an HTTP thread like rpc_handler_fn.
 * In:  ctx; params[i] as rpc_handler_fn's params (borrowed).
 * Out: for each i, results[i] (a new reference) on success, or results[i]
 *      NULL and errs[i] set. */
typedef void (*rpc_batch_fn)(void *ctx, json_t *const *params, size_t n, json_t **results,
			     struct rpc_error *errs);

struct rpc_method {
	const char *name;
	const char *summary; /* one line, shown by help */
	const struct rpc_param *params;
	size_t num_params;
	bool read_only; /* served without credentials in public mode */
	rpc_handler_fn handler;
};

/* Called once per answered or failed call, for metrics. method is the
 * registered name, or "unknown" when the request named no method of the
 * table; code is RPC_OK or the error code; seconds the time spent. */
typedef void (*rpc_observe_fn)(void *arg, const char *method, int code, double seconds);

struct rpc_table;

/* Returns a new empty table (max batch RPC_DEFAULT_MAX_BATCH), or NULL when
 * out of memory. Free with rpc_table_free. */
struct rpc_table *rpc_table_new(void);

void rpc_table_free(struct rpc_table *t);

/* Registers methods[0..count); the array must outlive the table. Call before
 * the table is shared between threads.
 * In:  ctx: passed to each of these methods' handlers.
 * Out: err on failure.
 * Returns 0, or -1 (nothing registered) for a duplicate or malformed name,
 * a parameter list that is too long or has duplicate names, a missing
 * handler, or a full table. */
__attribute__((warn_unused_result)) int rpc_table_add(struct rpc_table *t,
						      const struct rpc_method *methods,
						      size_t count, void *ctx, char *err,
						      size_t err_size);

/* Registers methods that may wait (waitforblock, ...): like rpc_table_add,
 * but the server runs a body that calls any of them on a thread of its own
 * (rpc_dispatch_is_parked), never on an HTTP thread. */
__attribute__((warn_unused_result)) int rpc_table_add_parked(struct rpc_table *t,
							     const struct rpc_method *methods,
							     size_t count, void *ctx, char *err,
							     size_t err_size);

/* Gives the registered method name a batch handler, used for runs of two
 * or more consecutive calls of it in one batch (single calls still go to
 * its handler). Call before the table is shared between threads.
 * Returns 0, or -1 when no method of that name is registered. */
__attribute__((warn_unused_result)) int rpc_table_set_batch(struct rpc_table *t, const char *name,
							    rpc_batch_fn fn);

/* Largest batch accepted (>= 1). */
void rpc_table_set_max_batch(struct rpc_table *t, size_t max_batch);

/* Installs the observer (NULL to remove). */
void rpc_table_set_observer(struct rpc_table *t, rpc_observe_fn fn, void *arg);

/* Number of methods, and the i-th in registration order (NULL past the
 * end); for help. */
size_t rpc_table_count(const struct rpc_table *t);
const struct rpc_method *rpc_table_method(const struct rpc_table *t, size_t i);

/* The method called name, or NULL. */
const struct rpc_method *rpc_table_find(const struct rpc_table *t, const char *name);

/* The name of a parameter type as help and error messages write it. */
const char *rpc_param_type_name(enum rpc_param_type type);

/* Sets err->code and err->message (printf format, cut to fit). Returns -1,
 * so a handler can `return rpc_error_set(err, ...)`. */
int rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

struct rpc_reply {
	char *body;	      /* malloc'd JSON text, NULL when there is none */
	size_t len;	      /* length of body */
	unsigned http_status; /* 200, 204, 400, 404 or 500 */
};

/* Answers one HTTP request body: a request or a batch.
 * In:  body[0..len) (need not be NUL-terminated); full_access: false for an
 *      unauthenticated client in public mode (only read-only methods run).
 * Out: reply (free reply->body with free()).
 * Returns 0, or -1 when out of memory (reply then holds nothing). */
__attribute__((warn_unused_result)) int rpc_dispatch_body(const struct rpc_table *t,
							  const char *body, size_t len,
							  bool full_access,
							  struct rpc_reply *reply);

/* rpc_dispatch_body in steps, for a server that looks at a body before
 * running it. rpc_dispatch_parse parses body[0..len).
 * Out: *root (a new reference) on success; reply when the body is not JSON.
 * Returns 0 (root set), 1 (reply holds the parse error), -1 out of memory. */
__attribute__((warn_unused_result)) int rpc_dispatch_parse(const struct rpc_table *t,
							   const char *body, size_t len,
							   json_t **root, struct rpc_reply *reply);

/* True when root (a request or a batch) calls a method registered with
 * rpc_table_add_parked. */
bool rpc_dispatch_is_parked(const struct rpc_table *t, const json_t *root);

/* Answers a parsed root (borrowed), like rpc_dispatch_body. */
__attribute__((warn_unused_result)) int rpc_dispatch_root(const struct rpc_table *t, json_t *root,
							  bool full_access,
							  struct rpc_reply *reply);

/* Answers every call of root (borrowed) with the error code and message
 * instead of running it (ids and versions kept; notifications get nothing).
 * Returns 0 or -1 when out of memory. */
__attribute__((warn_unused_result)) int rpc_dispatch_refuse(const struct rpc_table *t, json_t *root,
							    int code, const char *message,
							    struct rpc_reply *reply);

#endif
