/* rpc_dispatch.c: the JSON-RPC rules of rpc_dispatch.h for one call:
 * parsing a body, telling a 2.0 request from a legacy one, validating and
 * normalising parameters, calling the handler, and shaping the response and
 * its HTTP status. The method table is in rpc_dispatch_table.c, batches in
 * rpc_dispatch_batch.c. No sockets, no HTTP library. */
#include "node/rpc_dispatch.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/rpc_dispatch_internal.h"

const char *rpc_param_type_name(enum rpc_param_type type)
{
	switch (type) {
	case RPC_PARAM_STRING:
		return "string";
	case RPC_PARAM_INT:
		return "integer";
	case RPC_PARAM_UINT:
		return "non-negative integer";
	case RPC_PARAM_NUMBER:
		return "number";
	case RPC_PARAM_BOOL:
		return "boolean";
	case RPC_PARAM_OBJECT:
		return "object";
	case RPC_PARAM_ARRAY:
		return "array";
	case RPC_PARAM_ANY:
		return "any";
	}
	return "?";
}

/* Length of the UTF-8 sequence a lead byte starts, 0 for a byte that
 * cannot start one. */
static size_t utf8_sequence_length(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0)
		return 2;
	if ((c & 0xf0) == 0xe0)
		return 3;
	if ((c & 0xf8) == 0xf0)
		return 4;
	return 0;
}

/* Replaces every byte that does not belong to a whole UTF-8 sequence with
 * '?'. A "%.64s" may cut a sequence in half, in the middle of a message;
 * JSON strings must be UTF-8. */
