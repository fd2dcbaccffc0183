/* log.h: hearthd's log. One line per event:
 *   2026-11-27T03:45:00.123Z info p2p peer connected addr=127.0.0.1:19740
 * time (UTC, milliseconds), level, category, message, then key=value pairs
 * (the message is written by the caller, pairs included). Lines go to
 * debug.log and, with -printtoconsole, to standard error. Debug lines are
 * written only for the categories enabled with -debug. Safe to call from any
 * thread: each line is written with one write(2) under the log's mutex. */
#ifndef HEARTH_NODE_LOG_H
#define HEARTH_NODE_LOG_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define LOG_LINE_MAX 4096

enum log_level {
	LOG_ERROR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

enum log_category {
	LOG_MAIN,
	LOG_P2P,
	LOG_CONSENSUS,
	LOG_MEMPOOL,
	LOG_RPC,
	LOG_STORE,
	LOG_EXECUTOR,
	LOG_SANDBOX,
	LOG_MARKET,
	LOG_CATEGORY_COUNT,
};

struct log {
	int fd; /* debug.log, or -1 */
	bool to_console;
	uint32_t debug_mask; /* bit per enum log_category */
	pthread_mutex_t lock;
};

/* Name of a category as written in lines and given to -debug. */
const char *log_category_name(enum log_category cat);

/* Parses one -debug value: a comma list of category names, "all", "1"
 * (all) or "0"/"none" (none). Out: *mask updated; err names a bad category.
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int log_parse_debug(const char *value, uint32_t *mask,
							char *err, size_t err_size);

/* Opens path for appending (created 0600; NULL: no file).
 * Returns 0 or -1 with errno set. */
__attribute__((warn_unused_result)) int log_open(struct log *log, const char *path, bool to_console,
						 uint32_t debug_mask);

void log_close(struct log *log);

/* True when a line of this level and category would be written. */
bool log_enabled(const struct log *log, enum log_level level, enum log_category cat);

/* Writes one line. A line longer than LOG_LINE_MAX is cut, never split. */
void log_write(struct log *log, enum log_level level, enum log_category cat, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Formats one line into buf (no I/O): the time prefix from ms since the
 * epoch, level, category, message, newline. Returns the length. */
size_t log_format_line(char *buf, size_t size, int64_t unix_ms, enum log_level level,
		       enum log_category cat, const char *msg);

#endif
