/* rpc_dispatch_table.c: the method table of rpc_dispatch.h: registering
 * methods (names, parameter lists and duplicates checked; plain or parked),
 * batch handlers, the batch limit and the observer, and finding a method by
 * name. Dispatch itself is in rpc_dispatch.c. */
#include "node/rpc_dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/rpc_dispatch_internal.h"

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

const struct rpc_table_entry *rpc_table_find_entry(const struct rpc_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++) {
		if (strcmp(t->entries[i].method->name, name) == 0)
			return &t->entries[i];
	}
	return NULL;
}

const struct rpc_method *rpc_table_find(const struct rpc_table *t, const char *name)
{
	const struct rpc_table_entry *e = rpc_table_find_entry(t, name);

	return e ? e->method : NULL;
}
