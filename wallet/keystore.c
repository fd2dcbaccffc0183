/* keystore.c: encrypted key files of the wallet (format in keystore.h) and
 * the node-format unencrypted key files of -keyfile. */
#include "wallet/keystore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/hex.h"
#include "proto/le.h"

#define MAGIC	    "HTHWKEY"
#define MAGIC_LEN   7
#define OFF_VERSION 7
#define OFF_OPS	    8
#define OFF_MEM	    16
#define OFF_SALT    24
#define OFF_PUBKEY  40
#define OFF_NONCE   72
#define OFF_CIPHER  96
#define CIPHER_LEN  (SECKEY_SIZE + crypto_aead_xchacha20poly1305_ietf_ABYTES)
#define KEY_SUFFIX  ".key"

_Static_assert(OFF_PUBKEY - OFF_SALT == crypto_pwhash_SALTBYTES, "salt size");
_Static_assert(OFF_CIPHER - OFF_NONCE == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "nonce size");
_Static_assert(OFF_CIPHER + CIPHER_LEN == KEYSTORE_FILE_SIZE, "file size");

void keystore_limits_moderate(struct kdf_limits *lim)
{
	lim->opslimit = crypto_pwhash_OPSLIMIT_MODERATE;
	lim->memlimit = crypto_pwhash_MEMLIMIT_MODERATE;
}

