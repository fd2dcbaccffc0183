/* test_util.h: small helpers shared by the unit tests: cmocka includes in the
 * order it needs, and the path of the test vectors. */
#ifndef HEARTH_TEST_UTIL_H
#define HEARTH_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

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

/* Reads the whole file at relpath in the source tree (NUL-terminated,
 * caller frees); fails the test if it cannot. */
static inline char *test_read_source_file(const char *relpath)
{
	char path[4096], *text;
	FILE *f;
	long size = -1;

	snprintf(path, sizeof(path), "%s/%s", TEST_SRCDIR, relpath);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		fail_msg("cannot size %s", path);
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size)
		fail_msg("cannot read %s", path);
	text[size] = '\0';
	fclose(f);
	return text;
}

#endif
