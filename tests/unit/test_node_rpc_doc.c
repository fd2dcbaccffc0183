/* test_node_rpc_doc.c: doc/rpc.md documents every method hearthd registers
 * (node/node_rpc.c, node_control.c, node_wait.c) under a heading of its
 * own. */
#include "node/node_rpc.h"

#include "node/node_control.h"
#include "node/node_wait.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static void check_documented(const struct rpc_method *m, size_t n)
{
	char *doc = test_read_source_file("doc/rpc.md");

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		char heading[128];

		snprintf(heading, sizeof(heading), "\n### %s\n", m[i].name);
		if (strstr(doc, heading) == NULL)
			fail_msg("doc/rpc.md has no section for %s", m[i].name);
	}
	free(doc);
}

static void test_every_node_method_is_documented(void **state UNUSED)
{
	const struct rpc_method *(*const tables[])(size_t *) = {
		node_rpc_methods,
		node_control_methods,
		node_wait_methods,
	};

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		size_t n;
		const struct rpc_method *m = tables[i](&n);

		check_documented(m, n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_node_method_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
