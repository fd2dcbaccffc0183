/* cs_commit.c: a decided block stored and made the tip, the next height
 * started: the engine's COMMIT action, and block sync's way into the same
 * (consensus_apply_synced, the block checked against its certificate). */
#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"
#include "node/consensus_internal.h"
#include "node/node.h"

/* Tx ids of an encoded block. Out: *ids (caller frees), *n. */
static int block_tx_ids(const struct node *node, const uint8_t *payload, size_t len,
			uint8_t (**ids)[HASH_SIZE], size_t *n)
{
	struct block b;

	if (block_decode(payload, len, &node->chain.genesis.params, &b, NULL) != LEDGER_OK)
		return -1;
	*n = b.msg->n_txs;
	*ids = calloc(*n ? *n : 1, HASH_SIZE);
	if (*ids == NULL) {
		block_free(&b);
		return -1;
	}
	for (size_t i = 0; i < *n; i++)
		tx_id(b.msg->txs[i].data, b.msg->txs[i].len, (*ids)[i]);
	block_free(&b);
	return 0;
}

/* Keeps (a decoded copy of) the certificate of the new tip: the next block
 * carries it. */
int consensus_keep_commit(struct consensus *c, const uint8_t *bytes, size_t len)
{
	ProtobufCMessage *msg;

	if (codec_decode(&hearth__commit__descriptor, bytes, len, len, &msg, NULL) != CODEC_OK)
		return -1;
	if (c->last_commit != NULL)
		codec_free(&c->last_commit->base);
	c->last_commit = (Hearth__Commit *)msg;
	return 0;
}

/* The block to store: its height, id, bytes and certificate. */
struct decided {
	uint64_t height;
	const uint8_t *id;
	const uint8_t *payload;
	size_t len;
	const uint8_t *commit;
	size_t commit_len;
	uint32_t round; /* the round of the commit certificate */
};

static int store_block(struct consensus *c, const struct decided *d,
		       const uint8_t (*ids)[HASH_SIZE], size_t n)
{
	struct node *node = c->node;
	struct store_block sb = {
		.height = d->height,
		.bytes = d->payload,
		.len = d->len,
		.commit = d->commit,
		.commit_len = d->commit_len,
		.tx_ids = (const uint8_t *)ids,
		.tx_count = n,
	};
	struct store_error serr;

	memcpy(sb.id, d->id, HASH_SIZE);
	if (store_commit_block(node->store, &sb, &c->cached_res.writes, c->cached_res.app_hash,
			       &serr) != STORE_OK) {
		log_write(&node->log, LOG_ERROR, LOG_STORE, "%s", serr.msg);
		return -1;
	}
	return 0;
}

static void start_next_height(struct consensus *c)
{
	struct node *node = c->node;
	struct validator_set *next = malloc(sizeof(*next));
	struct bft_event ev = { .type = BFT_EVENT_START_HEIGHT };

	if (next == NULL || consensus_set_advance(store_state(node->store), &c->set,
						  node->chain.tip.height + 1, next) != 0) {
		free(next);
		consensus_fail_fatal(c, "cannot load the validator set of the next height");
		return;
	}
	c->set = *next;
	free(next);
	ev.u.start.height = node->chain.tip.height + 1;
	ev.u.start.validators = &c->set;
	(void)consensus_feed(c, &ev, NULL);
}

/* Stores a block that applied into the cache (c->cached_id == d->id) and
 * makes it the tip. Returns 0, or -1 after fail_fatal. */
