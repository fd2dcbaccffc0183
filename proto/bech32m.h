/* bech32m.h: the Bech32m string encoding of BIP350 (checksum constant
 * 0x2bc830a3), with BIP173's rules for characters, case and length, and the
 * 8-bit to 5-bit regrouping used to carry bytes. Addresses are built on top of
 * it in consensus/crypto.h. */
#ifndef HEARTH_PROTO_BECH32M_H
#define HEARTH_PROTO_BECH32M_H

#include <stddef.h>
#include <stdint.h>

#define BECH32M_MAX_LEN	     90 /* characters, BIP173 */
#define BECH32M_MAX_HRP	     83 /* characters */
#define BECH32M_CHECKSUM_LEN 6

enum bech32m_status {
	BECH32M_OK = 0,
	BECH32M_TOO_LONG,
	BECH32M_HRP_CHAR,
	BECH32M_MIXED_CASE,
	BECH32M_NO_SEPARATOR,
	BECH32M_EMPTY_HRP,
	BECH32M_TOO_SHORT,
	BECH32M_DATA_CHAR,
	BECH32M_BAD_CHECKSUM,
	BECH32M_BUFFER,
	BECH32M_BAD_PADDING,
};

/* A one-line description of status, for error messages. Never NULL. */
const char *bech32m_strerror(enum bech32m_status status);

/* Encodes hrp and data (5-bit values) as a Bech32m string.
 * In:  hrp: 1..83 characters in 33..126, stored lowercase in the output;
 *      data5, data5_len: values < 32; out_size: capacity of out.
 * Out: out: NUL-terminated string.
 * Returns BECH32M_OK or the reason it cannot encode. */
__attribute__((warn_unused_result)) enum bech32m_status
bech32m_encode(const char *hrp, const uint8_t *data5, size_t data5_len, char *out, size_t out_size);

/* Decodes and checks a Bech32m string.
 * In:  str (NUL-terminated); hrp_size, data5_size: capacities.
 * Out: hrp: lowercase HRP, NUL-terminated; data5, *data5_len: the 5-bit values
 *      without the checksum.
 * Returns BECH32M_OK or the first rule the string breaks. */
__attribute__((warn_unused_result)) enum bech32m_status
bech32m_decode(const char *str, char *hrp, size_t hrp_size, uint8_t *data5, size_t data5_size,
	       size_t *data5_len);

/* Regroups bytes into 5-bit values, zero-padding the last group.
 * Returns BECH32M_OK, or BECH32M_BUFFER when out_size is too small. */
__attribute__((warn_unused_result)) enum bech32m_status
bech32m_bytes_to_5bit(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_size,
		      size_t *out_len);

/* Regroups 5-bit values into bytes. Padding must be fewer than 5 bits and
 * zero (BIP173). Returns BECH32M_OK, BECH32M_BAD_PADDING or BECH32M_BUFFER. */
__attribute__((warn_unused_result)) enum bech32m_status
bech32m_5bit_to_bytes(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_size,
		      size_t *out_len);

#endif
