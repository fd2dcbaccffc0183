/* tarpack.c: the deterministic ustar writer of tarpack.h. The archive grows
 * in one buffer bounded by max_bytes; each directory is read whole, sorted,
 * and walked with openat(O_NOFOLLOW). */
#include "wallet/tarpack.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_MAX_TAR 255

struct archive {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t max;
	char *err;
	size_t err_size;
};

/* Appends n zeroed bytes. Out: *at, where they start. */
static int grow(struct archive *a, size_t n, uint8_t **at)
{
	size_t cap;
	uint8_t *b;

	if (n > a->max - a->len) {
		snprintf(a->err, a->err_size, "the input is larger than %zu bytes as an archive",
			 a->max);
		return -1;
	}
	if (a->len + n > a->cap) {
		cap = a->cap ? a->cap : 16 * TARPACK_BLOCK;
		while (cap < a->len + n)
			cap *= 2;
		b = realloc(a->buf, cap);
		if (b == NULL) {
			snprintf(a->err, a->err_size, "out of memory packing the input");
			return -1;
		}
		a->buf = b;
		a->cap = cap;
	}
	*at = a->buf + a->len;
	memset(*at, 0, n);
	a->len += n;
	return 0;
}

static void octal(char *field, size_t width, uint64_t v)
{
	/* width - 1 digits and a NUL, as ustar writers do. */
	snprintf(field, width, "%0*llo", (int)(width - 1), (unsigned long long)v);
}