static int store_decided(struct consensus *c, const struct decided *d, const char *how)
{
	struct node *node = c->node;
	uint8_t(*ids)[HASH_SIZE] = NULL;
	size_t n = 0;
	uint64_t prev_time_ms;
	char sid[17];

	if (block_tx_ids(node, d->payload, d->len, &ids, &n) != 0 ||
	    store_block(c, d, (const uint8_t(*)[HASH_SIZE])ids, n) != 0 ||
	    consensus_keep_commit(c, d->commit, d->commit_len) != 0) {
		free(ids);
		consensus_fail_fatal(c, "cannot store the decided block");
		return -1;
	}
	prev_time_ms = node->chain.tip.time_ms;
	node->chain.tip = c->cached_res.tip;
	executor_note_writes(node->executor, &c->cached_res.writes);
	consensus_cache_drop(c);
	c->request_pending = false;
	if (cs_wal_reset(&c->wal, node->chain.tip.height + 1) != 0)
		log_write(&node->log, LOG_WARN, LOG_CONSENSUS, "cannot empty %s", CS_WAL_NAME);
	c->last_commit_ms = uv_now(&node->loop);
	consensus_short_id(d->id, sid);
	log_write(&node->log, LOG_INFO, LOG_CONSENSUS, "%s height=%llu txs=%zu id=%s", how,
		  (unsigned long long)node->chain.tip.height, n, sid);
	for (size_t i = 0; i < n; i++)
		txseen_note(&node->txseen, ids[i], TXSEEN_COMMITTED);
	if (mempool_update(&node->mempool, (const uint8_t(*)[HASH_SIZE])ids, n,
			   node->chain.tip.height + 1) < 0)
		log_write(&node->log, LOG_ERROR, LOG_MEMPOOL, "re-check failed: mempool emptied");
	free(ids);
	executor_on_block(node->executor);
	node_on_commit(node, prev_time_ms, n, d->round);
	if (node->net_open)
		net_on_commit(&node->net);
	return 0;
}

void consensus_commit(struct consensus *c, const struct bft_action *a)
{
	struct decided d = {
		.height = a->u.commit.proposal->height,
		.id = a->u.commit.proposal->block_id,
		.payload = a->u.commit.payload,
		.len = a->u.commit.payload_len,
		.round = a->u.commit.commit->round,
	};
	struct ledger_error lerr;
	uint8_t *commit_bytes = NULL;
	size_t commit_len;
	int rc;

	if ((!c->cached || memcmp(c->cached_id, d.id, HASH_SIZE) != 0) &&
	    consensus_cache_apply(c, d.payload, d.len, d.id, &lerr) != LEDGER_OK) {
		consensus_fail_fatal(c, "the decided block does not apply");
		return;
	}
	if (commit_encode(a->u.commit.commit, &commit_bytes, &commit_len) != 0) {
		consensus_fail_fatal(c, "cannot encode the commit certificate");
		return;
	}
	d.commit = commit_bytes;
	d.commit_len = commit_len;
	rc = store_decided(c, &d, "committed");
	free(commit_bytes);
	if (rc == 0)
		start_next_height(c);
}

int consensus_apply_synced(struct consensus *c, const uint8_t *payload, size_t len,
			   const uint8_t *commit_bytes, size_t commit_len, char *why,
			   size_t why_size)
{
	struct node *node = c->node;
	struct commit *cert = malloc(sizeof(*cert));
	struct block b;
	struct ledger_error lerr;
	enum commit_status cs;
	struct decided d = {
		.payload = payload, .len = len, .commit = commit_bytes, .commit_len = commit_len
	};
	uint8_t id[HASH_SIZE];

	if (cert == NULL || c->engine == NULL || c->failed) {
		free(cert);
		snprintf(why, why_size, "not ready");
		return -2;
	}
	if (block_decode(payload, len, &node->chain.genesis.params, &b, &lerr) != LEDGER_OK) {
		free(cert);
		snprintf(why, why_size, "block does not decode: %s", lerr.text);
		return -1;
	}
	memcpy(id, b.id, HASH_SIZE);
	d.height = b.header.height;
	block_free(&b);
	d.id = id;
	if (d.height != node->chain.tip.height + 1) {
		free(cert);
		snprintf(why, why_size, "block height %llu, expected %llu",
			 (unsigned long long)d.height,
			 (unsigned long long)node->chain.tip.height + 1);
		return -1;
	}
	if (commit_decode(commit_bytes, commit_len, cert) != 0) {
		free(cert);
		snprintf(why, why_size, "commit does not decode");
		return -1;
	}
	cs = commit_verify_for(node->chain.genesis.chain_id, cert, &c->set, d.height, id);
	d.round = cert->round;
	free(cert);
	if (cs != COMMIT_OK) {
		snprintf(why, why_size, "commit: %s", commit_strerror(cs));
		return -1;
	}
	if (consensus_cache_apply(c, payload, len, id, &lerr) != LEDGER_OK) {
		snprintf(why, why_size, "block does not apply: %s", lerr.text);
		return -1;
	}
	if (store_decided(c, &d, "synced") != 0)
		return -2;
	start_next_height(c);
	return c->failed ? -2 : 0;
}
