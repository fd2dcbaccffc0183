/* test_input_store.c: the consumer node's store of job inputs
 * (node/input_store.c) and the provider's check of a fetched input file
 * (exec_fetch_check_file): content addressing with H("hearth/input", .),
 * the size and total caps, a tampered file refused, retention pruning;
 * a fetch that finds its input on disk, one that gives up. */
#include "node/input_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/exec_fetch.h"
#include "proto/hex.h"
#include "tests/unit/test_util.h"

struct tmp {
	char dir[256];
};

static int setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/hearth-input-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	strcat(t->dir, "/inputs"); /* created by the first put */
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char cmd[300];

	t->dir[strlen(t->dir) - strlen("/inputs")] = '\0';
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	if (system(cmd) != 0)
		return -1;
	free(t);
	return 0;
}

static const struct input_store_limits lim = { .max_size = 1000,
					       .max_total = 2500,
					       .retention_s = 3600 };

static void test_input_hash_is_the_tagged_blake2b_of_the_bytes(void **state UNUSED)
{
	/* BLAKE2b-256(len("hearth/input") || "hearth/input" || "abc"), from
	 * Python's hashlib (tests/functional/test_inputs.py computes it so). */
	static const char want[] =
		"dc6449da9dcbbb4756db60861909fe2c78dc59df6fe5986abff30cf0e5b41d30";
	uint8_t h[HASH_SIZE], again[HASH_SIZE];
	char hex[2 * HASH_SIZE + 1];

	input_hash("abc", 3, h);
	hash_tagged("hearth/input", "abc", 3, again);
	assert_memory_equal(h, again, HASH_SIZE);
	assert_int_equal(hex_encode(h, HASH_SIZE, hex, sizeof(hex)), 0);
	assert_string_equal(hex, want);
	assert_true(input_store_name_valid(hex));
	assert_false(input_store_name_valid("ABCD"));
}

