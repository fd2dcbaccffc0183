/* test_p2p_net_dial.c: integration test of the P2P transport
 * (node/p2p*.c) managing its connections: inbound and outbound limits,
 * persistent peers that reconnect after a restart, forgotten addresses
 * not dialed again, two peers dialing each other at once, and a node
 * dialing itself. Every wait is bounded. */
#include "node/p2p.h"

#include <stdio.h>
#include <string.h>

#include "tests/unit/p2p_net_fixture.h"
#include "tests/unit/test_util.h"

static void test_inbound_limit_is_enforced(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b, c;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_config(&a, &loop, "hearth-test");
	a.cfg.max_inbound = 1;
	node_start(&a);
	node_init(&b, &loop, "hearth-test");
	node_init(&c, &loop, "hearth-test");
	node_connect(&b, &a, P2P_CONNECT_ONCE);
	assert_true(wait_count(&loop, &a.connected, 1));
	node_connect(&c, &a, P2P_CONNECT_ONCE);
	assert_true(wait_count(&loop, &c.closes, 1));
	assert_true(wait_count(&loop, &a.closes, 1));
	assert_string_equal(c.last_reason, "");
	assert_int_equal(p2p_peer_count(a.p2p), 1);
	assert_int_equal(c.connected, 0);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	node_free(&c);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_outbound_limit_defers_dials_until_a_slot_frees(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b, c;
	struct p2p_peer_info info;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_config(&a, &loop, "hearth-test");
	a.cfg.max_outbound = 1;
	node_start(&a);
	node_init(&b, &loop, "hearth-test");
	node_init(&c, &loop, "hearth-test");
	node_connect(&a, &b, P2P_CONNECT_ONCE);
	node_connect(&a, &c, P2P_CONNECT_ONCE);
	assert_true(wait_count(&loop, &a.connected, 1));
	run_for(&loop, 100);
	assert_int_equal(a.connected, 1);
	assert_int_equal(b.connected + c.connected, 1);
	assert_int_equal(p2p_peer_get(a.p2p, a.ids[0], &info), 0);
	assert_memory_equal(info.node_key, b.key.pubkey, PUBKEY_SIZE);
	/* The slot frees: the waiting dial goes out. */
	p2p_disconnect(a.p2p, a.ids[0], "test");
	assert_true(wait_count(&loop, &c.connected, 1));
	assert_int_equal(a.connected, 2);
	assert_int_equal(p2p_peer_count(a.p2p), 1);
	/* Both flags at once make no sense. */
	assert_int_equal(
		p2p_connect(a.p2p, "127.0.0.1:1", P2P_CONNECT_PERSISTENT | P2P_CONNECT_SEED), -1);
	node_free(&c);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_persistent_peer_reconnects_after_restart(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	uint16_t port;
	struct signer keep;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	port = p2p_listen_port(a.p2p);
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &b.connected, 1));

	/* a goes away; b notices and retries with backoff. */
	node_stop(&a);
	assert_true(wait_count(&loop, &b.disconnected, 1));
	run_for(&loop, 100);

	/* a comes back on the same port (same key); b reconnects by itself. */
	keep = a.key;
	node_config(&a, &loop, "hearth-test");
	signer_wipe(&a.key);
	a.key = keep;
	assert_int_equal(p2p_new(&loop, &a.cfg, &node_callbacks, &a, &a.p2p), 0);
	assert_int_equal(p2p_listen(a.p2p, "127.0.0.1", port), 0);
	assert_true(wait_count(&loop, &b.connected, 2));
	assert_int_equal(p2p_peer_count(b.p2p), 1);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_forgotten_address_is_not_redialed(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	char addr[32];
	uint16_t port;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	port = p2p_listen_port(a.p2p);
	snprintf(addr, sizeof(addr), "127.0.0.1:%u", port);
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(p2p_is_dialed(b.p2p, addr));
	assert_true(wait_count(&loop, &b.connected, 1));

	/* Forgotten: the connection stays, but once it is lost it is not
	 * dialed again. */
	p2p_forget(b.p2p, addr);
	assert_false(p2p_is_dialed(b.p2p, addr));
	assert_int_equal(p2p_peer_count(b.p2p), 1);
	p2p_disconnect(b.p2p, b.ids[0], "test");
	assert_true(wait_count(&loop, &b.disconnected, 1));
	run_for(&loop, 300); /* more than reconnect_max_ms */
	assert_int_equal(b.connected, 1);
	assert_int_equal(p2p_peer_count(b.p2p), 0);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_duplicate_connections_keep_exactly_one(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	/* Both dial each other at once. */
	node_connect(&a, &b, P2P_CONNECT_PERSISTENT);
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &a.closes, 1));
	assert_true(wait_count(&loop, &b.closes, 1));
	run_for(&loop, 100);
	assert_int_equal(p2p_peer_count(a.p2p), 1);
	assert_int_equal(p2p_peer_count(b.p2p), 1);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_connection_to_self_is_dropped_without_ban(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_connect(&a, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &a.closes, 2));
	/* Well past the first backoff: no second attempt. */
	run_for(&loop, 100);
	assert_int_equal(a.closes, 2);
	assert_int_equal(a.connected, 0);
	assert_int_equal(p2p_peer_count(a.p2p), 0);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	node_free(&a);
	loop_finish(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inbound_limit_is_enforced),
		cmocka_unit_test(test_outbound_limit_defers_dials_until_a_slot_frees),
		cmocka_unit_test(test_persistent_peer_reconnects_after_restart),
		cmocka_unit_test(test_forgotten_address_is_not_redialed),
		cmocka_unit_test(test_duplicate_connections_keep_exactly_one),
		cmocka_unit_test(test_connection_to_self_is_dropped_without_ban),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
