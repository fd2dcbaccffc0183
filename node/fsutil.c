/* fsutil.c: bounded file helpers (see fsutil.h). */
#include "node/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int path_join(char *out, size_t out_size, const char *a, const char *b)
{
	size_t la = strlen(a);
	size_t lb;

	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	lb = strlen(b);
	if (lb == 0) {
		if (la + 1 > out_size)
			return -1;
		memmove(out, a, la);
		out[la] = '\0';
		return 0;
	}
	if (la + 1 + lb + 1 > out_size)
		return -1;
	memmove(out, a, la);
	if (la == 1 && a[0] == '/')
		la = 0;
	out[la] = '/';
	memcpy(out + la + 1, b, lb + 1);
	return 0;
}

int file_read_all(int dirfd, const char *path, size_t max, char **buf, size_t *len,
		  struct node_error *e)
{
	size_t cap = 4096, used = 0;
	char *data;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return node_error_set(e, errno, "open %s", path);
	data = malloc(cap);
	if (data == NULL) {
		close(fd);
		return node_error_set(e, ENOMEM, "read %s", path);
	}
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *bigger;

			if (cap > max) {
				free(data);
				close(fd);
				return node_error_set(e, EFBIG, "read %s", path);
			}
			bigger = realloc(data, cap * 2);
			if (bigger == NULL) {
				free(data);
				close(fd);
				return node_error_set(e, ENOMEM, "read %s", path);
			}
			data = bigger;
			cap *= 2;
		}
		n = read(fd, data + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(data);
			close(fd);
			return node_error_set(e, err, "read %s", path);
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	if (used > max) {
		free(data);
		return node_error_set(e, EFBIG, "read %s", path);
	}
	data[used] = '\0';
	*buf = data;
	if (len != NULL)
		*len = used;
	return 0;
}

int file_write_str(const char *path, const char *s, struct node_error *e)
{
	size_t len = strlen(s);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return node_error_set(e, errno, "open %s", path);
	do {
		n = write(fd, s, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0 || (size_t)n != len) {
		int err = n < 0 ? errno : EIO;

		close(fd);
		return node_error_set(e, err, "write %s to %s", s, path);
	}
	if (close(fd) < 0)
		return node_error_set(e, errno, "close %s", path);
	return 0;
}

int dir_make_all(const char *path, struct node_error *e)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return node_error_set(e, ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return node_error_set(e, errno, "mkdir %s", buf);
		buf[i] = path[i];
	}
	return 0;
}
