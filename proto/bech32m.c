/* bech32m.c: Bech32m (BIP350) encoding and decoding, written from the BIP's
 * specification: polymod over GF(32), HRP expansion, checksum constant
 * 0x2bc830a3. Strings are at most 90 characters, all one case. */
#include "proto/bech32m.h"

#include <string.h>

#define BECH32M_CONST 0x2bc830a3u

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t polymod_step(uint32_t chk, uint8_t value)
{
	static const uint32_t gen[5] = { 0x3b6a57b2u, 0x26508e6du, 0x1ea119fau, 0x3d4233ddu,
					 0x2a1462b3u };
	uint32_t top = chk >> 25;

	chk = ((chk & 0x1ffffffu) << 5) ^ value;
	for (int i = 0; i < 5; i++) {
		if ((top >> i) & 1)
			chk ^= gen[i];
	}
	return chk;
}

/* Checksum state after the expanded HRP: high bits, a zero, low bits. */
static uint32_t polymod_hrp(const char *hrp, size_t hrp_len)
{
	uint32_t chk = 1;

	for (size_t i = 0; i < hrp_len; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] >> 5);
	chk = polymod_step(chk, 0);
	for (size_t i = 0; i < hrp_len; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] & 0x1f);
	return chk;
}

static int charset_index(char c)
{
	const char *p = strchr(charset, c);

	if (c == '\0' || p == NULL)
		return -1;
	return (int)(p - charset);
}

static char to_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

const char *bech32m_strerror(enum bech32m_status status)
{
	switch (status) {
	case BECH32M_OK:
		return "ok";
	case BECH32M_TOO_LONG:
		return "string longer than 90 characters";
	case BECH32M_HRP_CHAR:
		return "character out of range";
	case BECH32M_MIXED_CASE:
		return "mixed upper and lower case";
	case BECH32M_NO_SEPARATOR:
		return "no separator character '1'";
	case BECH32M_EMPTY_HRP:
		return "empty human-readable part";
	case BECH32M_TOO_SHORT:
		return "checksum too short";
	case BECH32M_DATA_CHAR:
		return "invalid data character";
	case BECH32M_BAD_CHECKSUM:
		return "invalid checksum";
	case BECH32M_BUFFER:
		return "output buffer too small";
	case BECH32M_BAD_PADDING:
		return "invalid padding";
	}
	return "unknown bech32m error";
}

enum bech32m_status bech32m_encode(const char *hrp, const uint8_t *data5, size_t data5_len,
				   char *out, size_t out_size)
{
	size_t hrp_len = strlen(hrp);
	size_t total;
	char lower[BECH32M_MAX_HRP + 1];
	uint32_t chk;
	size_t pos = 0;

	if (out_size > 0)
		out[0] = '\0';
	if (hrp_len == 0)
		return BECH32M_EMPTY_HRP;
	if (hrp_len > BECH32M_MAX_HRP || data5_len > BECH32M_MAX_LEN)
		return BECH32M_TOO_LONG;
	total = hrp_len + 1 + data5_len + BECH32M_CHECKSUM_LEN;
	if (total > BECH32M_MAX_LEN)
		return BECH32M_TOO_LONG;
	if (out_size < total + 1)
		return BECH32M_BUFFER;
	for (size_t i = 0; i < hrp_len; i++) {
		if (hrp[i] < 33 || hrp[i] > 126)
			return BECH32M_HRP_CHAR;
		lower[i] = to_lower(hrp[i]);
	}
	chk = polymod_hrp(lower, hrp_len);
	for (size_t i = 0; i < data5_len; i++) {
		if (data5[i] >= 32)
			return BECH32M_DATA_CHAR;
		chk = polymod_step(chk, data5[i]);
	}
	for (int i = 0; i < BECH32M_CHECKSUM_LEN; i++)
		chk = polymod_step(chk, 0);
	chk ^= BECH32M_CONST;

	memcpy(out, lower, hrp_len);
	pos = hrp_len;
	out[pos++] = '1';
	for (size_t i = 0; i < data5_len; i++)
		out[pos++] = charset[data5[i]];
	for (int i = 0; i < BECH32M_CHECKSUM_LEN; i++)
		out[pos++] = charset[(chk >> (5 * (5 - i))) & 0x1f];
	out[pos] = '\0';
	return BECH32M_OK;
}

