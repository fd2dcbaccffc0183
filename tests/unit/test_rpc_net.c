/* test_rpc_net.c: unit tests of node/rpc_net.c: -rpcallowip subnets and
 * their matching (IPv4, IPv6, IPv4-mapped), loopback, -rpcbind parsing. */
#include "node/rpc_net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "tests/unit/test_util.h"

/* A client address as the kernel hands it to accept(). */
static const struct sockaddr *client(struct sockaddr_storage *ss, const char *text)
{
	memset(ss, 0, sizeof(*ss));
	if (strchr(text, ':') == NULL) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &in->sin_addr), 1);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
	}
	return (const struct sockaddr *)ss;
}

static bool allowed(const char *subnet, const char *addr)
{
	struct rpc_subnet net;
	struct sockaddr_storage ss;

	assert_int_equal(rpc_net_parse_subnet(subnet, &net), 0);
	return rpc_net_subnet_match(&net, client(&ss, addr));
}

static void test_subnet_forms_match_what_they_cover(void **state UNUSED)
{
	assert_true(allowed("10.1.2.3", "10.1.2.3"));
	assert_false(allowed("10.1.2.3", "10.1.2.4"));
	assert_true(allowed("10.0.0.0/8", "10.255.1.1"));
	assert_false(allowed("10.0.0.0/8", "11.0.0.1"));
	assert_true(allowed("192.168.1.77/24", "192.168.1.1")); /* host bits ignored */
	assert_true(allowed("192.168.0.0/255.255.0.0", "192.168.9.9"));
	assert_false(allowed("192.168.0.0/255.255.0.0", "192.169.0.1"));
	assert_true(allowed("0.0.0.0/0", "8.8.8.8"));
	assert_false(allowed("0.0.0.0/0", "2001:db8::1"));
	assert_true(allowed("2001:db8::/32", "2001:db8:ffff::1"));
	assert_false(allowed("2001:db8::/32", "2001:db9::1"));
	assert_true(allowed("10.0.0.0/8", "::ffff:10.9.9.9")); /* IPv4-mapped counts as IPv4 */
	assert_true(allowed("fe80::1", "fe80::1"));
}

static void test_subnet_rejects_malformed_values(void **state UNUSED)
{
	static const char *const bad[] = {
		"",
		"localhost",
		"10.0.0.0/33",
		"10.0.0.0/",
		"10.0.0.0/8x",
		"::/129",
		"10.0.0.0/255.0.255.0",
		"10.0.0.0/ffff::",
		"1.2.3.4.5",
		"10.0.0.0/0008",
	};
	struct rpc_subnet net;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rpc_net_parse_subnet(bad[i], &net) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

static void test_loopback_addresses(void **state UNUSED)
{
	struct sockaddr_storage ss;

	assert_true(rpc_net_is_loopback(client(&ss, "127.0.0.1")));
	assert_true(rpc_net_is_loopback(client(&ss, "127.8.9.10")));
	assert_true(rpc_net_is_loopback(client(&ss, "::1")));
	assert_true(rpc_net_is_loopback(client(&ss, "::ffff:127.0.0.1")));
	assert_false(rpc_net_is_loopback(client(&ss, "0.0.0.0")));
	assert_false(rpc_net_is_loopback(client(&ss, "::")));
	assert_false(rpc_net_is_loopback(client(&ss, "10.0.0.1")));
	assert_false(rpc_net_is_loopback(client(&ss, "::2")));
}

static void expect_bind(const char *text, const char *formatted)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char buf[RPC_NET_ADDR_MAX];

	assert_int_equal(rpc_net_parse_bind(text, 9741, &ss, &len), 0);
	assert_int_equal(len, ss.ss_family == AF_INET ? sizeof(struct sockaddr_in)
						      : sizeof(struct sockaddr_in6));
	rpc_net_format((const struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, formatted);
}

static void test_bind_addresses_with_and_without_port(void **state UNUSED)
{
	static const char *const bad[] = { "",	   "localhost", "1.2.3.4:",	"1.2.3.4:65536",
					   "[::1", "[::1]x",	"[::1]:123456", "1.2.3.4:-1" };
	struct sockaddr_storage ss;
	socklen_t len;

	expect_bind("127.0.0.1", "127.0.0.1:9741");
	expect_bind("0.0.0.0:0", "0.0.0.0:0");
	expect_bind("10.0.0.1:18000", "10.0.0.1:18000");
	expect_bind("::1", "[::1]:9741");
	expect_bind("[::1]", "[::1]:9741");
	expect_bind("[fe80::2]:80", "[fe80::2]:80");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (rpc_net_parse_bind(bad[i], 9741, &ss, &len) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subnet_forms_match_what_they_cover),
		cmocka_unit_test(test_subnet_rejects_malformed_values),
		cmocka_unit_test(test_loopback_addresses),
		cmocka_unit_test(test_bind_addresses_with_and_without_port),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
