/* test_rpc_dispatch.c: unit tests of node/rpc_dispatch.c and the builtin
 * methods: JSON-RPC 2.0 and legacy answers, every error code, batches,
 * notifications, named and positional parameters, public mode. The methods
 * here (sum, echo, ...) exist only in this test. */
#include "node/rpc_dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "node/rpc_builtin.h"
#include "tests/unit/test_util.h"

static int sum_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	json_int_t a = json_integer_value(json_array_get(params, 0));
	const json_t *b = json_array_get(params, 1);

	(void)ctx;
	(void)err;
	*result = json_pack("{s:I}", "sum", a + (json_is_null(b) ? 0 : json_integer_value(b)));
	return 0;
}

static int echo_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = json_pack("{s:O}", "params", params);
	return 0;
}

static int store_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	int *stored = ctx;

	(void)params;
	(void)err;
	(*stored)++;
	*result = json_pack("{s:i}", "stored", *stored);
	return 0;
}

static int reject_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	return rpc_error_set(err, RPC_TX_REJECTED, "fee below minimum (%d < %d)", 1, 10);
}

static int silent_failure_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	(void)err;
	return -1;
}

static int no_result_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)params;
	(void)result;
	(void)err;
	return 0;
}

static const struct rpc_param sum_params[] = {
	{ "a", RPC_PARAM_INT, false, "first term" },
	{ "b", RPC_PARAM_INT, true, "second term" },
};

static const struct rpc_param echo_params[] = {
	{ "s", RPC_PARAM_STRING, true, "a string" },  { "u", RPC_PARAM_UINT, true, "a uint" },
	{ "n", RPC_PARAM_NUMBER, true, "a number" },  { "b", RPC_PARAM_BOOL, true, "a bool" },
	{ "o", RPC_PARAM_OBJECT, true, "an object" }, { "a", RPC_PARAM_ARRAY, true, "an array" },
	{ "x", RPC_PARAM_ANY, true, "anything" },
};

static const struct rpc_method test_methods[] = {
	{ "sum", "adds a and b", sum_params, 2, true, sum_handler },
	{ "echo", "returns its normalised params", echo_params, 7, true, echo_handler },
	{ "store", "a write method", NULL, 0, false, store_handler },
	{ "reject", "always rejected", NULL, 0, true, reject_handler },
	{ "fail", "fails without a code", NULL, 0, true, silent_failure_handler },
	{ "noresult", "succeeds without a result", NULL, 0, true, no_result_handler },
};

struct fixture {
	struct rpc_table *table;
	struct rpc_builtin builtin;
	int stored;
	int observed;
	int last_code;
	char last_method[32];
};

static void observe(void *arg, const char *method, int code, double seconds)
{
	struct fixture *f = arg;

	assert_true(seconds >= 0);
	f->observed++;
	f->last_code = code;
	snprintf(f->last_method, sizeof(f->last_method), "%s", method);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[128];

	assert_non_null(f);
	f->table = rpc_table_new();
	assert_non_null(f->table);
	assert_int_equal(rpc_table_add(f->table, test_methods, 6, &f->stored, err, sizeof(err)), 0);
	assert_int_equal(rpc_builtin_register(&f->builtin, f->table, err, sizeof(err)), 0);
	rpc_table_set_observer(f->table, observe, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	rpc_table_free(f->table);
	free(f);
	return 0;
}

/* Dispatches body; checks the status; returns the body text (NULL for 204). */
static char *call(struct fixture *f, const char *body, bool full_access, unsigned want_status)
{
	struct rpc_reply reply;

	assert_int_equal(rpc_dispatch_body(f->table, body, strlen(body), full_access, &reply), 0);
	assert_int_equal(reply.http_status, want_status);
	if (want_status == 204)
		assert_null(reply.body);
	else
		assert_int_equal(strlen(reply.body), reply.len);
	return reply.body;
}

static void expect(struct fixture *f, const char *body, unsigned status, const char *want)
{
	char *got = call(f, body, true, status);

	assert_string_equal(got, want);
	free(got);
}

/* The error code of a single response, and its message in msg. */
static int error_code(struct fixture *f, const char *body, bool full, unsigned status, char *msg)
{
	char *text = call(f, body, full, status);
	json_t *resp = json_loads(text, 0, NULL), *e;
	int code;

	assert_non_null(resp);
	e = json_object_get(resp, "error");
	assert_true(json_is_object(e));
	code = (int)json_integer_value(json_object_get(e, "code"));
	snprintf(msg, RPC_ERROR_MESSAGE_MAX, "%s",
		 json_string_value(json_object_get(e, "message")));
	json_decref(resp);
	free(text);
	return code;
}

static void test_dispatch_v2_positional_and_named_params(void **state)
{
	struct fixture *f = *state;

	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[2,3],\"id\":1}", 200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"sum\":5},\"id\":1}");
	expect(f,
	       "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":{\"b\":4,\"a\":1},\"id\":\"x\"}",
	       200, "{\"jsonrpc\":\"2.0\",\"result\":{\"sum\":5},\"id\":\"x\"}");
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":{\"a\":7},\"id\":null}", 200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"sum\":7},\"id\":null}");
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[7,null],\"id\":2.5}", 200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"sum\":7},\"id\":2.5}");
	/* Absent params count as none; optional slots become null. */
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":3}", 200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"params\":[null,null,null,null,null,null,null]},"
	       "\"id\":3}");
	expect(f,
	       "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"x\":[1],\"u\":0},\"id\":4}",
	       200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"params\":[null,0,null,null,null,null,[1]]},"
	       "\"id\":4}");
	assert_string_equal(f->last_method, "echo");
	assert_int_equal(f->last_code, RPC_OK);
}

