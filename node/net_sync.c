/* net_sync.c: block sync. Every node tells its peers its height in a
 * Status message (on connect, after each commit and on every tick). A node
 * whose tip is below a peer's asks that one peer at a time for the next
 * blocks (GetBlocks from tip + 1, at most NET_SYNC_BATCH); the answer
 * (Blocks) carries each block with its commit certificate, and each is
 * checked against the validator set of its height, applied and stored by
 * the consensus driver (consensus_apply_synced), which then moves the
 * engine past it. A block that fails its check costs the peer its
 * connection (invalid-block). An unanswered request is given up after
 * NET_SYNC_TIMEOUT_MS. */
#include "node/net_internal.h"

#include <stdlib.h>
#include <string.h>

#include "node/node.h"
#include "proto/codec.h"

#define NET_PEERS_SCAN_MAX 256

void net_sync_send_status(struct net *net, uint64_t peer_id)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Status st = HEARTH__STATUS__INIT;
	const struct chain_tip *tip = &net->node->chain.tip;

	if (net->p2p == NULL || net->closing)
		return;
	st.best_height = tip->height;
	st.best_block_id.data = (uint8_t *)tip->block_id;
	st.best_block_id.len = HASH_SIZE;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_STATUS;
	msg.status = &st;
	net_send(net, peer_id, &msg, 0);
}

void net_sync_peer_down(struct net *net, uint64_t peer_id)
{
	if (net->sync_peer == peer_id)
		net->sync_peer = 0;
}

/* The peer with the highest announced height above ours, or 0. */
static uint64_t best_peer(struct net *net, uint64_t *height)
{
	struct p2p_peer_info *peers = malloc(NET_PEERS_SCAN_MAX * sizeof(*peers));
	uint64_t best = 0;
	size_t n;

	*height = net->node->chain.tip.height;
	if (peers == NULL)
		return 0;
	n = p2p_peer_list(net->p2p, peers, NET_PEERS_SCAN_MAX);
	for (size_t i = 0; i < n; i++) {
		if (peers[i].best_height > *height) {
			*height = peers[i].best_height;
			best = peers[i].id;
		}
	}
	free(peers);
	return best;
}

void net_sync_tick(struct net *net)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__GetBlocks get = HEARTH__GET_BLOCKS__INIT;
	uint64_t now, height, peer, tip = net->node->chain.tip.height;

	if (net->p2p == NULL || net->closing)
		return;
	now = uv_now(&net->node->loop);
	if (net->sync_peer != 0) {
		if (now - net->sync_sent_ms < NET_SYNC_TIMEOUT_MS)
			return;
		net_log(net, true, "sync request to peer=%llu timed out",
			(unsigned long long)net->sync_peer);
		net->sync_peer = 0;
	}
	peer = best_peer(net, &height);
	if (peer == 0)
		return;
	get.from_height = tip + 1;
	get.count = height - tip < NET_SYNC_BATCH ? (uint32_t)(height - tip) : NET_SYNC_BATCH;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_GET_BLOCKS;
	msg.get_blocks = &get;
	if (p2p_send(net->p2p, peer, &msg) != 0)
		return;
	net->sync_peer = peer;
	net->sync_sent_ms = now;
	net_log(net, false, "sync asking peer=%llu from=%llu count=%u peer_height=%llu",
		(unsigned long long)peer, (unsigned long long)get.from_height, get.count,
		(unsigned long long)height);
}

void net_sync_on_status(struct net *net, uint64_t peer_id, const Hearth__Status *msg)
{
	(void)peer_id;
	if (msg->best_height > net->node->chain.tip.height)
		net_sync_tick(net);
}

/* ------------------------------------------------------------ serving */

/* Reads block height with its certificate into *out (decoded; the caller
 * frees out->block and out->commit). Returns its encoded size, or 0. */
