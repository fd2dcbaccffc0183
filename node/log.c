/* log.c: line-oriented logging to debug.log and the console. */
#include "node/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "node/fdio.h"

static const char *const category_names[LOG_CATEGORY_COUNT] = {
	[LOG_MAIN] = "main",	     [LOG_P2P] = "p2p",		[LOG_CONSENSUS] = "consensus",
	[LOG_MEMPOOL] = "mempool",   [LOG_RPC] = "rpc",		[LOG_STORE] = "store",
	[LOG_EXECUTOR] = "executor", [LOG_SANDBOX] = "sandbox", [LOG_MARKET] = "market",
};

const char *log_category_name(enum log_category cat)
{
	return (unsigned)cat < LOG_CATEGORY_COUNT ? category_names[cat] : "unknown";
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "error";
	case LOG_WARN:
		return "warn";
	case LOG_INFO:
		return "info";
	case LOG_DEBUG:
		return "debug";
	}
	return "unknown";
}

static int category_bit(const char *name, size_t len, uint32_t *mask)
{
	for (unsigned i = 0; i < LOG_CATEGORY_COUNT; i++) {
		if (strlen(category_names[i]) == len &&
		    strncmp(category_names[i], name, len) == 0) {
			*mask |= 1u << i;
			return 0;
		}
	}
	return -1;
}

int log_parse_debug(const char *value, uint32_t *mask, char *err, size_t err_size)
{
	const char *p = value;

	if (strcmp(value, "0") == 0 || strcmp(value, "none") == 0) {
		*mask = 0;
		return 0;
	}
	if (strcmp(value, "1") == 0 || strcmp(value, "all") == 0) {
		*mask = (1u << LOG_CATEGORY_COUNT) - 1;
		return 0;
	}
	while (*p != '\0') {
		size_t len = strcspn(p, ",");

		if (len == 0 || category_bit(p, len, mask) != 0) {
			snprintf(err, err_size, "unknown debug category '%.*s'", (int)len, p);
			return -1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

int log_open(struct log *log, const char *path, bool to_console, uint32_t debug_mask)
{
	int rc;

	log->fd = -1;
	log->to_console = to_console;
	log->debug_mask = debug_mask;
	if (path != NULL) {
		log->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (log->fd < 0)
			return -1;
	}
	rc = pthread_mutex_init(&log->lock, NULL);
	if (rc != 0) {
		if (log->fd >= 0)
			close(log->fd);
		log->fd = -1;
		errno = rc;
		return -1;
	}
	return 0;
}

void log_close(struct log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
	pthread_mutex_destroy(&log->lock);
}

bool log_enabled(const struct log *log, enum log_level level, enum log_category cat)
{
	if (level != LOG_DEBUG)
		return true;
	return (unsigned)cat < LOG_CATEGORY_COUNT && (log->debug_mask & (1u << cat)) != 0;
}

size_t log_format_line(char *buf, size_t size, int64_t unix_ms, enum log_level level,
		       enum log_category cat, const char *msg)
{
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;
	char stamp[32] = "0000-00-00T00:00:00";
	int n;

	if (gmtime_r(&secs, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(buf, size, "%s.%03dZ %s %s %s\n", stamp, (int)(unix_ms % 1000),
		     level_name(level), log_category_name(cat), msg);
	if (n < 0)
		return 0;
	if ((size_t)n >= size) {
		/* Cut, but keep the line ending. */
		buf[size - 2] = '\n';
		return size - 1;
	}
	return (size_t)n;
}

void log_write(struct log *log, enum log_level level, enum log_category cat, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX], line[LOG_LINE_MAX + 64];
	struct timespec now;
	va_list ap;
	size_t len;

	if (!log_enabled(log, level, cat))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		memset(&now, 0, sizeof(now));
	len = log_format_line(line, sizeof(line),
			      (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, level, cat, msg);
	pthread_mutex_lock(&log->lock);
	/* A failing log write has nowhere left to be reported. */
	if (log->fd >= 0)
		(void)!fdio_write_all(log->fd, line, len);
	if (log->to_console)
		(void)!fdio_write_all(STDERR_FILENO, line, len);
	pthread_mutex_unlock(&log->lock);
}
