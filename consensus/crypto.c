/* crypto.c: domain-separated BLAKE2b-256 (libsodium), BIP340 Schnorr keys and
 * signatures (libsecp256k1), and bech32m addresses. No state of its own: the
 * only shared object is libsecp256k1's constant static context. */
#include "consensus/crypto.h"

#include <assert.h>
#include <string.h>

#include <secp256k1_schnorrsig.h>

#include "proto/bech32m.h"

int hearth_crypto_init(void)
{
	if (sodium_init() < 0)
		return -1;
	secp256k1_selftest();
	return 0;
}

void hash_begin(struct hasher *h, const char *tag)
{
	size_t tag_len = strlen(tag);
	uint8_t len_byte = (uint8_t)tag_len;

	assert(tag_len > 0 && tag_len <= HASH_TAG_MAX);
	crypto_generichash_init(&h->state, NULL, 0, HASH_SIZE);
	crypto_generichash_update(&h->state, &len_byte, 1);
	crypto_generichash_update(&h->state, (const unsigned char *)tag, tag_len);
}

void hash_update(struct hasher *h, const void *data, size_t len)
{
	if (len > 0)
		crypto_generichash_update(&h->state, data, len);
}

void hash_u64(struct hasher *h, uint64_t v)
{
	uint8_t le[8];

	for (int i = 0; i < 8; i++)
		le[i] = (uint8_t)(v >> (8 * i));
	crypto_generichash_update(&h->state, le, sizeof(le));
}

void hash_bytes(struct hasher *h, const void *data, size_t len)
{
	hash_u64(h, (uint64_t)len);
	hash_update(h, data, len);
}

void hash_finish(struct hasher *h, uint8_t out[HASH_SIZE])
{
	crypto_generichash_final(&h->state, out, HASH_SIZE);
	sodium_memzero(&h->state, sizeof(h->state));
}

void hash_tagged(const char *tag, const void *data, size_t len, uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, tag);
	hash_update(&h, data, len);
	hash_finish(&h, out);
}

static int signer_finish(struct signer *s)
{
	secp256k1_xonly_pubkey xonly;

	if (!secp256k1_keypair_xonly_pub(s->ctx, &xonly, NULL, &s->keypair))
		return -1;
	if (!secp256k1_xonly_pubkey_serialize(s->ctx, s->pubkey, &xonly))
		return -1;
	return 0;
}

static int signer_context(struct signer *s)
{
	uint8_t seed[32];
	int ok;

	memset(s, 0, sizeof(*s));
	s->ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (s->ctx == NULL)
		return -1;
	/* Blinding against side channels while signing. */
	randombytes_buf(seed, sizeof(seed));
	ok = secp256k1_context_randomize(s->ctx, seed);
	sodium_memzero(seed, sizeof(seed));
	if (!ok) {
		secp256k1_context_destroy(s->ctx);
		s->ctx = NULL;
		return -1;
	}
	return 0;
}

int signer_from_secret(struct signer *s, const uint8_t seckey[SECKEY_SIZE])
{
	if (signer_context(s) != 0)
		return -1;
	if (!secp256k1_keypair_create(s->ctx, &s->keypair, seckey) || signer_finish(s) != 0) {
		signer_wipe(s);
		return -1;
	}
	return 0;
}

int signer_generate(struct signer *s)
{
	uint8_t seckey[SECKEY_SIZE];

	/* A random 32 bytes is a valid key except with probability ~2^-128. */
	for (int tries = 0; tries < 16; tries++) {
		randombytes_buf(seckey, sizeof(seckey));
		if (signer_from_secret(s, seckey) == 0) {
			sodium_memzero(seckey, sizeof(seckey));
			return 0;
		}
	}
	sodium_memzero(seckey, sizeof(seckey));
	return -1;
}

int signer_secret(const struct signer *s, uint8_t seckey[SECKEY_SIZE])
{
	return secp256k1_keypair_sec(s->ctx, seckey, &s->keypair) ? 0 : -1;
}

int sig_sign_aux(const struct signer *s, const uint8_t digest[HASH_SIZE], const uint8_t aux[32],
		 uint8_t sig[SIG_SIZE])
{
	if (!secp256k1_schnorrsig_sign32(s->ctx, sig, digest, &s->keypair, aux))
		return -1;
	return 0;
}

