/* test_seccomp.c: unit tests of node/seccomp.c: the filter a process loads
 * is exactly what libseccomp compiles. */
#include "node/seccomp.h"

#include <string.h>

#include "tests/unit/test_util.h"

static void test_loaded_filter_is_what_libseccomp_compiles(void **state UNUSED)
{
	struct seccomp_prog compiled, loaded;
	struct node_error e;

	assert_int_equal(seccomp_prog_compile(&compiled, &e), 0);
	assert_int_equal(seccomp_prog_load(&loaded, &e), 0);
	assert_true(compiled.len > 0);
	assert_int_equal(loaded.len, compiled.len);
	assert_memory_equal(loaded.filter, compiled.filter,
			    compiled.len * sizeof(struct sock_filter));
	seccomp_prog_free(&compiled);
	seccomp_prog_free(&loaded);
}

static void test_native_build_has_a_prebuilt_filter(void **state UNUSED)
{
	if (seccomp_prebuilt_len == 0)
		skip(); /* a cross build */
	assert_true(seccomp_prebuilt_len > 8);
	/* The program starts by checking the architecture (seccomp_data.arch,
	 * offset 4) and ends with the default action, allow. */
	assert_int_equal(seccomp_prebuilt[0].code, BPF_LD | BPF_W | BPF_ABS);
	assert_int_equal(seccomp_prebuilt[0].k, 4);
	assert_int_equal(seccomp_prebuilt[seccomp_prebuilt_len - 1].code, BPF_RET | BPF_K);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loaded_filter_is_what_libseccomp_compiles),
		cmocka_unit_test(test_native_build_has_a_prebuilt_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
