/* amount.h: the text form of every quantity hearth-cli reads or prints,
 * parsed exactly with integer arithmetic (never through floating point) and
 * bounded in length. The rules, also in doc/cli.md:
 *
 *   amount    HTH with up to 6 decimals: "0", "1", "0.5", "0.000001".
 *             1 HTH = 1,000,000 base units. No sign, exponent, spaces, or
 *             lone "."; a leading digit is required ("0.5", not ".5").
 *   cpu       millicores: "2000m" (integer), or cores with up to 3
 *             decimals: "2", "0.5", "1.25". Must be > 0.
 *   bytes     an integer or a decimal with up to 3 decimals, then an
 *             optional suffix; every multiple is binary, as in hearthd:
 *             K Ki KiB = 2^10, M Mi MiB = 2^20, G Gi GiB = 2^30,
 *             T Ti TiB = 2^40, no suffix or B = bytes. The result must be a
 *             whole number of bytes > 0 ("1.5G" ok, "0.0001K" not).
 *   duration  a positive integer then s, m, h or d; a bare integer is
 *             seconds: "60s", "90", "5m", "1h", "2d". Result in seconds.
 *   price     an amount then "/s", "/m" or "/h": HTH per second, minute or
 *             hour, converted to base units per second; a per-minute or
 *             per-hour price must be a whole number of base units per
 *             second ("36/h" = 10000/s ok, "1/h" = 277.7.../s rejected).
 *   count     a decimal integer without sign, in [0, max].
 * Every parser returns 0 and its result, or -1 and leaves *out untouched. */
#ifndef HEARTH_WALLET_AMOUNT_H
#define HEARTH_WALLET_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

#define AMOUNT_UNITS_PER_HTH 1000000ULL
#define AMOUNT_DECIMALS	     6
/* Longest text accepted by any parser here (longer input is rejected). */
#define AMOUNT_INPUT_MAX 64
/* "18446744073709.551615" and its NUL, with room to spare. */
#define AMOUNT_TEXT_MAX 32

/* In: s, HTH text. Out: *units, base units. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse(const char *s, uint64_t *units);

/* Out: out, units as HTH with exactly 6 decimals ("1.500000").
 * Returns 0, or -1 when out_size < AMOUNT_TEXT_MAX. */
__attribute__((warn_unused_result)) int amount_format(uint64_t units, char *out, size_t out_size);

/* Out: *millicores. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse_cpu(const char *s, uint64_t *millicores);

/* Out: *bytes. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse_bytes(const char *s, uint64_t *bytes);

/* Out: *seconds. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse_duration(const char *s, uint64_t *seconds);

/* Out: *units_per_second, base units per second. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse_price(const char *s,
							   uint64_t *units_per_second);

/* Out: *out in [0, max]. Returns 0 or -1. */
__attribute__((warn_unused_result)) int amount_parse_count(const char *s, uint64_t max,
							   uint64_t *out);

#endif
