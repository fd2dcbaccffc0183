/* hex.c: hexadecimal encoding. Used for ids in logs, JSON-RPC and the CLI.
 * libsodium does the constant-time conversion; this file adds the strict
 * rules (even length, nothing but digits, bounded output). */
#include "proto/hex.h"

#include <string.h>

#include <sodium.h>

int hex_encode(const uint8_t *bin, size_t len, char *out, size_t out_size)
{
	if (out_size == 0)
		return -1;
	if (len > (SIZE_MAX - 1) / 2 || out_size < 2 * len + 1) {
		out[0] = '\0';
		return -1;
	}
	sodium_bin2hex(out, out_size, bin, len);
	return 0;
}

int hex_decode(const char *hex, uint8_t *out, size_t out_size, size_t *out_len)
{
	size_t hex_len = strlen(hex);
	const char *end = NULL;

	*out_len = 0;
	if (hex_len % 2 != 0 || hex_len / 2 > out_size)
		return -1;
	if (sodium_hex2bin(out, out_size, hex, hex_len, NULL, out_len, &end) != 0)
		return -1;
	if (end != hex + hex_len || *out_len != hex_len / 2)
		return -1;
	return 0;
}

int hex_decode_exact(const char *hex, uint8_t *out, size_t len)
{
	size_t got;

	if (strlen(hex) != 2 * len)
		return -1;
	if (hex_decode(hex, out, len, &got) != 0 || got != len)
		return -1;
	return 0;
}
