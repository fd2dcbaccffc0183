/* rpc_auth.h: who may call the RPC server, as bitcoind decides it. HTTP
 * Basic credentials are accepted when they match
 *   - the cookie: user "__cookie__" and a random password of 64 hex digits,
 *     written at start to <datadir>/.cookie ("__cookie__:<hex>", mode 0600,
 *     temp file + rename) and deleted at stop, for local tools;
 *   - an -rpcauth entry "user:salt$hmac", where hmac is the hex of
 *     HMAC-SHA256(key = salt, message = password), as bitcoind's
 *     share/rpcauth/rpcauth.py prints it;
 *   - -rpcuser and -rpcpassword.
 * Secrets are compared in constant time (the password side through SHA-256
 * digests, so even its length does not leak) and wiped by rpc_auth_wipe. */
#ifndef HEARTH_NODE_RPC_AUTH_H
#define HEARTH_NODE_RPC_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/datadir.h"

#define RPC_AUTH_MAX_ENTRIES	64
#define RPC_AUTH_USER_MAX	64  /* with NUL */
#define RPC_AUTH_SALT_MAX	128 /* with NUL */
#define RPC_AUTH_HEADER_MAX	1024
#define RPC_COOKIE_USER		"__cookie__"
#define RPC_COOKIE_FILE		".cookie"
#define RPC_COOKIE_HEX		64
#define RPC_AUTH_COOKIE_B64_MAX 104 /* base64 of "__cookie__:" + 64 hex, with NUL */

struct rpc_auth_entry {
	char user[RPC_AUTH_USER_MAX];
	char salt[RPC_AUTH_SALT_MAX];
	uint8_t hmac[32];
};

struct rpc_auth {
	bool have_cookie;
	char cookie_password[RPC_COOKIE_HEX + 1];
	/* base64("__cookie__:<hex>") as a client sends it: checked first, so
	 * the cookie costs one constant-time compare per request. */
	char cookie_b64[RPC_AUTH_COOKIE_B64_MAX];
	bool have_userpass;
	uint8_t userpass_digest[32]; /* SHA-256 of "user:password" */
	size_t num_entries;
	struct rpc_auth_entry entries[RPC_AUTH_MAX_ENTRIES];
};

/* Empties a (with no credential nothing is accepted). */
void rpc_auth_init(struct rpc_auth *a);

/* Adds one -rpcauth value "user:salt$hmac" (user without ':', salt without
 * '$', hmac 64 hex digits).
 * Out: err names the entry's position and what is wrong, never the hmac.
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int rpc_auth_add_entry(struct rpc_auth *a, const char *value,
							   char *err, size_t err_size);

/* Accepts user:password (-rpcuser/-rpcpassword; both non-empty, user
 * without ':'). Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int rpc_auth_set_userpass(struct rpc_auth *a, const char *user,
							      const char *password, char *err,
							      size_t err_size);

/* Makes a fresh random cookie and writes it to <dd>/.cookie (mode 0600,
 * atomically). Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int
rpc_auth_cookie_create(struct rpc_auth *a, const struct datadir *dd, char *err, size_t err_size);

/* Deletes <dd>/.cookie if rpc_auth_cookie_create wrote it, and forgets the
 * cookie. Returns 0, or -1 when the file could not be removed. */
__attribute__((warn_unused_result)) int rpc_auth_cookie_remove(struct rpc_auth *a,
							       const struct datadir *dd);

/* Checks user and password[0..password_len) against every credential.
 * Returns true when one matches. */
bool rpc_auth_check(const struct rpc_auth *a, const char *user, const char *password,
		    size_t password_len);

/* Checks the value of an Authorization header ("Basic <base64 of
 * user:password>"). Out: user (the name given, cut to fit) when not NULL.
 * Returns true when the credentials match. */
bool rpc_auth_check_header(const struct rpc_auth *a, const char *header, char *user,
			   size_t user_size);

/* Wipes every secret of a. */
void rpc_auth_wipe(struct rpc_auth *a);

#endif