static void test_put_then_read_gives_the_bytes_back(void **state)
{
	struct tmp *t = *state;
	uint8_t hash[HASH_SIZE], again[HASH_SIZE], *data;
	char err[INPUT_STORE_ERR_MAX];
	size_t len;

	assert_int_equal(input_store_put(t->dir, "hello", 5, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
	assert_int_equal(input_store_read(t->dir, hash, 1000, &data, &len), INPUT_STORE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(data, "hello", 5);
	free(data);
	/* the same bytes again: the same name, one file */
	assert_int_equal(input_store_put(t->dir, "hello", 5, &lim, 1000, again, err, sizeof(err)),
			 INPUT_STORE_OK);
	assert_memory_equal(hash, again, HASH_SIZE);
	/* a hash nobody stored */
	again[0] ^= 1;
	assert_int_equal(input_store_read(t->dir, again, 1000, &data, &len), INPUT_STORE_NOT_FOUND);
	assert_null(data);
}

static void test_tampered_file_is_refused(void **state)
{
	struct tmp *t = *state;
	uint8_t hash[HASH_SIZE], *data;
	char err[INPUT_STORE_ERR_MAX], path[512];
	size_t len;
	FILE *f;

	assert_int_equal(input_store_put(t->dir, "hello", 5, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
	assert_int_equal(input_store_path(t->dir, hash, path, sizeof(path)), 0);
	assert_int_equal(exec_fetch_check_file(path, hash, 1000), EXEC_FETCH_OK);
	assert_int_equal(exec_fetch_check_file(path, hash, 4), EXEC_FETCH_TOO_LARGE);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite("jello", 1, 5, f), 5);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(input_store_read(t->dir, hash, 1000, &data, &len), INPUT_STORE_CORRUPT);
	assert_null(data);
	assert_int_equal(exec_fetch_check_file(path, hash, 1000), EXEC_FETCH_MISMATCH);
	strcat(path, "-missing");
	assert_int_equal(exec_fetch_check_file(path, hash, 1000), EXEC_FETCH_IO);
}

static void test_size_and_total_caps_are_kept(void **state)
{
	struct tmp *t = *state;
	static uint8_t big[1001];
	uint8_t hash[HASH_SIZE], *data;
	char err[INPUT_STORE_ERR_MAX];
	size_t len;

	assert_int_equal(
		input_store_put(t->dir, big, sizeof(big), &lim, 1000, hash, err, sizeof(err)),
		INPUT_STORE_TOO_LARGE);
	assert_int_equal(input_store_put(t->dir, big, 1000, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
	assert_int_equal(input_store_read(t->dir, hash, 999, &data, &len), INPUT_STORE_TOO_LARGE);
	big[0] = 1;
	assert_int_equal(input_store_put(t->dir, big, 1000, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
	big[0] = 2; /* 3000 > max_total 2500 */
	assert_int_equal(input_store_put(t->dir, big, 1000, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_FULL);
	assert_int_equal(input_store_put(t->dir, big, 500, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
}

static void test_old_inputs_are_pruned(void **state)
{
	struct tmp *t = *state;
	uint8_t hash[HASH_SIZE], *data;
	char err[INPUT_STORE_ERR_MAX];
	uint64_t total;
	size_t len;
	time_t now = time(NULL);

	assert_int_equal(
		input_store_put(t->dir, "old", 3, &lim, (uint64_t)now, hash, err, sizeof(err)),
		INPUT_STORE_OK);
	/* now + 2 h: older than the retention of 1 h */
	assert_int_equal(input_store_prune(t->dir, (uint64_t)now + 7200, 0, &total), 0);
	assert_int_equal(total, 3); /* retention 0 keeps everything */
	assert_int_equal(input_store_prune(t->dir, (uint64_t)now + 7200, 3600, &total), 1);
	assert_int_equal(total, 0);
	assert_int_equal(input_store_read(t->dir, hash, 1000, &data, &len), INPUT_STORE_NOT_FOUND);
}

static void fetch_done(struct exec_fetch *fetch)
{
	*(int *)fetch->arg += 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* A fetch whose lease directory already holds the right input.tar (as
 * after a restart) uses it without asking the URL (nothing listens). */
static void test_fetch_uses_a_checked_input_already_there(void **state)
{
	struct tmp *t = *state;
	static struct exec_fetch f;
	char err[INPUT_STORE_ERR_MAX], src[512], dst[600];
	uint8_t hash[HASH_SIZE];
	int calls = 0;

	assert_int_equal(input_store_put(t->dir, "hello", 5, &lim, 1000, hash, err, sizeof(err)),
			 INPUT_STORE_OK);
	assert_int_equal(input_store_path(t->dir, hash, src, sizeof(src)), 0);
	snprintf(dst, sizeof(dst), "%s/input.tar", t->dir);
	assert_int_equal(rename(src, dst), 0);
	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "%s", t->dir);
	snprintf(f.url, sizeof(f.url), "http://127.0.0.1:1/input");
	memcpy(f.hash, hash, HASH_SIZE);
	f.max_bytes = 1000;
	f.give_up_ms = now_ms();
	f.done = fetch_done;
	f.arg = &calls;
	exec_fetch_main(&f);
	assert_int_equal(calls, 1);
	assert_int_equal(f.status, EXEC_FETCH_OK);
	assert_int_equal(f.attempts, 0);
}

/* Nobody listens and the time is up: one attempt, unreachable, and a
 * wrong input.tar left from before is not taken. */
static void test_fetch_gives_up_when_unreachable_past_its_time(void **state)
{
	struct tmp *t = *state;
	static struct exec_fetch f;
	char path[600];
	int calls = 0;
	FILE *out;

	assert_int_equal(mkdir(t->dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/input.tar", t->dir);
	out = fopen(path, "wb");
	assert_non_null(out);
	assert_int_equal(fwrite("stale", 1, 5, out), 5);
	assert_int_equal(fclose(out), 0);
	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "%s", t->dir);
	snprintf(f.url, sizeof(f.url), "http://127.0.0.1:1/input");
	input_hash("hello", 5, f.hash);
	f.max_bytes = 1000;
	f.give_up_ms = now_ms();
	f.done = fetch_done;
	f.arg = &calls;
	exec_fetch_main(&f);
	assert_int_equal(calls, 1);
	assert_int_equal(f.status, EXEC_FETCH_UNREACHABLE);
	assert_int_equal(f.attempts, 1);
	assert_true(strlen(f.error) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_input_hash_is_the_tagged_blake2b_of_the_bytes),
		cmocka_unit_test_setup_teardown(test_put_then_read_gives_the_bytes_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tampered_file_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_size_and_total_caps_are_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_inputs_are_pruned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_uses_a_checked_input_already_there,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fetch_gives_up_when_unreachable_past_its_time,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
