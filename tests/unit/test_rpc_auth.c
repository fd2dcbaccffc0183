/* test_rpc_auth.c: unit tests of node/rpc_auth.c: rpcauth entries checked
 * against vectors made with bitcoind's share/rpcauth algorithm, malformed
 * entries, rpcuser/rpcpassword, HTTP Basic headers, and the cookie file
 * (format, mode 0600, removal). */
#include "node/rpc_auth.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "tests/unit/test_util.h"

/* Made with bitcoind's rpcauth.py algorithm:
 *   hmac.new(salt.encode(), password.encode(), 'SHA256').hexdigest() */
#define ALICE_ENTRY                                                                                \
	"alice:cb77f0957de88ff388cf817ddbc7273$"                                                   \
	"c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8"
#define ALICE_PASSWORD "hunter2-correct-horse"
#define BOB_ENTRY                                                                                  \
	"bob:00112233445566778899aabbccddeeff$"                                                    \
	"1496b0d821b66e1114806053723abbab30f419fcf7670ff574912d76afffa365"
#define BOB_PASSWORD "p@ss:with:colons"

static bool check(const struct rpc_auth *a, const char *user, const char *password)
{
	return rpc_auth_check(a, user, password, strlen(password));
}

/* "Basic " + base64(user:password) */
static void basic_header(char *out, size_t size, const char *user, const char *password)
{
	char plain[256];

	snprintf(plain, sizeof(plain), "%s:%s", user, password);
	assert_true(size > 6);
	memcpy(out, "Basic ", 6);
	assert_non_null(sodium_bin2base64(out + 6, size - 6, (const unsigned char *)plain,
					  strlen(plain), sodium_base64_VARIANT_ORIGINAL));
}

static void test_rpcauth_vectors_accept_the_right_password_only(void **state UNUSED)
{
	struct rpc_auth a;
	char err[128];

	rpc_auth_init(&a);
	assert_int_equal(rpc_auth_add_entry(&a, ALICE_ENTRY, err, sizeof(err)), 0);
	assert_int_equal(rpc_auth_add_entry(&a, BOB_ENTRY, err, sizeof(err)), 0);
	assert_true(check(&a, "alice", ALICE_PASSWORD));
	assert_true(check(&a, "bob", BOB_PASSWORD));
	assert_false(check(&a, "alice", "hunter2-correct-hors"));
	assert_false(check(&a, "alice", ALICE_PASSWORD "x"));
	assert_false(check(&a, "alice", ""));
	assert_false(check(&a, "bob", ALICE_PASSWORD));
	assert_false(check(&a, "carol", ALICE_PASSWORD));
	assert_false(check(&a, RPC_COOKIE_USER, ALICE_PASSWORD));
	rpc_auth_wipe(&a);
}

static void test_rpcauth_malformed_entries_are_refused(void **state UNUSED)
{
	static const char *const bad[] = {
		"alice",
		"alice:cb77f0957de88ff388cf817ddbc7273",
		":salt$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8",
		"alice:$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8",
		"alice:salt$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb",
		"alice:salt$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8aa",
		"alice:salt$z58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8",
		"a:b:salt$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8",
		"alice:salt$$c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8",
		"alice:salt$",
	};
	struct rpc_auth a;
	char err[128];

	rpc_auth_init(&a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rpc_auth_add_entry(&a, bad[i], err, sizeof(err)), -1);
		assert_non_null(strstr(err, "-rpcauth entry 1"));
		/* The hmac is never echoed into the message. */
		assert_null(strstr(err, "c58d9037"));
	}
	assert_int_equal(a.num_entries, 0);
	for (int i = 0; i < RPC_AUTH_MAX_ENTRIES; i++)
		assert_int_equal(rpc_auth_add_entry(&a, ALICE_ENTRY, err, sizeof(err)), 0);
	assert_int_equal(rpc_auth_add_entry(&a, ALICE_ENTRY, err, sizeof(err)), -1);
	rpc_auth_wipe(&a);
}

