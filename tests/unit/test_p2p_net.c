/* test_p2p_net.c: integration test of the P2P transport (node/p2p*.c)
 * between honest peers: two or three struct p2p on one libuv loop on
 * 127.0.0.1 with ports chosen by the OS connect, exchange, broadcast and
 * answer requests, keepalive pings keep idle peers connected, seeds give
 * addresses, and everything shuts down with no handle or allocation left.
 * Peers that misbehave: test_p2p_net_misbehave.c; dialing and connection
 * limits: test_p2p_net_dial.c. Every wait is bounded. */
#include "node/p2p.h"

#include <string.h>

#include "tests/unit/p2p_net_fixture.h"
#include "tests/unit/test_util.h"

struct score_goal {
	struct node *n;
	uint64_t peer_id;
	int score;
};

static bool score_reached(void *arg)
{
	const struct score_goal *g = arg;
	struct p2p_peer_info info;

	return p2p_peer_get(g->n->p2p, g->peer_id, &info) == 0 && info.score >= g->score;
}

struct three {
	struct node *a, *b, *c;
};

static bool three_connected(void *arg)
{
	struct three *t = arg;

	return p2p_peer_count(t->a->p2p) == 2 && p2p_peer_count(t->b->p2p) == 2 &&
	       p2p_peer_count(t->c->p2p) == 2;
}

static void test_three_nodes_connect_exchange_and_broadcast(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b, c;
	struct three t = { &a, &b, &c };
	Hearth__P2PMessage msg;
	Hearth__Tx tx;
	uint8_t body[3] = { 1, 2, 3 };
	struct p2p_peer_info infos[4];
	struct p2p_peer_info info;
	uint64_t b_on_c = 0, c_on_b = 0;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	node_init(&c, &loop, "hearth-test");
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	node_connect(&c, &a, P2P_CONNECT_PERSISTENT);
	node_connect(&c, &b, P2P_CONNECT_ONCE);
	assert_true(run_until(&loop, three_connected, &t, WAIT_MS));

	/* Each knows the others by the key they proved. */
	assert_int_equal(p2p_peer_list(a.p2p, infos, 4), 2);
	assert_true(memcmp(infos[0].node_key, b.key.pubkey, PUBKEY_SIZE) == 0 ||
		    memcmp(infos[1].node_key, b.key.pubkey, PUBKEY_SIZE) == 0);
	assert_true(infos[0].inbound && infos[1].inbound);
	assert_string_equal(infos[0].user_agent, "hearth-test");
	assert_string_equal(infos[0].ip, "127.0.0.1");
	assert_int_equal(p2p_peer_list(c.p2p, infos, 4), 2);
	for (int i = 0; i < 2; i++) {
		assert_false(infos[i].inbound);
		if (memcmp(infos[i].node_key, b.key.pubkey, PUBKEY_SIZE) == 0)
			b_on_c = infos[i].id;
	}
	assert_int_not_equal(b_on_c, 0);
	assert_int_equal(p2p_peer_list(b.p2p, infos, 4), 2);
	for (int i = 0; i < 2; i++)
		if (memcmp(infos[i].node_key, c.key.pubkey, PUBKEY_SIZE) == 0)
			c_on_b = infos[i].id;
	assert_int_not_equal(c_on_b, 0);
	assert_int_equal(p2p_peer_get(c.p2p, b_on_c, &info), 0);
	assert_int_equal(info.listen_port, p2p_listen_port(b.p2p));

	/* a broadcasts a tx: b and c get it once each. */
	make_tx(&msg, &tx, body, sizeof(body));
	assert_int_equal(p2p_broadcast(a.p2p, &msg, 0), 2);
	assert_true(wait_count(&loop, &b.txs, 1));
	assert_true(wait_count(&loop, &c.txs, 1));
	assert_int_equal(c.last_tx_nonce, 3);

	/* b relays it to everyone but c (where it came from, say). */
	assert_int_equal(p2p_broadcast(b.p2p, &msg, c_on_b), 1);
	assert_true(wait_count(&loop, &a.txs, 1));
	run_for(&loop, 50);
	assert_int_equal(c.txs, 1);

	/* c asks b for blocks; b's node answers; c gets solicited blocks. */
	{
		Hearth__P2PMessage get = HEARTH__P2_PMESSAGE__INIT;
		Hearth__GetBlocks gb = HEARTH__GET_BLOCKS__INIT;

		gb.from_height = 5;
		gb.count = 10;
		get.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_BLOCKS;
		get.get_blocks = &gb;
		assert_int_equal(p2p_send(c.p2p, b_on_c, &get), 0);
	}
	assert_true(wait_count(&loop, &c.blocks, 1));
	assert_int_equal(b.get_blocks, 1);
	assert_int_equal(c.last_from, b_on_c);
	assert_int_equal(p2p_peer_get(c.p2p, b_on_c, &info), 0);
	assert_int_equal(info.score, 0);

	/* Blocks nobody asked for: scored, not banned, message dropped. */
	{
		Hearth__P2PMessage bl = HEARTH__P2_PMESSAGE__INIT;
		Hearth__Blocks blocks = HEARTH__BLOCKS__INIT;

		bl.msg_case = HEARTH__P2_PMESSAGE__MSG_BLOCKS;
		bl.blocks = &blocks;
		assert_int_equal(p2p_send(b.p2p, c_on_b, &bl), 0);
	}
	{
		struct score_goal g = { &c, b_on_c, 20 };

		assert_true(run_until(&loop, score_reached, &g, WAIT_MS));
	}
	assert_int_equal(c.blocks, 1);

	/* A status to one peer. */
	{
		Hearth__P2PMessage st = HEARTH__P2_PMESSAGE__INIT;
		Hearth__Status status = HEARTH__STATUS__INIT;
		uint8_t id[HASH_SIZE] = { 0 };

		status.best_height = 42;
		status.best_block_id.data = id;
		status.best_block_id.len = sizeof(id);
		st.msg_case = HEARTH__P2_PMESSAGE__MSG_STATUS;
		st.status = &status;
		assert_int_equal(p2p_send(c.p2p, b_on_c, &st), 0);
	}
	assert_true(wait_count(&loop, &b.statuses, 1));
	assert_int_equal(b.last_from, c_on_b);

	/* The node reports an invalid signature: b is banned on c. */
	assert_true(p2p_misbehaving(c.p2p, b_on_c, P2P_OFFENCE_INVALID_SIGNATURE, "vote sig"));
	assert_true(p2p_is_banned(c.p2p, "127.0.0.1"));
	assert_int_equal(p2p_send(c.p2p, b_on_c, &msg), -1);
	assert_true(wait_count(&loop, &b.disconnected, 1));

	/* Unknown peers are refused. */
	assert_int_equal(p2p_send(a.p2p, 9999, &msg), -1);
	assert_int_equal(p2p_connect(a.p2p, "not an address", 0), -1);
	assert_int_equal(p2p_connect(a.p2p, "127.0.0.1:0", 0), -1);
	assert_int_equal(p2p_connect(a.p2p, "127.0.0.1:99999", 0), -1);

	node_free(&c);
	node_free(&b);
	node_free(&a);
	/* Every peer announced as connected was announced once as gone. */
	assert_int_equal(a.connected, 2);
	assert_int_equal(a.disconnected, 2);
	assert_int_equal(b.disconnected, b.connected);
	assert_int_equal(c.disconnected, c.connected);
	loop_finish(&loop);
}

