/* untar.c: the safe tar reader of untar.h. Each header is checked (checksum,
 * octal size, the data inside the buffer), GNU long names ('L', 'K') are
 * taken for the next entry, every path is checked component by component
 * and created below dirfd with openat/mkdirat/symlinkat, never following a
 * link. */
#include "wallet/untar.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct reader {
	const uint8_t *tar;
	size_t len;
	size_t off;
	const struct untar_limits *lim;
	size_t entries;
	uint64_t bytes;
	char long_name[UNTAR_PATH_MAX + 1];
	char long_link[UNTAR_PATH_MAX + 1];
	bool has_long_name, has_long_link;
	char *err;
	size_t err_size;
};

/* One entry, its header parsed. */
struct entry {
	char type;
	char path[UNTAR_PATH_MAX + 1];
	char link[UNTAR_PATH_MAX + 1];
	uint64_t size;
	unsigned mode;
	const uint8_t *data;
};

#define FAIL(r, ...) (snprintf((r)->err, (r)->err_size, __VA_ARGS__), -1)

static int parse_octal(const uint8_t *field, size_t width, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;

	while (i < width && field[i] == ' ')
		i++;
	if (i == width || field[i] < '0' || field[i] > '7')
		return -1;
	for (; i < width && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v > (UINT64_MAX >> 3))
			return -1;
		v = v * 8 + (uint64_t)(field[i] - '0');
	}
	for (; i < width; i++) {
		if (field[i] != ' ' && field[i] != '\0')
			return -1;
	}
	*out = v;
	return 0;
}

