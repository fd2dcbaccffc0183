/* journal.c: the text form of a lease's journal and its atomic file. Every
 * field is written on every save, so a parse checks that each known key was
 * present exactly once. */
#include "node/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/fdio.h"
#include "proto/hex.h"

enum field_type { F_HASH, F_SALT, F_U64, F_U32, F_I32, F_BOOL, F_STATE };

struct field {
	const char *name;
	enum field_type type;
	size_t offset;
};

#define FIELD(n, t, m)                                                                             \
	{                                                                                          \
		n, t, offsetof(struct journal_entry, m)                                            \
	}

static const struct field fields[] = {
	FIELD("lease", F_HASH, lease_id),
	FIELD("bid", F_HASH, bid_id),
	FIELD("offer", F_HASH, offer_id),
	FIELD("state", F_STATE, state),
	FIELD("replicas", F_U32, replicas),
	FIELD("verifier", F_BOOL, verifier),
	FIELD("price", F_U64, price),
	FIELD("deadline", F_U64, deadline),
	FIELD("max_duration", F_U64, max_duration),
	FIELD("attempts", F_U32, attempts),
	FIELD("has_outcome", F_BOOL, has_outcome),
	FIELD("result_hash", F_HASH, result_hash),
	FIELD("exit_status", F_I32, exit_status),
	FIELD("timed_out", F_BOOL, timed_out),
	FIELD("oom_killed", F_BOOL, oom_killed),
	FIELD("wall_ms", F_U64, wall_ms),
	FIELD("cpu_ms", F_U64, cpu_ms),
	FIELD("peak_memory_bytes", F_U64, peak_memory_bytes),
	FIELD("salt", F_SALT, salt),
	FIELD("has_tx", F_BOOL, has_tx),
	FIELD("txid", F_HASH, txid),
	FIELD("tx_height", F_U64, tx_height),
	FIELD("paid", F_U64, paid),
	FIELD("created_ms", F_U64, created_ms),
};

#define NUM_FIELDS (sizeof(fields) / sizeof(fields[0]))

static const char *const state_names[] = { "",		"received", "running", "done",
					   "committed", "revealed", "settled", "failed" };

const char *journal_state_name(enum journal_state s)
{
	if ((int)s < JOURNAL_RECEIVED || (int)s > JOURNAL_FAILED)
		return "unknown";
	return state_names[s];
}

bool journal_state_final(enum journal_state s)
{
	return s == JOURNAL_SETTLED || s == JOURNAL_FAILED;
}

/* One field's value as text. Returns 0 or -1. */
static int format_value(const struct journal_entry *e, const struct field *f, char *out,
			size_t size)
{
	const uint8_t *p = (const uint8_t *)e + f->offset;
	bool b;
	uint64_t u;
	uint32_t u32;
	int32_t i32;
	enum journal_state s;

	switch (f->type) {
	case F_HASH:
		return hex_encode(p, HASH_SIZE, out, size);
	case F_SALT:
		return hex_encode(p, JOURNAL_SALT_SIZE, out, size);
	case F_U64:
		memcpy(&u, p, sizeof(u));
		return snprintf(out, size, "%" PRIu64, u) < (int)size ? 0 : -1;
	case F_U32:
		memcpy(&u32, p, sizeof(u32));
		return snprintf(out, size, "%" PRIu32, u32) < (int)size ? 0 : -1;
	case F_I32:
		memcpy(&i32, p, sizeof(i32));
		return snprintf(out, size, "%" PRId32, i32) < (int)size ? 0 : -1;
	case F_BOOL:
		memcpy(&b, p, sizeof(b));
		return snprintf(out, size, "%d", b ? 1 : 0) < (int)size ? 0 : -1;
	case F_STATE:
		memcpy(&s, p, sizeof(s));
		return snprintf(out, size, "%s", journal_state_name(s)) < (int)size ? 0 : -1;
	}
	return -1;
}

int journal_format(const struct journal_entry *e, char *out, size_t out_size)
{
	size_t used = 0;
	char value[2 * HASH_SIZE + 1];

	for (size_t i = 0; i < NUM_FIELDS; i++) {
		int n;

		if (format_value(e, &fields[i], value, sizeof(value)) != 0)
			return -1;
		n = snprintf(out + used, out_size - used, "%s %s\n", fields[i].name, value);
		if (n < 0 || (size_t)n >= out_size - used)
			return -1;
		used += (size_t)n;
	}
	return (int)used;
}

static int parse_unsigned(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long x;

	errno = 0;
	x = strtoull(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || x > max)
		return -1;
	*out = x;
	return 0;
}

static int parse_state(const char *v, enum journal_state *s)
{
	for (int i = JOURNAL_RECEIVED; i <= JOURNAL_FAILED; i++) {
		if (strcmp(v, state_names[i]) == 0) {
			*s = (enum journal_state)i;
			return 0;
		}
	}
	return -1;
}

