/* error.h: errors as values for node/. A failing step fills a struct
 * node_error with what it was doing (the call and the path) and errno; the
 * caller adds nothing or prefixes its own context, and the top of the program
 * prints it once. Nothing in node/ prints or exits on its own. */
#ifndef HEARTH_NODE_ERROR_H
#define HEARTH_NODE_ERROR_H

#define NODE_ERROR_MAX 512

struct node_error {
	int err;		  /* errno of the failing call, 0 when not a system error */
	char msg[NODE_ERROR_MAX]; /* "call path: strerror", NUL-terminated */
};

/* Sets e to the formatted context followed by ": strerror(err)" when err is
 * not 0. In: err, an errno value or 0; fmt, printf format. Always returns -1,
 * so that callers can write `return node_error_set(e, errno, ...)`. */
__attribute__((format(printf, 3, 4))) int node_error_set(struct node_error *e, int err,
							 const char *fmt, ...);

/* Prefixes e's message with "context: " (truncating at NODE_ERROR_MAX).
 * Returns -1 like node_error_set. */
__attribute__((format(printf, 2, 3))) int node_error_prefix(struct node_error *e, const char *fmt,
							    ...);

#endif
