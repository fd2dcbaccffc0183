/* rpc_dispatch_batch.c: JSON-RPC batches for rpc_dispatch.c: the size
 * limit, and runs of two or more consecutive calls of one method with a
 * batch handler (rpc_table_set_batch) handed to it at once; every other
 * call of the batch runs on its own. One response per call, in order;
 * notifications get none. */
#include "node/rpc_dispatch_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The number of calls from batch[first] on that are valid requests of one
 * method that has a batch handler and that this client may call. */
static size_t batch_run_length(const struct rpc_table *t, json_t *batch, size_t first,
			       bool full_access)
{
	const struct rpc_table_entry *entry = NULL;
	size_t k;

	for (k = first; k < json_array_size(batch); k++) {
		json_t *req = json_array_get(batch, k);
		const struct rpc_table_entry *e;
		struct rpc_error err;
		struct rpc_call call;

		if (rpc_call_parse(req, &call, &err) != 0)
			break;
		e = rpc_table_find_entry(t, json_string_value(json_object_get(req, "method")));
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
	struct rpc_call call;
	bool failed = r->results[i] == NULL;
	json_t *resp;

	(void)rpc_call_parse(req, &call, &err); /* valid: checked by batch_run_length */
	if (!failed && r->params[i] == NULL)
		failed = true;
	if (t->observe != NULL)
		t->observe(t->observe_arg, json_string_value(json_object_get(req, "method")),
			   failed ? r->errs[i].code : RPC_OK, seconds);
	if (call.notification)
		return 0;
	resp = rpc_response_new(call.version, call.id, r->results[i], failed ? &r->errs[i] : NULL);
	r->results[i] = NULL; /* stolen */
	return resp != NULL && json_array_append_new(out, resp) == 0 ? 0 : -1;
}

/* Runs count calls from batch[first] (a run of batch_run_length) through
 * the method's batch handler and appends their responses to out. */
static int batch_run_calls(const struct rpc_table *t, json_t *batch, size_t first, size_t count,
			   json_t *out)
{
	const struct rpc_table_entry *e = rpc_table_find_entry(
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
			rpc_params_normalise(e->method, json_object_get(req, "params"), &r.errs[i]);
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
				   rpc_seconds_since(&start) / (double)count, out);
	batch_run_free(&r, count);
	return rc;
}

int rpc_dispatch_batch(const struct rpc_table *t, json_t *batch, bool full_access,
		       const struct rpc_error *forced, struct rpc_reply *reply)
{
	size_t n = json_array_size(batch);
	json_t *out;
	bool oom = false;
	char msg[128];

	if (n == 0)
		return rpc_reply_error(t, reply, RPC_INVALID_REQUEST, "empty batch");
	if (n > t->max_batch) {
		snprintf(msg, sizeof(msg), "batch of %zu requests is over the limit of %zu", n,
			 t->max_batch);
		return rpc_reply_error(t, reply, RPC_INVALID_REQUEST, msg);
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
		resp = rpc_call_run(t, json_array_get(batch, i), full_access, forced, &version,
				    &code, &oom);
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
	return rpc_reply_set(reply, out, 200);
}
