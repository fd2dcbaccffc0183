/* test_p2p_net_misbehave.c: integration test of the P2P transport
 * (node/p2p*.c) against peers that misbehave: raw TCP clients that send
 * garbage, oversize, tampered or undecodable frames, and nodes of another
 * chain, are banned and disconnected while honest peers stay; silent
 * clients time out, peers that never pong or stop reading are dropped
 * without a ban; bans set by the node disconnect and expire. Every wait
 * is bounded. */
#include "node/p2p.h"

#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "tests/unit/p2p_net_fixture.h"
#include "tests/unit/test_util.h"

/* ---------------------------------------------------------------- raw clients */

enum raw_mode {
	RAW_GARBAGE,	    /* sends bytes that are no hello */
	RAW_SILENT,	    /* sends nothing */
	RAW_OVERSIZE,	    /* handshakes, then a frame header above the cap */
	RAW_TAMPERED,	    /* handshakes, then a frame with one byte flipped */
	RAW_UNDECODABLE,    /* handshakes, then a valid frame of junk */
	RAW_HANDSHAKE_ONLY, /* handshakes, then never answers pings */
	RAW_STALL,	    /* handshakes, then stops reading */
};

/* A TCP client on the loop, driving the handshake by hand. */
struct raw {
	uv_tcp_t tcp;
	uv_connect_t conn;
	enum raw_mode mode;
	struct signer key;
	struct p2p_hs_params params;
	struct p2p_handshake hs;
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	bool handshake_done;
	bool connected;
	bool eof;
	bool closed;
	size_t received;
};

static void raw_write(struct raw *r, const void *data, size_t len);

static void raw_write_done(uv_write_t *req, int status)
{
	(void)status;
	free(req->data);
	free(req);
}

static void raw_write(struct raw *r, const void *data, size_t len)
{
	uv_write_t *req = malloc(sizeof(*req));
	uint8_t *copy = malloc(len);
	uv_buf_t buf;

	assert_non_null(req);
	assert_non_null(copy);
	memcpy(copy, data, len);
	req->data = copy;
	buf = uv_buf_init((char *)copy, (unsigned)len);
	assert_int_equal(uv_write(req, (uv_stream_t *)&r->tcp, &buf, 1, raw_write_done), 0);
}

/* The handshake is done: misbehave as the mode says. */
static void raw_after_handshake(struct raw *r)
{
	uint8_t junk[8] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4 };
	uint8_t header[4] = { 0x00, 0x10, 0x00, 0x00 }; /* 1 MiB > 64 KiB cap */
	uint8_t *frame;
	size_t len;
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Status status = HEARTH__STATUS__INIT;
	uint8_t *plain;
	size_t plain_len;

	switch (r->mode) {
	case RAW_OVERSIZE:
		raw_write(r, header, sizeof(header));
		break;
	case RAW_TAMPERED:
		msg.msg_case = HEARTH__P2_PMESSAGE__MSG_STATUS;
		msg.status = &status;
		status.best_height = 42;
		status.best_block_id.data = junk;
		status.best_block_id.len = sizeof(junk);
		assert_int_equal(codec_encode(&msg.base, &plain, &plain_len), CODEC_OK);
		assert_int_equal(p2p_frame_seal(&r->tx, plain, plain_len, &frame, &len),
				 P2P_FRAME_OK);
		frame[len - 1] ^= 0x01;
		raw_write(r, frame, len);
		free(frame);
		free(plain);
		break;
	case RAW_UNDECODABLE:
		assert_int_equal(p2p_frame_seal(&r->tx, junk, sizeof(junk), &frame, &len),
				 P2P_FRAME_OK);
		raw_write(r, frame, len);
		free(frame);
		break;
	case RAW_STALL:
		assert_int_equal(uv_read_stop((uv_stream_t *)&r->tcp), 0);
		break;
	case RAW_GARBAGE:
	case RAW_SILENT:
	case RAW_HANDSHAKE_ONLY:
		break;
	}
}

static void raw_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
	(void)h;
	buf->base = malloc(suggested);
	buf->len = buf->base ? suggested : 0;
}

static void raw_closed(uv_handle_t *h)
{
	struct raw *r = h->data;

	r->closed = true;
}

