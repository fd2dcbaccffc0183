/* crypto.h: the primitives every layer signs and hashes with.
 *
 * Hash:       H(tag, bytes) = BLAKE2b-256(len(tag) || tag || bytes), where
 *             len(tag) is one byte; tags are short ASCII ("hearth/tx").
 * (libsodium owns the crypto_ prefix, so these functions are named after what
 * they act on: hash_, signer_, sig_, address_.)
 *
 * Signatures: BIP340 Schnorr over secp256k1 with 32-byte x-only public keys.
 * Addresses:  bech32m of the x-only key with the network's prefix.
 *
 * Verification uses libsecp256k1's static context (it needs no tables), so
 * it is shared by every caller and never created per call. Signing needs a
 * context of its own, held by struct signer with the keypair. */
#ifndef HEARTH_CONSENSUS_CRYPTO_H
#define HEARTH_CONSENSUS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <secp256k1.h>
#include <secp256k1_extrakeys.h>
#include <sodium.h>

#define HASH_SIZE    32
#define PUBKEY_SIZE  32
#define SECKEY_SIZE  32
#define SIG_SIZE     64
#define HASH_TAG_MAX 64
/* "thth" + '1' + 52 data characters + 6 checksum characters + NUL */
#define ADDRESS_MAX 64

enum network {
	NETWORK_MAIN,
	NETWORK_TEST,
	NETWORK_DEV,
};

/* Prepares libsodium and checks libsecp256k1. Call once before anything else
 * (safe to call again). Returns 0, or -1 when a library cannot start. */
__attribute__((warn_unused_result)) int hearth_crypto_init(void);

/* Incremental H(tag, ...). */
struct hasher {
	crypto_generichash_state state;
};

/* tag: NUL-terminated, 1..HASH_TAG_MAX characters (checked by assertion;
 * tags are literals of this program, never input). */
void hash_begin(struct hasher *h, const char *tag);
void hash_update(struct hasher *h, const void *data, size_t len);
/* Appends v as 8 bytes, little-endian. */
void hash_u64(struct hasher *h, uint64_t v);
/* Appends len as a u64, then the bytes: unambiguous for variable fields. */
void hash_bytes(struct hasher *h, const void *data, size_t len);
void hash_finish(struct hasher *h, uint8_t out[HASH_SIZE]);

/* One-shot H(tag, data). */
void hash_tagged(const char *tag, const void *data, size_t len, uint8_t out[HASH_SIZE]);

/* A secret key ready to sign. Holds secrets: wipe with signer_wipe. */
struct signer {
	secp256k1_context *ctx;
	secp256k1_keypair keypair;
	uint8_t pubkey[PUBKEY_SIZE];
};

/* Creates a signer from a fresh random secret key. Returns 0 or -1. */
__attribute__((warn_unused_result)) int signer_generate(struct signer *s);

/* Creates a signer from seckey (32 bytes, must be in [1, n-1]).
 * Returns 0, or -1 for an invalid key or when no context can be made. */
__attribute__((warn_unused_result)) int signer_from_secret(struct signer *s,
							   const uint8_t seckey[SECKEY_SIZE]);

/* Out: seckey, the 32-byte secret (caller wipes it). Returns 0 or -1. */
__attribute__((warn_unused_result)) int signer_secret(const struct signer *s,
						      uint8_t seckey[SECKEY_SIZE]);

/* Signs a 32-byte digest with fresh auxiliary randomness (BIP340).
 * Returns 0 or -1. */
__attribute__((warn_unused_result)) int
sig_sign(const struct signer *s, const uint8_t digest[HASH_SIZE], uint8_t sig[SIG_SIZE]);

/* Signs with the given auxiliary randomness (deterministic; for tests and
 * the BIP340 vectors). Returns 0 or -1. */
__attribute__((warn_unused_result)) int sig_sign_aux(const struct signer *s,
						     const uint8_t digest[HASH_SIZE],
						     const uint8_t aux[32], uint8_t sig[SIG_SIZE]);

/* Wipes the secret and frees the context. The signer may be zeroed memory. */
void signer_wipe(struct signer *s);

/* True when sig is a valid BIP340 signature of digest by pubkey. A pubkey
 * that is not on the curve simply fails. */
__attribute__((warn_unused_result)) bool sig_verify(const uint8_t sig[SIG_SIZE],
						    const uint8_t digest[HASH_SIZE],
						    const uint8_t pubkey[PUBKEY_SIZE]);

/* True when pubkey is the x coordinate of a point on the curve. */
__attribute__((warn_unused_result)) bool pubkey_valid(const uint8_t pubkey[PUBKEY_SIZE]);

/* A public key parsed once (a square root, ~5 us) for several uses. */
struct pubkey_parsed {
	secp256k1_xonly_pubkey xonly;
};

/* pubkey_valid that keeps the parsed key.
 * Out: *out (meaningful only on true). Returns true when pubkey is valid. */
__attribute__((warn_unused_result)) bool pubkey_parse(const uint8_t pubkey[PUBKEY_SIZE],
						      struct pubkey_parsed *out);

/* sig_verify with a key from pubkey_parse. */
__attribute__((warn_unused_result)) bool sig_verify_parsed(const uint8_t sig[SIG_SIZE],
							   const uint8_t digest[HASH_SIZE],
							   const struct pubkey_parsed *key);

/* Constant-time equality of two n-byte buffers. */
__attribute__((warn_unused_result)) bool ct_equal(const void *a, const void *b, size_t n);

/* Zeroes a secret in a way the compiler cannot remove. */
void secret_wipe(void *p, size_t n);

/* Human-readable prefix of a network's addresses: "hth", "thth", "dhth". */
const char *network_hrp(enum network net);

/* Out: out, the address of pubkey on net (NUL-terminated).
 * Returns 0, or -1 when out_size < ADDRESS_MAX. */
__attribute__((warn_unused_result)) int
address_encode(enum network net, const uint8_t pubkey[PUBKEY_SIZE], char *out, size_t out_size);

/* Parses an address of any of the three networks.
 * Out: *net, pubkey. Returns 0, or -1 with a reason in *why (static string)
 * for a bad checksum, an unknown prefix, a wrong length or a key that is not
 * on the curve. */
__attribute__((warn_unused_result)) int
address_decode(const char *addr, enum network *net, uint8_t pubkey[PUBKEY_SIZE], const char **why);

#endif
