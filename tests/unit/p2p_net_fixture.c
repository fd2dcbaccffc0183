/* p2p_net_fixture.c: the fixture of the P2P loopback tests
 * (test_p2p_net*.c): test nodes that count what their callbacks saw, and
 * loop helpers whose every wait is bounded. */
#include "tests/unit/p2p_net_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

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

bool run_until(uv_loop_t *loop, bool (*cond)(void *), void *arg, uint64_t ms)
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

void run_for(uv_loop_t *loop, uint64_t ms)
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

const struct p2p_callbacks node_callbacks = {
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

const uint8_t node_genesis[HASH_SIZE] = { 0x6e, 0x65, 0x73, 0x69, 0x73 };

/* ---------------------------------------------------------------- nodes */

void node_config(struct node *n, uv_loop_t *loop, const char *chain_id)
{
	memset(n, 0, sizeof(*n));
	n->loop = loop;
	assert_int_equal(signer_generate(&n->key), 0);
	p2p_config_default(&n->cfg);
	n->cfg.chain_id = chain_id;
	memcpy(n->cfg.genesis_hash, node_genesis, HASH_SIZE);
	n->cfg.node_key = &n->key;
	n->cfg.user_agent = "hearth-test";
	n->cfg.max_frame = 64 * 1024;
	n->cfg.max_send_queue = 1024 * 1024;
	n->cfg.tick_ms = 10;
	n->cfg.handshake_timeout_ms = 1000;
	n->cfg.reconnect_min_ms = 20;
	n->cfg.reconnect_max_ms = 200;
}

void node_start(struct node *n)
{
	assert_int_equal(p2p_new(n->loop, &n->cfg, &node_callbacks, n, &n->p2p), 0);
	assert_int_equal(p2p_listen(n->p2p, "127.0.0.1", 0), 0);
	assert_true(p2p_listen_port(n->p2p) > 0);
}

void node_init(struct node *n, uv_loop_t *loop, const char *chain_id)
{
	node_config(n, loop, chain_id);
	node_start(n);
}

void node_connect(struct node *from, const struct node *to, unsigned flags)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "127.0.0.1:%u", p2p_listen_port(to->p2p));
	assert_int_equal(p2p_connect(from->p2p, addr, flags), 0);
}

static bool node_closed(void *arg)
{
	return ((struct node *)arg)->closed;
}

void node_stop(struct node *n)
{
	if (n->p2p != NULL) {
		p2p_close(n->p2p);
		assert_true(run_until(n->loop, node_closed, n, WAIT_MS));
	}
}

void node_free(struct node *n)
{
	node_stop(n);
	signer_wipe(&n->key);
}

void loop_finish(uv_loop_t *loop)
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

bool wait_count(uv_loop_t *loop, const int *value, int at_least)
{
	struct count_goal g = { value, at_least };

	return run_until(loop, count_reached, &g, WAIT_MS);
}

void make_tx(Hearth__P2PMessage *msg, Hearth__Tx *tx, uint8_t *body, size_t body_len)
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