static void raw_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct raw *r = s->data;
	uint8_t *out;
	size_t used, out_len;

	if (nread < 0) {
		r->eof = true;
		if (!uv_is_closing((uv_handle_t *)&r->tcp))
			uv_close((uv_handle_t *)&r->tcp, raw_closed);
	} else if (nread > 0) {
		r->received += (size_t)nread;
		if (r->mode != RAW_GARBAGE && r->mode != RAW_SILENT && !r->handshake_done) {
			enum p2p_hs_status st =
				p2p_handshake_feed(&r->hs, (const uint8_t *)buf->base,
						   (size_t)nread, &used, &out, &out_len);

			if (out != NULL) {
				raw_write(r, out, out_len);
				free(out);
			}
			assert_int_not_equal(st, P2P_HS_FAILED);
			if (st == P2P_HS_DONE) {
				r->handshake_done = true;
				p2p_handshake_finish(&r->hs, 64 * 1024, &r->rx, &r->tx,
						     &(struct p2p_hs_peer){ 0 });
				raw_after_handshake(r);
			}
		}
	}
	free(buf->base);
}

static void raw_connected(uv_connect_t *req, int status)
{
	struct raw *r = req->data;
	uint8_t hello[P2P_HELLO_SIZE];
	static const char garbage[] = "GET / HTTP/1.1\r\nHost: hearth\r\n\r\n";

	assert_int_equal(status, 0);
	r->connected = true;
	assert_int_equal(uv_read_start((uv_stream_t *)&r->tcp, raw_alloc, raw_read), 0);
	switch (r->mode) {
	case RAW_GARBAGE:
		raw_write(r, garbage, sizeof(garbage) - 1);
		break;
	case RAW_SILENT:
		break;
	case RAW_OVERSIZE:
	case RAW_TAMPERED:
	case RAW_UNDECODABLE:
	case RAW_HANDSHAKE_ONLY:
	case RAW_STALL:
		assert_int_equal(p2p_handshake_init(&r->hs, &r->params, P2P_HS_INITIATOR, hello),
				 0);
		raw_write(r, hello, sizeof(hello));
		break;
	}
}

static void raw_start(struct raw *r, uv_loop_t *loop, uint16_t port, enum raw_mode mode)
{
	struct sockaddr_in addr;

	memset(r, 0, sizeof(*r));
	r->mode = mode;
	assert_int_equal(signer_generate(&r->key), 0);
	r->params.chain_id = "hearth-test";
	memcpy(r->params.genesis_hash, node_genesis, HASH_SIZE);
	r->params.node_key = &r->key;
	assert_int_equal(uv_tcp_init(loop, &r->tcp), 0);
	r->tcp.data = r;
	r->conn.data = r;
	assert_int_equal(uv_ip4_addr("127.0.0.1", port, &addr), 0);
	assert_int_equal(
		uv_tcp_connect(&r->conn, &r->tcp, (const struct sockaddr *)&addr, raw_connected),
		0);
}

static bool raw_gone(void *arg)
{
	return ((struct raw *)arg)->closed;
}

static void raw_free(struct raw *r)
{
	if (!uv_is_closing((uv_handle_t *)&r->tcp))
		uv_close((uv_handle_t *)&r->tcp, raw_closed);
	assert_true(run_until(r->tcp.loop, raw_gone, r, WAIT_MS));
	p2p_handshake_wipe(&r->hs);
	p2p_frame_rx_wipe(&r->rx);
	p2p_frame_tx_wipe(&r->tx);
	signer_wipe(&r->key);
}

/* ---------------------------------------------------------------- tests */

/* ---------------------------------------------------------------- tests */

struct ban_goal {
	struct node *a, *b;
};

static bool both_banned(void *arg)
{
	const struct ban_goal *g = arg;

	return p2p_is_banned(g->a->p2p, "127.0.0.1") && p2p_is_banned(g->b->p2p, "127.0.0.1");
}

static bool raw_eof(void *arg)
{
	return ((struct raw *)arg)->eof;
}