int sig_sign(const struct signer *s, const uint8_t digest[HASH_SIZE], uint8_t sig[SIG_SIZE])
{
	uint8_t aux[32];
	int rc;

	randombytes_buf(aux, sizeof(aux));
	rc = sig_sign_aux(s, digest, aux, sig);
	sodium_memzero(aux, sizeof(aux));
	return rc;
}

void signer_wipe(struct signer *s)
{
	if (s->ctx != NULL)
		secp256k1_context_destroy(s->ctx);
	sodium_memzero(s, sizeof(*s));
}

bool pubkey_valid(const uint8_t pubkey[PUBKEY_SIZE])
{
	secp256k1_xonly_pubkey xonly;

	return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &xonly, pubkey) == 1;
}

bool pubkey_parse(const uint8_t pubkey[PUBKEY_SIZE], struct pubkey_parsed *out)
{
	return secp256k1_xonly_pubkey_parse(secp256k1_context_static, &out->xonly, pubkey) == 1;
}

bool sig_verify_parsed(const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
		       const struct pubkey_parsed *key)
{
	return secp256k1_schnorrsig_verify(secp256k1_context_static, sig, digest, HASH_SIZE,
					   &key->xonly) == 1;
}

bool sig_verify(const uint8_t sig[SIG_SIZE], const uint8_t digest[HASH_SIZE],
		const uint8_t pubkey[PUBKEY_SIZE])
{
	secp256k1_xonly_pubkey xonly;

	if (!secp256k1_xonly_pubkey_parse(secp256k1_context_static, &xonly, pubkey))
		return false;
	return secp256k1_schnorrsig_verify(secp256k1_context_static, sig, digest, HASH_SIZE,
					   &xonly) == 1;
}

bool ct_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}

void secret_wipe(void *p, size_t n)
{
	sodium_memzero(p, n);
}

const char *network_hrp(enum network net)
{
	switch (net) {
	case NETWORK_MAIN:
		return "hth";
	case NETWORK_TEST:
		return "thth";
	case NETWORK_DEV:
		return "dhth";
	}
	return "";
}

int address_encode(enum network net, const uint8_t pubkey[PUBKEY_SIZE], char *out, size_t out_size)
{
	uint8_t data5[(PUBKEY_SIZE * 8 + 4) / 5];
	size_t n;

	if (out_size < ADDRESS_MAX) {
		if (out_size > 0)
			out[0] = '\0';
		return -1;
	}
	if (bech32m_bytes_to_5bit(pubkey, PUBKEY_SIZE, data5, sizeof(data5), &n) != BECH32M_OK)
		return -1;
	if (bech32m_encode(network_hrp(net), data5, n, out, out_size) != BECH32M_OK)
		return -1;
	return 0;
}

static int network_from_hrp(const char *hrp, enum network *net)
{
	static const enum network all[] = { NETWORK_MAIN, NETWORK_TEST, NETWORK_DEV };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (strcmp(hrp, network_hrp(all[i])) == 0) {
			*net = all[i];
			return 0;
		}
	}
	return -1;
}

int address_decode(const char *addr, enum network *net, uint8_t pubkey[PUBKEY_SIZE],
		   const char **why)
{
	char hrp[BECH32M_MAX_HRP + 1];
	uint8_t data5[BECH32M_MAX_LEN];
	uint8_t bytes[BECH32M_MAX_LEN];
	size_t n5, n8;
	enum bech32m_status st;
	const char *dummy;

	if (why == NULL)
		why = &dummy;
	st = bech32m_decode(addr, hrp, sizeof(hrp), data5, sizeof(data5), &n5);
	if (st != BECH32M_OK) {
		*why = bech32m_strerror(st);
		return -1;
	}
	if (network_from_hrp(hrp, net) != 0) {
		*why = "unknown address prefix (want hth, thth or dhth)";
		return -1;
	}
	st = bech32m_5bit_to_bytes(data5, n5, bytes, sizeof(bytes), &n8);
	if (st != BECH32M_OK) {
		*why = bech32m_strerror(st);
		return -1;
	}
	if (n8 != PUBKEY_SIZE) {
		*why = "address does not hold a 32-byte key";
		return -1;
	}
	if (!pubkey_valid(bytes)) {
		*why = "address key is not a point on the secp256k1 curve";
		return -1;
	}
	memcpy(pubkey, bytes, PUBKEY_SIZE);
	return 0;
}
