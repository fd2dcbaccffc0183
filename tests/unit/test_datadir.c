/* test_datadir.c: unit tests of node/datadir.c: layout, lock, atomic
 * files and key files. */
#include "node/datadir.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

/* Each test gets a fresh temporary base directory as its state. */
static int setup(void **state)
{
	char *base = strdup("/tmp/hearth-datadir-XXXXXX");

	if (base == NULL || mkdtemp(base) == NULL || hearth_crypto_init() != 0) {
		free(base);
		return -1;
	}
	*state = base;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	int rc;

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	rc = system(cmd);
	free(*state);
	return rc == 0 ? 0 : -1;
}

static void test_datadir_network_subdirectories(void **state)
{
	const char *base = *state;
	struct datadir dd;
	char err[256], expect[128];
	struct stat st;

	assert_int_equal(datadir_open(&dd, base, "dev", err, sizeof(err)), 0);
	snprintf(expect, sizeof(expect), "%s/dev", base);
	assert_string_equal(dd.path, expect);
	assert_int_equal(stat(dd.path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	datadir_close(&dd);
	assert_int_equal(datadir_open(&dd, base, "main", err, sizeof(err)), 0);
	assert_string_equal(dd.path, base);
	datadir_close(&dd);
}

static void test_datadir_lock_excludes_a_second_process(void **state)
{
	const char *base = *state;
	struct datadir dd;
	char err[256];
	pid_t pid;
	int status;

	assert_int_equal(datadir_open(&dd, base, "test", err, sizeof(err)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct datadir other;
		char e[256];

		/* flock is per open file description: a new open conflicts. */
		_exit(datadir_open(&other, base, "test", e, sizeof(e)) == -1 &&
				      strstr(e, "already running") != NULL
			      ? 0
			      : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	datadir_close(&dd);
	assert_int_equal(datadir_open(&dd, base, "test", err, sizeof(err)), 0);
	datadir_close(&dd);
}

static void test_datadir_atomic_write_and_read(void **state)
{
	const char *base = *state;
	struct datadir dd;
	char err[256], *data;
	size_t len;

	assert_int_equal(datadir_open(&dd, base, "dev", err, sizeof(err)), 0);
	assert_int_equal(datadir_read(&dd, "nothing", 100, &data, &len, err, sizeof(err)), 1);
	assert_int_equal(datadir_write_atomic(&dd, "f", "hello", 5, 0600, err, sizeof(err)), 0);
	assert_int_equal(datadir_write_atomic(&dd, "f", "bye", 3, 0600, err, sizeof(err)), 0);
	assert_int_equal(datadir_read(&dd, "f", 100, &data, &len, err, sizeof(err)), 0);
	assert_int_equal(len, 3);
	assert_string_equal(data, "bye");
	free(data);
	assert_int_equal(datadir_read(&dd, "f", 2, &data, &len, err, sizeof(err)), -1);
	assert_null(data);
	datadir_close(&dd);
}

static void test_datadir_move_aside(void **state)
{
	const char *base = *state;
	struct datadir dd;
	char err[512], *data;
	size_t len;

	assert_int_equal(datadir_open(&dd, base, "dev", err, sizeof(err)), 0);
	assert_int_equal(datadir_write_atomic(&dd, "f", "bad", 3, 0600, err, sizeof(err)), 0);
	assert_int_equal(datadir_write_atomic(&dd, "f.bak", "older", 5, 0600, err, sizeof(err)), 0);
	assert_int_equal(datadir_move_aside(&dd, "f", "f.bak", err, sizeof(err)), 0);
	assert_int_equal(datadir_read(&dd, "f", 100, &data, &len, err, sizeof(err)), 1);
	assert_int_equal(datadir_read(&dd, "f.bak", 100, &data, &len, err, sizeof(err)), 0);
	assert_string_equal(data, "bad"); /* the older one replaced */
	free(data);
	/* Nothing to move: an error that names the file. */
	assert_int_equal(datadir_move_aside(&dd, "f", "f.bak", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot move"));
	datadir_close(&dd);
}

static void test_datadir_key_created_once_then_loaded(void **state)
{
	const char *base = *state;
	struct datadir dd;
	struct signer a, b;
	char err[256], path[256];
	bool created;
	struct stat st;

	assert_int_equal(datadir_open(&dd, base, "dev", err, sizeof(err)), 0);
	assert_int_equal(
		datadir_load_or_create_key(&dd, "node_key", &a, &created, err, sizeof(err)), 0);
	assert_true(created);
	assert_int_equal(datadir_file(&dd, "node_key", path, sizeof(path)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(
		datadir_load_or_create_key(&dd, "node_key", &b, &created, err, sizeof(err)), 0);
	assert_false(created);
	assert_memory_equal(a.pubkey, b.pubkey, PUBKEY_SIZE);
	signer_wipe(&a);
	signer_wipe(&b);

	/* A readable key file is refused. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(
		datadir_load_or_create_key(&dd, "node_key", &b, &created, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0600"));
	datadir_close(&dd);
}

static void test_datadir_corrupt_key_is_refused(void **state)
{
	const char *base = *state;
	struct datadir dd;
	struct signer s;
	char err[256];
	bool created;

	assert_int_equal(datadir_open(&dd, base, "dev", err, sizeof(err)), 0);
	assert_int_equal(datadir_write_atomic(&dd, "bad_key", "zz\n", 3, 0600, err, sizeof(err)),
			 0);
	assert_int_equal(datadir_load_or_create_key(&dd, "bad_key", &s, &created, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "valid secp256k1 key"));
	datadir_close(&dd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_datadir_network_subdirectories, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir_lock_excludes_a_second_process, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir_atomic_write_and_read, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir_move_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(test_datadir_key_created_once_then_loaded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_datadir_corrupt_key_is_refused, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
