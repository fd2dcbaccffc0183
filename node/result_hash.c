/* result_hash.c: the /out manifest (a walk that never follows a link) and
 * the canonical result hash (see result_hash.h, doc/result-hash.md). */
#include "node/result_hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (64 * 1024)

int manifest_add(struct manifest *m, const char *path, enum manifest_kind kind, bool executable,
		 uint64_t size, const uint8_t hash[HASH_SIZE])
{
	struct manifest_entry *ent;
	size_t len = strlen(path);

	if (len == 0 || len >= MANIFEST_PATH_MAX)
		return -1;
	if (m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		struct manifest_entry *bigger;

		if (cap > SIZE_MAX / sizeof(*bigger))
			return -1;
		bigger = realloc(m->entries, cap * sizeof(*bigger));
		if (bigger == NULL)
			return -1;
		m->entries = bigger;
		m->cap = cap;
	}
	ent = &m->entries[m->count];
	ent->path = malloc(len + 1);
	if (ent->path == NULL)
		return -1;
	memcpy(ent->path, path, len + 1);
	ent->kind = kind;
	ent->executable = kind == MANIFEST_FILE && executable;
	ent->size = size;
	memcpy(ent->hash, hash, HASH_SIZE);
	m->count++;
	return 0;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct manifest_entry *x = a, *y = b;
	size_t lx = strlen(x->path), ly = strlen(y->path);
	int c = memcmp(x->path, y->path, lx < ly ? lx : ly);

	if (c != 0)
		return c;
	return lx < ly ? -1 : lx > ly;
}

void manifest_sort(struct manifest *m)
{
	if (m->count > 1)
		qsort(m->entries, m->count, sizeof(m->entries[0]), entry_cmp);
}

void manifest_free(struct manifest *m)
{
	for (size_t i = 0; i < m->count; i++)
		free(m->entries[i].path);
	free(m->entries);
	m->entries = NULL;
	m->count = m->cap = 0;
}

void result_hash_stdout(const void *data, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/stdout", data, len, out);
}

void result_hash_file(const void *data, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/file", data, len, out);
}

void result_hash_link(const char *target, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/link", target, len, out);
}

void result_hash_compute(const struct result_status *status, const uint8_t stdout_hash[HASH_SIZE],
			 const struct manifest *m, uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/result");
	hash_u64(&h, (uint64_t)status->kind);
	hash_u64(&h, status->value);
	hash_update(&h, stdout_hash, HASH_SIZE);
	hash_u64(&h, (uint64_t)m->count);
	for (size_t i = 0; i < m->count; i++) {
		const struct manifest_entry *ent = &m->entries[i];

		hash_bytes(&h, ent->path, strlen(ent->path));
		hash_u64(&h, (uint64_t)ent->kind);
		hash_u64(&h, ent->executable ? 1 : 0);
		hash_u64(&h, ent->size);
		hash_update(&h, ent->hash, HASH_SIZE);
	}
	hash_finish(&h, out);
}

/* Hashes the regular file name in dirfd, opened without following links. */
static int hash_regular(int dirfd, const char *name, const char *path, const struct stat *st,
			uint64_t *size, uint8_t out[HASH_SIZE], struct node_error *e)
{
	struct hasher h;
	struct stat now;
	uint64_t total = 0;
	uint8_t *buf;
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return node_error_set(e, errno, "open out/%s", path);
	if (fstat(fd, &now) < 0 || !S_ISREG(now.st_mode) || now.st_ino != st->st_ino) {
		close(fd);
		return node_error_set(e, EAGAIN, "out/%s changed during the walk", path);
	}
	buf = malloc(READ_CHUNK);
	if (buf == NULL) {
		close(fd);
		return node_error_set(e, ENOMEM, "hash out/%s", path);
	}
	hash_begin(&h, "hearth/file");
	for (;;) {
		ssize_t n = read(fd, buf, READ_CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = errno;

			free(buf);
			close(fd);
			return node_error_set(e, err, "read out/%s", path);
		}
		if (n == 0)
			break;
		hash_update(&h, buf, (size_t)n);
		total += (uint64_t)n;
	}
	free(buf);
	close(fd);
	hash_finish(&h, out);
	*size = total;
	return 0;
}

