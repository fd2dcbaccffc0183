/* test_untar.c: unit tests of wallet/untar.c, the safe unpacker of result
 * archives: a normal archive (GNU long names, "./" prefixes, links inside)
 * unpacks; absolute paths, "..", links leaving the tree, writes through a
 * link, devices, FIFOs, hard links, bad checksums, truncation and the size
 * and entry limits are all refused. */
#include "wallet/untar.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

#define TAR_MAX (64 * UNTAR_BLOCK)

struct fixture {
	char root[64];
	int dirfd;
	uint8_t tar[TAR_MAX];
	size_t len;
	char err[UNTAR_ERR_MAX];
};

static const struct untar_limits limits = { 100, 1 << 20 };

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/hearth-untar-XXXXXX");
	if (mkdtemp(f->root) == NULL)
		return -1;
	f->dirfd = open(f->root, O_RDONLY | O_DIRECTORY);
	*state = f;
	return f->dirfd >= 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	close(f->dirfd);
	untar_remove_tree(f->root);
	free(f);
	return 0;
}

/* Appends one header (GNU magic unless ustar) and its data. */
static void add(struct fixture *f, const char *name, char type, unsigned mode, const char *data,
		size_t size, const char *link)
{
	uint8_t *h = f->tar + f->len;
	unsigned sum = 0;

	assert_true(f->len + UNTAR_BLOCK + size + UNTAR_BLOCK <= TAR_MAX);
	memset(h, 0, UNTAR_BLOCK);
	memcpy(h, name, strnlen(name, 100));
	snprintf((char *)h + 100, 8, "%07o", mode & 07777);
	char num[32];

	snprintf(num, sizeof(num), "%011llo", (unsigned long long)size);
	memcpy(h + 124, num, 12);
	h[156] = (uint8_t)type;
	if (link != NULL)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar  ", 8);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < UNTAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	f->len += UNTAR_BLOCK;
	if (size > 0) {
		memset(f->tar + f->len, 0, (size + UNTAR_BLOCK - 1) / UNTAR_BLOCK * UNTAR_BLOCK);
		memcpy(f->tar + f->len, data, size);
		f->len += (size + UNTAR_BLOCK - 1) / UNTAR_BLOCK * UNTAR_BLOCK;
	}
}

static void add_file(struct fixture *f, const char *name, const char *text)
{
	add(f, name, '0', 0644, text, strlen(text), NULL);
}

static void finish(struct fixture *f)
{
	memset(f->tar + f->len, 0, 2 * UNTAR_BLOCK);
	f->len += 2 * UNTAR_BLOCK;
}

static int extract(struct fixture *f)
{
	return untar_extract(f->tar, f->len, f->dirfd, &limits, f->err, sizeof(f->err));
}

static void refused(struct fixture *f, const char *why)
{
	finish(f);
	assert_int_equal(extract(f), -1);
	if (strstr(f->err, why) == NULL)
		fail_msg("error '%s' lacks '%s'", f->err, why);
}

static void read_back(struct fixture *f, const char *path, const char *want)
{
	char buf[256];
	ssize_t n;
	int fd = openat(f->dirfd, path, O_RDONLY | O_NOFOLLOW);

	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, want);
}

