/* test_util.h: small helpers shared by the unit tests: cmocka includes in the
 * order it needs, and the path of the test vectors. */
#ifndef HEARTH_TEST_UTIL_H
#define HEARTH_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

/* cmocka fixes the signature of a test; most tests ignore their state. */
#define UNUSED __attribute__((unused))

/* Opens tests/vectors/NAME of the source tree; fails the test if missing. */
static inline FILE *test_open_vector(const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/tests/vectors/%s", TEST_SRCDIR, name);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open test vectors %s", path);
	return f;
}

#endif
