/* test_crypto.c: unit tests of consensus/crypto.c: the BIP340 reference
 * vectors first, then hashing, signing and addresses. */
#include "consensus/crypto.h"

#include <string.h>

#include "proto/bech32m.h"
#include "proto/hex.h"
#include "tests/unit/test_util.h"

/* Splits a CSV line into at most max fields, keeping empty ones. */
static int split_csv(char *line, char **fields, int max)
{
	int n = 0;

	fields[n++] = line;
	for (char *p = line; *p != '\0' && n < max; p++) {
		if (*p == ',') {
			*p = '\0';
			fields[n++] = p + 1;
		}
	}
	return n;
}

static void check_bip340_row(char **col)
{
	uint8_t seckey[32], pubkey[32], aux[32], msg[32], sig[64], mine[64];
	int expect = strcmp(col[6], "TRUE") == 0;

	assert_int_equal(hex_decode_exact(col[2], pubkey, 32), 0);
	assert_int_equal(hex_decode_exact(col[4], msg, 32), 0);
	assert_int_equal(hex_decode_exact(col[5], sig, 64), 0);
	if (col[1][0] != '\0') {
		struct signer s;

		assert_int_equal(hex_decode_exact(col[1], seckey, 32), 0);
		assert_int_equal(hex_decode_exact(col[3], aux, 32), 0);
		assert_int_equal(signer_from_secret(&s, seckey), 0);
		assert_memory_equal(s.pubkey, pubkey, 32);
		assert_int_equal(sig_sign_aux(&s, msg, aux, mine), 0);
		assert_memory_equal(mine, sig, 64);
		signer_wipe(&s);
	}
	if (sig_verify(sig, msg, pubkey) != expect)
		fail_msg("BIP340 vector %s: verify gave %d, expected %d (%s)", col[0], !expect,
			 expect, col[7]);
}

static void test_crypto_bip340_vectors(void **state UNUSED)
{
	FILE *f = test_open_vector("bip340-test-vectors.csv");
	char line[1024];
	int rows = 0;

	assert_non_null(fgets(line, sizeof(line), f)); /* header */
	while (fgets(line, sizeof(line), f) != NULL) {
		char *col[8];

		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		assert_int_equal(split_csv(line, col, 8), 8);
		check_bip340_row(col);
		rows++;
	}
	fclose(f);
	assert_int_equal(rows, 15);
}

static void test_crypto_hash_is_blake2b_of_tag_length_tag_data(void **state UNUSED)
{
	/* One length byte (9), the tag, then the data. */
	static const uint8_t pre[] = { 9, 'h', 'e', 'a', 'r', 't', 'h', '/', 't', 'x', 0xde, 0xad };
	uint8_t expect[32], got[32];

	crypto_generichash(expect, 32, pre, sizeof(pre), NULL, 0);
	hash_tagged("hearth/tx", pre + 10, 2, got);
	assert_memory_equal(expect, got, 32);
}

static void test_crypto_hash_tags_separate_domains(void **state UNUSED)
{
	uint8_t a[32], b[32];

	hash_tagged("hearth/tx", "abc", 3, a);
	hash_tagged("hearth/block", "abc", 3, b);
	assert_memory_not_equal(a, b, 32);
	/* Moving a byte between tag and data changes the hash. */
	hash_tagged("hearth/t", "xabc", 4, b);
	assert_memory_not_equal(a, b, 32);
}

static void test_crypto_hash_incremental_equals_oneshot(void **state UNUSED)
{
	uint8_t a[32], b[32];
	struct hasher h;

	hash_tagged("t", "hello world", 11, a);
	hash_begin(&h, "t");
	hash_update(&h, "hello", 5);
	hash_update(&h, "", 0);
	hash_update(&h, " world", 6);
	hash_finish(&h, b);
	assert_memory_equal(a, b, 32);
}

static void test_crypto_hash_bytes_is_length_prefixed(void **state UNUSED)
{
	uint8_t a[32], b[32];
	struct hasher h;

	hash_begin(&h, "t");
	hash_bytes(&h, "ab", 2);
	hash_bytes(&h, "c", 1);
	hash_finish(&h, a);
	hash_begin(&h, "t");
	hash_bytes(&h, "a", 1);
	hash_bytes(&h, "bc", 2);
	hash_finish(&h, b);
	assert_memory_not_equal(a, b, 32);
}

static void test_crypto_sign_verify_and_tamper(void **state UNUSED)
{
	struct signer s;
	uint8_t digest[32], sig[64], other[32];

	assert_int_equal(signer_generate(&s), 0);
	hash_tagged("hearth/test", "msg", 3, digest);
	assert_int_equal(sig_sign(&s, digest, sig), 0);
	assert_true(sig_verify(sig, digest, s.pubkey));
	digest[0] ^= 1;
	assert_false(sig_verify(sig, digest, s.pubkey));
	digest[0] ^= 1;
	sig[63] ^= 0x80;
	assert_false(sig_verify(sig, digest, s.pubkey));
	sig[63] ^= 0x80;
	memcpy(other, s.pubkey, 32);
	other[5] ^= 1;
	assert_false(sig_verify(sig, digest, other));
	signer_wipe(&s);
}

