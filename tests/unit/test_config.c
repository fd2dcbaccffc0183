/* test_config.c: unit tests of node/config.c: command line, hearth.conf,
 * sections and precedence. */
#include "node/config.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static struct config *new_config(void)
{
	struct config *cfg = malloc(sizeof(*cfg));

	assert_non_null(cfg);
	config_init(cfg);
	return cfg;
}

static int parse(struct config *cfg, const char *a, const char *b, char *err)
{
	char *argv[3] = { "hearthd", (char *)a, (char *)b };

	return config_parse_args(cfg, b ? 3 : 2, argv, err, CONFIG_ERROR_MAX);
}

static void test_config_args_forms(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];
	char *argv[] = { "hearthd",	 "-dev",	 "--rpcport=18000", "-noprinttoconsole",
			 "-connect=a:1", "-connect=b:2", "-debug=p2p,rpc" };
	const char *list[4];

	assert_int_equal(config_parse_args(cfg, 7, argv, err, sizeof(err)), 0);
	assert_string_equal(config_network(cfg), "dev");
	assert_int_equal(config_get_int(cfg, "rpcport", 1), 18000);
	assert_false(config_get_bool(cfg, "printtoconsole", true));
	assert_int_equal(config_get_list(cfg, "connect", list, 4), 2);
	assert_string_equal(list[0], "a:1");
	assert_string_equal(list[1], "b:2");
	assert_int_equal(config_get_int(cfg, "port", 9740), 9740);
	assert_null(config_get(cfg, "bind"));
	free(cfg);
}

static void test_config_rejects_bad_args(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];

	assert_int_equal(parse(cfg, "-nosuchoption", NULL, err), -1);
	assert_non_null(strstr(err, "unknown option -nosuchoption"));
	assert_int_equal(parse(cfg, "-rpcport=0", NULL, err), -1);
	assert_non_null(strstr(err, "[1, 65535]"));
	assert_int_equal(parse(cfg, "-rpcport=12x", NULL, err), -1);
	assert_int_equal(parse(cfg, "-rpcport=99999999999999999999", NULL, err), -1);
	assert_int_equal(parse(cfg, "-dev=yes", NULL, err), -1);
	assert_int_equal(parse(cfg, "-rpcport", NULL, err), -1);
	assert_non_null(strstr(err, "needs a value"));
	assert_int_equal(parse(cfg, "stray", NULL, err), -1);
	assert_int_equal(parse(cfg, "-", NULL, err), -1);
	free(cfg);
}

static void test_config_file_sections_and_precedence(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];
	const char *text = "# comment\n"
			   "rpcport = 1000\n"
			   "port=2000\n"
			   "connect=file:1\n"
			   "[dev]\n"
			   "rpcport=3000\n"
			   "connect=dev:1\n"
			   "connect=dev:2\n"
			   "[test]\n"
			   "rpcport=4000\n";
	const char *list[4];

	assert_int_equal(parse(cfg, "-dev", "-port=5000", err), 0);
	assert_int_equal(config_parse_file_text(cfg, "hearth.conf", text, err, sizeof(err)), 0);
	/* Section beats top level; command line beats both. */
	assert_int_equal(config_get_int(cfg, "rpcport", 0), 3000);
	assert_int_equal(config_get_int(cfg, "port", 0), 5000);
	assert_int_equal(config_get_list(cfg, "connect", list, 4), 2);
	assert_string_equal(list[1], "dev:2");
	free(cfg);

	cfg = new_config();
	assert_int_equal(config_parse_file_text(cfg, "hearth.conf", text, err, sizeof(err)), 0);
	assert_string_equal(config_network(cfg), "main");
	assert_int_equal(config_get_int(cfg, "rpcport", 0), 1000);
	assert_int_equal(config_get_list(cfg, "connect", list, 4), 1);
	free(cfg);
}

static void test_config_file_errors_name_the_line(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];

	assert_int_equal(
		config_parse_file_text(cfg, "h.conf", "port=1\nbogus=2\n", err, sizeof(err)), -1);
	assert_string_equal(err, "h.conf:2: unknown option -bogus");
	assert_int_equal(config_parse_file_text(cfg, "h.conf", "[moon]\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "h.conf:1: unknown section [moon]"));
	assert_int_equal(
		config_parse_file_text(cfg, "h.conf", "\n\njust words\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "h.conf:3: expected key=value"));
	assert_int_equal(config_parse_file_text(cfg, "h.conf", "datadir=/x\n", err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "only allowed on the command line"));
	assert_int_equal(config_parse_file_text(cfg, "h.conf", "[dev]\ndev=1\n", err, sizeof(err)),
			 -1);
	assert_int_equal(config_parse_file_text(cfg, "h.conf", "[dev\n", err, sizeof(err)), -1);
	free(cfg);
}

static void test_config_dev_and_testnet_conflict(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];

	assert_int_equal(parse(cfg, "-dev", "-testnet", err), 0);
	assert_int_equal(config_check(cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "together"));
	free(cfg);
	cfg = new_config();
	assert_int_equal(parse(cfg, "-testnet", NULL, err), 0);
	assert_int_equal(config_check(cfg, err, sizeof(err)), 0);
	assert_string_equal(config_network(cfg), "test");
	free(cfg);
}

static void test_config_value_length_is_bounded(void **state UNUSED)
{
	struct config *cfg = new_config();
	char err[CONFIG_ERROR_MAX];
	char *arg = malloc(CONFIG_VALUE_MAX + 16);

	assert_non_null(arg);
	strcpy(arg, "-bind=");
	memset(arg + 6, 'x', CONFIG_VALUE_MAX);
	arg[6 + CONFIG_VALUE_MAX] = '\0';
	assert_int_equal(parse(cfg, arg, NULL, err), -1);
	assert_non_null(strstr(err, "longer than"));
	free(arg);
	free(cfg);
}

static void test_config_every_key_has_help(void **state UNUSED)
{
	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		assert_non_null(k->help);
		assert_true(strlen(k->help) > 5);
	}
}

/* doc/config.md must document every key of the table. */
static void test_config_every_key_is_documented(void **state UNUSED)
{
	char *doc = test_read_source_file("doc/config.md");

	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		char cell[64];

		snprintf(cell, sizeof(cell), "| `%s` |", k->name);
		if (strstr(doc, cell) == NULL)
			fail_msg("doc/config.md does not document %s", k->name);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_args_forms),
		cmocka_unit_test(test_config_rejects_bad_args),
		cmocka_unit_test(test_config_file_sections_and_precedence),
		cmocka_unit_test(test_config_file_errors_name_the_line),
		cmocka_unit_test(test_config_dev_and_testnet_conflict),
		cmocka_unit_test(test_config_value_length_is_bounded),
		cmocka_unit_test(test_config_every_key_has_help),
		cmocka_unit_test(test_config_every_key_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
