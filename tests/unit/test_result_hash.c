/* test_result_hash.c: unit tests of node/result_hash.c: the byte layout of
 * the canonical result hash against fixed hashes (computed independently by
 * tests/functional/result_hash_ref.py from doc/result-hash.md), path order,
 * and the /out walk (links recorded, never followed; FIFOs rejected). */
#include "node/result_hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/hex.h"
#include "tests/unit/test_util.h"

static void assert_hash_hex(const uint8_t h[HASH_SIZE], const char *hex)
{
	uint8_t want[HASH_SIZE];

	assert_int_equal(hex_decode_exact(hex, want, HASH_SIZE), 0);
	assert_memory_equal(h, want, HASH_SIZE);
}

static int setup_crypto(void **state UNUSED)
{
	return hearth_crypto_init();
}

static void test_result_hash_of_empty_result_is_fixed(void **state UNUSED)
{
	struct result_status st = { RESULT_EXITED, 0 };
	struct manifest m = { 0 };
	uint8_t so[HASH_SIZE], h[HASH_SIZE];

	result_hash_stdout("", 0, so);
	result_hash_compute(&st, so, &m, h);
	assert_hash_hex(h, "21c52ea6da5fbc1535f839e209b724a88a74a6ef984495e048c707dc9a1d6b49");
}

/* The three entries of the layout example, in the order given. */
static void add_example(struct manifest *m)
{
	uint8_t fh[HASH_SIZE];

	result_hash_file("hello", 5, fh);
	assert_int_equal(manifest_add(m, "b.txt", MANIFEST_FILE, false, 5, fh), 0);
	result_hash_file("#!x", 3, fh);
	assert_int_equal(manifest_add(m, "a/tool", MANIFEST_FILE, true, 3, fh), 0);
	result_hash_link("../etc/passwd", 13, fh);
	assert_int_equal(manifest_add(m, "a-link", MANIFEST_SYMLINK, false, 13, fh), 0);
}

static void test_result_hash_layout_matches_reference(void **state UNUSED)
{
	struct result_status st = { RESULT_EXITED, 3 };
	struct manifest m = { 0 };
	uint8_t so[HASH_SIZE], h[HASH_SIZE], fh[HASH_SIZE];

	add_example(&m);
	manifest_sort(&m);
	assert_string_equal(m.entries[0].path, "a-link");
	assert_string_equal(m.entries[1].path, "a/tool");
	assert_string_equal(m.entries[2].path, "b.txt");
	result_hash_file("hello", 5, fh);
	assert_hash_hex(fh, "565f9d619b94cc9539be75ea440e8c571a5673605917c65ca2ed00de306681fe");
	result_hash_stdout("out\n", 4, so);
	result_hash_compute(&st, so, &m, h);
	assert_hash_hex(h, "abeea445d6c7c7c183a4e437ab956fe0c4d5a83ce9f81d3c18fef13a54b47cec");
	manifest_free(&m);
}

static void test_result_hash_signal_differs_from_exit_code(void **state UNUSED)
{
	struct result_status sig = { RESULT_SIGNALED, 9 }, ex = { RESULT_EXITED, 9 };
	struct manifest m = { 0 };
	uint8_t so[HASH_SIZE], h[HASH_SIZE];

	result_hash_stdout("", 0, so);
	result_hash_compute(&sig, so, &m, h);
	assert_hash_hex(h, "95af7c981708b6fbbdb668469dd215d41d039b0cca0c19b0271db4532a8012ca");
	result_hash_compute(&ex, so, &m, h);
	assert_hash_hex(h, "06e881f14f0809de5ba7f48b477187584d573ca28ea2a6f55cabe2f27f9749c8");
}

static void test_manifest_sort_is_bytewise_with_prefix_first(void **state UNUSED)
{
	static const char *const in[] = { "a/b", "a", "a-b", "B", "ab", "a/a" };
	static const char *const want[] = { "B", "a", "a-b", "a/a", "a/b", "ab" };
	struct manifest m = { 0 };
	uint8_t zero[HASH_SIZE] = { 0 };

	for (size_t i = 0; i < 6; i++)
		assert_int_equal(manifest_add(&m, in[i], MANIFEST_FILE, false, 0, zero), 0);
	manifest_sort(&m);
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(m.entries[i].path, want[i]);
	manifest_free(&m);
}

