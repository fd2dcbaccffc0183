/* test_p2p_addr.c: unit tests of peer address parsing and formatting
 * (node/p2p_addr.c): the forms an operator writes, the ones refused, and
 * the canonical IP text the ban list keys on. */
#include "node/p2p_addr.h"

#include <string.h>

#include "tests/unit/test_util.h"

/* Parses text and formats it back as "ip:port". */
static const char *round_trip(const char *text, char out[P2P_ADDR_MAX])
{
	struct sockaddr_storage ss;
	char ip[P2P_IP_MAX];
	uint16_t port;

	if (p2p_addr_parse(text, 9740, &ss) != 0)
		return NULL;
	assert_int_equal(p2p_addr_format((const struct sockaddr *)&ss, ip, &port, out), 0);
	return out;
}

static void test_addr_accepts_the_operator_forms(void **state UNUSED)
{
	char out[P2P_ADDR_MAX];

	assert_string_equal(round_trip("1.2.3.4:19740", out), "1.2.3.4:19740");
	assert_string_equal(round_trip("1.2.3.4", out), "1.2.3.4:9740");
	assert_string_equal(round_trip("localhost:1", out), "127.0.0.1:1");
	assert_string_equal(round_trip("localhost", out), "127.0.0.1:9740");
	assert_string_equal(round_trip("[::1]:65535", out), "[::1]:65535");
	assert_string_equal(round_trip("[::1]", out), "[::1]:9740");
	assert_string_equal(round_trip("::1", out), "[::1]:9740");
	assert_string_equal(round_trip("[2001:DB8:0:0::1]:5", out), "[2001:db8::1]:5");
}

static void test_addr_refuses_names_bad_ports_and_junk(void **state UNUSED)
{
	char out[P2P_ADDR_MAX];
	char longer[P2P_ADDR_MAX + 4];

	assert_null(round_trip("", out));
	assert_null(round_trip("example.com:9740", out)); /* no DNS on the loop */
	assert_null(round_trip("1.2.3.4:0", out));
	assert_null(round_trip("1.2.3.4:65536", out));
	assert_null(round_trip("1.2.3.4:-1", out));
	assert_null(round_trip("1.2.3.4:", out));
	assert_null(round_trip("1.2.3.4:80x", out));
	assert_null(round_trip("1.2.3.256", out));
	assert_null(round_trip("[::1", out));
	assert_null(round_trip("[]:1", out));
	assert_null(round_trip("[::1]x", out));
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_null(round_trip(longer, out));
}

static void test_addr_ipv4_mapped_is_shown_as_ipv4(void **state UNUSED)
{
	struct sockaddr_in6 v6;
	char ip[P2P_IP_MAX], text[P2P_ADDR_MAX];
	uint16_t port;

	assert_int_equal(uv_ip6_addr("::ffff:10.1.2.3", 77, &v6), 0);
	assert_int_equal(p2p_addr_format((const struct sockaddr *)&v6, ip, &port, text), 0);
	assert_string_equal(ip, "10.1.2.3");
	assert_string_equal(text, "10.1.2.3:77");
	assert_int_equal(port, 77);
}

static void test_addr_normalize_gives_one_text_per_ip(void **state UNUSED)
{
	char out[P2P_IP_MAX];

	assert_int_equal(p2p_addr_normalize_ip("127.0.0.1", out), 0);
	assert_string_equal(out, "127.0.0.1");
	assert_int_equal(p2p_addr_normalize_ip("2001:0DB8::0001", out), 0);
	assert_string_equal(out, "2001:db8::1");
	assert_int_equal(p2p_addr_normalize_ip("::ffff:1.2.3.4", out), 0);
	assert_string_equal(out, "1.2.3.4");
	assert_int_equal(p2p_addr_normalize_ip("1.2.3.4:5", out), -1);
	assert_int_equal(p2p_addr_normalize_ip("host", out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr_accepts_the_operator_forms),
		cmocka_unit_test(test_addr_refuses_names_bad_ports_and_junk),
		cmocka_unit_test(test_addr_ipv4_mapped_is_shown_as_ipv4),
		cmocka_unit_test(test_addr_normalize_gives_one_text_per_ip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
