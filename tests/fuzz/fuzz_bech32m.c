/* fuzz_bech32m.c: libFuzzer target for proto/bech32m.c. Any string that
 * decodes must re-encode to its lowercase form; any address that decodes
 * must re-encode to itself. */
#include "consensus/crypto.h"
#include "proto/bech32m.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char str[128], hrp[BECH32M_MAX_HRP + 1], again[BECH32M_MAX_LEN + 1];
	uint8_t data5[BECH32M_MAX_LEN], key[PUBKEY_SIZE];
	size_t n;
	enum network net;

	/* The decoders take C strings: a NUL would end the string early and
	 * the comparisons below would read past the re-encoded terminator. */
	if (size >= sizeof(str) || memchr(data, '\0', size) != NULL)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	if (bech32m_decode(str, hrp, sizeof(hrp), data5, sizeof(data5), &n) == BECH32M_OK) {
		if (bech32m_encode(hrp, data5, n, again, sizeof(again)) != BECH32M_OK)
			abort();
		for (size_t i = 0; i < size; i++) {
			if (tolower((unsigned char)str[i]) != again[i])
				abort();
		}
	}
	if (address_decode(str, &net, key, NULL) == 0) {
		char addr[ADDRESS_MAX];

		if (address_encode(net, key, addr, sizeof(addr)) != 0)
			abort();
		for (size_t i = 0; i <= size; i++) {
			if (tolower((unsigned char)str[i]) != addr[i])
				abort();
		}
	}
	return 0;
}