static void test_dispatch_invalid_params_name_the_parameter(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX];
	static const struct {
		const char *params, *message;
	} cases[] = {
		{ "[]", "missing required parameter 'a'" },
		{ "{\"b\":1}", "missing required parameter 'a'" },
		{ "[null]", "missing required parameter 'a'" },
		{ "[\"1\"]", "parameter 'a' must be an integer" },
		{ "[1.5]", "parameter 'a' must be an integer" },
		{ "[1,true]", "parameter 'b' must be an integer" },
		{ "[1,2,3]", "sum takes at most 2 parameters, got 3" },
		{ "{\"a\":1,\"c\":2}", "unknown parameter 'c'" },
	};
	char body[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":%s,\"id\":1}",
			 cases[i].params);
		assert_int_equal(error_code(f, body, true, 200, msg), RPC_INVALID_PARAMS);
		assert_string_equal(msg, cases[i].message);
	}
}

static void test_dispatch_every_param_type_is_checked(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX], body[256];
	static const char *const bad[] = {
		"{\"s\":1}", "{\"u\":-1}", "{\"u\":1.0}", "{\"n\":\"1\"}",
		"{\"b\":0}", "{\"o\":[]}", "{\"a\":{}}",
	};
	static const char *const good[] = {
		"{\"s\":\"\"}",	 "{\"u\":0}",  "{\"n\":1}",  "{\"n\":1.5}",
		"{\"b\":false}", "{\"o\":{}}", "{\"a\":[]}", "{\"x\":\"any\"}",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":%s,\"id\":1}",
			 bad[i]);
		assert_int_equal(error_code(f, body, true, 200, msg), RPC_INVALID_PARAMS);
		assert_non_null(strstr(msg, "must be"));
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *text;

		snprintf(body, sizeof(body),
			 "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":%s,\"id\":1}",
			 good[i]);
		text = call(f, body, true, 200);
		assert_non_null(strstr(text, "\"result\""));
		free(text);
	}
}

static void test_dispatch_parse_error_is_400_with_null_id(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX];

	assert_int_equal(error_code(f, "{\"jsonrpc\":\"2.0\",", true, 400, msg), RPC_PARSE_ERROR);
	assert_non_null(strstr(msg, "parse error"));
	expect(f, "nonsense", 400,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"parse error at line "
	       "1 "
	       "column 8: invalid token near 'nonsense'\"},\"id\":null}");
	/* Duplicate members make a request ambiguous. */
	assert_int_equal(error_code(f, "{\"method\":\"sum\",\"method\":\"echo\"}", true, 400, msg),
			 RPC_PARSE_ERROR);
	/* Bytes that are not UTF-8 still give a valid JSON answer. */
	assert_int_equal(error_code(f, "\xff\xfe", true, 400, msg), RPC_PARSE_ERROR);
	assert_string_equal(f->last_method, "unknown");
	assert_int_equal(f->last_code, RPC_PARSE_ERROR);
}