bool keystore_name_valid(const char *name)
{
	size_t n = strnlen(name, KEYSTORE_NAME_MAX + 1);

	if (n == 0 || n > KEYSTORE_NAME_MAX || name[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int keystore_dir(const char *datadir, char *out, size_t out_size, char *err, size_t err_size)
{
	const char *home = getenv("HOME");
	int n;

	if (datadir != NULL) {
		n = snprintf(out, out_size, "%s/wallet", datadir);
	} else {
		if (home == NULL || home[0] == '\0') {
			snprintf(err, err_size, "HOME is not set: give -datadir");
			return -1;
		}
		n = snprintf(out, out_size, "%s/.hearth/wallet", home);
	}
	if (n <= 0 || (size_t)n >= out_size) {
		snprintf(err, err_size, "wallet directory path too long");
		return -1;
	}
	return 0;
}

static bool limits_ok(uint64_t ops, uint64_t mem)
{
	return ops >= crypto_pwhash_OPSLIMIT_MIN && ops <= KEYSTORE_OPS_MAX &&
	       mem >= crypto_pwhash_MEMLIMIT_MIN && mem <= KEYSTORE_MEM_MAX;
}

/* Associated data: the header (bytes 0..OFF_CIPHER) then the name. */
static int make_ad(const uint8_t *file, const char *name, uint8_t *ad, size_t ad_size,
		   size_t *ad_len)
{
	size_t n = strlen(name);

	if (OFF_CIPHER + n > ad_size)
		return -1;
	memcpy(ad, file, OFF_CIPHER);
	memcpy(ad + OFF_CIPHER, name, n);
	*ad_len = OFF_CIPHER + n;
	return 0;
}

static int derive_key(const uint8_t *file, const char *pass, size_t pass_len,
		      uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES])
{
	return crypto_pwhash(key, crypto_aead_xchacha20poly1305_ietf_KEYBYTES, pass, pass_len,
			     file + OFF_SALT, le_get_u64(file + OFF_OPS),
			     (size_t)le_get_u64(file + OFF_MEM), crypto_pwhash_ALG_ARGON2ID13);
}

int keystore_seal(const char *name, const uint8_t secret[SECKEY_SIZE], const char *pass,
		  size_t pass_len, const struct kdf_limits *lim, uint8_t out[KEYSTORE_FILE_SIZE],
		  char *err, size_t err_size)
{
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
	uint8_t ad[OFF_CIPHER + KEYSTORE_NAME_MAX];
	size_t ad_len;
	struct signer s;
	int rc;

	if (!keystore_name_valid(name) || !limits_ok(lim->opslimit, lim->memlimit)) {
		snprintf(err, err_size, "invalid key name or KDF limits");
		return -1;
	}
	if (signer_from_secret(&s, secret) != 0) {
		snprintf(err, err_size, "not a valid secp256k1 secret key");
		return -1;
	}
	memcpy(out, MAGIC, MAGIC_LEN);
	out[OFF_VERSION] = KEYSTORE_VERSION;
	le_put_u64(out + OFF_OPS, lim->opslimit);
	le_put_u64(out + OFF_MEM, lim->memlimit);
	randombytes_buf(out + OFF_SALT, crypto_pwhash_SALTBYTES);
	memcpy(out + OFF_PUBKEY, s.pubkey, PUBKEY_SIZE);
	signer_wipe(&s);
	randombytes_buf(out + OFF_NONCE, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
	if (derive_key(out, pass, pass_len, key) != 0) {
		snprintf(err, err_size, "cannot derive the key (out of memory?)");
		return -1;
	}
	rc = make_ad(out, name, ad, sizeof(ad), &ad_len);
	if (rc == 0)
		rc = crypto_aead_xchacha20poly1305_ietf_encrypt(out + OFF_CIPHER, NULL, secret,
								SECKEY_SIZE, ad, ad_len, NULL,
								out + OFF_NONCE, key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0)
		snprintf(err, err_size, "cannot encrypt the key");
	return rc == 0 ? 0 : -1;
}

int keystore_open(const char *name, const uint8_t *data, size_t len, const char *pass,
		  size_t pass_len, struct signer *s, char *err, size_t err_size)
{
	uint8_t key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES], secret[SECKEY_SIZE];
	uint8_t ad[OFF_CIPHER + KEYSTORE_NAME_MAX];
	size_t ad_len;
	int rc;

	if (len != KEYSTORE_FILE_SIZE || memcmp(data, MAGIC, MAGIC_LEN) != 0 ||
	    data[OFF_VERSION] != KEYSTORE_VERSION ||
	    !limits_ok(le_get_u64(data + OFF_OPS), le_get_u64(data + OFF_MEM)) ||
	    make_ad(data, name, ad, sizeof(ad), &ad_len) != 0) {
		snprintf(err, err_size, "key '%s' is not a valid key file (truncated or corrupted)",
			 name);
		return -1;
	}
	if (derive_key(data, pass, pass_len, key) != 0) {
		snprintf(err, err_size, "cannot derive the key (out of memory?)");
		return -1;
	}
	rc = crypto_aead_xchacha20poly1305_ietf_decrypt(secret, NULL, NULL, data + OFF_CIPHER,
							CIPHER_LEN, ad, ad_len, data + OFF_NONCE,
							key);
	sodium_memzero(key, sizeof(key));
	if (rc != 0) {
		snprintf(err, err_size, "wrong passphrase for key '%s' (or its file is corrupted)",
			 name);
		return -1;
	}
	rc = signer_from_secret(s, secret);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0 || memcmp(s->pubkey, data + OFF_PUBKEY, PUBKEY_SIZE) != 0) {
		if (rc == 0)
			signer_wipe(s);
		snprintf(err, err_size, "key '%s' does not match its public key", name);
		return -1;
	}
	return 0;
}

static int key_path(const char *dir, const char *name, char *out, size_t out_size, char *err,
		    size_t err_size)
{
	int n;

	if (!keystore_name_valid(name)) {
		snprintf(err, err_size,
			 "invalid key name '%.*s': use 1-%d of A-Z a-z 0-9 . _ - "
			 "(not starting with '.')",
			 KEYSTORE_NAME_MAX, name, KEYSTORE_NAME_MAX);
		return -1;
	}
	n = snprintf(out, out_size, "%s/%s%s", dir, name, KEY_SUFFIX);
	if (n <= 0 || (size_t)n >= out_size) {
		snprintf(err, err_size, "key path too long");
		return -1;
	}
	return 0;
}

/* mkdir -p with mode 0700 for every directory it creates. */
static int make_dirs(const char *path, char *err, size_t err_size)
{
	char buf[KEYSTORE_PATH_MAX];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf)) {
		snprintf(err, err_size, "wallet directory path too long");
		return -1;
	}
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
			snprintf(err, err_size, "cannot create %s: %s", buf, strerror(errno));
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

/* Writes data to a temporary file, fsyncs it, and links it to path, which
 * fails if path exists (so a key is never replaced). */
