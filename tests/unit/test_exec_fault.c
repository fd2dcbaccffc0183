/* test_exec_fault.c: the executor's test-only faults (node/exec_fault.c):
 * off by default, honest hashes untouched; -testwrongresult changes the
 * hash on dev and test and is refused on the main network. */
#include "node/exec_fault.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

/* Parses argv (after "hearthd") into a new config; the caller frees it. */
static struct config *parsed(int argc, char **argv)
{
	struct config *cfg = malloc(sizeof(*cfg));
	char err[CONFIG_ERROR_MAX];

	assert_non_null(cfg);
	config_init(cfg);
	assert_int_equal(config_parse_args(cfg, argc, argv, err, sizeof(err)), 0);
	return cfg;
}

static void test_faults_are_off_by_default(void **state UNUSED)
{
	char *argv[] = { "hearthd", "-dev", "-provider" };
	struct config *cfg = parsed(3, argv);
	struct exec_faults f;
	uint8_t hash[HASH_SIZE], before[HASH_SIZE];
	char err[128];

	memset(&f, 0xff, sizeof(f));
	assert_int_equal(exec_faults_from_config(cfg, &f, err, sizeof(err)), 0);
	assert_false(f.wrong_result);
	memset(hash, 0x5a, sizeof(hash));
	memcpy(before, hash, sizeof(hash));
	exec_faults_apply(&f, hash);
	assert_memory_equal(hash, before, HASH_SIZE);
	free(cfg);
}

static void test_wrong_result_changes_the_hash_on_dev_and_test(void **state UNUSED)
{
	char *dev[] = { "hearthd", "-dev", "-testwrongresult=1" };
	char *test[] = { "hearthd", "-testnet", "-testwrongresult" };
	char **argvs[] = { dev, test };
	char err[128];

	for (size_t i = 0; i < 2; i++) {
		struct config *cfg = parsed(3, argvs[i]);
		struct exec_faults f;
		uint8_t hash[HASH_SIZE], before[HASH_SIZE];

		assert_int_equal(exec_faults_from_config(cfg, &f, err, sizeof(err)), 0);
		assert_true(f.wrong_result);
		memset(hash, 0x5a, sizeof(hash));
		memcpy(before, hash, sizeof(hash));
		exec_faults_apply(&f, hash);
		assert_memory_not_equal(hash, before, HASH_SIZE);
		free(cfg);
	}
}

static void test_wrong_result_is_refused_on_main(void **state UNUSED)
{
	char *argv[] = { "hearthd", "-testwrongresult=1" };
	struct config *cfg = parsed(2, argv);
	struct exec_faults f;
	char err[128];

	assert_int_equal(exec_faults_from_config(cfg, &f, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "-testwrongresult"));
	free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_faults_are_off_by_default),
		cmocka_unit_test(test_wrong_result_changes_the_hash_on_dev_and_test),
		cmocka_unit_test(test_wrong_result_is_refused_on_main),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
