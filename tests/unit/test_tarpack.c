/* test_tarpack.c: unit tests of wallet/tarpack.c: the archive of a bid's
 * input is deterministic, is read back by tar(1) to the same tree (files,
 * modes, links, long paths), and refuses what it cannot carry. */
#include "wallet/tarpack.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

#define LONG_DIR  "a-directory-name-that-is-quite-long-so-that-the-path-passes-one-hundred-bytes"
#define LONG_FILE "and-a-file-name-that-is-long-too.txt"

struct fixture {
	char root[64];
	char in[128];
	char err[256];
};

static void put(const char *dir, const char *name, const char *text, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[512];

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/hearth-tarpack-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	snprintf(f->in, sizeof(f->in), "%s/in", f->root);
	snprintf(path, sizeof(path), "%s/" LONG_DIR, f->in);
	if (mkdir(f->in, 0755) != 0 || mkdir(path, 0755) != 0)
		return -1;
	put(f->in, "data.txt", "hello\n", 0644);
	put(f->in, "run.sh", "#!/bin/sh\necho hi\n", 0755);
	put(path, LONG_FILE, "deep\n", 0600);
	snprintf(path, sizeof(path), "%s/link", f->in);
	if (symlink("data.txt", path) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_tarpack_is_deterministic_and_read_back_by_tar(void **state)
{
	struct fixture *f = *state;
	uint8_t *a, *b;
	size_t alen, blen;
	char path[256], cmd[700], buf[64];
	struct stat st;
	ssize_t n;
	int fd;

	assert_int_equal(tarpack_dir(f->in, 1 << 20, &a, &alen, f->err, sizeof(f->err)), 0);
	assert_int_equal(tarpack_dir(f->in, 1 << 20, &b, &blen, f->err, sizeof(f->err)), 0);
	assert_int_equal(alen % TARPACK_BLOCK, 0);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	free(b);
	snprintf(path, sizeof(path), "%s/in.tar", f->root);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, a, alen), (ssize_t)alen);
	close(fd);
	free(a);
	snprintf(cmd, sizeof(cmd), "mkdir '%s/out' && tar -xf '%s' -C '%s/out'", f->root, path,
		 f->root);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/out/run.sh", f->root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0100, 0100);
	snprintf(path, sizeof(path), "%s/out/link", f->root);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	snprintf(path, sizeof(path), "%s/out/" LONG_DIR "/" LONG_FILE, f->root);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "deep\n", 5);
}

static void test_tarpack_refuses_what_it_cannot_carry(void **state)
{
	struct fixture *f = *state;
	char path[512];
	uint8_t *a;
	size_t alen;

	/* A limit below the archive's size. */
	assert_int_equal(tarpack_dir(f->in, 2048, &a, &alen, f->err, sizeof(f->err)), -1);
	assert_null(a);
	assert_non_null(strstr(f->err, "larger than"));
	/* A FIFO. */
	snprintf(path, sizeof(path), "%s/pipe", f->in);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(tarpack_dir(f->in, 1 << 20, &a, &alen, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "not a file"));
	assert_int_equal(unlink(path), 0);
	/* A missing directory. */
	snprintf(path, sizeof(path), "%s/nope", f->root);
	assert_int_equal(tarpack_dir(path, 1 << 20, &a, &alen, f->err, sizeof(f->err)), -1);
	/* An empty directory is two zero blocks. */
	snprintf(path, sizeof(path), "%s/empty", f->root);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(tarpack_dir(path, 1 << 20, &a, &alen, f->err, sizeof(f->err)), 0);
	assert_int_equal(alen, 2 * TARPACK_BLOCK);
	free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_tarpack_is_deterministic_and_read_back_by_tar,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tarpack_refuses_what_it_cannot_carry, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