static void test_userpass_is_checked_whole(void **state UNUSED)
{
	struct rpc_auth a;
	char err[128];

	rpc_auth_init(&a);
	assert_int_equal(rpc_auth_set_userpass(&a, "", "pw", err, sizeof(err)), -1);
	assert_int_equal(rpc_auth_set_userpass(&a, "u", "", err, sizeof(err)), -1);
	assert_int_equal(rpc_auth_set_userpass(&a, "u:v", "pw", err, sizeof(err)), -1);
	assert_int_equal(rpc_auth_set_userpass(&a, "user", "secret", err, sizeof(err)), 0);
	assert_true(check(&a, "user", "secret"));
	assert_false(check(&a, "user", "secre"));
	assert_false(check(&a, "use", "rsecret"));
	assert_false(check(&a, "user", "secret\n"));
	rpc_auth_wipe(&a);
}

static void test_basic_header_parsing(void **state UNUSED)
{
	struct rpc_auth a;
	char err[128], header[512], user[RPC_AUTH_USER_MAX], big[RPC_AUTH_HEADER_MAX + 16];

	rpc_auth_init(&a);
	assert_int_equal(rpc_auth_add_entry(&a, BOB_ENTRY, err, sizeof(err)), 0);
	basic_header(header, sizeof(header), "bob", BOB_PASSWORD);
	assert_true(rpc_auth_check_header(&a, header, user, sizeof(user)));
	assert_string_equal(user, "bob");
	memcpy(header, "basic", 5); /* the scheme is case-insensitive */
	assert_true(rpc_auth_check_header(&a, header, NULL, 0));
	basic_header(header, sizeof(header), "bob", "wrong");
	assert_false(rpc_auth_check_header(&a, header, user, sizeof(user)));
	assert_string_equal(user, "bob");
	assert_false(rpc_auth_check_header(&a, NULL, user, sizeof(user)));
	assert_false(rpc_auth_check_header(&a, "Bearer abc", user, sizeof(user)));
	assert_false(rpc_auth_check_header(&a, "Basic !!!!", user, sizeof(user)));
	assert_false(rpc_auth_check_header(&a, "Basic Ym9i", user, sizeof(user))); /* "bob" */
	memset(big, 'A', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "Basic ", 6);
	assert_false(rpc_auth_check_header(&a, big, user, sizeof(user)));
	rpc_auth_wipe(&a);
}

/* A data directory of its own per test, removed in teardown even when the
 * test fails. */
struct dir_fixture {
	char base[64];
	struct datadir dd;
};

