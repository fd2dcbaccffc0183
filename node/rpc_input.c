/* rpc_input.c: putjobinput, which stores a job input on this (the
 * consumer's) node so that a bid can name it by hash and providers fetch it
 * from GET /input/<hash hex> (node/input_store.h, doc/rpc.md). Runs on an
 * RPC thread: it touches only <datadir>/inputs, never the loop's state. */
#include "node/rpc_input.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/input_store.h"
#include "node/node.h"
#include "proto/hex.h"

void rpc_input_limits(const struct config *cfg, struct input_store_limits *lim)
{
	lim->max_size = (uint64_t)config_get_int(cfg, "maxinputsize", INPUT_DEFAULT_MAX_SIZE);
	lim->max_total = (uint64_t)config_get_int(cfg, "maxinputstore", INPUT_DEFAULT_MAX_TOTAL);
	lim->retention_s = (uint64_t)config_get_int(cfg, "inputretention", INPUT_DEFAULT_RETENTION);
}

/* Out: *data (malloc'd), *len = the bytes of base64 text b64. */
static int decode(const char *b64, uint64_t max_size, uint8_t **data, size_t *len,
		  struct rpc_error *err)
{
	size_t b64_len = strlen(b64), cap = b64_len / 4 * 3 + 3;

	if ((uint64_t)cap > max_size + 3)
		return rpc_error_set(err, RPC_INVALID_PARAMETER,
				     "data: the input is larger than maxinputsize (%llu bytes)",
				     (unsigned long long)max_size);
	*data = malloc(cap);
	if (*data == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	if (sodium_base642bin(*data, cap, b64, b64_len, NULL, len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(*data);
		*data = NULL;
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "data: not base64");
	}
	return 0;
}

static int store_error(enum input_store_status st, const char *why, struct rpc_error *err)
{
	switch (st) {
	case INPUT_STORE_OK:
		return 0;
	case INPUT_STORE_TOO_LARGE:
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "data: %s", why);
	case INPUT_STORE_FULL:
		return rpc_error_set(err, RPC_RESOURCE_EXHAUSTED, "input store full: %s", why);
	case INPUT_STORE_NOT_FOUND:
	case INPUT_STORE_CORRUPT:
	case INPUT_STORE_IO:
		break;
	}
	return rpc_error_set(err, RPC_INTERNAL_ERROR, "input store: %s", why);
}

static int putjobinput(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct node *node = ctx;
	const char *b64 = json_string_value(json_array_get(params, 0));
	struct input_store_limits lim;
	char dir[DATADIR_PATH_MAX + 16], why[INPUT_STORE_ERR_MAX] = "", hex[2 * HASH_SIZE + 1];
	uint8_t hash[HASH_SIZE], *data;
	enum input_store_status st;
	size_t len;

	if (b64 == NULL)
		return rpc_error_set(err, RPC_INVALID_PARAMETER, "data: base64 text");
	rpc_input_limits(node->cfg, &lim);
	if (datadir_file(&node->dd, "inputs", dir, sizeof(dir)) != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "the inputs directory");
	if (decode(b64, lim.max_size, &data, &len, err) != 0)
		return -1;
	st = input_store_put(dir, data, len, &lim, (uint64_t)time(NULL), hash, why, sizeof(why));
	free(data);
	if (store_error(st, why, err) != 0)
		return -1;
	if (hex_encode(hash, HASH_SIZE, hex, sizeof(hex)) != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "hex");
	*result = json_pack("{s:s, s:I, s:s+}", "input_hash", hex, "bytes", (json_int_t)len, "path",
			    "/input/", hex);
	return *result != NULL ? 0 : rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
}

static const struct rpc_param put_params[] = {
	{ "data", RPC_PARAM_STRING, false, "the input's bytes, base64 (a ustar archive)" },
};

static const struct rpc_method methods[] = {
	{ "putjobinput", "store a job input here, served by hash to providers", put_params, 1,
	  false, putjobinput },
};

const struct rpc_method *rpc_input_methods(size_t *count)
{
	*count = sizeof(methods) / sizeof(methods[0]);
	return methods;
}