static int parse_i32(const char *v, int32_t *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (v[0] == '\0' || *end != '\0' || errno != 0 || x < INT32_MIN || x > INT32_MAX)
		return -1;
	*out = (int32_t)x;
	return 0;
}

/* Parses one field's value into e. Returns 0 or -1. */
static int parse_value(struct journal_entry *e, const struct field *f, const char *v)
{
	uint8_t *p = (uint8_t *)e + f->offset;
	uint64_t u;

	switch (f->type) {
	case F_HASH:
		return hex_decode_exact(v, p, HASH_SIZE);
	case F_SALT:
		return hex_decode_exact(v, p, JOURNAL_SALT_SIZE);
	case F_U64:
		return parse_unsigned(v, UINT64_MAX, (uint64_t *)(void *)p);
	case F_U32:
		if (parse_unsigned(v, UINT32_MAX, &u) != 0)
			return -1;
		*(uint32_t *)(void *)p = (uint32_t)u;
		return 0;
	case F_I32:
		return parse_i32(v, (int32_t *)(void *)p);
	case F_BOOL:
		if (parse_unsigned(v, 1, &u) != 0)
			return -1;
		*(bool *)(void *)p = u == 1;
		return 0;
	case F_STATE:
		return parse_state(v, (enum journal_state *)(void *)p);
	}
	return -1;
}

/* One "key value" line (NUL-terminated, no newline). */
static int parse_line(struct journal_entry *e, char *line, bool seen[NUM_FIELDS])
{
	char *sp = strchr(line, ' ');

	if (sp == NULL)
		return -1;
	*sp = '\0';
	for (size_t i = 0; i < NUM_FIELDS; i++) {
		if (strcmp(line, fields[i].name) != 0)
			continue;
		if (seen[i] || parse_value(e, &fields[i], sp + 1) != 0)
			return -1;
		seen[i] = true;
		return 0;
	}
	return 0; /* a key of a newer writer */
}

int journal_parse(const char *text, size_t len, struct journal_entry *e)
{
	bool seen[NUM_FIELDS] = { false };
	char line[256];
	size_t pos = 0;

	memset(e, 0, sizeof(*e));
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;

		if (n >= sizeof(line))
			return -1;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (n > 0 && parse_line(e, line, seen) != 0)
			return -1;
		pos += n + 1;
	}
	for (size_t i = 0; i < NUM_FIELDS; i++) {
		if (!seen[i])
			return -1;
	}
	return 0;
}

int journal_dir(const char *results_dir, const uint8_t lease_id[HASH_SIZE], char *dir,
		size_t dir_size)
{
	char hex[2 * HASH_SIZE + 1];
	int n;

	if (hex_encode(lease_id, HASH_SIZE, hex, sizeof(hex)) != 0)
		return -1;
	n = snprintf(dir, dir_size, "%s/%s", results_dir, hex);
	return n > 0 && (size_t)n < dir_size ? 0 : -1;
}

/* Writes text into dir/journal through dir/journal.tmp. */
static int replace_file(const char *dir, const char *text, size_t len, char *err, size_t err_size)
{
	char tmp[4200], path[4200];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/journal.tmp", dir) >= sizeof(tmp) ||
	    (size_t)snprintf(path, sizeof(path), "%s/journal", dir) >= sizeof(path)) {
		snprintf(err, err_size, "journal path too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fdio_write_all(fd, text, len) != 0 || fsync(fd) != 0) {
		snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0 || fdio_fsync_dir(dir) != 0) {
		snprintf(err, err_size, "cannot replace %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int journal_save(const char *results_dir, const struct journal_entry *e, char *err, size_t err_size)
{
	char dir[4096], text[JOURNAL_TEXT_MAX];
	int len;

	if (journal_dir(results_dir, e->lease_id, dir, sizeof(dir)) != 0) {
		snprintf(err, err_size, "results path too long");
		return -1;
	}
	if ((mkdir(results_dir, 0700) != 0 && errno != EEXIST) ||
	    (mkdir(dir, 0700) != 0 && errno != EEXIST)) {
		snprintf(err, err_size, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	len = journal_format(e, text, sizeof(text));
	if (len < 0) {
		snprintf(err, err_size, "journal too long");
		return -1;
	}
	return replace_file(dir, text, (size_t)len, err, err_size);
}

int journal_load(const char *dir, struct journal_entry *e, char *err, size_t err_size)
{
	char path[4200], text[JOURNAL_TEXT_MAX];
	FILE *f;
	size_t len;

	if ((size_t)snprintf(path, sizeof(path), "%s/journal", dir) >= sizeof(path)) {
		snprintf(err, err_size, "journal path too long");
		return -1;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	len = fread(text, 1, sizeof(text), f);
	if (ferror(f) || len == sizeof(text)) {
		fclose(f);
		snprintf(err, err_size, "cannot read %s", path);
		return -1;
	}
	fclose(f);
	if (journal_parse(text, len, e) != 0) {
		snprintf(err, err_size, "%s is malformed", path);
		return -1;
	}
	return 0;
}
