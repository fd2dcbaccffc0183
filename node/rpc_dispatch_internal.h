/* rpc_dispatch_internal.h: what the files of JSON-RPC dispatch share
 * (rpc_dispatch.c one call and its reply, rpc_dispatch_table.c the method
 * table, rpc_dispatch_batch.c batches). Not for the rest of the node: it
 * uses node/rpc_dispatch.h. */
#ifndef HEARTH_NODE_RPC_DISPATCH_INTERNAL_H
#define HEARTH_NODE_RPC_DISPATCH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "node/rpc_dispatch.h"

struct rpc_table_entry {
	const struct rpc_method *method;
	void *ctx;
	bool parked;	    /* may wait: run off the HTTP threads */
	rpc_batch_fn batch; /* NULL: calls in a batch run one by one */
};

struct rpc_table {
	size_t count;
	size_t num_parked;
	struct rpc_table_entry entries[RPC_MAX_METHODS];
	size_t max_batch;
	rpc_observe_fn observe;
	void *observe_arg;
};

/* How a request asked to be answered. UNKNOWN: it is not a request at all
 * (not an object, bad "jsonrpc"), answered in the 2.0 form. */
enum rpc_version {
	RPC_VERSION_UNKNOWN,
	RPC_VERSION_LEGACY,
	RPC_VERSION_2,
};

struct rpc_call {
	enum rpc_version version;
	json_t *id;	   /* borrowed; NULL when absent */
	bool notification; /* 2.0 without id: answered with nothing */
	const struct rpc_table_entry *entry;
	json_t *params; /* borrowed; NULL when absent */
};

/* The entry of the method called name, or NULL. */
const struct rpc_table_entry *rpc_table_find_entry(const struct rpc_table *t, const char *name);

/* Checks the request object's members.
 * Out: *call; err on failure (always RPC_INVALID_REQUEST), with
 *      call->version and call->id as far as known.
 * Returns 0 or -1. */
int rpc_call_parse(json_t *req, struct rpc_call *call, struct rpc_error *err);

/* The handler's view of params (NULL, an array or an object, borrowed): one
 * slot per declared parameter of m.
 * Out: err on failure (RPC_INVALID_PARAMS, or RPC_INTERNAL_ERROR when out
 *      of memory).
 * Returns a new array, or NULL. */
json_t *rpc_params_normalise(const struct rpc_method *m, json_t *params, struct rpc_error *err);

/* Runs one call (req borrowed); forced: answer it with this error instead.
 * Out: *version, *code (RPC_OK or the error's); *oom set when out of memory.
 * Returns the response, or NULL for a notification (or when out of
 * memory). */
json_t *rpc_call_run(const struct rpc_table *t, json_t *req, bool full_access,
		     const struct rpc_error *forced, enum rpc_version *version, int *code,
		     bool *oom);

/* Builds the response object for id (borrowed): the result (stolen), or
 * err when it is not NULL.
 * Returns it, or NULL when out of memory. */
json_t *rpc_response_new(enum rpc_version version, json_t *id, json_t *result,
			 const struct rpc_error *err);

/* Seconds on CLOCK_MONOTONIC since start (0 if the clock fails). */
double rpc_seconds_since(const struct timespec *start);

/* Serialises resp (stolen) into reply with the HTTP status.
 * Returns 0, or -1 (resp NULL, or out of memory). */
int rpc_reply_set(struct rpc_reply *reply, json_t *resp, unsigned status);

/* Sets reply to a single error for the whole body (parse error, bad
 * batch), HTTP status 400, and tells the observer.
 * Returns 0 or -1 when out of memory. */
int rpc_reply_error(const struct rpc_table *t, struct rpc_reply *reply, int code,
		    const char *message);

/* Answers batch (a JSON array, borrowed) into reply: 200 with an array of
 * responses, 204 when all calls were notifications, 400 for an empty or
 * oversize batch; forced as for rpc_call_run. Defined in
 * rpc_dispatch_batch.c.
 * Returns 0 or -1 when out of memory. */
int rpc_dispatch_batch(const struct rpc_table *t, json_t *batch, bool full_access,
		       const struct rpc_error *forced, struct rpc_reply *reply);

#endif