static size_t load_block(struct net *net, uint64_t height, Hearth__BlockWithCommit *out)
{
	struct store *store = net->node->store;
	struct store_error serr;
	ProtobufCMessage *block = NULL, *commit = NULL;
	uint8_t *bytes = NULL, *cbytes = NULL;
	size_t len, clen, size = 0;

	hearth__block_with_commit__init(out);
	if (store_get_block(store, NULL, height, NULL, &bytes, &len, &serr) == STORE_OK &&
	    store_get_commit(store, NULL, height, &cbytes, &clen, &serr) == STORE_OK &&
	    codec_decode(&hearth__block__descriptor, bytes, len, len, &block, NULL) == CODEC_OK &&
	    codec_decode(&hearth__commit__descriptor, cbytes, clen, clen, &commit, NULL) ==
		    CODEC_OK) {
		out->block = (Hearth__Block *)block;
		out->commit = (Hearth__Commit *)commit;
		size = len + clen + 16;
	} else {
		codec_free(block);
		codec_free(commit);
	}
	free(bytes);
	free(cbytes);
	return size;
}

void net_sync_on_get_blocks(struct net *net, uint64_t peer_id, const Hearth__GetBlocks *msg)
{
	Hearth__P2PMessage reply = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Blocks blocks = HEARTH__BLOCKS__INIT;
	Hearth__BlockWithCommit *items = calloc(NET_SYNC_BATCH, sizeof(*items));
	Hearth__BlockWithCommit *ptrs[NET_SYNC_BATCH];
	uint64_t tip = net->node->chain.tip.height;
	size_t n = 0, budget = net->node->chain.genesis.params.max_block_bytes, used = 0;
	uint32_t count = msg->count < NET_SYNC_BATCH ? msg->count : NET_SYNC_BATCH;

	if (items == NULL)
		return;
	for (uint64_t h = msg->from_height; h >= 1 && h <= tip && n < count; h++) {
		size_t size = load_block(net, h, &items[n]);

		if (size == 0)
			break;
		if (n > 0 && used + size > budget) {
			codec_free(&items[n].block->base);
			codec_free(&items[n].commit->base);
			break;
		}
		used += size;
		ptrs[n] = &items[n];
		n++;
	}
	blocks.n_blocks = n;
	blocks.blocks = n > 0 ? ptrs : NULL;
	reply.msg_case = HEARTH__P2_PMESSAGE__MSG_BLOCKS;
	reply.blocks = &blocks;
	if (p2p_send(net->p2p, peer_id, &reply) != 0)
		net_log(net, true, "cannot answer get_blocks peer=%llu",
			(unsigned long long)peer_id);
	for (size_t i = 0; i < n; i++) {
		codec_free(&items[i].block->base);
		codec_free(&items[i].commit->base);
	}
	free(items);
}

/* ------------------------------------------------------------ applying */

/* Applies one received block. Returns 0 (applied or already had), -1
 * (the peer's fault, reported), -2 (stop syncing). */
static int apply_one(struct net *net, uint64_t peer_id, const Hearth__BlockWithCommit *bwc)
{
	uint8_t *bytes = NULL, *cbytes = NULL;
	size_t len, clen;
	char why[256];
	int rc;

	if (codec_encode(&bwc->block->base, &bytes, &len) != CODEC_OK ||
	    codec_encode(&bwc->commit->base, &cbytes, &clen) != CODEC_OK) {
		free(bytes);
		return -2;
	}
	if (bwc->commit->height <= net->node->chain.tip.height) {
		rc = 0; /* committed meanwhile by consensus */
	} else {
		rc = consensus_apply_synced(&net->node->consensus, bytes, len, cbytes, clen, why,
					    sizeof(why));
		if (rc == -1) {
			net_log(net, true, "invalid synced block from peer=%llu: %s",
				(unsigned long long)peer_id, why);
			(void)p2p_misbehaving(net->p2p, peer_id, P2P_OFFENCE_INVALID_BLOCK, why);
		} else if (rc == 0) {
			net->synced_blocks++;
		}
	}
	free(bytes);
	free(cbytes);
	return rc;
}

void net_sync_on_blocks(struct net *net, uint64_t peer_id, const Hearth__Blocks *msg)
{
	uint64_t before = net->node->chain.tip.height;

	if (peer_id == net->sync_peer)
		net->sync_peer = 0;
	for (size_t i = 0; i < msg->n_blocks; i++) {
		if (apply_one(net, peer_id, msg->blocks[i]) != 0)
			return;
	}
	if (net->node->chain.tip.height > before)
		net_log(net, true, "synced to height=%llu from peer=%llu",
			(unsigned long long)net->node->chain.tip.height,
			(unsigned long long)peer_id);
	if (net->node->chain.tip.height > before)
		net_sync_tick(net);
}
