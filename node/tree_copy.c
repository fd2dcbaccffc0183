/* tree_copy.c: symlink-safe recursive copy between directory fds (see
 * tree_copy.h). Every open uses O_NOFOLLOW; names come from readdir, so no
 * path ever leaves the two trees. */
#include "node/tree_copy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (64 * 1024)

struct copy_state {
	const struct tree_copy_opts *opts;
	size_t entries;
	char *buf;
};

static int copy_owner(int dst, const char *name, const struct tree_copy_opts *o,
		      struct node_error *e)
{
	if (o->uid == (uid_t)-1 && o->gid == (gid_t)-1)
		return 0;
	if (fchownat(dst, name, o->uid, o->gid, AT_SYMLINK_NOFOLLOW) < 0)
		return node_error_set(e, errno, "chown %s", name);
	return 0;
}

static int copy_file(struct copy_state *s, int src, int dst, const char *name,
		     const struct stat *st, struct node_error *e)
{
	mode_t mode = (st->st_mode & S_IXUSR) ? 0755 : 0644;
	int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int out;
	int rc = 0;

	if (in < 0)
		return node_error_set(e, errno, "open %s", name);
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (out < 0) {
		int err = errno;

		close(in);
		return node_error_set(e, err, "create %s", name);
	}
	for (;;) {
		ssize_t n = read(in, s->buf, COPY_CHUNK), done = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = node_error_set(e, errno, "read %s", name);
			break;
		}
		if (n == 0)
			break;
		while (done < n) {
			ssize_t w = write(out, s->buf + done, (size_t)(n - done));

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				rc = node_error_set(e, errno, "write %s", name);
				break;
			}
			done += w;
		}
		if (rc < 0)
			break;
	}
	close(in);
	if (close(out) < 0 && rc == 0)
		rc = node_error_set(e, errno, "close %s", name);
	if (rc == 0 && fchmodat(dst, name, mode, 0) < 0)
		rc = node_error_set(e, errno, "chmod %s", name);
	return rc;
}

static int copy_dir(struct copy_state *s, int src, int dst, int depth, struct node_error *e);

static int copy_entry(struct copy_state *s, int src, int dst, const char *name, int depth,
		      struct node_error *e)
{
	struct stat st;

	if (++s->entries > s->opts->max_entries)
		return node_error_set(e, EMFILE, "more than %zu entries", s->opts->max_entries);
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return node_error_set(e, errno, "stat %s", name);
	if (S_ISREG(st.st_mode)) {
		if (copy_file(s, src, dst, name, &st, e) < 0)
			return -1;
	} else if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(src, name, target, sizeof(target));

		if (n < 0 || (size_t)n >= sizeof(target))
			return node_error_set(e, n < 0 ? errno : ENAMETOOLONG, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dst, name) < 0)
			return node_error_set(e, errno, "symlink %s", name);
	} else if (S_ISDIR(st.st_mode)) {
		int sub_src, sub_dst, rc;

		if (depth >= s->opts->max_depth)
			return node_error_set(e, ELOOP, "%s: deeper than %d", name,
					      s->opts->max_depth);
		if (mkdirat(dst, name, 0755) < 0)
			return node_error_set(e, errno, "mkdir %s", name);
		sub_src = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_src < 0)
			return node_error_set(e, errno, "open %s", name);
		sub_dst = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub_dst < 0) {
			int err = errno;

			close(sub_src);
			return node_error_set(e, err, "open %s", name);
		}
		rc = copy_dir(s, sub_src, sub_dst, depth + 1, e);
		close(sub_dst);
		if (rc < 0)
			return node_error_prefix(e, "%s", name);
	} else {
		return node_error_set(e, 0, "%s: not a file, directory or symlink", name);
	}
	return copy_owner(dst, name, s->opts, e);
}

/* Copies src's entries into dst; closes src. */
static int copy_dir(struct copy_state *s, int src, int dst, int depth, struct node_error *e)
{
	DIR *d = fdopendir(src);
	int rc = 0;

	if (d == NULL) {
		int err = errno;

		close(src);
		return node_error_set(e, err, "fdopendir");
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = node_error_set(e, errno, "readdir");
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = copy_entry(s, src, dst, de->d_name, depth, e);
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

int tree_copy(int src, int dst, const struct tree_copy_opts *opts, struct node_error *e)
{
	struct copy_state s = { .opts = opts };
	int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return node_error_set(e, errno, "open source directory");
	s.buf = malloc(COPY_CHUNK);
	if (s.buf == NULL) {
		close(fd);
		return node_error_set(e, ENOMEM, "copy");
	}
	rc = copy_dir(&s, fd, dst, 0, e);
	free(s.buf);
	return rc;
}
