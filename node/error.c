/* error.c: formatting of struct node_error (see error.h). */
#include "node/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int node_error_set(struct node_error *e, int err, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->err = err;
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0) {
		e->msg[0] = '\0';
		n = 0;
	}
	if (err != 0 && (size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", strerror(err));
	return -1;
}

int node_error_prefix(struct node_error *e, const char *fmt, ...)
{
	char old[NODE_ERROR_MAX];
	va_list ap;
	int n;

	memcpy(old, e->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof(e->msg))
		snprintf(e->msg + n, sizeof(e->msg) - (size_t)n, ": %s", old);
	return -1;
}
