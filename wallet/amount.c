/* amount.c: exact parsing and printing of HTH amounts and of the market's
 * units (rules in amount.h). Everything goes through one fixed-point
 * reader, decimal_read, that scales a decimal to an integer count of
 * 10^-decimals with overflow checks. */
#include "wallet/amount.h"

#include <stdio.h>
#include <string.h>

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads digits, then optionally '.' and 1..decimals digits, at s.
 * Out: *value = the number times 10^decimals; *rest, the first byte after.
 * Returns 0, or -1 for no leading digit, a lone '.', too many decimals or
 * overflow. */
static int decimal_read(const char *s, unsigned decimals, uint64_t *value, const char **rest)
{
	uint64_t whole = 0, frac = 0;
	unsigned n = 0;
	const char *p = s;

	if (!is_digit(*p))
		return -1;
	for (; is_digit(*p); p++) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			return -1;
	}
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return -1;
		for (; is_digit(*p); p++, n++) {
			if (n == decimals)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
	}
	for (; n < decimals; n++)
		frac *= 10;
	for (unsigned i = 0; i < decimals; i++) {
		if (__builtin_mul_overflow(whole, 10, &whole))
			return -1;
	}
	if (__builtin_add_overflow(whole, frac, value))
		return -1;
	*rest = p;
	return 0;
}

static int bounded(const char *s)
{
	return s != NULL && s[0] != '\0' && strnlen(s, AMOUNT_INPUT_MAX + 1) <= AMOUNT_INPUT_MAX;
}

int amount_parse(const char *s, uint64_t *units)
{
	const char *rest;
	uint64_t v;

	if (!bounded(s) || decimal_read(s, AMOUNT_DECIMALS, &v, &rest) != 0 || *rest != '\0')
		return -1;
	*units = v;
	return 0;
}

int amount_format(uint64_t units, char *out, size_t out_size)
{
	int n;

	if (out_size < AMOUNT_TEXT_MAX)
		return -1;
	n = snprintf(out, out_size, "%llu.%06llu",
		     (unsigned long long)(units / AMOUNT_UNITS_PER_HTH),
		     (unsigned long long)(units % AMOUNT_UNITS_PER_HTH));
	return n > 0 && (size_t)n < out_size ? 0 : -1;
}

int amount_parse_cpu(const char *s, uint64_t *millicores)
{
	const char *rest;
	uint64_t v;

	if (!bounded(s))
		return -1;
	if (s[strlen(s) - 1] == 'm') {
		if (decimal_read(s, 0, &v, &rest) != 0 || strcmp(rest, "m") != 0)
			return -1;
	} else if (decimal_read(s, 3, &v, &rest) != 0 || *rest != '\0') {
		return -1;
	}
	if (v == 0)
		return -1;
	*millicores = v;
	return 0;
}

/* A suffix and what one of it is worth. */
struct unit {
	const char *suffix;
	uint64_t mult;
};

/* Reads a decimal with up to 3 decimals and one suffix of table[n].
 * Out: *out = value * mult, which must be a whole number > 0. */
static int scaled_read(const char *s, const struct unit *table, size_t n, uint64_t *out)
{
	const char *rest;
	uint64_t milli, v;

	if (!bounded(s) || decimal_read(s, 3, &milli, &rest) != 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(rest, table[i].suffix) != 0)
			continue;
		if (__builtin_mul_overflow(milli, table[i].mult, &v) || v % 1000 != 0 || v == 0)
			return -1;
		*out = v / 1000;
		return 0;
	}
	return -1;
}

int amount_parse_bytes(const char *s, uint64_t *bytes)
{
	static const struct unit table[] = {
		{ "", 1 },
		{ "B", 1 },
		{ "K", 1ULL << 10 },
		{ "Ki", 1ULL << 10 },
		{ "KiB", 1ULL << 10 },
		{ "M", 1ULL << 20 },
		{ "Mi", 1ULL << 20 },
		{ "MiB", 1ULL << 20 },
		{ "G", 1ULL << 30 },
		{ "Gi", 1ULL << 30 },
		{ "GiB", 1ULL << 30 },
		{ "T", 1ULL << 40 },
		{ "Ti", 1ULL << 40 },
		{ "TiB", 1ULL << 40 },
	};

	return scaled_read(s, table, sizeof(table) / sizeof(table[0]), bytes);
}

int amount_parse_duration(const char *s, uint64_t *seconds)
{
	static const struct unit table[] = {
		{ "", 1 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	};

	if (!bounded(s) || strchr(s, '.') != NULL)
		return -1;
	return scaled_read(s, table, sizeof(table) / sizeof(table[0]), seconds);
}

int amount_parse_price(const char *s, uint64_t *units_per_second)
{
	static const struct unit per[] = { { "/s", 1 }, { "/m", 60 }, { "/h", 3600 } };
	const char *rest;
	uint64_t v;

	if (!bounded(s) || decimal_read(s, AMOUNT_DECIMALS, &v, &rest) != 0)
		return -1;
	for (size_t i = 0; i < sizeof(per) / sizeof(per[0]); i++) {
		if (strcmp(rest, per[i].suffix) != 0)
			continue;
		if (v % per[i].mult != 0)
			return -1;
		*units_per_second = v / per[i].mult;
		return 0;
	}
	return -1;
}

int amount_parse_count(const char *s, uint64_t max, uint64_t *out)
{
	const char *rest;
	uint64_t v;

	if (!bounded(s) || decimal_read(s, 0, &v, &rest) != 0 || *rest != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}
