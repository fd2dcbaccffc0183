/* fuzz_result_manifest.c: libFuzzer target for the result-manifest walker
 * (node/result_hash.c). The input describes a small tree, built in a
 * fresh directory under /tmp and removed after each input:
 *   max_entries (1 byte), max_bytes (2 bytes, in units of 16 bytes), then
 *   operations: op, parent (an index into the directories made so far),
 *   name (length byte, then up to 8 bytes repeated to that length), and
 *     file:    mode byte, flags byte: bit 0 set, a sparse file of a 2-byte
 *              size in units of 16 bytes; else flags >> 1 bytes of content;
 *     dir:     mode byte;
 *     symlink: a length byte and the target bytes;
 *     FIFO:    nothing (rejects the whole output).
 * The target knows what it made, so it predicts the walk: success exactly
 * when no FIFO, depth, path, entry or byte limit is hit, and then a manifest
 * equal to its own list (paths, kinds, exec bits, sizes, content hashes).
 * Walking twice gives the same result hash. */
#include "node/result_hash.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_OPS	  96
#define MAX_NAME  255
#define TREE_NAME "t"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size, pos;
};

struct dir {
	int fd;
	int depth; /* root 0 */
	size_t path_len;
	char *path; /* relative to the tree, "" for the root */
};

struct tree {
	struct dir dirs[MAX_OPS + 1];
	size_t n_dirs;
	struct manifest want; /* what the walk must find */
	uint64_t max_bytes;   /* the walk's limit */
	uint64_t bytes;	      /* file bytes made */
	bool fifo;	      /* a FIFO was made: the walk must fail */
	bool too_deep;	      /* a directory below MANIFEST_DEPTH_MAX */
	bool too_long;	      /* a path of MANIFEST_PATH_MAX bytes or more */
};

static uint8_t take(struct input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static bool done(const struct input *in)
{
	return in->pos >= in->size;
}

/* A name: 1..255 bytes, never '/', NUL, "." or "..". */
static void take_name(struct input *in, char name[MAX_NAME + 1])
{
	size_t len = (size_t)take(in) % MAX_NAME + 1;
	size_t k = len < 8 ? len : 8;
	char pat[8];

	for (size_t i = 0; i < k; i++) {
		uint8_t c = take(in);

		pat[i] = c == '/' || c == '\0' ? '_' : (char)c;
	}
	for (size_t i = 0; i < len; i++)
		name[i] = pat[i % k];
	name[len] = '\0';
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		name[0] = 'x';
}

/* Joins dir's path and name; the caller frees. */
static char *join(const struct dir *d, const char *name)
{
	size_t n = strlen(name), len = d->path_len ? d->path_len + 1 + n : n;
	char *p = malloc(len + 1);

	if (p == NULL)
		abort();
	if (d->path_len)
		snprintf(p, len + 1, "%s/%s", d->path, name);
	else
		memcpy(p, name, n + 1);
	return p;
}

static void note_path(struct tree *t, const char *path)
{
	if (strlen(path) >= MANIFEST_PATH_MAX)
		t->too_long = true;
}

static void want_entry(struct tree *t, const char *path, enum manifest_kind kind, bool exec,
		       uint64_t size, const uint8_t hash[HASH_SIZE])
{
	note_path(t, path);
	if (strlen(path) < MANIFEST_PATH_MAX &&
	    manifest_add(&t->want, path, kind, exec, size, hash) != 0)
		abort();
}

static void make_file(struct tree *t, struct input *in, const struct dir *d, const char *name)
{
	mode_t mode = take(in) & 0777;
	uint8_t flags = take(in), hash[HASH_SIZE], content[256] = { 0 };
	uint64_t size;
	struct hasher h;
	char *path;
	int fd = openat(d->fd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		if (errno == EEXIST || errno == ENAMETOOLONG)
			return;
		abort();
	}
	hash_begin(&h, "hearth/file");
	if (flags & 1) {
		size = ((uint64_t)take(in) << 8 | take(in)) * 16u;
		if (ftruncate(fd, (off_t)size) != 0)
			abort();
		/* Zeros; hashed only when the walk can get that far. */
		for (uint64_t left = t->bytes + size <= t->max_bytes ? size : 0; left > 0;) {
			size_t n = left < sizeof(content) ? (size_t)left : sizeof(content);

			hash_update(&h, content, n);
			left -= n;
		}
	} else {
		size = flags >> 1;
		for (size_t i = 0; i < size; i++)
			content[i] = take(in);
		if (write(fd, content, size) != (ssize_t)size)
			abort();
		hash_update(&h, content, size);
	}
	hash_finish(&h, hash);
	if (fchmod(fd, mode) != 0 || close(fd) != 0)
		abort();
	t->bytes += size;
	path = join(d, name);
	want_entry(t, path, MANIFEST_FILE, (mode & S_IXUSR) != 0, size, hash);
	free(path);
}

static void make_dir(struct tree *t, struct input *in, const struct dir *d, const char *name)
{
	mode_t mode = (take(in) & 0777) | S_IRWXU;
	struct dir *sub = &t->dirs[t->n_dirs];

	if (mkdirat(d->fd, name, mode) != 0) {
		if (errno == EEXIST || errno == ENAMETOOLONG)
			return;
		abort();
	}
	sub->fd = openat(d->fd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sub->fd < 0)
		abort();
	sub->depth = d->depth + 1;
	sub->path = join(d, name);
	sub->path_len = strlen(sub->path);
	t->n_dirs++;
	if (sub->depth > MANIFEST_DEPTH_MAX)
		t->too_deep = true;
	note_path(t, sub->path);
}

static void make_symlink(struct tree *t, struct input *in, const struct dir *d, const char *name)
{
	size_t len = take(in);
	char target[256], *path;
	uint8_t hash[HASH_SIZE];

	for (size_t i = 0; i < len; i++) {
		target[i] = (char)take(in);
		if (target[i] == '\0')
			target[i] = '.';
	}
	target[len] = '\0';
	if (symlinkat(target, d->fd, name) != 0) {
		if (errno == EEXIST || errno == ENAMETOOLONG || errno == ENOENT)
			return;
		abort();
	}
	result_hash_link(target, len, hash);
	path = join(d, name);
	want_entry(t, path, MANIFEST_SYMLINK, false, len, hash);
	free(path);
}

static void make_fifo(struct tree *t, const struct dir *d, const char *name)
{
	char *path;

	if (mkfifoat(d->fd, name, 0600) != 0) {
		if (errno == EEXIST || errno == ENAMETOOLONG)
			return;
		abort();
	}
	t->fifo = true;
	path = join(d, name);
	note_path(t, path);
	free(path);
}

static void build_tree(struct tree *t, struct input *in)
{
	for (int op = 0; op < MAX_OPS && !done(in); op++) {
		uint8_t kind = take(in);
		const struct dir *d = &t->dirs[take(in) % t->n_dirs];
		char name[MAX_NAME + 1];

		take_name(in, name);
		switch (kind % 4) {
		case 0:
			make_file(t, in, d, name);
			break;
		case 1:
			make_dir(t, in, d, name);
			break;
		case 2:
			make_symlink(t, in, d, name);
			break;
		default:
			if ((kind & 0x1c) == 0)
				make_fifo(t, d, name);
			else
				make_file(t, in, d, name);
			break;
		}
	}
}

/* Removes everything below dirfd (closed), then nothing is left open. */
static void remove_below(int dirfd)
{
	DIR *dir = fdopendir(dirfd);
	struct dirent *de;

	if (dir == NULL)
		abort();
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;

		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			abort();
		if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0)
				abort();
			remove_below(sub);
			if (unlinkat(dirfd, de->d_name, AT_REMOVEDIR) != 0)
				abort();
		} else if (unlinkat(dirfd, de->d_name, 0) != 0) {
			abort();
		}
		rewinddir(dir);
	}
	closedir(dir);
}