/* Writes a file under dir with the given content and mode. */
static void put_file(int dir, const char *name, const char *content, mode_t mode)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int make_tree(char *path)
{
	int dir;

	strcpy(path, "/tmp/hearth-test-manifest-XXXXXX");
	assert_non_null(mkdtemp(path));
	dir = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(dir >= 0);
	put_file(dir, "b.txt", "hello", 0644);
	assert_int_equal(mkdirat(dir, "a", 0755), 0);
	put_file(dir, "a/tool", "#!x", 0755);
	assert_int_equal(symlinkat("../etc/passwd", dir, "a-link"), 0);
	assert_int_equal(mkdirat(dir, "empty", 0755), 0);
	return dir;
}

static void remove_tree(int dir, const char *path)
{
	unlinkat(dir, "b.txt", 0);
	unlinkat(dir, "a/tool", 0);
	unlinkat(dir, "a", AT_REMOVEDIR);
	unlinkat(dir, "a-link", 0);
	unlinkat(dir, "empty", AT_REMOVEDIR);
	unlinkat(dir, "pipe", 0);
	close(dir);
	assert_int_equal(rmdir(path), 0);
}

static void test_manifest_walk_records_links_and_gives_reference_hash(void **state UNUSED)
{
	char path[64];
	int dir = make_tree(path);
	struct manifest m;
	struct node_error e;
	struct result_status st = { RESULT_EXITED, 3 };
	uint8_t so[HASH_SIZE], h[HASH_SIZE];

	assert_int_equal(manifest_build(dir, 100, 1000, &m, &e), 0);
	assert_int_equal(m.count, 3);
	assert_int_equal(m.entries[0].kind, MANIFEST_SYMLINK);
	assert_int_equal(m.entries[0].size, 13);
	assert_true(m.entries[1].executable);
	assert_false(m.entries[2].executable);
	result_hash_stdout("out\n", 4, so);
	result_hash_compute(&st, so, &m, h);
	/* The same tree on disk hashes as the in-memory example. */
	assert_hash_hex(h, "abeea445d6c7c7c183a4e437ab956fe0c4d5a83ce9f81d3c18fef13a54b47cec");
	manifest_free(&m);
	remove_tree(dir, path);
}

static void test_manifest_walk_rejects_fifo(void **state UNUSED)
{
	char path[64];
	int dir = make_tree(path);
	struct manifest m;
	struct node_error e;

	assert_int_equal(mkfifoat(dir, "pipe", 0644), 0);
	assert_int_equal(manifest_build(dir, 100, 1000, &m, &e), -1);
	assert_non_null(strstr(e.msg, "out/pipe: FIFO rejected"));
	assert_int_equal(m.count, 0);
	remove_tree(dir, path);
}

static void test_manifest_walk_stops_at_entry_and_byte_limits(void **state UNUSED)
{
	char path[64];
	int dir = make_tree(path);
	struct manifest m;
	struct node_error e;

	assert_int_equal(manifest_build(dir, 2, 1000, &m, &e), -1);
	assert_int_equal(e.err, EMFILE);
	assert_int_equal(manifest_build(dir, 3, 1000, &m, &e), 0);
	manifest_free(&m);
	/* "hello" and "#!x" are 8 bytes; a link's target does not count. */
	assert_int_equal(manifest_build(dir, 3, 7, &m, &e), -1);
	assert_int_equal(e.err, EFBIG);
	assert_int_equal(manifest_build(dir, 3, 8, &m, &e), 0);
	manifest_free(&m);
	remove_tree(dir, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_hash_of_empty_result_is_fixed),
		cmocka_unit_test(test_result_hash_layout_matches_reference),
		cmocka_unit_test(test_result_hash_signal_differs_from_exit_code),
		cmocka_unit_test(test_manifest_sort_is_bytewise_with_prefix_first),
		cmocka_unit_test(test_manifest_walk_records_links_and_gives_reference_hash),
		cmocka_unit_test(test_manifest_walk_rejects_fifo),
		cmocka_unit_test(test_manifest_walk_stops_at_entry_and_byte_limits),
	};

	return cmocka_run_group_tests(tests, setup_crypto, NULL);
}
