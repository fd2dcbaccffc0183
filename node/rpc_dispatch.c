/* rpc_dispatch.c: the method table and the JSON-RPC rules of
 * rpc_dispatch.h: parsing a body, telling a 2.0 request from a legacy one,
 * validating and normalising parameters, calling the handler, and shaping
 * the response and its HTTP status. No sockets, no HTTP library. */
#include "node/rpc_dispatch.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct table_entry {
	const struct rpc_method *method;
	void *ctx;
	bool parked;	    /* may wait: run off the HTTP threads */
	rpc_batch_fn batch; /* NULL: calls in a batch run one by one */
};

struct rpc_table {
	size_t count;
	size_t num_parked;
	struct table_entry entries[RPC_MAX_METHODS];
	size_t max_batch;
	rpc_observe_fn observe;
	void *observe_arg;
};

/* How a request asked to be answered. UNKNOWN: it is not a request at all
 * (not an object, bad "jsonrpc"), answered in the 2.0 form. */
enum rpc_version {
	VERSION_UNKNOWN,
	VERSION_LEGACY,
	VERSION_2,
};

struct rpc_table *rpc_table_new(void)
{
	struct rpc_table *t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->max_batch = RPC_DEFAULT_MAX_BATCH;
	return t;
}

void rpc_table_free(struct rpc_table *t)
{
	free(t);
}

static bool method_name_valid(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > 64)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

static int check_method(const struct rpc_table *t, const struct rpc_method *m, char *err,
			size_t err_size)
{
	if (!method_name_valid(m->name)) {
		snprintf(err, err_size, "invalid method name '%.64s' (want [a-z0-9_]{1,64})",
			 m->name ? m->name : "");
		return -1;
	}
	if (m->handler == NULL || m->summary == NULL || m->num_params > RPC_MAX_PARAMS ||
	    (m->num_params > 0 && m->params == NULL)) {
		snprintf(err, err_size, "method %s: no handler or summary, or bad parameter list",
			 m->name);
		return -1;
	}
	for (size_t i = 0; i < m->num_params; i++) {
		if (!method_name_valid(m->params[i].name) || m->params[i].help == NULL) {
			snprintf(err, err_size,
				 "method %s: parameter %zu has a bad name or no help", m->name, i);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(m->params[i].name, m->params[j].name) == 0) {
				snprintf(err, err_size, "method %s: parameter %s declared twice",
					 m->name, m->params[i].name);
				return -1;
			}
		}
	}
	if (rpc_table_find(t, m->name) != NULL) {
		snprintf(err, err_size, "method %s registered twice", m->name);
		return -1;
	}
	return 0;
}

static int table_add(struct rpc_table *t, const struct rpc_method *methods, size_t count, void *ctx,
		     bool parked, char *err, size_t err_size)
{
	size_t first = t->count;

	if (count > RPC_MAX_METHODS - t->count) {
		snprintf(err, err_size, "more than %d methods", RPC_MAX_METHODS);
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		/* Checked one by one as they are added, so a duplicate inside
		 * methods[] is caught too; on failure the table is rolled back. */
		if (check_method(t, &methods[i], err, err_size) != 0) {
			t->count = first;
			return -1;
		}
		t->entries[t->count].method = &methods[i];
		t->entries[t->count].ctx = ctx;
		t->entries[t->count].parked = parked;
		t->count++;
	}
	if (parked)
		t->num_parked += count;
	return 0;
}

int rpc_table_add(struct rpc_table *t, const struct rpc_method *methods, size_t count, void *ctx,
		  char *err, size_t err_size)
{
	return table_add(t, methods, count, ctx, false, err, err_size);
}

int rpc_table_add_parked(struct rpc_table *t, const struct rpc_method *methods, size_t count,
			 void *ctx, char *err, size_t err_size)
{
	return table_add(t, methods, count, ctx, true, err, err_size);
}

int rpc_table_set_batch(struct rpc_table *t, const char *name, rpc_batch_fn fn)
{
	for (size_t i = 0; i < t->count; i++) {
		if (strcmp(t->entries[i].method->name, name) == 0) {
			t->entries[i].batch = fn;
			return 0;
		}
	}
	return -1;
}

void rpc_table_set_max_batch(struct rpc_table *t, size_t max_batch)
{
	t->max_batch = max_batch > 0 ? max_batch : 1;
}