struct walk {
	struct manifest *m;
	size_t max_entries;
	uint64_t max_bytes;
	uint64_t bytes;
	char path[MANIFEST_PATH_MAX];
};

static int walk_dir(struct walk *w, int dirfd, size_t path_len, int depth, struct node_error *e);

/* Records one directory entry; path_len is the length of w->path before it. */
static int walk_entry(struct walk *w, int dirfd, const char *name, size_t path_len, int depth,
		      struct node_error *e)
{
	struct stat st;
	size_t name_len = strlen(name);
	uint8_t hash[HASH_SIZE];
	uint64_t size = 0;
	size_t at = path_len ? path_len + 1 : 0;

	if (at + name_len >= sizeof(w->path))
		return node_error_set(e, ENAMETOOLONG, "out/%s/%s", w->path, name);
	if (path_len)
		w->path[path_len] = '/';
	memcpy(w->path + at, name, name_len + 1);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return node_error_set(e, errno, "stat out/%s", w->path);
	if (S_ISDIR(st.st_mode)) {
		int sub;
		int rc;

		if (depth + 1 > MANIFEST_DEPTH_MAX)
			return node_error_set(e, ELOOP, "out/%s: deeper than %d", w->path,
					      MANIFEST_DEPTH_MAX);
		sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return node_error_set(e, errno, "open out/%s", w->path);
		rc = walk_dir(w, sub, at + name_len, depth + 1, e);
		return rc;
	}
	if (w->m->count >= w->max_entries)
		return node_error_set(e, EMFILE, "out: more than %zu entries", w->max_entries);
	if (S_ISREG(st.st_mode)) {
		if ((uint64_t)st.st_size > w->max_bytes - w->bytes)
			return node_error_set(e, EFBIG, "out: more than %llu bytes of files",
					      (unsigned long long)w->max_bytes);
		w->bytes += (uint64_t)st.st_size;
		if (hash_regular(dirfd, name, w->path, &st, &size, hash, e) < 0)
			return -1;
		if (manifest_add(w->m, w->path, MANIFEST_FILE, (st.st_mode & S_IXUSR) != 0, size,
				 hash) < 0)
			return node_error_set(e, ENOMEM, "manifest out/%s", w->path);
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(dirfd, name, target, sizeof(target));

		if (n < 0)
			return node_error_set(e, errno, "readlink out/%s", w->path);
		if ((size_t)n >= sizeof(target))
			return node_error_set(e, ENAMETOOLONG, "readlink out/%s", w->path);
		result_hash_link(target, (size_t)n, hash);
		if (manifest_add(w->m, w->path, MANIFEST_SYMLINK, false, (uint64_t)n, hash) < 0)
			return node_error_set(e, ENOMEM, "manifest out/%s", w->path);
		return 0;
	}
	return node_error_set(e, 0, "out/%s: %s rejected (only files, directories and symlinks)",
			      w->path,
			      S_ISFIFO(st.st_mode)   ? "FIFO"
			      : S_ISSOCK(st.st_mode) ? "socket"
			      : S_ISCHR(st.st_mode)  ? "character device"
			      : S_ISBLK(st.st_mode)  ? "block device"
						     : "unknown file type");
}

/* Walks dirfd (takes ownership: closes it). */
static int walk_dir(struct walk *w, int dirfd, size_t path_len, int depth, struct node_error *e)
{
	DIR *d = fdopendir(dirfd);
	int rc = 0;

	if (d == NULL) {
		int err = errno;

		close(dirfd);
		return node_error_set(e, err, "fdopendir out/%s", w->path);
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = node_error_set(e, errno, "readdir out/%s", w->path);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rc = walk_entry(w, dirfd, de->d_name, path_len, depth, e);
		w->path[path_len] = '\0';
		if (rc < 0)
			break;
	}
	closedir(d);
	return rc;
}

int manifest_build(int dirfd, size_t max_entries, uint64_t max_bytes, struct manifest *m,
		   struct node_error *e)
{
	struct walk w = { .m = m, .max_entries = max_entries, .max_bytes = max_bytes };
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	memset(m, 0, sizeof(*m));
	if (fd < 0)
		return node_error_set(e, errno, "open out");
	if (walk_dir(&w, fd, 0, 0, e) < 0) {
		manifest_free(m);
		return -1;
	}
	manifest_sort(m);
	return 0;
}
