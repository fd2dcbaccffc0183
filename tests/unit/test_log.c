/* test_log.c: unit tests of node/log.c. */
#include "node/log.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

static void test_log_line_format(void **state UNUSED)
{
	char buf[256];
	size_t n = log_format_line(buf, sizeof(buf), 1795750500123LL, LOG_INFO, LOG_P2P,
				   "peer connected addr=127.0.0.1:1");

	assert_string_equal(buf, "2026-11-27T03:35:00.123Z info p2p peer connected "
				 "addr=127.0.0.1:1\n");
	assert_int_equal(n, strlen(buf));
}

static void test_log_long_line_is_cut_not_split(void **state UNUSED)
{
	char buf[48];
	size_t n = log_format_line(buf, sizeof(buf), 0, LOG_WARN, LOG_MAIN,
				   "a message much longer than the buffer it goes into");

	assert_int_equal(n, sizeof(buf) - 1);
	assert_int_equal(buf[n - 1], '\n');
	assert_ptr_equal(strchr(buf, '\n'), buf + n - 1);
}

static void test_log_debug_categories(void **state UNUSED)
{
	uint32_t mask = 0;
	char err[128];
	struct log log;

	assert_int_equal(log_parse_debug("p2p,rpc", &mask, err, sizeof(err)), 0);
	assert_int_equal(log_open(&log, NULL, false, mask), 0);
	assert_true(log_enabled(&log, LOG_DEBUG, LOG_P2P));
	assert_true(log_enabled(&log, LOG_DEBUG, LOG_RPC));
	assert_false(log_enabled(&log, LOG_DEBUG, LOG_STORE));
	assert_true(log_enabled(&log, LOG_INFO, LOG_STORE));
	log_close(&log);
	assert_int_equal(log_parse_debug("p2p,moon", &mask, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "moon"));
	assert_int_equal(log_parse_debug("p2p,,rpc", &mask, err, sizeof(err)), -1);
	assert_int_equal(log_parse_debug("all", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, (1u << LOG_CATEGORY_COUNT) - 1);
	assert_int_equal(log_parse_debug("0", &mask, err, sizeof(err)), 0);
	assert_int_equal(mask, 0);
}

static void test_log_writes_lines_to_file(void **state UNUSED)
{
	char dir[] = "/tmp/hearth-log-XXXXXX", path[128], buf[1024];
	struct log log;
	FILE *f;
	size_t n;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/debug.log", dir);
	assert_int_equal(log_open(&log, path, false, 0), 0);
	log_write(&log, LOG_INFO, LOG_STORE, "opened height=%d", 7);
	log_write(&log, LOG_DEBUG, LOG_STORE, "not written");
	log_write(&log, LOG_ERROR, LOG_RPC, "failed code=%d", -32600);
	log_close(&log);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "Z info store opened height=7\n"));
	assert_non_null(strstr(buf, "Z error rpc failed code=-32600\n"));
	assert_null(strstr(buf, "not written"));
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_line_format),
		cmocka_unit_test(test_log_long_line_is_cut_not_split),
		cmocka_unit_test(test_log_debug_categories),
		cmocka_unit_test(test_log_writes_lines_to_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