static int write_new_file(const char *dir, const char *path, const uint8_t *data, size_t len,
			  char *err, size_t err_size)
{
	char tmp[KEYSTORE_PATH_MAX + 32];
	int fd, rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, err_size, "key path too long");
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fchmod(fd, 0600) != 0 || write(fd, data, len) != (ssize_t)len || fsync(fd) != 0) {
		snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
		close(fd);
	} else if (close(fd) != 0) {
		snprintf(err, err_size, "cannot write %s: %s", tmp, strerror(errno));
	} else if (link(tmp, path) != 0) {
		if (errno == EEXIST)
			snprintf(err, err_size, "a key file %s already exists", path);
		else
			snprintf(err, err_size, "cannot create %s: %s", path, strerror(errno));
	} else {
		rc = 0;
	}
	unlink(tmp);
	if (rc == 0) {
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd >= 0) {
			(void)fsync(fd);
			close(fd);
		}
	}
	return rc;
}

int keystore_create(const char *dir, const char *name, const uint8_t secret[SECKEY_SIZE],
		    const char *pass, size_t pass_len, const struct kdf_limits *lim, char *err,
		    size_t err_size)
{
	uint8_t file[KEYSTORE_FILE_SIZE];
	char path[KEYSTORE_PATH_MAX];
	struct stat st;

	if (key_path(dir, name, path, sizeof(path), err, err_size) != 0)
		return -1;
	if (lstat(path, &st) == 0) {
		snprintf(err, err_size, "key '%s' already exists", name);
		return -1;
	}
	if (make_dirs(dir, err, err_size) != 0 ||
	    keystore_seal(name, secret, pass, pass_len, lim, file, err, err_size) != 0)
		return -1;
	return write_new_file(dir, path, file, sizeof(file), err, err_size);
}

/* Reads a small file whole, refusing one whose mode lets others read it.
 * Out: buf[*len]. Returns 0, 1 when it does not exist, -1 with err. */
static int read_secret_file(const char *path, uint8_t *buf, size_t size, size_t *len, char *err,
			    size_t err_size)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "%s is not a regular file", path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		snprintf(err, err_size, "%s has mode %03o: a secret key file must be 0600", path,
			 (unsigned)(st.st_mode & 0777));
		close(fd);
		return -1;
	}
	/* One byte more than the buffer tells "too long" from "exactly full". */
	n = read(fd, buf, size);
	close(fd);
	if (n < 0) {
		snprintf(err, err_size, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	*len = (size_t)n;
	return 0;
}

/* Reads the file of key name in dir.
 * Out: file (KEYSTORE_FILE_SIZE + 1 bytes), *len; err ("no key named ..."
 * when it does not exist). Returns 0 or -1. */
static int read_key_file(const char *dir, const char *name, uint8_t *file, size_t *len, char *err,
			 size_t err_size)
{
	char path[KEYSTORE_PATH_MAX];
	int rc;

	if (key_path(dir, name, path, sizeof(path), err, err_size) != 0)
		return -1;
	rc = read_secret_file(path, file, KEYSTORE_FILE_SIZE + 1, len, err, err_size);
	if (rc == 1)
		snprintf(err, err_size, "no key named '%s' in %s", name, dir);
	return rc == 0 ? 0 : -1;
}

int keystore_load(const char *dir, const char *name, const char *pass, size_t pass_len,
		  struct signer *s, char *err, size_t err_size)
{
	uint8_t file[KEYSTORE_FILE_SIZE + 1];
	size_t len;

	if (read_key_file(dir, name, file, &len, err, err_size) != 0)
		return -1;
	return keystore_open(name, file, len, pass, pass_len, s, err, err_size);
}

int keystore_pubkey(const char *dir, const char *name, uint8_t pubkey[PUBKEY_SIZE], char *err,
		    size_t err_size)
{
	uint8_t file[KEYSTORE_FILE_SIZE + 1];
	size_t len;

	if (read_key_file(dir, name, file, &len, err, err_size) != 0)
		return -1;
	if (len != KEYSTORE_FILE_SIZE || memcmp(file, MAGIC, MAGIC_LEN) != 0 ||
	    file[OFF_VERSION] != KEYSTORE_VERSION || !pubkey_valid(file + OFF_PUBKEY)) {
		snprintf(err, err_size, "key '%s' is not a valid key file (truncated or corrupted)",
			 name);
		return -1;
	}
	memcpy(pubkey, file + OFF_PUBKEY, PUBKEY_SIZE);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds a copy of the key name of file name fname to the list, if it is one. */
static int list_add(const char *fname, char ***names, size_t *count, size_t *cap)
{
	size_t n = strlen(fname), sl = strlen(KEY_SUFFIX);
	char *name, **grown;

	if (n <= sl || strcmp(fname + n - sl, KEY_SUFFIX) != 0)
		return 0;
	name = strndup(fname, n - sl);
	if (name == NULL)
		return -1;
	if (!keystore_name_valid(name)) {
		free(name);
		return 0;
	}
	if (*count == *cap) {
		*cap = *cap ? 2 * *cap : 8;
		grown = realloc(*names, *cap * sizeof(*grown));
		if (grown == NULL) {
			free(name);
			return -1;
		}
		*names = grown;
	}
	(*names)[(*count)++] = name;
	return 0;
}

int keystore_list(const char *dir, char ***names, size_t *count, char *err, size_t err_size)
{
	struct dirent *e;
	size_t cap = 0;
	DIR *d = opendir(dir);

	*names = NULL;
	*count = 0;
	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, err_size, "cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (list_add(e->d_name, names, count, &cap) != 0) {
			closedir(d);
			keystore_names_free(*names, *count);
			*names = NULL;
			*count = 0;
			snprintf(err, err_size, "out of memory listing %s", dir);
			return -1;
		}
	}
	closedir(d);
	if (*count > 1)
		qsort(*names, *count, sizeof(**names), cmp_names);
	return 0;
}

