/* test_keystore.c: unit tests of wallet/keystore.c: encrypted key files
 * (round trip, wrong passphrase, truncated and corrupted files, file mode,
 * names) and node-format key files for -keyfile. The KDF runs with
 * libsodium's minimum limits here to keep the tests fast; the format and
 * code paths are those of the moderate limits the CLI writes. */
#include "wallet/keystore.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

static const struct kdf_limits fast = { crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN };

static const uint8_t secret1[SECKEY_SIZE] = {
	0xc1, 0xc5, 0xce, 0x5b, 0x87, 0x30, 0xa4, 0x80, 0x4c, 0xeb, 0x75,
	0xae, 0xca, 0xdb, 0x5b, 0xdc, 0x58, 0x2b, 0xed, 0x11, 0x19, 0xb8,
	0xf8, 0xad, 0x3a, 0xce, 0x1e, 0xbb, 0xf4, 0xad, 0x03, 0x5c,
};

struct fixture {
	char dir[256];
	char err[KEYSTORE_ERR_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || hearth_crypto_init() != 0)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/hearth-keystore-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void key_file(const struct fixture *f, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/wallet/%s.key", f->dir, name);
}

static void wallet_dir(const struct fixture *f, char *out, size_t size)
{
	snprintf(out, size, "%s/wallet", f->dir);
}

/* Reads the key file of name whole. */
static size_t read_key(const struct fixture *f, const char *name, uint8_t *buf, size_t size)
{
	char path[512];
	int fd;
	ssize_t n;

	key_file(f, name, path, sizeof(path));
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, size);
	close(fd);
	assert_true(n >= 0);
	return (size_t)n;
}