static void test_garbage_client_is_banned_and_disconnected(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	struct raw r;
	struct p2p_ban_entry bans[4];
	struct p2p_stats st, st_b;
	Hearth__P2PMessage msg;
	Hearth__Tx tx;
	uint8_t body[1] = { 9 };

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	node_connect(&b, &a, P2P_CONNECT_PERSISTENT);
	assert_true(wait_count(&loop, &a.connected, 1));
	p2p_get_stats(a.p2p, &st);
	p2p_get_stats(b.p2p, &st_b);
	assert_int_equal(st.inbound, 1);
	assert_int_equal(st.outbound, 0);
	assert_int_equal(st_b.inbound, 0);
	assert_int_equal(st_b.outbound, 1);
	assert_true(st.bytes_in > 0 && st.bytes_out > 0);
	assert_int_equal(st.bans, 0);

	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_GARBAGE);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	assert_int_equal(r.received, P2P_HELLO_SIZE); /* a's hello, then the door */
	assert_true(p2p_is_banned(a.p2p, "127.0.0.1"));
	assert_int_equal(p2p_ban_list(a.p2p, bans, 4), 1);
	assert_string_equal(bans[0].ip, "127.0.0.1");
	assert_non_null(strstr(bans[0].reason, "bad-handshake"));
	raw_free(&r);
	/* The banned client's connection is closed; its bytes still count. */
	{
		uint64_t before = st.bytes_in;

		p2p_get_stats(a.p2p, &st);
		assert_int_equal(st.bans, 1);
		assert_int_equal(st.inbound, 1);
		assert_true(st.bytes_in > before);
	}

	/* A new connection from the banned IP is closed before any byte. */
	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_SILENT);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	assert_int_equal(r.received, 0);
	raw_free(&r);

	/* The honest peer from the same IP keeps its connection. */
	assert_int_equal(p2p_peer_count(a.p2p), 1);
	make_tx(&msg, &tx, body, sizeof(body));
	assert_int_equal(p2p_broadcast(a.p2p, &msg, 0), 1);
	assert_true(wait_count(&loop, &b.txs, 1));

	/* Unban lets connections in again. */
	assert_true(p2p_unban(a.p2p, "127.0.0.1"));
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	assert_int_equal(p2p_ban_list(a.p2p, bans, 4), 0);

	/* On the noban list the same client is disconnected, not banned. */
	assert_int_equal(p2p_noban_add(a.p2p, "127.0.0.1"), 0);
	assert_int_equal(p2p_noban_add(a.p2p, "garbage"), -1);
	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_GARBAGE);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	raw_free(&r);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	assert_int_equal(p2p_ban(a.p2p, "127.0.0.1", 1000, NULL), -1);
	assert_int_equal(p2p_peer_count(a.p2p), 1);

	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

/* A raw client completes the handshake, then sends mode's bad frame. */
static void expect_banned_after_handshake(enum raw_mode mode, const char *offence)
{
	uv_loop_t loop;
	struct node a;
	struct raw r;
	struct p2p_ban_entry bans[2];

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	raw_start(&r, &loop, p2p_listen_port(a.p2p), mode);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	assert_true(r.handshake_done);
	assert_int_equal(a.connected, 1);
	assert_int_equal(a.disconnected, 1);
	assert_true(p2p_is_banned(a.p2p, "127.0.0.1"));
	assert_int_equal(p2p_ban_list(a.p2p, bans, 2), 1);
	assert_non_null(strstr(bans[0].reason, offence));
	assert_non_null(strstr(a.last_reason, offence));
	raw_free(&r);
	node_free(&a);
	loop_finish(&loop);
}

static void test_oversize_frame_is_banned_before_allocation(void **state UNUSED)
{
	expect_banned_after_handshake(RAW_OVERSIZE, "oversize");
}

static void test_tampered_frame_is_banned(void **state UNUSED)
{
	expect_banned_after_handshake(RAW_TAMPERED, "bad-frame");
}

static void test_undecodable_message_is_banned(void **state UNUSED)
{
	expect_banned_after_handshake(RAW_UNDECODABLE, "undecodable");
}

static void test_wrong_chain_id_peer_is_rejected_and_banned(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, d;
	struct p2p_ban_entry bans[2];

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&d, &loop, "hearth-other");
	node_connect(&d, &a, P2P_CONNECT_ONCE);
	{
		struct ban_goal g = { &a, &d };

		assert_true(run_until(&loop, both_banned, &g, WAIT_MS));
	}
	assert_int_equal(a.connected, 0);
	assert_int_equal(d.connected, 0);
	assert_int_equal(p2p_ban_list(a.p2p, bans, 2), 1);
	assert_non_null(strstr(bans[0].reason, "wrong chain id"));
	assert_int_equal(p2p_ban_list(d.p2p, bans, 2), 1);
	assert_non_null(strstr(bans[0].reason, "wrong chain id"));
	node_free(&d);
	node_free(&a);
	loop_finish(&loop);
}