/* Writes one header block. */
static int header(struct archive *a, const char *path, char type, unsigned mode, uint64_t size,
		  const char *link)
{
	size_t plen = strlen(path), split = 0;
	unsigned sum = 0;
	uint8_t *h;

	if (plen > 100) {
		/* Split at the first '/' after which the (non-empty) name part
		 * fits in 100 bytes; the prefix before it must fit in 155. */
		for (size_t i = 1; i + 1 < plen && split == 0; i++) {
			if (path[i] == '/' && plen - i - 1 <= 100)
				split = i;
		}
		if (split == 0 || split > 155 || plen > PATH_MAX_TAR) {
			snprintf(a->err, a->err_size,
				 "input path too long for the archive: %.80s...", path);
			return -1;
		}
	}
	if (link != NULL && strlen(link) > 100) {
		snprintf(a->err, a->err_size, "symbolic link target too long: %.80s", path);
		return -1;
	}
	if (grow(a, TARPACK_BLOCK, &h) != 0)
		return -1;
	if (split != 0) {
		memcpy(h + 345, path, split);
		memcpy(h, path + split + 1, plen - split - 1);
	} else {
		memcpy(h, path, plen);
	}
	octal((char *)h + 100, 8, mode);
	octal((char *)h + 108, 8, 0);
	octal((char *)h + 116, 8, 0);
	octal((char *)h + 124, 12, size);
	octal((char *)h + 136, 12, 0);
	h[156] = (uint8_t)type;
	if (link != NULL)
		memcpy(h + 157, link, strlen(link));
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (size_t i = 0; i < TARPACK_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	return 0;
}

static int add_file(struct archive *a, int dirfd, const char *name, const char *path,
		    const struct stat *st)
{
	size_t size = (size_t)st->st_size,
	       padded = (size + TARPACK_BLOCK - 1) / TARPACK_BLOCK * TARPACK_BLOCK;
	uint8_t *data;
	size_t done = 0;
	ssize_t n;
	int fd;

	if ((uint64_t)st->st_size > a->max) {
		snprintf(a->err, a->err_size, "%s is larger than the input limit of %zu bytes",
			 path, a->max);
		return -1;
	}
	if (header(a, path, '0', (st->st_mode & S_IXUSR) ? 0755 : 0644, size, NULL) != 0 ||
	    grow(a, padded, &data) != 0)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(a->err, a->err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	while (done < size && (n = read(fd, data + done, size - done)) > 0)
		done += (size_t)n;
	close(fd);
	if (done != size) {
		snprintf(a->err, a->err_size, "%s changed or could not be read", path);
		return -1;
	}
	return 0;
}

static int add_link(struct archive *a, int dirfd, const char *name, const char *path)
{
	char target[101];
	ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

	if (n < 0 || n >= (ssize_t)sizeof(target)) {
		snprintf(a->err, a->err_size,
			 "cannot read the link %s (or its target is over 100 "
			 "bytes)",
			 path);
		return -1;
	}
	target[n] = '\0';
	return header(a, path, '2', 0777, 0, target);
}

static int cmp_names(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The names in dirfd (not "." or ".."), sorted. Out: *names, *count. */
static int read_names(int dirfd, char ***names, size_t *count, struct archive *a)
{
	size_t cap = 0;
	struct dirent *e;
	int fd = dup(dirfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

	*names = NULL;
	*count = 0;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		snprintf(a->err, a->err_size, "cannot read a directory: %s", strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **grown;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*count == cap) {
			cap = cap ? 2 * cap : 16;
			grown = realloc(*names, cap * sizeof(*grown));
			if (grown == NULL)
				break;
			*names = grown;
		}
		if (((*names)[*count] = strdup(e->d_name)) == NULL)
			break;
		(*count)++;
	}
	closedir(d);
	if (e != NULL) {
		snprintf(a->err, a->err_size, "out of memory reading a directory");
		return -1;
	}
	if (*count > 1)
		qsort(*names, *count, sizeof(**names), cmp_names);
	return 0;
}

static int add_dir(struct archive *a, int dirfd, const char *prefix, int depth);

static int add_entry(struct archive *a, int dirfd, const char *name, const char *prefix, int depth)
{
	char path[PATH_MAX_TAR + 2];
	struct stat st;
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "/" : "", name) >
	    PATH_MAX_TAR) {
		snprintf(a->err, a->err_size, "input path too long for the archive: %.80s...",
			 path);
		return -1;
	}
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		snprintf(a->err, a->err_size, "cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISREG(st.st_mode))
		return add_file(a, dirfd, name, path, &st);
	if (S_ISLNK(st.st_mode))
		return add_link(a, dirfd, name, path);
	if (!S_ISDIR(st.st_mode)) {
		snprintf(a->err, a->err_size, "%s is not a file, directory or link", path);
		return -1;
	}
	if (depth >= TARPACK_DEPTH_MAX) {
		snprintf(a->err, a->err_size, "the input is nested deeper than %d",
			 TARPACK_DEPTH_MAX);
		return -1;
	}
	strcat(path, "/");
	if (header(a, path, '5', 0755, 0, NULL) != 0)
		return -1;
	path[strlen(path) - 1] = '\0';
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(a->err, a->err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	rc = add_dir(a, fd, path, depth + 1);
	close(fd);
	return rc;
}

static int add_dir(struct archive *a, int dirfd, const char *prefix, int depth)
{
	char **names;
	size_t count;
	int rc = 0;

	if (read_names(dirfd, &names, &count, a) != 0)
		return -1;
	for (size_t i = 0; i < count && rc == 0; i++)
		rc = add_entry(a, dirfd, names[i], prefix, depth);
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc;
}

int tarpack_dir(const char *dir, size_t max_bytes, uint8_t **out, size_t *len, char *err,
		size_t err_size)
{
	struct archive a = { NULL, 0, 0, max_bytes, err, err_size };
	uint8_t *end;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	err[0] = '\0';
	*out = NULL;
	*len = 0;
	if (fd < 0) {
		snprintf(err, err_size, "cannot open the input directory %s: %s", dir,
			 strerror(errno));
		return -1;
	}
	if (add_dir(&a, fd, "", 0) != 0 || grow(&a, 2 * TARPACK_BLOCK, &end) != 0) {
		close(fd);
		free(a.buf);
		return -1;
	}
	close(fd);
	*out = a.buf;
	*len = a.len;
	return 0;
}