static void test_dispatch_invalid_requests(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX];

	expect(f, "5", 400,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"request must be an "
	       "object\"},\"id\":null}");
	assert_int_equal(
		error_code(f, "{\"jsonrpc\":\"3.0\",\"method\":\"sum\",\"id\":1}", true, 400, msg),
		RPC_INVALID_REQUEST);
	assert_int_equal(
		error_code(f, "{\"jsonrpc\":2,\"method\":\"sum\",\"id\":1}", true, 400, msg),
		RPC_INVALID_REQUEST);
	/* A 2.0 request that is invalid is still answered 200, with its id
	 * when the id itself was fine. */
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":9}", 200,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"method must be a "
	       "string\"},\"id\":9}");
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":\"1\"}", 200,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"params must be an "
	       "array or object\"},\"id\":null}");
	assert_int_equal(
		error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":{}}", true, 200, msg),
		RPC_INVALID_REQUEST);
	assert_string_equal(msg, "id must be a string, number or null");
	assert_int_equal(error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"id\":true}", true,
				    200, msg),
			 RPC_INVALID_REQUEST);
}

static void test_dispatch_method_not_found(void **state)
{
	struct fixture *f = *state;

	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":1}", 200,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method 'nosuch' not "
	       "found\"},\"id\":1}");
	assert_string_equal(f->last_method, "unknown");
	assert_int_equal(f->last_code, RPC_METHOD_NOT_FOUND);
}

static void test_dispatch_legacy_answers_like_bitcoind(void **state)
{
	struct fixture *f = *state;

	expect(f, "{\"method\":\"sum\",\"params\":[1,2],\"id\":\"a\"}", 200,
	       "{\"result\":{\"sum\":3},\"error\":null,\"id\":\"a\"}");
	expect(f, "{\"jsonrpc\":\"1.0\",\"method\":\"sum\",\"params\":[1,2],\"id\":7}", 200,
	       "{\"result\":{\"sum\":3},\"error\":null,\"id\":7}");
	/* No id is no notification in the legacy form: still answered. */
	expect(f, "{\"method\":\"sum\",\"params\":[1]}", 200,
	       "{\"result\":{\"sum\":1},\"error\":null,\"id\":null}");
	expect(f, "{\"method\":\"sum\",\"params\":null,\"id\":1}", 500,
	       "{\"error\":{\"code\":-32602,\"message\":\"missing required parameter 'a'\"},"
	       "\"result\":null,\"id\":1}");
	expect(f, "{\"method\":\"nosuch\",\"id\":1}", 404,
	       "{\"error\":{\"code\":-32601,\"message\":\"method 'nosuch' not found\"},"
	       "\"result\":null,\"id\":1}");
	expect(f, "{\"method\":[],\"id\":1}", 400,
	       "{\"error\":{\"code\":-32600,\"message\":\"method must be a string\"},"
	       "\"result\":null,\"id\":1}");
	expect(f, "{\"method\":\"reject\",\"id\":1}", 500,
	       "{\"error\":{\"code\":-26,\"message\":\"fee below minimum (1 < 10)\"},"
	       "\"result\":null,\"id\":1}");
}

static void test_dispatch_notifications_get_no_answer(void **state)
{
	struct fixture *f = *state;

	assert_null(call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\"}", true, 204));
	assert_int_equal(f->stored, 1);
	/* Even a failing notification stays silent, but it ran. */
	assert_null(call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\"}", true, 204));
	assert_null(call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[]}", true, 204));
	assert_int_equal(f->last_code, RPC_INVALID_PARAMS);
	assert_null(call(f,
			 "[{\"jsonrpc\":\"2.0\",\"method\":\"store\"},"
			 "{\"jsonrpc\":\"2.0\",\"method\":\"store\"}]",
			 true, 204));
	assert_int_equal(f->stored, 3);
}

static void test_dispatch_batch_mixes_good_bad_and_notifications(void **state)
{
	struct fixture *f = *state;

	expect(f,
	       "[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,1],\"id\":1},"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"store\"},"
	       "5,"
	       "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":3},"
	       "{\"method\":\"sum\",\"params\":[2],\"id\":4}]",
	       200,
	       "[{\"jsonrpc\":\"2.0\",\"result\":{\"sum\":2},\"id\":1},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"request must be an "
	       "object\"},\"id\":null},"
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method 'nosuch' not "
	       "found\"},\"id\":3},"
	       "{\"result\":{\"sum\":2},\"error\":null,\"id\":4}]");
	assert_int_equal(f->stored, 1);
}

/* sum's batch handler: one call for a whole run; each result also says how
 * many calls the run had. */
static void sum_batch(void *ctx, json_t *const *params, size_t n, json_t **results,
		      struct rpc_error *errs)
{
	int *stored = ctx;