static bool same_manifest(const struct manifest *a, const struct manifest *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		const struct manifest_entry *x = &a->entries[i], *y = &b->entries[i];

		if (strcmp(x->path, y->path) != 0 || x->kind != y->kind ||
		    x->executable != y->executable || x->size != y->size ||
		    memcmp(x->hash, y->hash, HASH_SIZE) != 0)
			return false;
	}
	return true;
}

static void result_of(const struct manifest *m, uint8_t out[HASH_SIZE])
{
	static const struct result_status st = { RESULT_EXITED, 0 };
	uint8_t stdout_hash[HASH_SIZE];

	result_hash_stdout("", 0, stdout_hash);
	result_hash_compute(&st, stdout_hash, m, out);
}

/* Walks the tree twice and checks both walks against the prediction. */
static void check_walks(struct tree *t, size_t max_entries)
{
	bool ok = !t->fifo && !t->too_deep && !t->too_long && t->want.count <= max_entries &&
		  t->bytes <= t->max_bytes;
	struct manifest m[2];
	struct node_error e;
	uint8_t hash[2][HASH_SIZE];

	manifest_sort(&t->want);
	for (int i = 0; i < 2; i++) {
		int rc = manifest_build(t->dirs[0].fd, max_entries, t->max_bytes, &m[i], &e);

		if ((rc == 0) != ok) {
			fprintf(stderr, "walk %s, predicted %s: %s\n",
				rc == 0 ? "succeeded" : "failed", ok ? "success" : "failure",
				rc == 0 ? "" : e.msg);
			abort();
		}
		if (rc != 0 && (m[i].count != 0 || m[i].entries != NULL || e.msg[0] == '\0'))
			abort();
		if (rc == 0 && !same_manifest(&m[i], &t->want))
			abort();
		result_of(&m[i], hash[i]);
	}
	if (memcmp(hash[0], hash[1], HASH_SIZE) != 0)
		abort();
	manifest_free(&m[0]);
	manifest_free(&m[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size, 0 };
	struct tree t;
	size_t max_entries;
	char base_path[] = "/tmp/fuzz_manifest.XXXXXX";
	int base;

	memset(&t, 0, sizeof(t));
	max_entries = take(&in);
	t.max_bytes = ((uint64_t)take(&in) << 8 | take(&in)) * 16u;
	if (mkdtemp(base_path) == NULL)
		abort();
	base = open(base_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0 || mkdirat(base, TREE_NAME, 0700) != 0)
		abort();
	t.dirs[0].fd = openat(base, TREE_NAME, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t.dirs[0].path = strdup("");
	if (t.dirs[0].fd < 0 || t.dirs[0].path == NULL)
		abort();
	t.n_dirs = 1;
	build_tree(&t, &in);
	check_walks(&t, max_entries);
	for (size_t i = 1; i < t.n_dirs; i++) {
		close(t.dirs[i].fd);
		free(t.dirs[i].path);
	}
	remove_below(t.dirs[0].fd);
	free(t.dirs[0].path);
	if (unlinkat(base, TREE_NAME, AT_REMOVEDIR) != 0 || close(base) != 0 ||
	    rmdir(base_path) != 0)
		abort();
	manifest_free(&t.want);
	return 0;
}
