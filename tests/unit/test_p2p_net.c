/* test_p2p_net.c: integration test of the P2P transport (node/p2p*.c): two
 * or three struct p2p on one libuv loop on 127.0.0.1 with ports chosen by
 * the OS. They connect, exchange, broadcast and answer requests; raw TCP
 * clients that send garbage, oversize or tampered frames, or speak another
 * chain, are banned and disconnected while honest peers stay; silent clients
 * time out; limits, keepalive, reconnects and seeds work; and everything
 * shuts down with no handle or allocation left. Every wait is bounded. */
#include "node/p2p.h"

#include <stdlib.h>
#include <string.h>

#include "proto/codec.h"
#include "tests/unit/test_util.h"

#define WAIT_MS 3000
#define MAX_IDS 8

struct node {
	uv_loop_t *loop;
	struct signer key;
	struct p2p_config cfg;
	struct p2p *p2p;
	bool closed;
	int connected, disconnected;
	uint64_t ids[MAX_IDS]; /* connected peer ids, in order */
	char last_reason[160];
	int closes; /* connections closed, announced or not (from the log) */
	int txs, statuses, get_blocks, blocks, peers, votes, tx_ids, get_txs;
	uint64_t last_from;
	uint64_t last_tx_nonce;
	size_t last_peers_count;
	uint32_t last_peers_port;
};

/* ---------------------------------------------------------------- loop helpers */

struct waiter {
	uv_timer_t timer;
	bool (*cond)(void *arg);
	void *arg;
	uint64_t deadline;
	bool met;
};

static void waiter_tick(uv_timer_t *t)
{
	struct waiter *w = t->data;

	if (w->cond(w->arg)) {
		w->met = true;
		uv_stop(t->loop);
	} else if (uv_now(t->loop) >= w->deadline) {
		uv_stop(t->loop);
	}
}

static void waiter_closed(uv_handle_t *h)
{
	free(h->data);
}

/* Runs the loop until cond(arg) holds or ms pass. Returns whether it held. */
static bool run_until(uv_loop_t *loop, bool (*cond)(void *), void *arg, uint64_t ms)
{
	struct waiter *w = calloc(1, sizeof(*w));
	bool met;

	assert_non_null(w);
	assert_int_equal(uv_timer_init(loop, &w->timer), 0);
	w->timer.data = w;
	w->cond = cond;
	w->arg = arg;
	uv_update_time(loop);
	w->deadline = uv_now(loop) + ms;
	assert_int_equal(uv_timer_start(&w->timer, waiter_tick, 0, 2), 0);
	uv_run(loop, UV_RUN_DEFAULT);
	met = w->met;
	uv_close((uv_handle_t *)&w->timer, waiter_closed);
	return met;
}

static bool never(void *arg)
{
	(void)arg;
	return false;
}

/* Runs the loop for ms. */
static void run_for(uv_loop_t *loop, uint64_t ms)
{
	(void)run_until(loop, never, NULL, ms);
}

/* ---------------------------------------------------------------- node callbacks */

static void on_connected(void *ctx, uint64_t id, const struct p2p_peer_info *info)
{
	struct node *n = ctx;

	assert_int_equal(info->id, id);
	if (n->connected < MAX_IDS)
		n->ids[n->connected] = id;
	n->connected++;
}

static void on_disconnected(void *ctx, uint64_t id, const char *reason)
{
	struct node *n = ctx;

	(void)id;
	snprintf(n->last_reason, sizeof(n->last_reason), "%s", reason);
	n->disconnected++;
}

static void on_tx(void *ctx, uint64_t id, const Hearth__Tx *tx)
{
	struct node *n = ctx;

	n->txs++;
	n->last_from = id;
	n->last_tx_nonce = tx->body.len;
}

static void on_status(void *ctx, uint64_t id, const Hearth__Status *st)
{
	struct node *n = ctx;

	n->statuses++;
	n->last_from = id;
	assert_int_equal(st->best_height, 42);
}