static void test_silent_client_times_out_without_ban(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a;
	struct raw r;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_config(&a, &loop, "hearth-test");
	a.cfg.handshake_timeout_ms = 100;
	node_start(&a);
	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_SILENT);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	assert_int_equal(r.received, P2P_HELLO_SIZE);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	raw_free(&r);
	node_free(&a);
	loop_finish(&loop);
}

static void test_peer_that_never_pongs_is_dropped_without_ban(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a;
	struct raw r;

	assert_int_equal(uv_loop_init(&loop), 0);
	node_config(&a, &loop, "hearth-test");
	a.cfg.ping_interval_ms = 30;
	a.cfg.ping_timeout_ms = 100;
	node_start(&a);
	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_HANDSHAKE_ONLY);
	assert_true(run_until(&loop, raw_eof, &r, WAIT_MS));
	assert_true(r.handshake_done);
	assert_int_equal(a.disconnected, 1);
	assert_string_equal(a.last_reason, "ping timeout");
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	raw_free(&r);
	node_free(&a);
	loop_finish(&loop);
}

static void test_slow_peer_is_dropped_when_its_send_queue_overflows(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a;
	struct raw r;
	Hearth__P2PMessage msg;
	Hearth__Tx tx;
	uint8_t *body = calloc(1, 60000);
	int rounds = 0;

	assert_non_null(body);
	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	raw_start(&r, &loop, p2p_listen_port(a.p2p), RAW_STALL);
	assert_true(wait_count(&loop, &a.connected, 1));
	make_tx(&msg, &tx, body, 60000);
	/* The kernel's buffers fill first, then a's queue (cap 1 MiB here). */
	while (rounds < 2000 && p2p_broadcast(a.p2p, &msg, 0) == 1)
		rounds++;
	assert_true(rounds < 2000);
	assert_int_equal(a.disconnected, 1);
	assert_string_equal(a.last_reason, "send queue full");
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	raw_free(&r);
	node_free(&a);
	loop_finish(&loop);
	free(body);
}

static void test_node_ban_disconnects_and_expires(void **state UNUSED)
{
	uv_loop_t loop;
	struct node a, b;
	struct p2p_ban_entry bans[2];

	assert_int_equal(uv_loop_init(&loop), 0);
	node_init(&a, &loop, "hearth-test");
	node_init(&b, &loop, "hearth-test");
	node_connect(&b, &a, P2P_CONNECT_ONCE);
	assert_true(wait_count(&loop, &a.connected, 1));
	assert_int_equal(p2p_ban(a.p2p, "not-an-ip", 1000, NULL), -1);
	assert_int_equal(p2p_ban(a.p2p, "127.0.0.1", 100, "operator"), 0);
	assert_int_equal(a.disconnected, 1);
	assert_string_equal(a.last_reason, "banned");
	assert_true(wait_count(&loop, &b.disconnected, 1));
	assert_int_equal(p2p_ban_list(a.p2p, bans, 2), 1);
	assert_string_equal(bans[0].reason, "operator");
	run_for(&loop, 200);
	assert_false(p2p_is_banned(a.p2p, "127.0.0.1"));
	assert_int_equal(p2p_ban_list(a.p2p, bans, 2), 0);
	node_free(&b);
	node_free(&a);
	loop_finish(&loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_garbage_client_is_banned_and_disconnected),
		cmocka_unit_test(test_oversize_frame_is_banned_before_allocation),
		cmocka_unit_test(test_tampered_frame_is_banned),
		cmocka_unit_test(test_undecodable_message_is_banned),
		cmocka_unit_test(test_wrong_chain_id_peer_is_rejected_and_banned),
		cmocka_unit_test(test_silent_client_times_out_without_ban),
		cmocka_unit_test(test_peer_that_never_pongs_is_dropped_without_ban),
		cmocka_unit_test(test_slow_peer_is_dropped_when_its_send_queue_overflows),
		cmocka_unit_test(test_node_ban_disconnects_and_expires),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