	*stored += 1000;
	for (size_t i = 0; i < n; i++) {
		json_int_t a = json_integer_value(json_array_get(params[i], 0));
		const json_t *b = json_array_get(params[i], 1);

		if (a < 0) {
			results[i] = NULL;
			rpc_error_set(&errs[i], RPC_TX_REJECTED, "negative");
			continue;
		}
		results[i] = json_pack("{s:I, s:I}", "sum",
				       a + (json_is_null(b) ? 0 : json_integer_value(b)), "n",
				       (json_int_t)n);
	}
}

static void test_dispatch_batch_handler_runs_once_per_run(void **state)
{
	struct fixture *f = *state;
	char *text;
	json_t *resp;

	assert_int_equal(rpc_table_set_batch(f->table, "nosuch", sum_batch), -1);
	assert_int_equal(rpc_table_set_batch(f->table, "sum", sum_batch), 0);
	text = call(f,
		    "[{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1,2],\"id\":1},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":{\"a\":3},\"id\":2},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[\"x\"],\"id\":3},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[-1],\"id\":4},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[7]},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":6},"
		    "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[5,5],\"id\":7}]",
		    true, 200);
	resp = json_loads(text, 0, NULL);
	free(text);
	assert_non_null(resp);
	/* The notification gets no answer: 6 responses for 7 calls, in order. */
	assert_int_equal(json_array_size(resp), 6);
	/* One run of 5 sum calls; the one with bad params never reaches the
	 * handler, so it saw 4. */
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(resp, 0), "result"), "sum")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(resp, 0), "result"), "n")),
			 4);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(resp, 1), "result"), "sum")),
			 3);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(resp, 2), "error"), "code")),
			 RPC_INVALID_PARAMS);
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_array_get(resp, 3), "error"), "code")),
			 RPC_TX_REJECTED);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(resp, 4), "id")), 6);
	/* A run of one goes to the plain handler: no "n". */
	assert_int_equal(json_integer_value(json_object_get(json_array_get(resp, 5), "id")), 7);
	assert_null(json_object_get(json_object_get(json_array_get(resp, 5), "result"), "n"));
	json_decref(resp);
	assert_int_equal(f->stored, 1000);
	assert_int_equal(f->observed, 7);
}

static void test_dispatch_empty_and_oversized_batches_are_invalid(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX];

	expect(f, "[]", 400,
	       "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32600,\"message\":\"empty batch\"},"
	       "\"id\":null}");
	rpc_table_set_max_batch(f->table, 2);
	assert_int_equal(
		error_code(f, "[{\"method\":\"store\"},{\"method\":\"store\"},{}]", true, 400, msg),
		RPC_INVALID_REQUEST);
	assert_string_equal(msg, "batch of 3 requests is over the limit of 2");
	assert_int_equal(f->stored, 0);
	free(call(f, "[{\"method\":\"store\"},{\"method\":\"store\"}]", true, 200));
	assert_int_equal(f->stored, 2);
}

static void test_dispatch_public_access_refuses_write_methods(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX], *text;

	assert_int_equal(error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\",\"id\":1}", false,
				    200, msg),
			 RPC_FORBIDDEN);
	assert_non_null(strstr(msg, "read-only methods only"));
	assert_int_equal(f->stored, 0);
	text = call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[1],\"id\":1}", false,
		    200);
	assert_non_null(strstr(text, "\"result\""));
	free(text);
}

static void test_dispatch_handler_failures(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX];

	assert_int_equal(error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"reject\",\"id\":1}", true,
				    200, msg),
			 RPC_TX_REJECTED);
	assert_string_equal(msg, "fee below minimum (1 < 10)");
	assert_int_equal(
		error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"fail\",\"id\":1}", true, 200, msg),
		RPC_INTERNAL_ERROR);
	assert_int_equal(error_code(f, "{\"jsonrpc\":\"2.0\",\"method\":\"noresult\",\"id\":1}",
				    true, 200, msg),
			 RPC_INTERNAL_ERROR);
	assert_string_equal(msg, "noresult returned no result");
}

