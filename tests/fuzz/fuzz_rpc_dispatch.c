/* fuzz_rpc_dispatch.c: libFuzzer target for node/rpc_dispatch.c. The first
 * input byte chooses full or public access; the rest is a request body
 * dispatched to a table with typed test methods (and help, uptime).
 * Invariants: every answer is valid JSON of the documented shape, 204 comes
 * with no body and any other status with one. */
#include "node/rpc_dispatch.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "node/rpc_builtin.h"

static int echo_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = json_pack("{s:O}", "params", params);
	return 0;
}

static int fail_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)result;
	return rpc_error_set(err, RPC_NOT_FOUND, "nothing among %zu", json_array_size(params));
}

static const struct rpc_param params[] = {
	{ "s", RPC_PARAM_STRING, false, "s" }, { "i", RPC_PARAM_INT, true, "i" },
	{ "u", RPC_PARAM_UINT, true, "u" },    { "n", RPC_PARAM_NUMBER, true, "n" },
	{ "b", RPC_PARAM_BOOL, true, "b" },    { "o", RPC_PARAM_OBJECT, true, "o" },
	{ "a", RPC_PARAM_ARRAY, true, "a" },   { "x", RPC_PARAM_ANY, true, "x" },
};

static const struct rpc_method methods[] = {
	{ "echo", "echo", params, 8, true, echo_handler },
	{ "write", "write", params, 1, false, echo_handler },
	{ "fail", "fail", NULL, 0, true, fail_handler },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct rpc_table *table;
	static struct rpc_builtin builtin;
	struct rpc_reply reply;
	json_t *answer;

	if (table == NULL) {
		char err[128];

		table = rpc_table_new();
		if (table == NULL ||
		    rpc_table_add(table, methods, 3, NULL, err, sizeof(err)) != 0 ||
		    rpc_builtin_register(&builtin, table, err, sizeof(err)) != 0)
			abort();
		rpc_table_set_max_batch(table, 16);
	}
	if (size < 1)
		return 0;
	if (rpc_dispatch_body(table, (const char *)data + 1, size - 1, data[0] & 1, &reply) != 0)
		abort();
	if (reply.http_status == 204) {
		if (reply.body != NULL)
			abort();
		return 0;
	}
	if (reply.body == NULL || strlen(reply.body) != reply.len ||
	    (reply.http_status != 200 && reply.http_status != 400 && reply.http_status != 404 &&
	     reply.http_status != 500))
		abort();
	answer = json_loadb(reply.body, reply.len, JSON_REJECT_DUPLICATES, NULL);
	if (answer == NULL || (!json_is_object(answer) && !json_is_array(answer)))
		abort();
	json_decref(answer);
	free(reply.body);
	return 0;
}
