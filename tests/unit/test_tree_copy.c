/* test_tree_copy.c: unit tests of node/tree_copy.c, the copy used for a
 * job's inputs and for exporting its /out: links stay links, the exec bit is
 * kept and nothing else, a FIFO fails the copy, an existing destination
 * entry is never written through, and the entry limit holds. */
#include "node/tree_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

static const struct tree_copy_opts keep_ids = {
	.uid = (uid_t)-1, .gid = (gid_t)-1, .max_entries = 100, .max_depth = 8
};

static int make_dir(char *path)
{
	int fd;

	strcpy(path, "/tmp/hearth-test-copy-XXXXXX");
	assert_non_null(mkdtemp(path));
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	return fd;
}

static void put(int dir, const char *name, const char *text, mode_t mode)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static void remove_all(const char *path)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void test_tree_copy_keeps_links_as_links_and_only_the_exec_bit(void **state UNUSED)
{
	char spath[64], dpath[64], target[64], buf[64];
	int src = make_dir(spath), dst = make_dir(dpath), fd;
	struct node_error e;
	struct stat st;
	ssize_t n;

	assert_int_equal(mkdirat(src, "sub", 0700), 0);
	put(src, "sub/tool", "#!/bin/sh\n", 04775);
	put(src, "data", "data\n", 0600);
	assert_int_equal(symlinkat("/etc/passwd", src, "abs"), 0);
	assert_int_equal(tree_copy(src, dst, &keep_ids, &e), 0);
	assert_int_equal(fstatat(dst, "sub/tool", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755); /* setuid dropped, exec kept */
	assert_int_equal(fstatat(dst, "data", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(fstatat(dst, "sub", &st, 0), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	n = readlinkat(dst, "abs", target, sizeof(target) - 1);
	assert_int_equal(n, 11);
	target[n] = '\0';
	assert_string_equal(target, "/etc/passwd");
	fd = openat(dst, "data", O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	assert_int_equal(n, 5);
	close(fd);
	close(src);
	close(dst);
	remove_all(spath);
	remove_all(dpath);
}

static void test_tree_copy_never_writes_through_an_existing_entry(void **state UNUSED)
{
	char spath[64], dpath[64], victim[] = "/tmp/hearth-test-victim-XXXXXX";
	int src = make_dir(spath), dst = make_dir(dpath), vfd = mkstemp(victim);
	struct node_error e;
	struct stat st;

	assert_true(vfd >= 0);
	close(vfd);
	put(src, "f", "evil\n", 0644);
	/* A link planted in the destination must not be followed. */
	assert_int_equal(symlinkat(victim, dst, "f"), 0);
	assert_int_equal(tree_copy(src, dst, &keep_ids, &e), -1);
	assert_int_equal(e.err, EEXIST);
	assert_int_equal(stat(victim, &st), 0);
	assert_int_equal(st.st_size, 0);
	unlink(victim);
	close(src);
	close(dst);
	remove_all(spath);
	remove_all(dpath);
}

static void test_tree_copy_rejects_fifos_and_too_many_entries(void **state UNUSED)
{
	char spath[64], dpath[64], d2path[64];
	int src = make_dir(spath), dst = make_dir(dpath), dst2 = make_dir(d2path);
	struct tree_copy_opts two = keep_ids;
	struct node_error e;

	put(src, "a", "a", 0644);
	put(src, "b", "b", 0644);
	put(src, "c", "c", 0644);
	two.max_entries = 2;
	assert_int_equal(tree_copy(src, dst, &two, &e), -1);
	assert_int_equal(e.err, EMFILE);
	assert_int_equal(mkfifoat(src, "pipe", 0644), 0);
	assert_int_equal(tree_copy(src, dst2, &keep_ids, &e), -1);
	assert_non_null(strstr(e.msg, "pipe: not a file, directory or symlink"));
	close(src);
	close(dst);
	close(dst2);
	remove_all(spath);
	remove_all(dpath);
	remove_all(d2path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_copy_keeps_links_as_links_and_only_the_exec_bit),
		cmocka_unit_test(test_tree_copy_never_writes_through_an_existing_entry),
		cmocka_unit_test(test_tree_copy_rejects_fifos_and_too_many_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