static void utf8_sanitize(char *s)
{
	while (*s != '\0') {
		size_t n = utf8_sequence_length((unsigned char)*s), i = 1;

		while (n > 1 && i < n && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		if (n == 0 || i < n) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}

int rpc_error_set(struct rpc_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	utf8_sanitize(err->message);
	return -1;
}

static bool type_matches(enum rpc_param_type type, const json_t *v)
{
	switch (type) {
	case RPC_PARAM_STRING:
		return json_is_string(v);
	case RPC_PARAM_INT:
		return json_is_integer(v);
	case RPC_PARAM_UINT:
		return json_is_integer(v) && json_integer_value(v) >= 0;
	case RPC_PARAM_NUMBER:
		return json_is_number(v);
	case RPC_PARAM_BOOL:
		return json_is_boolean(v);
	case RPC_PARAM_OBJECT:
		return json_is_object(v);
	case RPC_PARAM_ARRAY:
		return json_is_array(v);
	case RPC_PARAM_ANY:
		return true;
	}
	return false;
}

json_t *rpc_params_normalise(const struct rpc_method *m, json_t *params, struct rpc_error *err)
{
	json_t *out;

	if (json_is_array(params) && json_array_size(params) > m->num_params) {
		rpc_error_set(err, RPC_INVALID_PARAMS, "%s takes at most %zu parameters, got %zu",
			      m->name, m->num_params, json_array_size(params));
		return NULL;
	}
	if (json_is_object(params)) {
		const char *key;
		json_t *v;

		json_object_foreach(params, key, v)
		{
			size_t i = 0;

			while (i < m->num_params && strcmp(m->params[i].name, key) != 0)
				i++;
			if (i == m->num_params) {
				rpc_error_set(err, RPC_INVALID_PARAMS, "unknown parameter '%.64s'",
					      key);
				return NULL;
			}
		}
	}
	out = json_array();
	if (out == NULL) {
		rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < m->num_params; i++) {
		const struct rpc_param *p = &m->params[i];
		json_t *v = json_is_object(params) ? json_object_get(params, p->name)
						   : json_array_get(params, i);

		if (v == NULL || json_is_null(v)) {
			if (!p->optional) {
				rpc_error_set(err, RPC_INVALID_PARAMS,
					      "missing required parameter '%s'", p->name);
				json_decref(out);
				return NULL;
			}
			v = json_null();
		} else if (!type_matches(p->type, v)) {
			rpc_error_set(err, RPC_INVALID_PARAMS, "parameter '%s' must be %s %s",
				      p->name, p->type == RPC_PARAM_INT ? "an" : "a",
				      rpc_param_type_name(p->type));
			json_decref(out);
			return NULL;
		}
		if (json_array_append(out, v) != 0) {
			rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
			json_decref(out);
			return NULL;
		}
	}
	return out;
}

json_t *rpc_response_new(enum rpc_version version, json_t *id, json_t *result,
			 const struct rpc_error *err)
{
	json_t *resp = json_object();
	int rc = 0;

	if (resp == NULL) {
		json_decref(result);
		return NULL;
	}
	if (version != RPC_VERSION_LEGACY)
		rc |= json_object_set_new(resp, "jsonrpc", json_string("2.0"));
	if (err != NULL) {
		json_t *msg = json_string(err->message);

		json_decref(result);
		if (msg == NULL) /* only when out of memory: messages are trimmed UTF-8 */
			msg = json_string("error");
		rc |= json_object_set_new(
			resp, "error", json_pack("{s:i,s:o*}", "code", err->code, "message", msg));
		if (version == RPC_VERSION_LEGACY)
			rc |= json_object_set_new(resp, "result", json_null());
	} else {
		rc |= json_object_set_new(resp, "result", result);
		if (version == RPC_VERSION_LEGACY)
			rc |= json_object_set_new(resp, "error", json_null());
	}
	rc |= json_object_set(resp, "id", id ? id : json_null());
	if (rc != 0) {
		json_decref(resp);
		return NULL;
	}
	return resp;
}

double rpc_seconds_since(const struct timespec *start)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

int rpc_call_parse(json_t *req, struct rpc_call *call, struct rpc_error *err)
{
	json_t *jsonrpc, *id, *method;

	memset(call, 0, sizeof(*call));
	if (!json_is_object(req))
		return rpc_error_set(err, RPC_INVALID_REQUEST, "request must be an object");
	jsonrpc = json_object_get(req, "jsonrpc");
	if (jsonrpc == NULL ||
	    (json_is_string(jsonrpc) && strcmp(json_string_value(jsonrpc), "1.0") == 0))
		call->version = RPC_VERSION_LEGACY;
	else if (json_is_string(jsonrpc) && strcmp(json_string_value(jsonrpc), "2.0") == 0)
		call->version = RPC_VERSION_2;
	else
		return rpc_error_set(err, RPC_INVALID_REQUEST,
				     "unsupported \"jsonrpc\" version (want \"2.0\")");
	id = json_object_get(req, "id");
	if (id != NULL && !json_is_string(id) && !json_is_number(id) && !json_is_null(id))
		return rpc_error_set(err, RPC_INVALID_REQUEST,
				     "id must be a string, number or null");
	call->id = id;
	method = json_object_get(req, "method");
	if (!json_is_string(method))
		return rpc_error_set(err, RPC_INVALID_REQUEST, "method must be a string");
	call->params = json_object_get(req, "params");
	if (json_is_null(call->params))
		call->params = NULL;
	if (call->params != NULL && !json_is_array(call->params) && !json_is_object(call->params))
		return rpc_error_set(err, RPC_INVALID_REQUEST, "params must be an array or object");
	/* Only a valid request can be a notification: the spec answers an
	 * invalid one even without an id. */
	call->notification = call->version == RPC_VERSION_2 && id == NULL;
	return 0;
}

json_t *rpc_call_run(const struct rpc_table *t, json_t *req, bool full_access,
		     const struct rpc_error *forced, enum rpc_version *version, int *code,
		     bool *oom)
{
	struct timespec start;
	struct rpc_error err = { 0, "" };
	struct rpc_call call;
	json_t *result = NULL, *params = NULL, *resp;
	bool failed = true;

	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		memset(&start, 0, sizeof(start));
	if (rpc_call_parse(req, &call, &err) == 0) {
		const char *name = json_string_value(json_object_get(req, "method"));

		call.entry = rpc_table_find_entry(t, name);
		if (forced != NULL) {
			err = *forced;
		} else if (call.entry == NULL) {
			rpc_error_set(&err, RPC_METHOD_NOT_FOUND, "method '%.64s' not found", name);
		} else if (!full_access && !call.entry->method->read_only) {
			rpc_error_set(&err, RPC_FORBIDDEN,
				      "method %s needs credentials: public access serves "
				      "read-only methods only",
				      name);
		} else if ((params = rpc_params_normalise(call.entry->method, call.params, &err)) !=
			   NULL) {
			if (call.entry->method->handler(call.entry->ctx, params, &result, &err) !=
			    0) {
				json_decref(result);
				result = NULL;
				if (err.code == RPC_OK)
					rpc_error_set(&err, RPC_INTERNAL_ERROR, "%s failed", name);
			} else if (result == NULL) {
				rpc_error_set(&err, RPC_INTERNAL_ERROR, "%s returned no result",
					      name);
			} else {
				failed = false;
			}
			json_decref(params);
		}
	}
	*version = call.version;
	*code = failed ? err.code : RPC_OK;
	if (t->observe != NULL)
		t->observe(t->observe_arg, call.entry ? call.entry->method->name : "unknown", *code,
			   rpc_seconds_since(&start));
	if (call.notification) {
		json_decref(result);
		return NULL;
	}
	resp = rpc_response_new(call.version, call.id, result, failed ? &err : NULL);
	if (resp == NULL)
		*oom = true;
	return resp;
}

int rpc_reply_set(struct rpc_reply *reply, json_t *resp, unsigned status)
{
	if (resp == NULL)
		return -1;
	reply->body = json_dumps(resp, JSON_COMPACT);
	json_decref(resp);
	if (reply->body == NULL)
		return -1;
	reply->len = strlen(reply->body);
	reply->http_status = status;
	return 0;
}

int rpc_reply_error(const struct rpc_table *t, struct rpc_reply *reply, int code,
		    const char *message)
{
	struct rpc_error err;

	rpc_error_set(&err, code, "%s", message);
	if (t->observe != NULL)
		t->observe(t->observe_arg, "unknown", code, 0);
	return rpc_reply_set(reply, rpc_response_new(RPC_VERSION_UNKNOWN, NULL, NULL, &err), 400);
}

/* bitcoind's HTTP status for a legacy request: errors are not 200. */
static unsigned legacy_status(int code)
{
	if (code == RPC_OK)
		return 200;
	if (code == RPC_INVALID_REQUEST)
		return 400;
	if (code == RPC_METHOD_NOT_FOUND)
		return 404;
	return 500;
}

int rpc_dispatch_parse(const struct rpc_table *t, const char *body, size_t len, json_t **root,
		       struct rpc_reply *reply)
{
	json_error_t jerr;
	char msg[RPC_ERROR_MESSAGE_MAX];

	memset(reply, 0, sizeof(*reply));
	*root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (*root != NULL)
		return 0;
	snprintf(msg, sizeof(msg), "parse error at line %d column %d: %s", jerr.line, jerr.column,
		 jerr.text);
	return rpc_reply_error(t, reply, RPC_PARSE_ERROR, msg) == 0 ? 1 : -1;
}

/* True when req is a request object naming a parked method. */
static bool call_is_parked(const struct rpc_table *t, const json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "method"));
	const struct rpc_table_entry *e = name != NULL ? rpc_table_find_entry(t, name) : NULL;

	return e != NULL && e->parked;
}

