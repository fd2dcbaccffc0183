/* rpc_builtin.c: the help and uptime methods of rpc_builtin.h. */
#include "node/rpc_builtin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *describe_params(const struct rpc_method *m)
{
	json_t *params = json_array();

	for (size_t i = 0; params != NULL && i < m->num_params; i++) {
		const struct rpc_param *p = &m->params[i];

		if (json_array_append_new(params,
					  json_pack("{s:s,s:s,s:b,s:s}", "name", p->name, "type",
						    rpc_param_type_name(p->type), "optional",
						    p->optional, "help", p->help)) != 0) {
			json_decref(params);
			return NULL;
		}
	}
	return params;
}

static int compare_names(const void *a, const void *b)
{
	const struct rpc_method *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* {"methods": [{"name", "summary", "read_only"}...]} sorted by name. */
static int list_methods(const struct rpc_table *t, json_t **result, struct rpc_error *err)
{
	size_t n = rpc_table_count(t);
	const struct rpc_method **sorted = calloc(n ? n : 1, sizeof(*sorted));
	json_t *methods = json_array();

	if (sorted == NULL || methods == NULL) {
		free(sorted);
		json_decref(methods);
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	}
	for (size_t i = 0; i < n; i++)
		sorted[i] = rpc_table_method(t, i);
	qsort(sorted, n, sizeof(*sorted), compare_names);
	for (size_t i = 0; i < n; i++) {
		if (json_array_append_new(methods,
					  json_pack("{s:s,s:s,s:b}", "name", sorted[i]->name,
						    "summary", sorted[i]->summary, "read_only",
						    sorted[i]->read_only)) != 0) {
			free(sorted);
			json_decref(methods);
			return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
		}
	}
	free(sorted);
	*result = json_pack("{s:o}", "methods", methods);
	if (*result == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	return 0;
}

static int help_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct rpc_builtin *b = ctx;
	const json_t *command = json_array_get(params, 0);
	const struct rpc_method *m;
	json_t *described;

	if (json_is_null(command))
		return list_methods(b->table, result, err);
	m = rpc_table_find(b->table, json_string_value(command));
	if (m == NULL)
		return rpc_error_set(err, RPC_NOT_FOUND, "no method named '%.64s'",
				     json_string_value(command));
	described = describe_params(m);
	if (described == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	*result = json_pack("{s:s,s:s,s:b,s:o}", "name", m->name, "summary", m->summary,
			    "read_only", m->read_only, "params", described);
	if (*result == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	return 0;
}

static int uptime_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	const struct rpc_builtin *b = ctx;
	struct timespec now;

	(void)params;
	if (clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "no monotonic clock");
	*result = json_pack("{s:I}", "seconds", (json_int_t)(now.tv_sec - b->started.tv_sec));
	if (*result == NULL)
		return rpc_error_set(err, RPC_INTERNAL_ERROR, "out of memory");
	return 0;
}

static const struct rpc_param help_params[] = {
	{ "command", RPC_PARAM_STRING, true, "the method to describe; all when absent" },
};

static const struct rpc_method builtin_methods[] = {
	{ "help", "list the methods, or describe one method's parameters", help_params, 1, true,
	  help_handler },
	{ "uptime", "seconds since the RPC server started", NULL, 0, true, uptime_handler },
};

int rpc_builtin_register(struct rpc_builtin *b, struct rpc_table *t, char *err, size_t err_size)
{
	b->table = t;
	if (clock_gettime(CLOCK_MONOTONIC, &b->started) != 0) {
		snprintf(err, err_size, "no monotonic clock");
		return -1;
	}
	return rpc_table_add(t, builtin_methods,
			     sizeof(builtin_methods) / sizeof(builtin_methods[0]), b, err,
			     err_size);
}