static void test_dispatch_error_messages_stay_valid_utf8(void **state)
{
	struct fixture *f = *state;
	char body[1024], msg[RPC_ERROR_MESSAGE_MAX];
	size_t n = 0;

	n += (size_t)snprintf(body, sizeof(body), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x");
	for (int i = 0; i < 100; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n, "\xc3\xa9");
	snprintf(body + n, sizeof(body) - n, "\"}");
	/* "%.64s" cuts the name inside a character: that byte becomes '?'. */
	assert_int_equal(error_code(f, body, true, 200, msg), RPC_METHOD_NOT_FOUND);
	assert_memory_equal(msg, "method 'x\xc3\xa9", 11);
	assert_non_null(strstr(msg, "\xc3\xa9?' not found"));
	/* jansson quotes bytes of a bad body in its message: kept valid. */
	assert_int_equal(error_code(f, "[\"a\" \xc3\xa9]", true, 400, msg), RPC_PARSE_ERROR);
	assert_non_null(strstr(msg, "parse error at line 1"));
}

static void test_table_rejects_bad_registrations(void **state UNUSED)
{
	struct rpc_table *t = rpc_table_new();
	static const struct rpc_param dup[] = {
		{ "a", RPC_PARAM_INT, false, "x" },
		{ "a", RPC_PARAM_INT, false, "y" },
	};
	static const struct rpc_method bad_name[] = { { "Bad-Name", "s", NULL, 0, true,
							sum_handler } };
	static const struct rpc_method no_handler[] = { { "ok", "s", NULL, 0, true, NULL } };
	static const struct rpc_method dup_params[] = { { "ok", "s", dup, 2, true, sum_handler } };
	static const struct rpc_method twice[] = {
		{ "same", "s", NULL, 0, true, sum_handler },
		{ "same", "s", NULL, 0, true, sum_handler },
	};
	char err[128];

	assert_non_null(t);
	assert_int_equal(rpc_table_add(t, bad_name, 1, NULL, err, sizeof(err)), -1);
	assert_int_equal(rpc_table_add(t, no_handler, 1, NULL, err, sizeof(err)), -1);
	assert_int_equal(rpc_table_add(t, dup_params, 1, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "declared twice"));
	assert_int_equal(rpc_table_add(t, twice, 2, NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "registered twice"));
	assert_int_equal(rpc_table_count(t), 0);
	assert_int_equal(rpc_table_add(t, test_methods, 6, NULL, err, sizeof(err)), 0);
	assert_int_equal(rpc_table_add(t, test_methods, 1, NULL, err, sizeof(err)), -1);
	assert_int_equal(rpc_table_count(t), 6);
	assert_string_equal(rpc_table_method(t, 0)->name, "sum");
	assert_null(rpc_table_method(t, 6));
	rpc_table_free(t);
}

static void test_builtin_help_and_uptime(void **state)
{
	struct fixture *f = *state;
	char msg[RPC_ERROR_MESSAGE_MAX], *text;

	text = call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"help\",\"id\":1}", false, 200);
	assert_non_null(strstr(text, "{\"name\":\"echo\",\"summary\":\"returns its normalised "
				     "params\",\"read_only\":true},{\"name\":\"fail\""));
	assert_non_null(strstr(text, "{\"name\":\"uptime\""));
	free(text);
	expect(f, "{\"jsonrpc\":\"2.0\",\"method\":\"help\",\"params\":[\"sum\"],\"id\":1}", 200,
	       "{\"jsonrpc\":\"2.0\",\"result\":{\"name\":\"sum\",\"summary\":\"adds a and b\","
	       "\"read_only\":true,\"params\":[{\"name\":\"a\",\"type\":\"integer\",\"optional\":"
	       "false,\"help\":\"first term\"},{\"name\":\"b\",\"type\":\"integer\",\"optional\":"
	       "true,\"help\":\"second term\"}]},\"id\":1}");
	assert_int_equal(
		error_code(f,
			   "{\"jsonrpc\":\"2.0\",\"method\":\"help\",\"params\":{\"command\":"
			   "\"nosuch\"},\"id\":1}",
			   true, 200, msg),
		RPC_NOT_FOUND);
	text = call(f, "{\"jsonrpc\":\"2.0\",\"method\":\"uptime\",\"id\":1}", false, 200);
	assert_non_null(strstr(text, "{\"jsonrpc\":\"2.0\",\"result\":{\"seconds\":"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_dispatch_v2_positional_and_named_params),
		T(test_dispatch_invalid_params_name_the_parameter),
		T(test_dispatch_every_param_type_is_checked),
		T(test_dispatch_parse_error_is_400_with_null_id),
		T(test_dispatch_invalid_requests),
		T(test_dispatch_method_not_found),
		T(test_dispatch_legacy_answers_like_bitcoind),
		T(test_dispatch_notifications_get_no_answer),
		T(test_dispatch_batch_mixes_good_bad_and_notifications),
		T(test_dispatch_batch_handler_runs_once_per_run),
		T(test_dispatch_empty_and_oversized_batches_are_invalid),
		T(test_dispatch_public_access_refuses_write_methods),
		T(test_dispatch_handler_failures),
		T(test_dispatch_error_messages_stay_valid_utf8),
		cmocka_unit_test(test_table_rejects_bad_registrations),
		T(test_builtin_help_and_uptime),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
