/* rpc_auth.c: the credentials of rpc_auth.h: cookie, rpcauth entries and
 * rpcuser/rpcpassword, and the check of an HTTP Basic header. */
#include "node/rpc_auth.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "consensus/crypto.h"
#include "proto/hex.h"

void rpc_auth_init(struct rpc_auth *a)
{
	memset(a, 0, sizeof(*a));
}

int rpc_auth_add_entry(struct rpc_auth *a, const char *value, char *err, size_t err_size)
{
	const char *colon = strchr(value, ':'), *dollar;
	struct rpc_auth_entry *e;
	size_t user_len, salt_len;

	if (a->num_entries == RPC_AUTH_MAX_ENTRIES) {
		snprintf(err, err_size, "more than %d -rpcauth entries", RPC_AUTH_MAX_ENTRIES);
		return -1;
	}
	dollar = colon ? strchr(colon + 1, '$') : NULL;
	if (colon == NULL || dollar == NULL || strchr(colon + 1, ':') != NULL ||
	    strchr(dollar + 1, '$') != NULL) {
		snprintf(err, err_size, "-rpcauth entry %zu is not user:salt$hmac",
			 a->num_entries + 1);
		return -1;
	}
	user_len = (size_t)(colon - value);
	salt_len = (size_t)(dollar - colon - 1);
	if (user_len == 0 || user_len >= RPC_AUTH_USER_MAX || salt_len == 0 ||
	    salt_len >= RPC_AUTH_SALT_MAX) {
		snprintf(err, err_size,
			 "-rpcauth entry %zu: user must be 1..%d and salt 1..%d characters",
			 a->num_entries + 1, RPC_AUTH_USER_MAX - 1, RPC_AUTH_SALT_MAX - 1);
		return -1;
	}
	e = &a->entries[a->num_entries];
	if (hex_decode_exact(dollar + 1, e->hmac, sizeof(e->hmac)) != 0) {
		snprintf(err, err_size, "-rpcauth entry %zu: the hmac must be 64 hex digits",
			 a->num_entries + 1);
		return -1;
	}
	memcpy(e->user, value, user_len);
	e->user[user_len] = '\0';
	memcpy(e->salt, colon + 1, salt_len);
	e->salt[salt_len] = '\0';
	a->num_entries++;
	return 0;
}

/* Out: out = SHA-256 of "user:password". */
static void userpass_digest(const char *user, const char *password, size_t password_len,
			    uint8_t out[32])
{
	crypto_hash_sha256_state st;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const unsigned char *)user, strlen(user));
	crypto_hash_sha256_update(&st, (const unsigned char *)":", 1);
	crypto_hash_sha256_update(&st, (const unsigned char *)password, password_len);
	crypto_hash_sha256_final(&st, out);
	secret_wipe(&st, sizeof(st));
}

int rpc_auth_set_userpass(struct rpc_auth *a, const char *user, const char *password, char *err,
			  size_t err_size)
{
	if (user[0] == '\0' || password[0] == '\0' || strchr(user, ':') != NULL) {
		snprintf(err, err_size,
			 "-rpcuser and -rpcpassword must both be set, and the user has no ':'");
		return -1;
	}
	userpass_digest(user, password, strlen(password), a->userpass_digest);
	a->have_userpass = true;
	return 0;
}

int rpc_auth_cookie_create(struct rpc_auth *a, const struct datadir *dd, char *err, size_t err_size)
{
	uint8_t secret[RPC_COOKIE_HEX / 2];
	char text[sizeof(RPC_COOKIE_USER) + 1 + RPC_COOKIE_HEX];
	int rc;

	randombytes_buf(secret, sizeof(secret));
	if (hex_encode(secret, sizeof(secret), a->cookie_password, sizeof(a->cookie_password)) !=
	    0) {
		secret_wipe(secret, sizeof(secret));
		snprintf(err, err_size, "cannot encode the cookie");
		return -1;
	}
	secret_wipe(secret, sizeof(secret));
	snprintf(text, sizeof(text), "%s:%s", RPC_COOKIE_USER, a->cookie_password);
	sodium_bin2base64(a->cookie_b64, sizeof(a->cookie_b64), (const unsigned char *)text,
			  strlen(text), sodium_base64_VARIANT_ORIGINAL);
	/* No newline, like bitcoind's .cookie: tools read it whole. */
	rc = datadir_write_atomic(dd, RPC_COOKIE_FILE, text, strlen(text), 0600, err, err_size);
	secret_wipe(text, sizeof(text));
	if (rc != 0) {
		secret_wipe(a->cookie_password, sizeof(a->cookie_password));
		secret_wipe(a->cookie_b64, sizeof(a->cookie_b64));
		return -1;
	}
	a->have_cookie = true;
	return 0;
}

