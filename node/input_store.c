/* input_store.c: the content-addressed store of job inputs
 * (input_store.h): put with pruning and a total cap, read with the hash
 * checked, and the retention sweep. */
#include "node/input_store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <sodium.h>

#include "node/fdio.h"
#include "proto/hex.h"

#define TMP_PREFIX ".tmp-"

void input_hash(const void *data, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged(INPUT_HASH_TAG, data, len, out);
}

bool input_store_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		if (!((name[n] >= '0' && name[n] <= '9') || (name[n] >= 'a' && name[n] <= 'f')))
			return false;
	}
	return n == 2 * HASH_SIZE;
}

int input_store_path(const char *dir, const uint8_t hash[HASH_SIZE], char *path, size_t path_size)
{
	char hex[2 * HASH_SIZE + 1];
	int n;

	if (hex_encode(hash, HASH_SIZE, hex, sizeof(hex)) != 0)
		return -1;
	n = snprintf(path, path_size, "%s/%s", dir, hex);
	return n < 0 || (size_t)n >= path_size ? -1 : 0;
}

static bool is_temp(const char *name)
{
	return strncmp(name, TMP_PREFIX, sizeof(TMP_PREFIX) - 1) == 0;
}

int input_store_prune(const char *dir, uint64_t now_s, uint64_t retention_s, uint64_t *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int removed = 0;

	*total = 0;
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		bool input = input_store_name_valid(de->d_name);

		if ((!input && !is_temp(de->d_name)) ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (retention_s > 0 && (uint64_t)st.st_mtime + retention_s < now_s &&
		    unlinkat(dirfd(d), de->d_name, 0) == 0) {
			removed++;
			continue;
		}
		if (input)
			*total += (uint64_t)st.st_size;
	}
	closedir(d);
	return removed;
}

static enum input_store_status io_fail(char *err, size_t err_size, const char *what,
				       const char *path)
{
	snprintf(err, err_size, "%s %s: %s", what, path, strerror(errno));
	return INPUT_STORE_IO;
}

/* Writes data into a new temporary file of dir and renames it to path. */
static enum input_store_status write_new(const char *dir, const char *path, const void *data,
					 size_t len, char *err, size_t err_size)
{
	char tmp[4300];
	uint32_t nonce = randombytes_random();
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s/" TMP_PREFIX "%08x", dir, nonce) >= sizeof(tmp))
		return io_fail(err, err_size, "path too long", dir);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return io_fail(err, err_size, "create", tmp);
	if (fdio_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		io_fail(err, err_size, "write", tmp);
		close(fd);
		unlink(tmp);
		return INPUT_STORE_IO;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0) {
		io_fail(err, err_size, "rename", tmp);
		unlink(tmp);
		return INPUT_STORE_IO;
	}
	if (fdio_fsync_dir(dir) != 0)
		return io_fail(err, err_size, "fsync", dir);
	return INPUT_STORE_OK;
}

enum input_store_status input_store_put(const char *dir, const void *data, size_t len,
					const struct input_store_limits *lim, uint64_t now_s,
					uint8_t hash[HASH_SIZE], char *err, size_t err_size)
{
	char path[4300];
	uint64_t total;

	input_hash(data, len, hash);
	if ((uint64_t)len > lim->max_size) {
		snprintf(err, err_size, "%zu bytes > maxinputsize %llu", len,
			 (unsigned long long)lim->max_size);
		return INPUT_STORE_TOO_LARGE;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return io_fail(err, err_size, "mkdir", dir);
	if (input_store_path(dir, hash, path, sizeof(path)) != 0)
		return io_fail(err, err_size, "path too long", dir);
	if (utimes(path, NULL) == 0)
		return INPUT_STORE_OK; /* stored already: kept from now on */
	if (input_store_prune(dir, now_s, lim->retention_s, &total) < 0)
		return io_fail(err, err_size, "read", dir);
	if (total > lim->max_total || (uint64_t)len > lim->max_total - total) {
		snprintf(err, err_size, "the store holds %llu bytes, maxinputstore is %llu",
			 (unsigned long long)total, (unsigned long long)lim->max_total);
		return INPUT_STORE_FULL;
	}
	return write_new(dir, path, data, len, err, err_size);
}

/* Reads the whole of fd (st_size bytes at most max_size). */
static enum input_store_status read_fd(int fd, uint64_t max_size, uint8_t **data, size_t *len)
{
	struct stat st;
	size_t got = 0;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return INPUT_STORE_IO;
	if ((uint64_t)st.st_size > max_size)
		return INPUT_STORE_TOO_LARGE;
	*data = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
	if (*data == NULL)
		return INPUT_STORE_IO;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	*len = got;
	return got == (size_t)st.st_size ? INPUT_STORE_OK : INPUT_STORE_IO;
}

enum input_store_status input_store_read(const char *dir, const uint8_t hash[HASH_SIZE],
					 uint64_t max_size, uint8_t **data, size_t *len)
{
	char path[4300];
	uint8_t got[HASH_SIZE];
	enum input_store_status rc;
	int fd;

	*data = NULL;
	*len = 0;
	if (input_store_path(dir, hash, path, sizeof(path)) != 0)
		return INPUT_STORE_IO;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? INPUT_STORE_NOT_FOUND : INPUT_STORE_IO;
	rc = read_fd(fd, max_size, data, len);
	close(fd);
	if (rc == INPUT_STORE_OK) {
		input_hash(*data, *len, got);
		if (sodium_memcmp(got, hash, HASH_SIZE) != 0)
			rc = INPUT_STORE_CORRUPT;
	}
	if (rc != INPUT_STORE_OK) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	return rc;
}
