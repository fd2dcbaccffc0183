/* test_contrib_conf.c: contrib/hearth.conf against node/config.c's key
 * table: every key hearthd takes in a file has a line in the sample, every
 * command-line-only key is named, defaults shown match the table's help,
 * the sample parses as it is (all commented) and with every line
 * uncommented. */
#include "node/config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

#define SAMPLE		  "contrib/hearth.conf"
#define EXAMPLE_PREFIX	  "#example: "
#define DEFAULT_VALUE_MAX 64

/* The value of the sample line "#key=" or "#example: key=" (its first
 * occurrence at the start of a line), copied into out; *is_default says
 * which form. Returns false when there is none. */
static bool sample_value(const char *text, const char *key, char *out, size_t out_size,
			 bool *is_default)
{
	size_t klen = strlen(key), plen = strlen(EXAMPLE_PREFIX);

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *eol = strchr(line, '\n');
		const char *p = NULL;

		if (line[0] == '#' && strncmp(line + 1, key, klen) == 0 && line[1 + klen] == '=') {
			p = line + 1 + klen + 1;
			*is_default = true;
		} else if (strncmp(line, EXAMPLE_PREFIX, plen) == 0 &&
			   strncmp(line + plen, key, klen) == 0 && line[plen + klen] == '=') {
			p = line + plen + klen + 1;
			*is_default = false;
		}
		if (p != NULL) {
			size_t len = eol ? (size_t)(eol - p) : strlen(p);

			if (len >= out_size)
				len = out_size - 1;
			memcpy(out, p, len);
			out[len] = '\0';
			return true;
		}
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

/* The plain default a help text states, "(default: 32)" or "(default:
 * 9740, dev 19740)" -> "9740"; false when it states none or one that is
 * not a plain token ("<datadir>/...", "min(8, ...)"). */
static bool help_default(const char *help, char *out, size_t out_size)
{
	const char *p = strstr(help, "(default: ");
	size_t n = 0;

	if (p == NULL)
		return false;
	p += strlen("(default: ");
	while (p[n] != '\0' && p[n] != ')' && p[n] != ',' && n + 1 < out_size) {
		char c = p[n];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
		out[n] = c;
		n++;
	}
	out[n] = '\0';
	return n > 0 && (p[n] == ')' || p[n] == ',');
}

static void test_every_file_key_has_a_line(void **state UNUSED)
{
	char *text = test_read_source_file(SAMPLE);

	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		char value[CONFIG_VALUE_MAX];
		bool is_default;

		if (k->cli_only)
			continue;
		if (!sample_value(text, k->name, value, sizeof(value), &is_default))
			fail_msg("%s has no line '#%s=...' or '" EXAMPLE_PREFIX "%s=...'", SAMPLE,
				 k->name, k->name);
	}
	free(text);
}

static void test_command_line_keys_are_named(void **state UNUSED)
{
	char *text = test_read_source_file(SAMPLE);

	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		char word[64];
		char value[CONFIG_VALUE_MAX];
		bool is_default;

		if (!k->cli_only)
			continue;
		snprintf(word, sizeof(word), "-%s", k->name);
		if (strstr(text, word) == NULL)
			fail_msg("%s does not name the command-line-only key %s", SAMPLE, word);
		/* and does not offer it as a line, which hearthd would refuse */
		if (sample_value(text, k->name, value, sizeof(value), &is_default))
			fail_msg("%s has a line for %s, which a file may not set", SAMPLE, k->name);
	}
	free(text);
}

static void test_defaults_match_the_key_table(void **state UNUSED)
{
	char *text = test_read_source_file(SAMPLE);

	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		char want[DEFAULT_VALUE_MAX], value[CONFIG_VALUE_MAX];
		bool is_default;

		if (k->cli_only || !help_default(k->help, want, sizeof(want)) ||
		    !sample_value(text, k->name, value, sizeof(value), &is_default))
			continue;
		if (!is_default)
			fail_msg("%s: %s has a default (%s) but an example line", SAMPLE, k->name,
				 want);
		if (strcmp(value, want) != 0)
			fail_msg("%s: #%s=%s but hearthd's default is %s", SAMPLE, k->name, value,
				 want);
	}
	free(text);
}

static void test_sample_parses_as_it_is(void **state UNUSED)
{
	char *text = test_read_source_file(SAMPLE);
	struct config *cfg = malloc(sizeof(*cfg));
	char err[CONFIG_ERROR_MAX];

	assert_non_null(cfg);
	config_init(cfg);
	if (config_parse_file_text(cfg, SAMPLE, text, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(cfg->count, 0);
	free(cfg);
	free(text);
}

/* Every "#key=" and "#example: key=" line made live: hearthd must take each
 * value (type and range). */
static char *uncomment_all(const char *text)
{
	char *out = malloc(strlen(text) + 1), *w = out;
	size_t plen = strlen(EXAMPLE_PREFIX);

	assert_non_null(out);
	for (const char *line = text; *line != '\0';) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) + 1 : strlen(line);
		const char *eq = memchr(line, '=', len);
		const char *space = memchr(line, ' ', len);

		if (strncmp(line, EXAMPLE_PREFIX, plen) == 0) {
			line += plen;
			len -= plen;
		} else if (line[0] == '#' && line[1] >= 'a' && line[1] <= 'z' && eq != NULL &&
			   (space == NULL || space > eq)) {
			line++;
			len--;
		}
		memcpy(w, line, len);
		w += len;
		line += len;
	}
	*w = '\0';
	return out;
}

static void test_sample_parses_uncommented(void **state UNUSED)
{
	char *text = test_read_source_file(SAMPLE);
	char *live = uncomment_all(text);
	struct config *cfg = malloc(sizeof(*cfg));
	char err[CONFIG_ERROR_MAX];
	size_t file_keys = 0;

	assert_non_null(cfg);
	config_init(cfg);
	if (config_parse_file_text(cfg, SAMPLE, live, err, sizeof(err)) != 0)
		fail_msg("%s uncommented: %s", SAMPLE, err);
	for (const struct config_key *k = config_keys(); k->name != NULL; k++)
		file_keys += !k->cli_only;
	/* at least one live setting per key: the uncommenting did its job */
	assert_true(cfg->count >= file_keys);
	free(cfg);
	free(live);
	free(text);
}

static void test_help_default_reads_the_table_form(void **state UNUSED)
{
	char v[DEFAULT_VALUE_MAX];

	assert_true(help_default("P2P port (default: 9740, dev 19740)", v, sizeof(v)));
	assert_string_equal(v, "9740");
	assert_true(help_default("RPC listen address (default: 127.0.0.1)", v, sizeof(v)));
	assert_string_equal(v, "127.0.0.1");
	assert_false(help_default("pid file (default: <datadir>/hearthd.pid)", v, sizeof(v)));
	assert_false(help_default("peers (default: min(8, maxconnections))", v, sizeof(v)));
	assert_false(help_default("the test network", v, sizeof(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_default_reads_the_table_form),
		cmocka_unit_test(test_every_file_key_has_a_line),
		cmocka_unit_test(test_command_line_keys_are_named),
		cmocka_unit_test(test_defaults_match_the_key_table),
		cmocka_unit_test(test_sample_parses_as_it_is),
		cmocka_unit_test(test_sample_parses_uncommented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
