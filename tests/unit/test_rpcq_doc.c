/* test_rpcq_doc.c: doc/rpc.md documents every method of
 * node/rpc_chain_more.c and node/rpc_market.c under a heading of its own. */
#include "node/rpc_chain_more.h"
#include "node/rpc_market.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static void assert_documented(const struct rpc_method *m, size_t n)
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

static void test_chain_more_methods_are_documented(void **state UNUSED)
{
	size_t n;
	const struct rpc_method *m = rpc_chain_more_methods(&n);

	assert_documented(m, n);
}

static void test_market_methods_are_documented(void **state UNUSED)
{
	size_t n;
	const struct rpc_method *m = rpc_market_methods(&n);

	assert_documented(m, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_more_methods_are_documented),
		cmocka_unit_test(test_market_methods_are_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