void rpc_table_set_observer(struct rpc_table *t, rpc_observe_fn fn, void *arg)
{
	t->observe = fn;
	t->observe_arg = arg;
}

size_t rpc_table_count(const struct rpc_table *t)
{
	return t->count;
}

const struct rpc_method *rpc_table_method(const struct rpc_table *t, size_t i)
{
	return i < t->count ? t->entries[i].method : NULL;
}

static const struct table_entry *find_entry(const struct rpc_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++) {
		if (strcmp(t->entries[i].method->name, name) == 0)
			return &t->entries[i];
	}
	return NULL;
}

const struct rpc_method *rpc_table_find(const struct rpc_table *t, const char *name)
{
	const struct table_entry *e = find_entry(t, name);

	return e ? e->method : NULL;
}

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

/* The handler's view of params (NULL, an array or an object): one slot per
 * declared parameter. Returns a new array, or NULL with err set (code
 * RPC_INVALID_PARAMS, or RPC_INTERNAL_ERROR when out of memory). */
static json_t *params_normalise(const struct rpc_method *m, json_t *params, struct rpc_error *err)
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

/* Builds the response object; steals result. Returns NULL when out of
 * memory. */
static json_t *response_new(enum rpc_version version, json_t *id, json_t *result,
			    const struct rpc_error *err)
{
	json_t *resp = json_object();
	int rc = 0;

	if (resp == NULL) {
		json_decref(result);
		return NULL;
	}
	if (version != VERSION_LEGACY)
		rc |= json_object_set_new(resp, "jsonrpc", json_string("2.0"));
	if (err != NULL) {
		json_t *msg = json_string(err->message);

		json_decref(result);
		if (msg == NULL) /* only when out of memory: messages are trimmed UTF-8 */
			msg = json_string("error");
		rc |= json_object_set_new(
			resp, "error", json_pack("{s:i,s:o*}", "code", err->code, "message", msg));
		if (version == VERSION_LEGACY)
			rc |= json_object_set_new(resp, "result", json_null());
	} else {
		rc |= json_object_set_new(resp, "result", result);
		if (version == VERSION_LEGACY)
			rc |= json_object_set_new(resp, "error", json_null());
	}
	rc |= json_object_set(resp, "id", id ? id : json_null());
	if (rc != 0) {
		json_decref(resp);
		return NULL;
	}
	return resp;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

struct call {
	enum rpc_version version;
	json_t *id;	   /* borrowed; NULL when absent */
	bool notification; /* 2.0 without id: answered with nothing */
	const struct table_entry *entry;
	json_t *params; /* borrowed; NULL when absent */
};

/* Checks the request object's members. Returns 0, or -1 with err set
 * (always RPC_INVALID_REQUEST) and call->version/id as far as known. */
static int call_parse(json_t *req, struct call *call, struct rpc_error *err)
{
	json_t *jsonrpc, *id, *method;

	memset(call, 0, sizeof(*call));
	if (!json_is_object(req))
		return rpc_error_set(err, RPC_INVALID_REQUEST, "request must be an object");
	jsonrpc = json_object_get(req, "jsonrpc");
	if (jsonrpc == NULL ||
	    (json_is_string(jsonrpc) && strcmp(json_string_value(jsonrpc), "1.0") == 0))
		call->version = VERSION_LEGACY;
	else if (json_is_string(jsonrpc) && strcmp(json_string_value(jsonrpc), "2.0") == 0)
		call->version = VERSION_2;
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
	call->notification = call->version == VERSION_2 && id == NULL;
	return 0;
}

/* Runs one call. Out: *version, *code. Returns the response, or NULL for a
 * notification; *oom is set when out of memory. */
static json_t *call_run(const struct rpc_table *t, json_t *req, bool full_access,
			const struct rpc_error *forced, enum rpc_version *version, int *code,
			bool *oom)
{
	struct timespec start;
	struct rpc_error err = { 0, "" };
	struct call call;
	json_t *result = NULL, *params = NULL, *resp;
	bool failed = true;

	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		memset(&start, 0, sizeof(start));
	if (call_parse(req, &call, &err) == 0) {
		const char *name = json_string_value(json_object_get(req, "method"));

		call.entry = find_entry(t, name);
		if (forced != NULL) {
			err = *forced;
		} else if (call.entry == NULL) {
			rpc_error_set(&err, RPC_METHOD_NOT_FOUND, "method '%.64s' not found", name);
		} else if (!full_access && !call.entry->method->read_only) {
			rpc_error_set(&err, RPC_FORBIDDEN,
				      "method %s needs credentials: public access serves "
				      "read-only methods only",
				      name);
		} else if ((params = params_normalise(call.entry->method, call.params, &err)) !=
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
			   seconds_since(&start));
	if (call.notification) {
		json_decref(result);
		return NULL;
	}
	resp = response_new(call.version, call.id, result, failed ? &err : NULL);
	if (resp == NULL)
		*oom = true;
	return resp;
}

/* Serialises resp (stolen) into reply. Returns 0 or -1. */
static int reply_set(struct rpc_reply *reply, json_t *resp, unsigned status)
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

/* A single error for the whole body (parse error, bad batch). */
static int reply_error(const struct rpc_table *t, struct rpc_reply *reply, int code,
		       const char *message)
{
	struct rpc_error err;

	rpc_error_set(&err, code, "%s", message);
	if (t->observe != NULL)
		t->observe(t->observe_arg, "unknown", code, 0);
	return reply_set(reply, response_new(VERSION_UNKNOWN, NULL, NULL, &err), 400);
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

/* The number of calls from batch[first] on that are valid requests of one
 * method that has a batch handler and that this client may call. */
static size_t batch_run_length(const struct rpc_table *t, json_t *batch, size_t first,
			       bool full_access)
{
	const struct table_entry *entry = NULL;
	size_t k;

	for (k = first; k < json_array_size(batch); k++) {
		json_t *req = json_array_get(batch, k);
		const struct table_entry *e;
		struct rpc_error err;
		struct call call;

		if (call_parse(req, &call, &err) != 0)
			break;
		e = find_entry(t, json_string_value(json_object_get(req, "method")));
		if (e == NULL || e->batch == NULL || (entry != NULL && e != entry) ||
		    (!full_access && !e->method->read_only))
			break;
		entry = e;
	}
	return k - first;
}

/* The arrays of one run of batched calls. */
struct batch_run {
	json_t **params;  /* normalised params of each call, NULL: failed */
	json_t **results; /* the handler's results */
	struct rpc_error *errs;
	json_t **valid; /* params of the calls handed to the handler */
	size_t *index;	/* valid[j] is call index[j] of the run */
};

static void batch_run_free(struct batch_run *r, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (r->params != NULL)
			json_decref(r->params[i]);
		if (r->results != NULL)
			json_decref(r->results[i]);
	}
	free(r->params);
	free(r->results);
	free(r->errs);
	free(r->valid);
	free(r->index);
}

/* Appends the response of call i of the run to out. Returns 0 or -1. */
static int batch_respond(const struct rpc_table *t, json_t *req, struct batch_run *r, size_t i,
			 double seconds, json_t *out)
{
	struct rpc_error err;
	struct call call;
	bool failed = r->results[i] == NULL;
	json_t *resp;

	(void)call_parse(req, &call, &err); /* valid: checked by batch_run_length */
	if (!failed && r->params[i] == NULL)
		failed = true;
	if (t->observe != NULL)
		t->observe(t->observe_arg, json_string_value(json_object_get(req, "method")),
			   failed ? r->errs[i].code : RPC_OK, seconds);
	if (call.notification)
		return 0;
	resp = response_new(call.version, call.id, r->results[i], failed ? &r->errs[i] : NULL);
	r->results[i] = NULL; /* stolen */
	return resp != NULL && json_array_append_new(out, resp) == 0 ? 0 : -1;
}

/* Runs count calls from batch[first] (a run of batch_run_length) through
 * the method's batch handler and appends their responses to out. */
static int batch_run_calls(const struct rpc_table *t, json_t *batch, size_t first, size_t count,
			   json_t *out)
{
	const struct table_entry *e = find_entry(
		t, json_string_value(json_object_get(json_array_get(batch, first), "method")));
	struct batch_run r = {
		.params = calloc(count, sizeof(json_t *)),
		.results = calloc(count, sizeof(json_t *)),
		.errs = calloc(count, sizeof(struct rpc_error)),
		.valid = calloc(count, sizeof(json_t *)),
		.index = calloc(count, sizeof(size_t)),
	};
	json_t **got;
	struct rpc_error *got_errs;
	struct timespec start;
	size_t n = 0;
	int rc = 0;

	if (e == NULL || r.params == NULL || r.results == NULL || r.errs == NULL ||
	    r.valid == NULL || r.index == NULL) {
		batch_run_free(&r, count);
		return -1;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &start) != 0)
		memset(&start, 0, sizeof(start));
	for (size_t i = 0; i < count; i++) {
		json_t *req = json_array_get(batch, first + i);

		r.params[i] =
			params_normalise(e->method, json_object_get(req, "params"), &r.errs[i]);
		if (r.params[i] != NULL) {
			r.valid[n] = r.params[i];
			r.index[n++] = i;
		}
	}
	/* The handler fills a compact pair of arrays, spread back by index. */
	got = calloc(n ? n : 1, sizeof(*got));
	got_errs = calloc(n ? n : 1, sizeof(*got_errs));
	if (got == NULL || got_errs == NULL) {
		free(got);
		free(got_errs);
		batch_run_free(&r, count);
		return -1;
	}
	if (n > 0)
		e->batch(e->ctx, r.valid, n, got, got_errs);
	for (size_t j = 0; j < n; j++) {
		r.results[r.index[j]] = got[j];
		r.errs[r.index[j]] = got_errs[j];
		if (got[j] == NULL && got_errs[j].code == RPC_OK)
			rpc_error_set(&r.errs[r.index[j]], RPC_INTERNAL_ERROR, "%s failed",
				      e->method->name);
	}
	free(got);
	free(got_errs);
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = batch_respond(t, json_array_get(batch, first + i), &r, i,
				   seconds_since(&start) / (double)count, out);
	batch_run_free(&r, count);
	return rc;
}

static int dispatch_batch(const struct rpc_table *t, json_t *batch, bool full_access,
			  const struct rpc_error *forced, struct rpc_reply *reply)
{
	size_t n = json_array_size(batch);
	json_t *out;
	bool oom = false;
	char msg[128];

	if (n == 0)
		return reply_error(t, reply, RPC_INVALID_REQUEST, "empty batch");
	if (n > t->max_batch) {
		snprintf(msg, sizeof(msg), "batch of %zu requests is over the limit of %zu", n,
			 t->max_batch);
		return reply_error(t, reply, RPC_INVALID_REQUEST, msg);
	}
	out = json_array();
	if (out == NULL)
		return -1;
	for (size_t i = 0; i < n && !oom;) {
		size_t run = forced == NULL ? batch_run_length(t, batch, i, full_access) : 0;
		enum rpc_version version;
		int code;
		json_t *resp;

		if (run >= 2) {
			oom = batch_run_calls(t, batch, i, run, out) != 0;
			i += run;
			continue;
		}
		resp = call_run(t, json_array_get(batch, i), full_access, forced, &version, &code,
				&oom);
		if (resp != NULL && json_array_append_new(out, resp) != 0)
			oom = true;
		i++;
	}
	if (oom) {
		json_decref(out);
		return -1;
	}
	if (json_array_size(out) == 0) {
		json_decref(out);
		reply->http_status = 204;
		return 0;
	}
	return reply_set(reply, out, 200);
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
	return reply_error(t, reply, RPC_PARSE_ERROR, msg) == 0 ? 1 : -1;
}

/* True when req is a request object naming a parked method. */
static bool call_is_parked(const struct rpc_table *t, const json_t *req)
{
	const char *name = json_string_value(json_object_get(req, "method"));
	const struct table_entry *e = name != NULL ? find_entry(t, name) : NULL;

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
		return dispatch_batch(t, root, full_access, forced, reply);
	resp = call_run(t, root, full_access, forced, &version, &code, &oom);
	if (oom)
		return -1;
	if (resp == NULL) {
		reply->http_status = 204;
		return 0;
	}
	switch (version) {
	case VERSION_UNKNOWN:
		return reply_set(reply, resp, 400);
	case VERSION_LEGACY:
		return reply_set(reply, resp, legacy_status(code));
	case VERSION_2:
		return reply_set(reply, resp, 200);
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