void keystore_names_free(char **names, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
}

int keystore_load_keyfile(const char *path, struct signer *s, char *err, size_t err_size)
{
	uint8_t text[2 * SECKEY_SIZE + 3], secret[SECKEY_SIZE];
	size_t len;
	int rc = read_secret_file(path, text, sizeof(text) - 1, &len, err, err_size);

	if (rc == 1)
		snprintf(err, err_size, "no key file %s", path);
	if (rc != 0)
		return -1;
	if (len > 0 && text[len - 1] == '\n')
		len--;
	text[len] = '\0';
	rc = len == 2 * SECKEY_SIZE ? hex_decode_exact((const char *)text, secret, sizeof(secret))
				    : -1;
	sodium_memzero(text, sizeof(text));
	if (rc == 0)
		rc = signer_from_secret(s, secret);
	sodium_memzero(secret, sizeof(secret));
	if (rc != 0) {
		snprintf(err, err_size, "%s does not hold a valid secp256k1 key (64 hex digits)",
			 path);
		return -1;
	}
	return 0;
}

int keystore_save_result_key(const char *dir, const uint8_t pub[crypto_box_PUBLICKEYBYTES],
			     const uint8_t secret[crypto_box_SECRETKEYBYTES], char *path,
			     size_t path_size, char *err, size_t err_size)
{
	char sub[KEYSTORE_PATH_MAX], file[KEYSTORE_PATH_MAX + 80];
	char pub_hex[2 * crypto_box_PUBLICKEYBYTES + 1], text[2 * crypto_box_SECRETKEYBYTES + 2];
	int rc;

	if (snprintf(sub, sizeof(sub), "%s/results", dir) >= (int)sizeof(sub) ||
	    hex_encode(pub, crypto_box_PUBLICKEYBYTES, pub_hex, sizeof(pub_hex)) != 0 ||
	    hex_encode(secret, crypto_box_SECRETKEYBYTES, text, sizeof(text)) != 0) {
		snprintf(err, err_size, "result key path too long");
		return -1;
	}
	snprintf(file, sizeof(file), "%s/%s.x25519", sub, pub_hex);
	text[2 * crypto_box_SECRETKEYBYTES] = '\n';
	rc = make_dirs(sub, err, err_size);
	if (rc == 0)
		rc = write_new_file(sub, file, (const uint8_t *)text, sizeof(text) - 1, err,
				    err_size);
	sodium_memzero(text, sizeof(text));
	if (rc == 0 && path != NULL)
		snprintf(path, path_size, "%s", file);
	return rc;
}