static void write_key(const struct fixture *f, const char *name, const uint8_t *buf, size_t len)
{
	char path[512];
	int fd;

	key_file(f, name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void test_keystore_round_trip(void **state)
{
	struct fixture *f = *state;
	char dir[300];
	uint8_t pub[PUBKEY_SIZE], back[SECKEY_SIZE];
	struct signer s;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(
		keystore_create(dir, "alice", secret1, "pw", 2, &fast, f->err, sizeof(f->err)), 0);
	assert_int_equal(keystore_load(dir, "alice", "pw", 2, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(signer_secret(&s, back), 0);
	assert_memory_equal(back, secret1, SECKEY_SIZE);
	assert_int_equal(keystore_pubkey(dir, "alice", pub, f->err, sizeof(f->err)), 0);
	assert_memory_equal(pub, s.pubkey, PUBKEY_SIZE);
	signer_wipe(&s);
	/* A second key of the same name is refused; the first stays. */
	assert_int_equal(
		keystore_create(dir, "alice", secret1, "other", 5, &fast, f->err, sizeof(f->err)),
		-1);
	assert_non_null(strstr(f->err, "already exists"));
	assert_int_equal(keystore_load(dir, "alice", "pw", 2, &s, f->err, sizeof(f->err)), 0);
	signer_wipe(&s);
}

static void test_keystore_wrong_passphrase_is_rejected(void **state)
{
	struct fixture *f = *state;
	char dir[300];
	struct signer s;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(
		keystore_create(dir, "k", secret1, "right", 5, &fast, f->err, sizeof(f->err)), 0);
	assert_int_equal(keystore_load(dir, "k", "wrong", 5, &s, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "wrong passphrase"));
	assert_int_equal(keystore_load(dir, "k", "", 0, &s, f->err, sizeof(f->err)), -1);
	assert_int_equal(keystore_load(dir, "nope", "right", 5, &s, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "no key named 'nope'"));
}

static void test_keystore_truncated_file_is_rejected(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[KEYSTORE_FILE_SIZE + 8];
	char dir[300];
	struct signer s;
	size_t len;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(keystore_create(dir, "k", secret1, "pw", 2, &fast, f->err, sizeof(f->err)),
			 0);
	len = read_key(f, "k", buf, sizeof(buf));
	assert_int_equal(len, KEYSTORE_FILE_SIZE);
	for (size_t cut = 0; cut < len; cut += 13) {
		write_key(f, "k", buf, cut);
		assert_int_equal(keystore_load(dir, "k", "pw", 2, &s, f->err, sizeof(f->err)), -1);
		assert_non_null(strstr(f->err, "not a valid key file"));
	}
	/* Bytes appended are not accepted either. */
	buf[len] = 0;
	write_key(f, "k", buf, len + 1);
	assert_int_equal(keystore_load(dir, "k", "pw", 2, &s, f->err, sizeof(f->err)), -1);
}

static void test_keystore_every_corrupted_byte_is_detected(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[KEYSTORE_FILE_SIZE], bad[KEYSTORE_FILE_SIZE];
	char dir[300];
	struct signer s;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(keystore_create(dir, "k", secret1, "pw", 2, &fast, f->err, sizeof(f->err)),
			 0);
	assert_int_equal(read_key(f, "k", buf, sizeof(buf)), KEYSTORE_FILE_SIZE);
	for (size_t i = 0; i < KEYSTORE_FILE_SIZE; i++) {
		memcpy(bad, buf, sizeof(bad));
		bad[i] ^= 0x01;
		/* Opening the image directly skips the file system; the
		 * limits stay small enough whatever bit of them flips. */
		if (keystore_open("k", bad, sizeof(bad), "pw", 2, &s, f->err, sizeof(f->err)) != -1)
			fail_msg("a flipped bit at byte %zu was not detected", i);
	}
	/* The name is bound too: the same file under another name fails. */
	assert_int_equal(keystore_open("k2", buf, sizeof(buf), "pw", 2, &s, f->err, sizeof(f->err)),
			 -1);
	assert_int_equal(keystore_open("k", buf, sizeof(buf), "pw", 2, &s, f->err, sizeof(f->err)),
			 0);
	signer_wipe(&s);
}

static void test_keystore_file_mode_is_0600_and_enforced(void **state)
{
	struct fixture *f = *state;
	char dir[300], path[512];
	struct stat st;
	struct signer s;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(keystore_create(dir, "k", secret1, "pw", 2, &fast, f->err, sizeof(f->err)),
			 0);
	key_file(f, "k", path, sizeof(path));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(keystore_load(dir, "k", "pw", 2, &s, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "must be 0600"));
}

static void test_keystore_names_without_separators(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = { "",	   ".",	  "..",	  ".hidden", "a/b",
					   "../x", "a b", "a\\b", "é" };
	char dir[300], long_name[KEYSTORE_NAME_MAX + 2];

	assert_true(keystore_name_valid("default"));
	assert_true(keystore_name_valid("alice-2.old_key"));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (keystore_name_valid(bad[i]))
			fail_msg("name '%s' was accepted", bad[i]);
	}
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_false(keystore_name_valid(long_name));
	long_name[KEYSTORE_NAME_MAX] = '\0';
	assert_true(keystore_name_valid(long_name));
	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(
		keystore_create(dir, "../evil", secret1, "pw", 2, &fast, f->err, sizeof(f->err)),
		-1);
	assert_non_null(strstr(f->err, "invalid key name"));
}

static void test_keystore_list_is_sorted(void **state)
{
	struct fixture *f = *state;
	char dir[300], **names;
	size_t count;

	wallet_dir(f, dir, sizeof(dir));
	assert_int_equal(keystore_list(dir, &names, &count, f->err, sizeof(f->err)), 0);
	assert_int_equal(count, 0);
	keystore_names_free(names, count);
	assert_int_equal(
		keystore_create(dir, "zed", secret1, "pw", 2, &fast, f->err, sizeof(f->err)), 0);
	assert_int_equal(
		keystore_create(dir, "amy", secret1, "pw", 2, &fast, f->err, sizeof(f->err)), 0);
	assert_int_equal(keystore_list(dir, &names, &count, f->err, sizeof(f->err)), 0);
	assert_int_equal(count, 2);
	assert_string_equal(names[0], "amy");
	assert_string_equal(names[1], "zed");
	keystore_names_free(names, count);
}

static void test_keystore_keyfile_in_node_format(void **state)
{
	struct fixture *f = *state;
	static const char hex[] =
		"c1c5ce5b8730a4804ceb75aecadb5bdc582bed1119b8f8ad3ace1ebbf4ad035c\n";
	char path[300];
	uint8_t back[SECKEY_SIZE];
	struct signer s;
	int fd;

	snprintf(path, sizeof(path), "%s/validator_key", f->dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, hex, sizeof(hex) - 1), (ssize_t)(sizeof(hex) - 1));
	close(fd);
	assert_int_equal(keystore_load_keyfile(path, &s, f->err, sizeof(f->err)), 0);
	assert_int_equal(signer_secret(&s, back), 0);
	assert_memory_equal(back, secret1, SECKEY_SIZE);
	signer_wipe(&s);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(keystore_load_keyfile(path, &s, f->err, sizeof(f->err)), -1);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(truncate(path, 40), 0);
	assert_int_equal(keystore_load_keyfile(path, &s, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "64 hex digits"));
	snprintf(path, sizeof(path), "%s/missing", f->dir);
	assert_int_equal(keystore_load_keyfile(path, &s, f->err, sizeof(f->err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keystore_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_wrong_passphrase_is_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keystore_truncated_file_is_rejected, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keystore_every_corrupted_byte_is_detected,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_file_mode_is_0600_and_enforced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keystore_names_without_separators, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_keystore_list_is_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keystore_keyfile_in_node_format, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
