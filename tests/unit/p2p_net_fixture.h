/* p2p_net_fixture.h: the fixture of the P2P loopback tests
 * (test_p2p_net*.c): a test node (a struct p2p on a shared libuv loop,
 * listening on 127.0.0.1 at a port the OS chooses, whose callbacks count
 * what they saw), and loop helpers whose every wait is bounded. Helpers
 * fail the running cmocka test on any error. Set P2P_TEST_LOG to see the
 * nodes' log lines on stderr. */
#ifndef HEARTH_TEST_P2P_NET_FIXTURE_H
#define HEARTH_TEST_P2P_NET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/p2p.h"

/* The longest any wait of a test lasts, in ms. */
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

/* The callbacks of every test node (ctx: its struct node). Each GetBlocks
 * is answered with an empty Blocks. */
extern const struct p2p_callbacks node_callbacks;

/* The genesis hash every test node and raw client uses. */
extern const uint8_t node_genesis[HASH_SIZE];

/* Runs the loop until cond(arg) holds or ms pass. Returns whether it held. */
bool run_until(uv_loop_t *loop, bool (*cond)(void *), void *arg, uint64_t ms);

/* Runs the loop for ms. */
void run_for(uv_loop_t *loop, uint64_t ms);

/* Runs the loop until *value >= at_least, at most WAIT_MS. Returns whether
 * it got there. */
bool wait_count(uv_loop_t *loop, const int *value, int at_least);

/* Closes the loop, checking that no handle was left behind. */
void loop_finish(uv_loop_t *loop);

/* Fills n (zeroed) with a fresh key and a test configuration for chain_id
 * (short timeouts, 64 KiB frames), without starting it: change n->cfg, then
 * node_start. chain_id must outlive the node. */
void node_config(struct node *n, uv_loop_t *loop, const char *chain_id);

/* Creates n's struct p2p and listens on 127.0.0.1 at a port of the OS. */
void node_start(struct node *n);

/* node_config then node_start. */
void node_init(struct node *n, uv_loop_t *loop, const char *chain_id);

/* from dials to's listening port with flags (P2P_CONNECT_*). */
void node_connect(struct node *from, const struct node *to, unsigned flags);

/* Closes n's struct p2p (if open) and waits until it is closed. */
void node_stop(struct node *n);

/* node_stop, then wipes n's key. */
void node_free(struct node *n);

/* Out: *msg, a Tx message whose *tx carries body[0..body_len) (borrowed)
 *      and a zero signature. */
void make_tx(Hearth__P2PMessage *msg, Hearth__Tx *tx, uint8_t *body, size_t body_len);

#endif
