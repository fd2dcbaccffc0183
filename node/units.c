/* units.c: parsing of command-line quantities (see units.h). */
#include "node/units.h"

#include <ctype.h>
#include <string.h>

/* Parses digits with an optional fraction of up to 3 digits into
 * thousandths. Out: *milli, *rest (first byte after the number). */
static int parse_milli(const char *s, uint64_t *milli, const char **rest)
{
	uint64_t whole = 0, frac = 0;
	int frac_digits = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		if (__builtin_mul_overflow(whole, 10, &whole) ||
		    __builtin_add_overflow(whole, (uint64_t)(*p - '0'), &whole))
			return -1;
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++) {
			if (frac_digits == 3)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
			frac_digits++;
		}
		while (frac_digits++ < 3)
			frac *= 10;
	} else {
		frac = 0;
	}
	if (__builtin_mul_overflow(whole, 1000, &whole) ||
	    __builtin_add_overflow(whole, frac, milli))
		return -1;
	*rest = p;
	return 0;
}

int units_parse_millicores(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t milli;

	if (strchr(s, 'm') != NULL && s[strlen(s) - 1] == 'm') {
		if (parse_milli(s, &milli, &rest) < 0 || milli % 1000 != 0 || strcmp(rest, "m"))
			return -1;
		milli /= 1000;
	} else if (parse_milli(s, &milli, &rest) < 0 || *rest != '\0') {
		return -1;
	}
	if (milli == 0)
		return -1;
	*out = milli;
	return 0;
}

static int scaled(const char *s, const char *const *suffix, const uint64_t *mult, int n,
		  uint64_t *out)
{
	const char *rest;
	uint64_t milli, v;

	if (parse_milli(s, &milli, &rest) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(rest, suffix[i]) != 0)
			continue;
		if (__builtin_mul_overflow(milli, mult[i], &v))
			return -1;
		v /= 1000;
		if (v == 0)
			return -1;
		*out = v;
		return 0;
	}
	return -1;
}

int units_parse_bytes(const char *s, uint64_t *out)
{
	static const char *const suffix[] = { "",  "K",	  "M",	 "G",	"T",
					      "k", "KiB", "MiB", "GiB", "TiB" };
	static const uint64_t mult[] = {
		1,	    1ULL << 10, 1ULL << 20, 1ULL << 30, 1ULL << 40,
		1ULL << 10, 1ULL << 10, 1ULL << 20, 1ULL << 30, 1ULL << 40
	};

	return scaled(s, suffix, mult, 10, out);
}

int units_parse_ms(const char *s, uint64_t *out)
{
	static const char *const suffix[] = { "", "s", "ms", "m", "h" };
	static const uint64_t mult[] = { 1000, 1000, 1, 60000, 3600000 };

	return scaled(s, suffix, mult, 5, out);
}

int units_parse_count(const char *s, uint64_t *out)
{
	const char *rest;
	uint64_t milli;

	if (parse_milli(s, &milli, &rest) < 0 || *rest != '\0' || strchr(s, '.') != NULL ||
	    milli == 0)
		return -1;
	*out = milli / 1000;
	return 0;
}