int rpc_auth_cookie_remove(struct rpc_auth *a, const struct datadir *dd)
{
	char path[DATADIR_PATH_MAX + 16];

	if (!a->have_cookie)
		return 0;
	a->have_cookie = false;
	secret_wipe(a->cookie_password, sizeof(a->cookie_password));
	secret_wipe(a->cookie_b64, sizeof(a->cookie_b64));
	if (datadir_file(dd, RPC_COOKIE_FILE, path, sizeof(path)) != 0)
		return -1;
	if (unlink(path) != 0 && errno != ENOENT)
		return -1;
	return 0;
}

bool rpc_auth_check(const struct rpc_auth *a, const char *user, const char *password,
		    size_t password_len)
{
	uint8_t given[32], want[32];
	bool ok = false;

	if (a->have_cookie && strcmp(user, RPC_COOKIE_USER) == 0) {
		crypto_hash_sha256(given, (const unsigned char *)password, password_len);
		crypto_hash_sha256(want, (const unsigned char *)a->cookie_password, RPC_COOKIE_HEX);
		ok |= ct_equal(given, want, sizeof(want));
		secret_wipe(want, sizeof(want));
	}
	if (a->have_userpass) {
		userpass_digest(user, password, password_len, given);
		ok |= ct_equal(given, a->userpass_digest, sizeof(given));
	}
	for (size_t i = 0; i < a->num_entries; i++) {
		const struct rpc_auth_entry *e = &a->entries[i];
		crypto_auth_hmacsha256_state st;

		if (strcmp(e->user, user) != 0)
			continue;
		crypto_auth_hmacsha256_init(&st, (const unsigned char *)e->salt, strlen(e->salt));
		crypto_auth_hmacsha256_update(&st, (const unsigned char *)password, password_len);
		crypto_auth_hmacsha256_final(&st, given);
		secret_wipe(&st, sizeof(st));
		ok |= ct_equal(given, e->hmac, sizeof(given));
	}
	secret_wipe(given, sizeof(given));
	return ok;
}

bool rpc_auth_check_header(const struct rpc_auth *a, const char *header, char *user,
			   size_t user_size)
{
	char decoded[RPC_AUTH_HEADER_MAX];
	const char *b64, *colon;
	size_t b64_len, decoded_len;
	bool ok;

	if (user != NULL && user_size > 0)
		user[0] = '\0';
	if (header == NULL || strncasecmp(header, "Basic ", 6) != 0)
		return false;
	b64 = header + 6;
	while (*b64 == ' ')
		b64++;
	b64_len = strnlen(b64, RPC_AUTH_HEADER_MAX);
	/* The cookie's header has a public, fixed length: comparing only
	 * headers of that length reveals nothing of the cookie. */
	if (a->have_cookie && b64_len == strlen(a->cookie_b64) &&
	    sodium_memcmp(b64, a->cookie_b64, b64_len) == 0) {
		if (user != NULL && user_size > 0)
			snprintf(user, user_size, "%s", RPC_COOKIE_USER);
		return true;
	}
	if (b64_len == RPC_AUTH_HEADER_MAX ||
	    sodium_base642bin((unsigned char *)decoded, sizeof(decoded) - 1, b64, b64_len, NULL,
			      &decoded_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	decoded[decoded_len] = '\0';
	colon = memchr(decoded, ':', decoded_len);
	if (colon == NULL || memchr(decoded, '\0', decoded_len) != NULL) {
		secret_wipe(decoded, decoded_len + 1);
		return false;
	}
	decoded[colon - decoded] = '\0';
	if (user != NULL && user_size > 0)
		snprintf(user, user_size, "%s", decoded);
	ok = rpc_auth_check(a, decoded, colon + 1, decoded_len - (size_t)(colon - decoded) - 1);
	secret_wipe(decoded, decoded_len + 1); /* nothing was written past it */
	return ok;
}

void rpc_auth_wipe(struct rpc_auth *a)
{
	secret_wipe(a, sizeof(*a));
}
