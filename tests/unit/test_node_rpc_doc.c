/* test_node_rpc_doc.c: doc/rpc.md documents every method hearthd registers
 * (every table of node/rpc_tables.c) under a heading of its own. */
#include "node/rpc_tables.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static void check_documented(const char *doc, const rpc_table_fn *tables, size_t num_tables)
{
	assert_true(num_tables > 0);
	for (size_t t = 0; t < num_tables; t++) {
		size_t n;
		const struct rpc_method *m = tables[t](&n);

		assert_true(n > 0);
		for (size_t i = 0; i < n; i++) {
			char heading[128];

			snprintf(heading, sizeof(heading), "\n### %s\n", m[i].name);
			if (strstr(doc, heading) == NULL)
				fail_msg("doc/rpc.md has no section for %s", m[i].name);
		}
	}
}

static void test_every_node_method_is_documented(void **state UNUSED)
{
	char *doc = test_read_source_file("doc/rpc.md");
	const rpc_table_fn *tables;
	size_t num_tables;

	tables = rpc_tables_direct(&num_tables);
	check_documented(doc, tables, num_tables);
	tables = rpc_tables_parked(&num_tables);
	check_documented(doc, tables, num_tables);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_node_method_is_documented),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