/* Checks length, character range and case; finds the separator. */
static enum bech32m_status check_shape(const char *str, size_t len, size_t *sep)
{
	int has_lower = 0, has_upper = 0;

	if (len > BECH32M_MAX_LEN)
		return BECH32M_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)str[i];

		if (c < 33 || c > 126)
			return BECH32M_HRP_CHAR;
		has_lower |= (c >= 'a' && c <= 'z');
		has_upper |= (c >= 'A' && c <= 'Z');
	}
	if (has_lower && has_upper)
		return BECH32M_MIXED_CASE;
	{
		const char *last = strrchr(str, '1');

		if (last == NULL)
			return BECH32M_NO_SEPARATOR;
		*sep = (size_t)(last - str);
	}
	if (*sep == 0)
		return BECH32M_EMPTY_HRP;
	if (len - *sep - 1 < BECH32M_CHECKSUM_LEN)
		return BECH32M_TOO_SHORT;
	return BECH32M_OK;
}

enum bech32m_status bech32m_decode(const char *str, char *hrp, size_t hrp_size, uint8_t *data5,
				   size_t data5_size, size_t *data5_len)
{
	size_t len = strnlen(str, BECH32M_MAX_LEN + 1);
	size_t sep = 0, n_data;
	enum bech32m_status st;
	uint32_t chk;

	*data5_len = 0;
	if (hrp_size > 0)
		hrp[0] = '\0';
	st = check_shape(str, len, &sep);
	if (st != BECH32M_OK)
		return st;
	n_data = len - sep - 1 - BECH32M_CHECKSUM_LEN;
	if (hrp_size < sep + 1 || data5_size < n_data)
		return BECH32M_BUFFER;
	for (size_t i = 0; i < sep; i++)
		hrp[i] = to_lower(str[i]);
	hrp[sep] = '\0';

	chk = polymod_hrp(hrp, sep);
	for (size_t i = sep + 1; i < len; i++) {
		int v = charset_index(to_lower(str[i]));

		if (v < 0)
			return BECH32M_DATA_CHAR;
		chk = polymod_step(chk, (uint8_t)v);
		if (i < len - BECH32M_CHECKSUM_LEN)
			data5[i - sep - 1] = (uint8_t)v;
	}
	if (chk != BECH32M_CONST)
		return BECH32M_BAD_CHECKSUM;
	*data5_len = n_data;
	return BECH32M_OK;
}

enum bech32m_status bech32m_bytes_to_5bit(const uint8_t *in, size_t in_len, uint8_t *out,
					  size_t out_size, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	*out_len = 0;
	if (in_len > SIZE_MAX / 8 || out_size < (in_len * 8 + 4) / 5)
		return BECH32M_BUFFER;
	for (size_t i = 0; i < in_len; i++) {
		acc = ((acc << 8) | in[i]) & 0xfffu;
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = (uint8_t)((acc >> bits) & 0x1f);
		}
	}
	if (bits > 0)
		out[n++] = (uint8_t)((acc << (5 - bits)) & 0x1f);
	*out_len = n;
	return BECH32M_OK;
}

enum bech32m_status bech32m_5bit_to_bytes(const uint8_t *in, size_t in_len, uint8_t *out,
					  size_t out_size, size_t *out_len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	*out_len = 0;
	if (out_size < in_len * 5 / 8)
		return BECH32M_BUFFER;
	for (size_t i = 0; i < in_len; i++) {
		if (in[i] >= 32)
			return BECH32M_DATA_CHAR;
		acc = ((acc << 5) | in[i]) & 0xfffu;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)((acc >> bits) & 0xff);
		}
	}
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		return BECH32M_BAD_PADDING;
	*out_len = n;
	return BECH32M_OK;
}
