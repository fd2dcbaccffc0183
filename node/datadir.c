/* datadir.c: the node's data directory: creation, lock, atomic files, keys. */
#include "node/datadir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/fdio.h"
#include "proto/hex.h"

int datadir_default_base(char *out, size_t out_size)
{
	const char *home = getenv("HOME");
	int n;

	if (home == NULL || home[0] == '\0')
		return -1;
	n = snprintf(out, out_size, "%s/.hearth", home);
	return n > 0 && (size_t)n < out_size ? 0 : -1;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_dirs(const char *path, char *err, size_t err_size)
{
	char buf[DATADIR_PATH_MAX];

	if (strlen(path) >= sizeof(buf)) {
		snprintf(err, err_size, "data directory path too long");
		return -1;
	}
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char saved = *p;

			*p = '\0';
			if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
				snprintf(err, err_size, "cannot create %s: %s", buf,
					 strerror(errno));
				return -1;
			}
			*p = saved;
			if (saved == '\0')
				break;
		}
	}
	return 0;
}

int datadir_open(struct datadir *dd, const char *base, const char *network, char *err,
		 size_t err_size)
{
	const char *sub = strcmp(network, "test") == 0	? "/testnet"
			  : strcmp(network, "dev") == 0 ? "/dev"
							: "";
	char lock_path[DATADIR_PATH_MAX + 8];
	int n;

	dd->lock_fd = -1;
	n = snprintf(dd->path, sizeof(dd->path), "%s%s", base, sub);
	if (n < 0 || (size_t)n >= sizeof(dd->path) - 64) {
		snprintf(err, err_size, "data directory path too long");
		return -1;
	}
	if (make_dirs(dd->path, err, err_size) != 0)
		return -1;
	snprintf(lock_path, sizeof(lock_path), "%s/.lock", dd->path);
	dd->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (dd->lock_fd < 0) {
		snprintf(err, err_size, "cannot open %s: %s", lock_path, strerror(errno));
		return -1;
	}
	if (flock(dd->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, err_size,
			 "cannot lock data directory %s: hearthd is probably already running",
			 dd->path);
		close(dd->lock_fd);
		dd->lock_fd = -1;
		return -1;
	}
	return 0;
}

void datadir_close(struct datadir *dd)
{
	if (dd->lock_fd >= 0)
		close(dd->lock_fd); /* releases the flock */
	dd->lock_fd = -1;
}

int datadir_file(const struct datadir *dd, const char *name, char *out, size_t out_size)
{
	int n = snprintf(out, out_size, "%s/%s", dd->path, name);

	return n > 0 && (size_t)n < out_size ? 0 : -1;
}

int datadir_write_atomic(const struct datadir *dd, const char *name, const void *data, size_t len,
			 unsigned mode, char *err, size_t err_size)
{
	char path[DATADIR_PATH_MAX + 256], tmp[DATADIR_PATH_MAX + 300];
	int fd;

	if (datadir_file(dd, name, path, sizeof(path)) != 0) {
		snprintf(err, err_size, "path of %s too long", name);
		return -1;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		snprintf(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, mode) != 0 || fdio_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0 || rename(tmp, path) != 0 || fdio_fsync_dir(dd->path) != 0) {
		snprintf(err, err_size, "cannot replace %s: %s", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int datadir_move_aside(const struct datadir *dd, const char *name, const char *aside, char *err,
		       size_t err_size)
{
	char from[DATADIR_PATH_MAX + 256], to[DATADIR_PATH_MAX + 256];

	if (datadir_file(dd, name, from, sizeof(from)) != 0 ||
	    datadir_file(dd, aside, to, sizeof(to)) != 0) {
		snprintf(err, err_size, "path of %s too long, not moved aside", name);
		return -1;
	}
	if (rename(from, to) != 0 || fdio_fsync_dir(dd->path) != 0) {
		snprintf(err, err_size, "cannot move %s aside: %s", from, strerror(errno));
		return -1;
	}
	return 0;
}

int datadir_read(const struct datadir *dd, const char *name, size_t max_len, char **data,
		 size_t *len, char *err, size_t err_size)
{
	char path[DATADIR_PATH_MAX + 256];
	struct stat st;
	ssize_t n;
	int fd;

	*data = NULL;
	*len = 0;
	if (datadir_file(dd, name, path, sizeof(path)) != 0) {
		snprintf(err, err_size, "path of %s too long", name);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > max_len) {
		snprintf(err, err_size, "%s is not a regular file of at most %zu bytes", path,
			 max_len);
		close(fd);
		return -1;
	}
	*data = malloc((size_t)st.st_size + 1);
	if (*data == NULL) {
		close(fd);
		snprintf(err, err_size, "out of memory reading %s", path);
		return -1;
	}
	n = read(fd, *data, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*data);
		*data = NULL;
		snprintf(err, err_size, "cannot read %s", path);
		return -1;
	}
	(*data)[n] = '\0';
	*len = (size_t)n;
	return 0;
}

static int check_key_mode(const struct datadir *dd, const char *name, char *err, size_t err_size)
{
	char path[DATADIR_PATH_MAX + 256];
	struct stat st;

	if (datadir_file(dd, name, path, sizeof(path)) != 0 || stat(path, &st) != 0) {
		snprintf(err, err_size, "cannot stat %s/%s", dd->path, name);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, err_size, "%s has mode %03o: a secret key file must be 0600", path,
			 (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

static int create_key(const struct datadir *dd, const char *name, struct signer *signer, char *err,
		      size_t err_size)
{
	uint8_t secret[SECKEY_SIZE];
	char hex[2 * SECKEY_SIZE + 2];
	int rc = -1;

	if (signer_generate(signer) != 0 || signer_secret(signer, secret) != 0) {
		snprintf(err, err_size, "cannot generate a key for %s", name);
		return -1;
	}
	if (hex_encode(secret, sizeof(secret), hex, sizeof(hex)) == 0) {
		hex[2 * SECKEY_SIZE] = '\n';
		rc = datadir_write_atomic(dd, name, hex, 2 * SECKEY_SIZE + 1, 0600, err, err_size);
	}
	secret_wipe(secret, sizeof(secret));
	secret_wipe(hex, sizeof(hex));
	if (rc != 0)
		signer_wipe(signer);
	return rc;
}

int datadir_load_or_create_key(const struct datadir *dd, const char *name, struct signer *signer,
			       bool *created, char *err, size_t err_size)
{
	uint8_t secret[SECKEY_SIZE];
	char *text;
	size_t len;
	int rc;

	*created = false;
	rc = datadir_read(dd, name, 4 * SECKEY_SIZE, &text, &len, err, err_size);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		*created = true;
		return create_key(dd, name, signer, err, err_size);
	}
	if (check_key_mode(dd, name, err, err_size) != 0) {
		secret_wipe(text, len);
		free(text);
		return -1;
	}
	if (len > 0 && text[len - 1] == '\n')
		text[--len] = '\0';
	rc = hex_decode_exact(text, secret, sizeof(secret));
	secret_wipe(text, len);
	free(text);
	if (rc != 0 || signer_from_secret(signer, secret) != 0) {
		secret_wipe(secret, sizeof(secret));
		snprintf(err, err_size, "%s/%s does not hold a valid secp256k1 key (64 hex digits)",
			 dd->path, name);
		return -1;
	}
	secret_wipe(secret, sizeof(secret));
	return 0;
}
