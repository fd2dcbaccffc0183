/* test_node_rpc_doc.c: doc/rpc.md documents every method hearthd registers
 * (node/node_rpc.c, node/net_rpc.c) under a heading of its own. */
#include "node/node_rpc.h"
#include "node/rpc_result.h"

#include "node/net_rpc.h"

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
	size_t n;
	const struct rpc_method *m = node_rpc_methods(&n);

	check_documented(m, n);
	m = rpc_result_methods(&n);
	check_documented(m, n);
}

static void test_every_net_method_is_documented(void **state UNUSED)
{
	size_t n;
	const struct rpc_method *m = net_rpc_methods(&n);

	check_documented(m, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_node_method_is_documented),
		cmocka_unit_test(test_every_net_method_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