static bool block_is_zero(const uint8_t *b)
{
	for (size_t i = 0; i < UNTAR_BLOCK; i++) {
		if (b[i] != 0)
			return false;
	}
	return true;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t want;
	unsigned sum = 0;

	if (parse_octal(h + 148, 8, &want) != 0)
		return false;
	for (size_t i = 0; i < UNTAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

/* Copies a NUL-padded field of at most width bytes. */
static void copy_field(char *out, const uint8_t *field, size_t width)
{
	size_t n = strnlen((const char *)field, width);

	memcpy(out, field, n);
	out[n] = '\0';
}

/* The data of a 'L' or 'K' entry, as text, into out. */
static int take_long(struct reader *r, const uint8_t *data, uint64_t size, char *out, bool *has)
{
	size_t n;

	if (size == 0 || size > UNTAR_PATH_MAX)
		return FAIL(r, "a long name of %llu bytes", (unsigned long long)size);
	n = strnlen((const char *)data, (size_t)size);
	memcpy(out, data, n);
	out[n] = '\0';
	*has = true;
	return 0;
}

/* Reads the next header at r->off. Returns 1 with e filled, 0 at the end,
 * -1 with the error. */
static int next_entry(struct reader *r, struct entry *e)
{
	for (;;) {
		const uint8_t *h;
		uint64_t size, padded, mode;

		if (r->off == r->len)
			return 0;
		if (r->len - r->off < UNTAR_BLOCK)
			return FAIL(r, "the archive is truncated");
		h = r->tar + r->off;
		if (block_is_zero(h))
			return 0;
		if (!checksum_ok(h))
			return FAIL(r, "bad header checksum at byte %zu", r->off);
		if (parse_octal(h + 124, 12, &size) != 0 || parse_octal(h + 100, 8, &mode) != 0)
			return FAIL(r, "bad size or mode at byte %zu", r->off);
		padded = (size + UNTAR_BLOCK - 1) / UNTAR_BLOCK * UNTAR_BLOCK;
		if (size > r->len || padded > r->len - r->off - UNTAR_BLOCK)
			return FAIL(r, "the archive is truncated");
		r->off += UNTAR_BLOCK + (size_t)padded;
		if (++r->entries > r->lim->max_entries)
			return FAIL(r, "more than %zu entries", r->lim->max_entries);
		e->type = (char)h[156];
		e->data = h + UNTAR_BLOCK;
		if (e->type == 'L' && take_long(r, e->data, size, r->long_name, &r->has_long_name))
			return -1;
		if (e->type == 'K' && take_long(r, e->data, size, r->long_link, &r->has_long_link))
			return -1;
		if (e->type == 'L' || e->type == 'K')
			continue;
		e->size = size;
		e->mode = (unsigned)mode;
		if (r->has_long_name) {
			snprintf(e->path, sizeof(e->path), "%s", r->long_name);
		} else if (memcmp(h + 257, "ustar\0", 6) == 0 && h[345] != '\0') {
			char prefix[156], name[101];

			copy_field(prefix, h + 345, 155);
			copy_field(name, h, 100);
			snprintf(e->path, sizeof(e->path), "%s/%s", prefix, name);
		} else {
			copy_field(e->path, h, 100);
		}
		if (r->has_long_link)
			snprintf(e->link, sizeof(e->link), "%s", r->long_link);
		else
			copy_field(e->link, h + 157, 100);
		r->has_long_name = r->has_long_link = false;
		return 1;
	}
}

/* Strips "./" and a trailing '/', then checks every component: not empty,
 * ".", or "..", and the path not absolute. Returns 0, or -1 with the error. */
static int clean_path(struct reader *r, char *path)
{
	size_t n;
	char *p;

	if (path[0] == '/')
		return FAIL(r, "absolute path refused: %.200s", path);
	p = path;
	while (p[0] == '.' && p[1] == '/')
		p += 2 + strspn(p + 2, "/");
	memmove(path, p, strlen(p) + 1);
	n = strlen(path);
	while (n > 0 && path[n - 1] == '/')
		path[--n] = '\0';
	if (strcmp(path, ".") == 0)
		path[0] = '\0';
	for (p = path; *p != '\0';) {
		size_t c = strcspn(p, "/");

		if (c == 0 || (c == 1 && p[0] == '.') || (c == 2 && p[0] == '.' && p[1] == '.'))
			return FAIL(r, "path with an empty, '.' or '..' component refused: %.200s",
				    path);
		p += c + (p[c] == '/');
	}
	return 0;
}

/* A link at path may point to target only inside the tree. */
static int check_link(struct reader *r, const char *path, const char *target)
{
	long depth = 0;
	const char *p;

	if (target[0] == '\0' || target[0] == '/')
		return FAIL(r, "link %.200s points outside the result (%.200s)", path, target);
	for (p = path; (p = strchr(p, '/')) != NULL; p++)
		depth++;
	for (p = target; *p != '\0';) {
		size_t c = strcspn(p, "/");

		if (c == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (c != 0 && !(c == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return FAIL(r, "link %.200s points outside the result (%.200s)", path,
				    target);
		p += c + (p[c] == '/');
	}
	return 0;
}

/* Opens (making them) the parent directories of path below dirfd, never
 * through a link. Out: *parent (close it), *name (the last component). */
static int open_parent(struct reader *r, int dirfd, char *path, int *parent, const char **name)
{
	int fd = dup(dirfd);
	char *p = path, *slash;

	if (fd < 0)
		return FAIL(r, "dup: %s", strerror(errno));
	while ((slash = strchr(p, '/')) != NULL) {
		int next;

		*slash = '\0';
		if (mkdirat(fd, p, 0755) != 0 && errno != EEXIST) {
			close(fd);
			*slash = '/';
			return FAIL(r, "cannot make %.200s: %s", path, strerror(errno));
		}
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		*slash = '/';
		close(fd);
		if (next < 0)
			return FAIL(r, "%.200s goes through a link or a file: refused", path);
		fd = next;
		p = slash + 1;
	}
	*parent = fd;
	*name = p;
	return 0;
}

static int write_file(struct reader *r, int parent, const char *name, const struct entry *e)
{
	size_t done = 0;
	int fd = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			(e->mode & 0100) ? 0755 : 0644);

	if (fd < 0)
		return FAIL(r, "cannot create %.200s: %s", e->path, strerror(errno));
	while (done < e->size) {
		ssize_t n = write(fd, e->data + done, (size_t)e->size - done);

		if (n <= 0) {
			close(fd);
			return FAIL(r, "cannot write %.200s", e->path);
		}
		done += (size_t)n;
	}
	if (fchmod(fd, (e->mode & 0100) ? 0755 : 0644) != 0 || close(fd) != 0)
		return FAIL(r, "cannot write %.200s", e->path);
	return 0;
}

static int make_dir(struct reader *r, int parent, const char *name, const char *path)
{
	int fd;

	if (mkdirat(parent, name, 0755) == 0)
		return 0;
	if (errno != EEXIST)
		return FAIL(r, "cannot make %.200s: %s", path, strerror(errno));
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return FAIL(r, "%.200s exists and is not a directory", path);
	close(fd);
	return 0;
}

static int create_entry(struct reader *r, int dirfd, struct entry *e)
{
	char path[UNTAR_PATH_MAX + 1];
	const char *name;
	int parent, rc;

	snprintf(path, sizeof(path), "%s", e->path);
	if (open_parent(r, dirfd, path, &parent, &name) != 0)
		return -1;
	switch (e->type) {
	case '5':
		rc = make_dir(r, parent, name, e->path);
		break;
	case '2':
		rc = symlinkat(e->link, parent, name) == 0
			     ? 0
			     : FAIL(r, "cannot make the link %.200s: %s", e->path, strerror(errno));
		break;
	default:
		rc = write_file(r, parent, name, e);
		break;
	}
	close(parent);
	return rc;
}

/* Checks one entry's kind, path and size; then creates it. */
static int extract_entry(struct reader *r, int dirfd, struct entry *e)
{
	switch (e->type) {
	case '0':
	case '\0':
	case '7':
		if (e->size > r->lim->max_bytes - r->bytes)
			return FAIL(r, "the result is larger than %llu bytes",
				    (unsigned long long)r->lim->max_bytes);
		r->bytes += e->size;
		e->type = '0';
		break;
	case '5':
	case '2':
		break;
	case '1':
		return FAIL(r, "hard link refused: %.200s", e->path);
	case '3':
	case '4':
	case '6':
		return FAIL(r, "device file or FIFO refused: %.200s", e->path);
	default:
		return FAIL(r, "entry of type '%c' refused: %.200s", e->type, e->path);
	}
	if (clean_path(r, e->path) != 0)
		return -1;
	if (e->path[0] == '\0') {
		if (e->type == '5')
			return 0; /* the root, "./" */
		return FAIL(r, "an entry with an empty path");
	}
	if (e->type == '2' && check_link(r, e->path, e->link) != 0)
		return -1;
	return create_entry(r, dirfd, e);
}

int untar_extract(const uint8_t *tar, size_t len, int dirfd, const struct untar_limits *lim,
		  char *err, size_t err_size)
{
	struct reader *r = calloc(1, sizeof(*r));
	struct entry *e = calloc(1, sizeof(*e));
	int rc = 0;

	err[0] = '\0';
	if (r == NULL || e == NULL) {
		free(r);
		free(e);
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	r->tar = tar;
	r->len = len;
	r->lim = lim;
	r->err = err;
	r->err_size = err_size;
	while ((rc = next_entry(r, e)) == 1) {
		if (extract_entry(r, dirfd, e) != 0) {
			rc = -1;
			break;
		}
	}
	if (rc == 0 && (r->has_long_name || r->has_long_link))
		rc = FAIL(r, "the archive ends after a long name");
	free(r);
	free(e);
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int untar_remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}