static void test_keepalive_pings_keep_idle_peers_connected(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	struct p2p_peer_info info;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_config(&a, &loop, "hearth-test");
	a.cfg.ping_interval_ms = 20;
	a.cfg.ping_timeout_ms = 200;
	node_start(&a);
	node_config(&b, &loop, "hearth-test");
	b.cfg.ping_interval_ms = 20;
	b.cfg.ping_timeout_ms = 200;
	node_start(&b);
	node_connect(&b, &a, P2P_CONNECT_ONCE);
	assert_true(wait_count(&loop, &a.connected, 1));
	run_for(&loop, 400);
	assert_int_equal(a.disconnected, 0);
	assert_int_equal(b.disconnected, 0);
	assert_int_equal(p2p_peer_get(a.p2p, a.ids[0], &info), 0);
	/* Many pings and pongs went by (each frame is at least 20 bytes). */
	assert_true(info.bytes_in > 5 * P2P_FRAME_OVERHEAD);
	assert_int_equal(info.score, 0);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_seed_gives_addresses_then_disconnects(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b, c;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	node_init(&c, &loop, "hearth-test");
	/* b knows a; c uses b as a seed. */
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &b.connected, 1));
	node_connect(&c, &b, P2P_CONNECT_SEED);
	assert_true(wait_count(&loop, &c.peers, 1));
	assert_int_equal(c.last_peers_count, 1);
	assert_int_equal(c.last_peers_port, p2p_listen_port(a.p2p));
	assert_true(wait_count(&loop, &c.disconnected, 1));
	assert_string_equal(c.last_reason, "seed done");
	assert_false(p2p_is_banned(b.p2p, "127.0.0.1"));
	node_free(&c);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

static void test_tx_ids_and_get_txs_reach_the_node(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	uint8_t id1[HASH_SIZE] = { 1 }, id2[HASH_SIZE] = { 2 };
	ProtobufCBinaryData ids[2] = { { HASH_SIZE, id1 }, { HASH_SIZE, id2 } };
	Hearth__TxIds list = HEARTH__TX_IDS__INIT;
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &b.connected, 1));
	assert_true(wait_count(&loop, &a.connected, 1));
	list.n_ids = 2;
	list.ids = ids;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_TX_IDS;
	msg.tx_ids = &list;
	assert_int_equal(p2p_broadcast(b.p2p, &msg, 0), 1);
	assert_true(wait_count(&loop, &a.tx_ids, 1));
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_TXS;
	msg.get_txs = &list;
	assert_int_equal(p2p_send(a.p2p, a.ids[0], &msg), 0);
	assert_true(wait_count(&loop, &b.get_txs, 1));
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_nodes_connect_exchange_and_broadcast),
		cmocka_unit_test(test_keepalive_pings_keep_idle_peers_connected),
		cmocka_unit_test(test_seed_gives_addresses_then_disconnects),
		cmocka_unit_test(test_tx_ids_and_get_txs_reach_the_node),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