static int dir_setup(void **state)
{
	struct dir_fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->base, sizeof(f->base), "/tmp/hearth-rpc-auth-XXXXXX");
	assert_non_null(mkdtemp(f->base));
	assert_int_equal(datadir_open(&f->dd, f->base, "main", err, sizeof(err)), 0);
	*state = f;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir_fixture *f = *state;
	static const char *const files[] = { RPC_COOKIE_FILE, ".lock" };
	char path[4200];

	datadir_close(&f->dd);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (datadir_file(&f->dd, files[i], path, sizeof(path)) == 0)
			(void)unlink(path);
	}
	if (rmdir(f->base) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_cookie_file_format_mode_and_removal(void **state)
{
	struct dir_fixture *f = *state;
	char path[4200], err[256], *text;
	struct rpc_auth a;
	struct stat st;
	size_t len;

	rpc_auth_init(&a);
	assert_int_equal(rpc_auth_cookie_create(&a, &f->dd, err, sizeof(err)), 0);
	assert_int_equal(datadir_file(&f->dd, RPC_COOKIE_FILE, path, sizeof(path)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(datadir_read(&f->dd, RPC_COOKIE_FILE, 256, &text, &len, err, sizeof(err)),
			 0);
	assert_int_equal(len, strlen(RPC_COOKIE_USER) + 1 + RPC_COOKIE_HEX);
	assert_memory_equal(text, RPC_COOKIE_USER ":", strlen(RPC_COOKIE_USER) + 1);
	assert_int_equal(strspn(text + strlen(RPC_COOKIE_USER) + 1, "0123456789abcdef"),
			 RPC_COOKIE_HEX);
	assert_true(check(&a, RPC_COOKIE_USER, text + strlen(RPC_COOKIE_USER) + 1));
	assert_false(check(&a, "someone", text + strlen(RPC_COOKIE_USER) + 1));
	assert_false(check(&a, RPC_COOKIE_USER, "00"));
	assert_int_equal(rpc_auth_cookie_remove(&a, &f->dd), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_false(check(&a, RPC_COOKIE_USER, text + strlen(RPC_COOKIE_USER) + 1));
	assert_int_equal(rpc_auth_cookie_remove(&a, &f->dd), 0);
	free(text);
	rpc_auth_wipe(&a);
}

static void test_two_cookies_differ(void **state)
{
	struct dir_fixture *f = *state;
	struct rpc_auth a, b;
	char err[256];

	rpc_auth_init(&a);
	rpc_auth_init(&b);
	assert_int_equal(rpc_auth_cookie_create(&a, &f->dd, err, sizeof(err)), 0);
	assert_int_equal(rpc_auth_cookie_create(&b, &f->dd, err, sizeof(err)), 0);
	assert_string_not_equal(a.cookie_password, b.cookie_password);
	assert_int_equal(rpc_auth_cookie_remove(&b, &f->dd), 0);
	assert_int_equal(rpc_auth_cookie_remove(&a, &f->dd), 0);
	rpc_auth_wipe(&a);
	rpc_auth_wipe(&b);
}

/* The cookie's header is matched as sent, without decoding: the right one
 * passes, one of the same length that differs in one character does not,
 * and none passes once the cookie is removed. */
static void test_cookie_header_is_checked_exactly(void **state)
{
	struct dir_fixture *f = *state;
	char err[256], *text, header[256], user[RPC_AUTH_USER_MAX];
	struct rpc_auth a;
	size_t len, n;

	rpc_auth_init(&a);
	assert_int_equal(rpc_auth_cookie_create(&a, &f->dd, err, sizeof(err)), 0);
	assert_int_equal(datadir_read(&f->dd, RPC_COOKIE_FILE, 256, &text, &len, err, sizeof(err)),
			 0);
	memcpy(header, "Basic ", 6);
	sodium_bin2base64(header + 6, sizeof(header) - 6, (const unsigned char *)text, len,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_true(rpc_auth_check_header(&a, header, user, sizeof(user)));
	assert_string_equal(user, RPC_COOKIE_USER);
	n = strlen(header);
	header[n - 5] = header[n - 5] == 'A' ? 'B' : 'A';
	assert_false(rpc_auth_check_header(&a, header, user, sizeof(user)));
	header[n - 5] = '\0';
	assert_false(rpc_auth_check_header(&a, header, user, sizeof(user)));
	assert_int_equal(rpc_auth_cookie_remove(&a, &f->dd), 0);
	sodium_bin2base64(header + 6, sizeof(header) - 6, (const unsigned char *)text, len,
			  sodium_base64_VARIANT_ORIGINAL);
	assert_false(rpc_auth_check_header(&a, header, user, sizeof(user)));
	free(text);
	rpc_auth_wipe(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpcauth_vectors_accept_the_right_password_only),
		cmocka_unit_test(test_rpcauth_malformed_entries_are_refused),
		cmocka_unit_test(test_userpass_is_checked_whole),
		cmocka_unit_test(test_basic_header_parsing),
		cmocka_unit_test_setup_teardown(test_cookie_file_format_mode_and_removal, dir_setup,
						dir_teardown),
		cmocka_unit_test_setup_teardown(test_two_cookies_differ, dir_setup, dir_teardown),
		cmocka_unit_test_setup_teardown(test_cookie_header_is_checked_exactly, dir_setup,
						dir_teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