bool rpc_dispatch_is_parked(const struct rpc_table *t, const json_t *root)
{
	size_t i;
	json_t *req;

	if (t->num_parked == 0)
		return false;
	if (!json_is_array(root))
		return call_is_parked(t, root);
	json_array_foreach(root, i, req)
	{
		if (call_is_parked(t, req))
			return true;
	}
	return false;
}

/* Answers root (kept); forced: answer every call with this error instead
 * of running it. */
static int dispatch_root(const struct rpc_table *t, json_t *root, bool full_access,
			 const struct rpc_error *forced, struct rpc_reply *reply)
{
	json_t *resp;
	enum rpc_version version;
	bool oom = false;
	int code;

	memset(reply, 0, sizeof(*reply));
	if (json_is_array(root))
		return rpc_dispatch_batch(t, root, full_access, forced, reply);
	resp = rpc_call_run(t, root, full_access, forced, &version, &code, &oom);
	if (oom)
		return -1;
	if (resp == NULL) {
		reply->http_status = 204;
		return 0;
	}
	switch (version) {
	case RPC_VERSION_UNKNOWN:
		return rpc_reply_set(reply, resp, 400);
	case RPC_VERSION_LEGACY:
		return rpc_reply_set(reply, resp, legacy_status(code));
	case RPC_VERSION_2:
		return rpc_reply_set(reply, resp, 200);
	}
	json_decref(resp);
	return -1;
}

int rpc_dispatch_root(const struct rpc_table *t, json_t *root, bool full_access,
		      struct rpc_reply *reply)
{
	return dispatch_root(t, root, full_access, NULL, reply);
}

int rpc_dispatch_refuse(const struct rpc_table *t, json_t *root, int code, const char *message,
			struct rpc_reply *reply)
{
	struct rpc_error err;

	rpc_error_set(&err, code, "%s", message);
	return dispatch_root(t, root, false, &err, reply);
}

int rpc_dispatch_body(const struct rpc_table *t, const char *body, size_t len, bool full_access,
		      struct rpc_reply *reply)
{
	json_t *root;
	int rc = rpc_dispatch_parse(t, body, len, &root, reply);

	if (rc != 0)
		return rc > 0 ? 0 : -1;
	rc = rpc_dispatch_root(t, root, full_access, reply);
	json_decref(root);
	return rc;
}