static void test_normal_archive_unpacks(void **state)
{
	struct fixture *f = *state;
	char long_name[300], target[64];
	struct stat st;
	ssize_t n;

	memset(long_name, 'x', 150);
	snprintf(long_name + 150, sizeof(long_name) - 150, "/file");
	add(f, "./", '5', 0755, NULL, 0, NULL);
	add(f, "./sub/", '5', 0755, NULL, 0, NULL);
	add_file(f, "./sub/a.txt", "hello\n");
	add(f, "./run.sh", '0', 0755, "#!/bin/sh\n", 10, NULL);
	add(f, "./sub/link", '2', 0777, NULL, 0, "../run.sh");
	add(f, "././@LongLink", 'L', 0644, long_name, strlen(long_name) + 1, NULL);
	add_file(f, "truncated-name", "long\n");
	finish(f);
	assert_int_equal(extract(f), 0);
	read_back(f, "sub/a.txt", "hello\n");
	read_back(f, "run.sh", "#!/bin/sh\n");
	read_back(f, long_name, "long\n");
	assert_int_equal(fstatat(f->dirfd, "run.sh", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0755);
	assert_int_equal(fstatat(f->dirfd, "sub/a.txt", &st, 0), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	n = readlinkat(f->dirfd, "sub/link", target, sizeof(target) - 1);
	assert_int_equal(n, 9);
	target[n] = '\0';
	assert_string_equal(target, "../run.sh");
}

static void test_absolute_path_refused(void **state)
{
	struct fixture *f = *state;

	add_file(f, "/tmp/hearth-untar-evil", "x");
	refused(f, "absolute path");
	assert_int_equal(access("/tmp/hearth-untar-evil", F_OK), -1);
}

static void test_dotdot_refused(void **state)
{
	struct fixture *f = *state;

	add_file(f, "a/../../evil", "x");
	refused(f, "'..'");
}

static void test_link_outside_refused(void **state)
{
	struct fixture *f = *state;

	add(f, "sub/up", '2', 0777, NULL, 0, "../../etc");
	refused(f, "points outside");
}

static void test_absolute_link_refused(void **state)
{
	struct fixture *f = *state;

	add(f, "abs", '2', 0777, NULL, 0, "/etc/passwd");
	refused(f, "points outside");
}

static void test_write_through_link_refused(void **state)
{
	struct fixture *f = *state;

	/* A link inside the tree, then a file below it: never followed. */
	add(f, "d", '5', 0755, NULL, 0, NULL);
	add(f, "l", '2', 0777, NULL, 0, "d");
	add_file(f, "l/f", "x");
	refused(f, "goes through a link");
	assert_int_equal(faccessat(f->dirfd, "d/f", F_OK, 0), -1);
}

static void test_replacing_a_link_refused(void **state)
{
	struct fixture *f = *state;

	add(f, "f", '2', 0777, NULL, 0, "g");
	add_file(f, "f", "x");
	refused(f, "cannot create");
}

static void test_devices_fifos_hardlinks_refused(void **state)
{
	struct fixture *f = *state;

	add(f, "dev", '3', 0644, NULL, 0, NULL);
	refused(f, "device file");
	f->len = 0;
	add(f, "fifo", '6', 0644, NULL, 0, NULL);
	refused(f, "FIFO");
	f->len = 0;
	add(f, "hard", '1', 0644, NULL, 0, "x");
	refused(f, "hard link");
	f->len = 0;
	add(f, "pax", 'x', 0644, NULL, 0, NULL);
	refused(f, "type 'x'");
}

static void test_bad_checksum_refused(void **state)
{
	struct fixture *f = *state;

	add_file(f, "a", "x");
	f->tar[0] ^= 1;
	refused(f, "checksum");
}

static void test_truncated_refused(void **state)
{
	struct fixture *f = *state;

	add_file(f, "a", "some data");
	f->len -= UNTAR_BLOCK; /* the data block is gone */
	assert_int_equal(extract(f), -1);
	assert_non_null(strstr(f->err, "truncated"));
	f->len = 100;
	assert_int_equal(extract(f), -1);
	assert_non_null(strstr(f->err, "truncated"));
}

static void test_limits(void **state)
{
	struct fixture *f = *state;
	struct untar_limits tiny = { 2, 8 };

	add_file(f, "a", "12345");
	add_file(f, "b", "6789");
	finish(f);
	assert_int_equal(untar_extract(f->tar, f->len, f->dirfd, &tiny, f->err, sizeof(f->err)),
			 -1);
	assert_non_null(strstr(f->err, "larger than 8 bytes"));
	untar_remove_tree(f->root);
	assert_int_equal(mkdir(f->root, 0700), 0);
	close(f->dirfd);
	f->dirfd = open(f->root, O_RDONLY | O_DIRECTORY);
	f->len = 0;
	add_file(f, "a", "1");
	add_file(f, "b", "2");
	add_file(f, "c", "3");
	finish(f);
	assert_int_equal(untar_extract(f->tar, f->len, f->dirfd, &tiny, f->err, sizeof(f->err)),
			 -1);
	assert_non_null(strstr(f->err, "more than 2 entries"));
}

static void test_remove_tree_keeps_link_targets(void **state)
{
	struct fixture *f = *state;
	char outside[64], path[128];
	int fd;

	snprintf(outside, sizeof(outside), "/tmp/hearth-untar-keep-XXXXXX");
	assert_non_null(mkdtemp(outside));
	snprintf(path, sizeof(path), "%s/kept", outside);
	fd = open(path, O_WRONLY | O_CREAT, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(symlinkat(outside, f->dirfd, "out"), 0);
	assert_int_equal(untar_remove_tree(f->root), 0);
	assert_int_equal(access(path, F_OK), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(outside), 0);
	assert_int_equal(mkdir(f->root, 0700), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_normal_archive_unpacks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_path_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dotdot_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_outside_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_absolute_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_through_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replacing_a_link_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_devices_fifos_hardlinks_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_tree_keeps_link_targets, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