static void on_vote(void *ctx, uint64_t id, const Hearth__Vote *v)
{
	struct node *n = ctx;

	(void)v;
	n->votes++;
	n->last_from = id;
}

/* Answers every GetBlocks with an empty Blocks. */
static void on_get_blocks(void *ctx, uint64_t id, const Hearth__GetBlocks *get)
{
	struct node *n = ctx;
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Blocks blocks = HEARTH__BLOCKS__INIT;

	assert_int_equal(get->from_height, 5);
	n->get_blocks++;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_BLOCKS;
	msg.blocks = &blocks;
	assert_int_equal(p2p_send(n->p2p, id, &msg), 0);
}

static void on_blocks(void *ctx, uint64_t id, const Hearth__Blocks *b)
{
	struct node *n = ctx;

	(void)b;
	n->blocks++;
	n->last_from = id;
}

static void on_peers(void *ctx, uint64_t id, const Hearth__Peers *p)
{
	struct node *n = ctx;

	(void)id;
	n->peers++;
	n->last_peers_count = p->n_peers;
	if (p->n_peers > 0)
		n->last_peers_port = p->peers[0]->port;
}

static void on_closed(void *ctx)
{
	struct node *n = ctx;

	n->closed = true;
	n->p2p = NULL;
}

static void on_log(void *ctx, const char *line)
{
	struct node *n = ctx;

	if (strncmp(line, "disconnect ", 11) == 0)
		n->closes++;
	if (getenv("P2P_TEST_LOG") != NULL)
		fprintf(stderr, "p2p: %s\n", line);
}

static void on_tx_ids(void *ctx, uint64_t id, const Hearth__TxIds *ids)
{
	struct node *n = ctx;

	n->tx_ids++;
	n->last_from = id;
	assert_int_equal(ids->n_ids, 2);
}

static void on_get_txs(void *ctx, uint64_t id, const Hearth__TxIds *ids)
{
	struct node *n = ctx;

	n->get_txs++;
	n->last_from = id;
	assert_int_equal(ids->n_ids, 2);
}

static const struct p2p_callbacks callbacks = {
	.log = on_log,
	.tx_ids = on_tx_ids,
	.get_txs = on_get_txs,
	.peer_connected = on_connected,
	.peer_disconnected = on_disconnected,
	.tx = on_tx,
	.status = on_status,
	.vote = on_vote,
	.get_blocks = on_get_blocks,
	.blocks = on_blocks,
	.peers = on_peers,
	.closed = on_closed,
};

static const uint8_t genesis[HASH_SIZE] = { 0x6e, 0x65, 0x73, 0x69, 0x73 };

static void node_config(struct node *n, uv_loop_t *loop, const char *chain_id)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	assert_int_equal(signer_generate(&n->key), 0);
	p2p_config_default(&n->cfg);
	n->cfg.chain_id = chain_id;
	memcpy(n->cfg.genesis_hash, genesis, HASH_SIZE);
	n->cfg.node_key = &n->key;
	n->cfg.user_agent = "hearth-test";
	n->cfg.max_frame = 64 * 1024;
	n->cfg.max_send_queue = 1024 * 1024;
	n->cfg.tick_ms = 10;
	n->cfg.handshake_timeout_ms = 1000;
	n->cfg.reconnect_min_ms = 20;
	n->cfg.reconnect_max_ms = 200;
}

static void node_start(struct node *n)
{
	assert_int_equal(p2p_new(n->loop, &n->cfg, &callbacks, n, &n->p2p), 0);
	assert_int_equal(p2p_listen(n->p2p, "127.0.0.1", 0), 0);
	assert_true(p2p_listen_port(n->p2p) > 0);
}

static void node_init(struct node *n, uv_loop_t *loop, const char *chain_id)
{
	node_config(n, loop, chain_id);
	node_start(n);
}

