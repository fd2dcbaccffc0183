/* keystore.h: the wallet's named keys. Each key is one file
 * <walletdir>/<name>.key of mode 0600 inside a directory of mode 0700,
 * where <walletdir> is ~/.hearth/wallet, or <datadir>/wallet with -datadir.
 * The file is KEYSTORE_FILE_SIZE bytes (integers little-endian):
 *
 *   off size
 *     0    7  magic "HTHWKEY"
 *     7    1  version (1: Argon2id13 + XChaCha20-Poly1305-IETF)
 *     8    8  Argon2id opslimit
 *    16    8  Argon2id memlimit (bytes)
 *    24   16  salt
 *    40   32  x-only public key (readable without the passphrase)
 *    72   24  XChaCha20 nonce
 *    96   48  secp256k1 secret (32) encrypted, then the Poly1305 tag (16)
 *
 * The AEAD key is crypto_pwhash(Argon2id13, passphrase, salt, opslimit,
 * memlimit); the associated data is bytes 0..96 of the file followed by the
 * key's name, so a file renamed, or with its public key or parameters
 * changed, fails to open like a wrong passphrase. Limits read from a file
 * are bounded (KEYSTORE_*_MAX) before use.
 *
 * -keyfile files are the node's format instead (node/datadir.c): 64 hex
 * digits of the secret, an optional newline, mode 0600, not encrypted. */
#ifndef HEARTH_WALLET_KEYSTORE_H
#define HEARTH_WALLET_KEYSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"

#define KEYSTORE_FILE_SIZE   144
#define KEYSTORE_VERSION     1
#define KEYSTORE_NAME_MAX    64 /* characters, without the NUL */
#define KEYSTORE_PATH_MAX    4096
#define KEYSTORE_ERR_MAX     512
#define KEYSTORE_OPS_MAX     64
#define KEYSTORE_MEM_MAX     (1ULL << 30)
#define KEYSTORE_DEFAULT_KEY "default"

/* The cost of deriving a key from a passphrase. */
struct kdf_limits {
	uint64_t opslimit;
	uint64_t memlimit;
};

/* Argon2id "moderate" limits (libsodium's), what the CLI writes. */
void keystore_limits_moderate(struct kdf_limits *lim);

/* True when name is 1..KEYSTORE_NAME_MAX characters of [A-Za-z0-9._-], not
 * starting with '.' (so no path separator, "." or ".."). */
bool keystore_name_valid(const char *name);

/* Out: out = <datadir>/wallet, or $HOME/.hearth/wallet when datadir is NULL.
 * Returns 0, or -1 with err (HOME unset, path too long). */
__attribute__((warn_unused_result)) int keystore_dir(const char *datadir, char *out,
						     size_t out_size, char *err, size_t err_size);

/* Encrypts secret under pass into a file image.
 * In:  name (valid), secret (32 bytes, a valid key), pass[pass_len], lim.
 * Out: out. Returns 0, or -1 with err (invalid secret, KDF out of memory). */
__attribute__((warn_unused_result)) int
keystore_seal(const char *name, const uint8_t secret[SECKEY_SIZE], const char *pass,
	      size_t pass_len, const struct kdf_limits *lim, uint8_t out[KEYSTORE_FILE_SIZE],
	      char *err, size_t err_size);

/* Decrypts a file image.
 * In:  name, data[len] (the whole file), pass[pass_len].
 * Out: s (signer_wipe it). Returns 0, or -1 with err: "not a key file"
 * for a wrong size, magic, version or limits; "wrong passphrase" when the
 * AEAD fails (a wrong passphrase and tampered bytes look alike). */
__attribute__((warn_unused_result)) int keystore_open(const char *name, const uint8_t *data,
						      size_t len, const char *pass, size_t pass_len,
						      struct signer *s, char *err, size_t err_size);

/* Writes a new key file <dir>/<name>.key (mode 0600, fsynced), creating dir
 * (0700) if needed; never replaces an existing key.
 * Returns 0, or -1 with err (the name exists, invalid name, I/O). */
__attribute__((warn_unused_result)) int keystore_create(const char *dir, const char *name,
							const uint8_t secret[SECKEY_SIZE],
							const char *pass, size_t pass_len,
							const struct kdf_limits *lim, char *err,
							size_t err_size);

/* Reads and decrypts <dir>/<name>.key. Out: s. Returns 0, or -1 with err
 * (no such key, bad mode, not a key file, wrong passphrase). */
__attribute__((warn_unused_result)) int keystore_load(const char *dir, const char *name,
						      const char *pass, size_t pass_len,
						      struct signer *s, char *err, size_t err_size);

/* Reads the public key of <dir>/<name>.key without the passphrase.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int keystore_pubkey(const char *dir, const char *name,
							uint8_t pubkey[PUBKEY_SIZE], char *err,
							size_t err_size);

/* Lists the key names in dir, sorted.
 * Out: *names (each and the array malloc'd; keystore_names_free), *count.
 * A missing dir is an empty list. Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int keystore_list(const char *dir, char ***names, size_t *count,
						      char *err, size_t err_size);

void keystore_names_free(char **names, size_t count);

/* Loads an unencrypted key file in the node's validator_key format.
 * Out: s. Returns 0, or -1 with err (missing, mode not 0600, bad content). */
__attribute__((warn_unused_result)) int keystore_load_keyfile(const char *path, struct signer *s,
							      char *err, size_t err_size);

/* Stores the X25519 key pair a bid's result is encrypted to, as
 * <dir>/results/<pubkey hex>.x25519 (mode 0600, never replaced): the secret
 * key in hex and a newline. Not encrypted with a passphrase: it opens one
 * result only. Out: path (the file written) when not NULL.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int
keystore_save_result_key(const char *dir, const uint8_t pub[crypto_box_PUBLICKEYBYTES],
			 const uint8_t secret[crypto_box_SECRETKEYBYTES], char *path,
			 size_t path_size, char *err, size_t err_size);

#endif