/* A key parsed once verifies like sig_verify; a non-key does not parse. */
static void test_crypto_parsed_key_verifies_like_the_bytes(void **state UNUSED)
{
	struct signer s;
	struct pubkey_parsed key;
	uint8_t digest[32], sig[64], bad[32];

	assert_int_equal(signer_generate(&s), 0);
	hash_tagged("hearth/test", "msg", 3, digest);
	assert_int_equal(sig_sign(&s, digest, sig), 0);
	assert_true(pubkey_parse(s.pubkey, &key));
	assert_true(sig_verify_parsed(sig, digest, &key));
	digest[0] ^= 1;
	assert_false(sig_verify_parsed(sig, digest, &key));
	memset(bad, 0xff, sizeof(bad));
	assert_false(pubkey_parse(bad, &key));
	assert_false(pubkey_valid(bad));
	signer_wipe(&s);
}

static void test_crypto_secret_roundtrip_and_wipe(void **state UNUSED)
{
	struct signer a, b;
	uint8_t sk[32];
	static const uint8_t zero[sizeof(struct signer)];

	assert_int_equal(signer_generate(&a), 0);
	assert_int_equal(signer_secret(&a, sk), 0);
	assert_int_equal(signer_from_secret(&b, sk), 0);
	assert_memory_equal(a.pubkey, b.pubkey, 32);
	secret_wipe(sk, sizeof(sk));
	signer_wipe(&a);
	signer_wipe(&b);
	assert_memory_equal(&a, zero, sizeof(a));
}

static void test_crypto_invalid_secret_is_rejected(void **state UNUSED)
{
	struct signer s;
	uint8_t zero[32] = { 0 }, order[32];

	assert_int_equal(signer_from_secret(&s, zero), -1);
	/* The group order n itself is not a valid key. */
	assert_int_equal(
		hex_decode_exact("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
				 order, 32),
		0);
	assert_int_equal(signer_from_secret(&s, order), -1);
}

static void test_crypto_equal_is_exact(void **state UNUSED)
{
	uint8_t a[40] = { 0 }, b[40] = { 0 };

	assert_true(ct_equal(a, b, sizeof(a)));
	b[39] = 1;
	assert_false(ct_equal(a, b, sizeof(a)));
}

static void test_crypto_address_roundtrip_each_network(void **state UNUSED)
{
	static const enum network nets[] = { NETWORK_MAIN, NETWORK_TEST, NETWORK_DEV };
	struct signer s;
	char addr[ADDRESS_MAX];
	uint8_t back[32];
	enum network net;

	assert_int_equal(signer_generate(&s), 0);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(address_encode(nets[i], s.pubkey, addr, sizeof(addr)), 0);
		assert_int_equal(strncmp(addr, network_hrp(nets[i]), strlen(network_hrp(nets[i]))),
				 0);
		assert_int_equal(address_decode(addr, &net, back, NULL), 0);
		assert_int_equal(net, nets[i]);
		assert_memory_equal(back, s.pubkey, 32);
	}
	signer_wipe(&s);
}

static void test_crypto_address_rejects_bad_prefix_length_and_key(void **state UNUSED)
{
	uint8_t key[32], five[64], back[32];
	char addr[128];
	size_t n;
	enum network net;
	const char *why = NULL;

	/* The BIP340 vector 1 key is on the curve. */
	assert_int_equal(
		hex_decode_exact("DFF1D77F2A671C5F36183726DB2341BE58FEAE1DA2DECED843240F7B502BA659",
				 key, 32),
		0);
	assert_int_equal(bech32m_bytes_to_5bit(key, 32, five, sizeof(five), &n), BECH32M_OK);
	assert_int_equal(bech32m_encode("btc", five, n, addr, sizeof(addr)), BECH32M_OK);
	assert_int_equal(address_decode(addr, &net, back, &why), -1);
	assert_non_null(strstr(why, "prefix"));

	assert_int_equal(bech32m_bytes_to_5bit(key, 31, five, sizeof(five), &n), BECH32M_OK);
	assert_int_equal(bech32m_encode("hth", five, n, addr, sizeof(addr)), BECH32M_OK);
	assert_int_equal(address_decode(addr, &net, back, &why), -1);
	assert_non_null(strstr(why, "32-byte"));

	/* BIP340 vector 5: x is not on the curve. */
	assert_int_equal(
		hex_decode_exact("EEFDEA4CDB677750A420FEE807EACF21EB9898AE79B9768766E4FAA04A2D4A34",
				 key, 32),
		0);
	assert_int_equal(bech32m_bytes_to_5bit(key, 32, five, sizeof(five), &n), BECH32M_OK);
	assert_int_equal(bech32m_encode("hth", five, n, addr, sizeof(addr)), BECH32M_OK);
	assert_int_equal(address_decode(addr, &net, back, &why), -1);
	if (strstr(why, "curve") == NULL)
		fail_msg("unexpected reason: %s", why);

	assert_int_equal(address_decode("hth1qqqq", &net, back, &why), -1);
}

static int setup(void **state UNUSED)
{
	return hearth_crypto_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crypto_bip340_vectors),
		cmocka_unit_test(test_crypto_hash_is_blake2b_of_tag_length_tag_data),
		cmocka_unit_test(test_crypto_hash_tags_separate_domains),
		cmocka_unit_test(test_crypto_hash_incremental_equals_oneshot),
		cmocka_unit_test(test_crypto_hash_bytes_is_length_prefixed),
		cmocka_unit_test(test_crypto_sign_verify_and_tamper),
		cmocka_unit_test(test_crypto_parsed_key_verifies_like_the_bytes),
		cmocka_unit_test(test_crypto_secret_roundtrip_and_wipe),
		cmocka_unit_test(test_crypto_invalid_secret_is_rejected),
		cmocka_unit_test(test_crypto_equal_is_exact),
		cmocka_unit_test(test_crypto_address_roundtrip_each_network),
		cmocka_unit_test(test_crypto_address_rejects_bad_prefix_length_and_key),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
