/* test_node_rpc_doc.c: doc/rpc.md documents every method hearthd registers
 * (node/node_rpc.c) under a heading of its own. */
#include "node/node_rpc.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static char *read_doc(void)
{
	char path[4096], *text;
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/doc/rpc.md", TEST_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	assert_true(size > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	text = malloc((size_t)size + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
	text[size] = '\0';
	fclose(f);
	return text;
}

static void test_every_node_method_is_documented(void **state UNUSED)
{
	size_t n;
	const struct rpc_method *m = node_rpc_methods(&n);
	char *doc = read_doc();

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		char heading[128];

		snprintf(heading, sizeof(heading), "\n### %s\n", m[i].name);
		if (strstr(doc, heading) == NULL)
			fail_msg("doc/rpc.md has no section for %s", m[i].name);
	}
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_node_method_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