static void node_connect(struct node *from, const struct node *to, unsigned flags)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", p2p_listen_port(to->p2p));
	assert_int_equal(p2p_connect(from->p2p, addr, flags), 0);
}

static bool node_closed(void *arg)
{
	return ((struct node *)arg)->closed;
}

static void node_stop(struct node *n)
{
	if (n->p2p != NULL) {
		p2p_close(n->p2p);
		assert_true(run_until(n->loop, node_closed, n, WAIT_MS));
	}
}

static void node_free(struct node *n)
{
	node_stop(n);
	signer_wipe(&n->key);
}

/* Closes the loop, checking that no handle was left behind. */
static void loop_finish(uv_loop_t *loop)
{
	uv_run(loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(loop), 0);
}

struct count_goal {
	const int *value;
	int at_least;
};

static bool count_reached(void *arg)
{
	const struct count_goal *g = arg;

	return *g->value >= g->at_least;
}

static bool wait_count(uv_loop_t *loop, const int *value, int at_least)
{
	struct count_goal g = { value, at_least };

	return run_until(loop, count_reached, &g, WAIT_MS);
}

static void make_tx(Hearth__P2PMessage *msg, Hearth__Tx *tx, uint8_t *body, size_t body_len)
{
	static uint8_t sig[SIG_SIZE];

	hearth__p2_pmessage__init(msg);
	hearth__tx__init(tx);
	tx->body.data = body;
	tx->body.len = body_len;
	tx->sig.data = sig;
	tx->sig.len = sizeof(sig);
	msg->msg_case = HEARTH__P2_PMESSAGE__MSG_TX;
	msg->tx = tx;
}

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
	memcpy(r->params.genesis_hash, genesis, HASH_SIZE);
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

struct ban_goal {
	struct node *a, *b;
};

static bool both_banned(void *arg)
{
	const struct ban_goal *g = arg;

	return p2p_is_banned(g->a->p2p, "127.0.0.1") && p2p_is_banned(g->b->p2p, "127.0.0.1");
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
	assert_int_equal(p2p_new(&loop, &a.cfg, &callbacks, &a, &a.p2p), 0);
	assert_int_equal(p2p_listen(a.p2p, "127.0.0.1", port), 0);
	assert_true(wait_count(&loop, &b.connected, 2));
	assert_int_equal(p2p_peer_count(b.p2p), 1);
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
		cmocka_unit_test(test_three_nodes_connect_exchange_and_broadcast),
		cmocka_unit_test(test_garbage_client_is_banned_and_disconnected),
		cmocka_unit_test(test_oversize_frame_is_banned_before_allocation),
		cmocka_unit_test(test_tampered_frame_is_banned),
		cmocka_unit_test(test_undecodable_message_is_banned),
		cmocka_unit_test(test_wrong_chain_id_peer_is_rejected_and_banned),
		cmocka_unit_test(test_silent_client_times_out_without_ban),
		cmocka_unit_test(test_peer_that_never_pongs_is_dropped_without_ban),
		cmocka_unit_test(test_slow_peer_is_dropped_when_its_send_queue_overflows),
		cmocka_unit_test(test_keepalive_pings_keep_idle_peers_connected),
		cmocka_unit_test(test_inbound_limit_is_enforced),
		cmocka_unit_test(test_outbound_limit_defers_dials_until_a_slot_frees),
		cmocka_unit_test(test_persistent_peer_reconnects_after_restart),
		cmocka_unit_test(test_seed_gives_addresses_then_disconnects),
		cmocka_unit_test(test_tx_ids_and_get_txs_reach_the_node),
		cmocka_unit_test(test_forgotten_address_is_not_redialed),
		cmocka_unit_test(test_duplicate_connections_keep_exactly_one),
		cmocka_unit_test(test_connection_to_self_is_dropped_without_ban),
		cmocka_unit_test(test_node_ban_disconnects_and_expires),
	};

	if (hearth_crypto_init() != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
