/* hex.h: lowercase hexadecimal encoding of byte strings, strict decoding. */
#ifndef HEARTH_PROTO_HEX_H
#define HEARTH_PROTO_HEX_H

#include <stddef.h>
#include <stdint.h>

/* Encodes len bytes of bin as 2*len lowercase hex digits plus a NUL.
 * In:  bin, len; out_size: size of out.
 * Out: out (NUL-terminated).
 * Returns 0, or -1 when out_size < 2*len + 1 (out is then the empty string
 * when out_size > 0). */
__attribute__((warn_unused_result)) int hex_encode(const uint8_t *bin, size_t len, char *out,
						   size_t out_size);

/* Decodes a hex string (either case, even length, no separators).
 * In:  hex (NUL-terminated); out_size: capacity of out in bytes.
 * Out: out, *out_len: number of bytes written.
 * Returns 0, or -1 on an odd length, a non-hex character, or more than
 * out_size bytes. */
__attribute__((warn_unused_result)) int hex_decode(const char *hex, uint8_t *out, size_t out_size,
						   size_t *out_len);

/* Decodes exactly len bytes: like hex_decode, but the string must hold
 * exactly 2*len digits. Returns 0 or -1. */
__attribute__((warn_unused_result)) int hex_decode_exact(const char *hex, uint8_t *out, size_t len);

#endif
