/* fuzz_config.c: libFuzzer target for node/config.c. The first input byte
 * picks a mode:
 *   0: the rest is the text of a hearth.conf;
 *   1: the rest is a command line, arguments separated by NUL bytes;
 *   2: the text of a file up to the first NUL, then a command line;
 *   3: the rest is written to a file and read with config_read_file.
 * Whatever parses must give, for every key of the table, typed values within
 * the key's bounds; a file written back from the parsed entries (top level
 * first, then each section) must parse to the same values; every error is
 * one line naming where it came from. */
#include "node/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every key's value obeys its type. */
static void check_values(const struct config *cfg)
{
	static const char *values[CONFIG_MAX_ENTRIES];
	const char *net = config_network(cfg);
	char err[CONFIG_ERROR_MAX];

	if (strcmp(net, "main") != 0 && strcmp(net, "test") != 0 && strcmp(net, "dev") != 0)
		abort();
	if (config_check(cfg, err, sizeof(err)) != 0 && strchr(err, '\n') != NULL)
		abort();
	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		const char *v = config_get(cfg, k->name);
		int64_t i;

		switch (k->type) {
		case CONFIG_BOOL:
			if (v != NULL && strcmp(v, "0") != 0 && strcmp(v, "1") != 0)
				abort();
			break;
		case CONFIG_INT:
			i = config_get_int(cfg, k->name, k->min);
			if (i < k->min || i > k->max)
				abort();
			break;
		case CONFIG_STRING:
			if (v != NULL && strlen(v) >= CONFIG_VALUE_MAX)
				abort();
			break;
		case CONFIG_LIST:
			if (config_get_list(cfg, k->name, values, CONFIG_MAX_ENTRIES) > cfg->count)
				abort();
			break;
		}
	}
}

/* Appends "name=value\n" (or a section header) to buf. */
static void put_line(char *buf, size_t size, size_t *len, const char *a, const char *b,
		     const char *c)
{
	int n = snprintf(buf + *len, size - *len, "%s%s%s\n", a, b, c);

	if (n < 0 || (size_t)n >= size - *len)
		abort();
	*len += (size_t)n;
}

/* Writes the entries of cfg back as hearth.conf text and checks that it
 * parses to the same values. Only for settings that all came from a file. */
static void check_rewrite(const struct config *cfg)
{
	size_t size = cfg->count * (CONFIG_VALUE_MAX + 64) + 1, len = 0;
	char *text = malloc(size), err[CONFIG_ERROR_MAX];
	struct config *again = malloc(sizeof(*again));
	const char *section = "";

	if (text == NULL || again == NULL)
		abort();
	text[0] = '\0';
	for (size_t i = 0; i < cfg->count; i++) {
		if (cfg->entries[i].source == CONFIG_FROM_COMMAND_LINE)
			goto out;
	}
	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (e->source == CONFIG_FROM_FILE)
			put_line(text, size, &len, e->key->name, "=", e->value);
	}
	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (e->source != CONFIG_FROM_SECTION)
			continue;
		if (strcmp(section, e->section) != 0) {
			section = e->section;
			put_line(text, size, &len, "[", section, "]");
		}
		put_line(text, size, &len, e->key->name, "=", e->value);
	}
	config_init(again);
	if (config_parse_file_text(again, "again", text, err, sizeof(err)) != 0)
		abort();
	if (again->count != cfg->count)
		abort();
	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		const char *a = config_get(cfg, k->name), *b = config_get(again, k->name);

		if ((a == NULL) != (b == NULL) || (a != NULL && strcmp(a, b) != 0))
			abort();
	}
out:
	free(again);
	free(text);
}

/* Splits data at NUL bytes into argv[1..] (argv[0] is the program). */
static int parse_args(struct config *cfg, const char *data, size_t size, char *err)
{
	char *copy = malloc(size + 1), *argv[MAX_ARGS + 1];
	int argc = 1, rc;

	if (copy == NULL)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	argv[0] = (char *)"hearthd";
	for (size_t pos = 0; pos <= size && argc <= MAX_ARGS; pos += strlen(copy + pos) + 1)
		argv[argc++] = copy + pos;
	rc = config_parse_args(cfg, argc, argv, err, CONFIG_ERROR_MAX);
	free(copy);
	return rc;
}

static int parse_text(struct config *cfg, const char *data, size_t size, char *err)
{
	char *text = malloc(size + 1);
	int rc;

	if (text == NULL)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	rc = config_parse_file_text(cfg, "fuzz.conf", text, err, CONFIG_ERROR_MAX);
	if (rc != 0 && (strncmp(err, "fuzz.conf:", 10) != 0 || strchr(err, '\n') != NULL))
		abort();
	free(text);
	return rc;
}

/* Writes data to a per-process file and reads it back as a hearth.conf. */
static int parse_file(struct config *cfg, const char *data, size_t size, char *err)
{
	char path[64];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/tmp/fuzz_config.%ld.conf", (long)getpid());
	f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		abort();
	rc = config_read_file(cfg, path, false, err, CONFIG_ERROR_MAX);
	if (unlink(path) != 0)
		abort();
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config *cfg;
	char err[CONFIG_ERROR_MAX];
	const char *text = (const char *)data + 1;
	size_t n = size - 1, cut;
	int rc = -1;

	if (size < 1)
		return 0;
	cfg = malloc(sizeof(*cfg));
	if (cfg == NULL)
		abort();
	config_init(cfg);
	switch (data[0] % 4) {
	case 0:
		rc = parse_text(cfg, text, n, err);
		break;
	case 1:
		rc = parse_args(cfg, text, n, err);
		break;
	case 2:
		cut = strnlen(text, n);
		rc = parse_text(cfg, text, cut, err);
		if (rc == 0 && cut < n)
			rc = parse_args(cfg, text + cut + 1, n - cut - 1, err);
		break;
	default:
		rc = parse_file(cfg, text, n, err);
		break;
	}
	if (rc == 0) {
		if (cfg->count > CONFIG_MAX_ENTRIES)
			abort();
		check_values(cfg);
		check_rewrite(cfg);
	} else if (strnlen(err, sizeof(err)) == 0 || strnlen(err, sizeof(err)) == sizeof(err)) {
		abort();
	}
	free(cfg);
	return 0;
}
