/* block.c: block header encoding, block ids, the tx Merkle root, and the
 * checks of a block against the tip. */
#include "consensus/block.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"

void block_id(const uint8_t *header, size_t len, uint8_t out[HASH_SIZE])
{
	hash_tagged("hearth/block", header, len, out);
}

/* Largest power of two strictly smaller than n (n > 1). */
static size_t split_point(size_t n)
{
	size_t k = 1;

	while (k * 2 < n)
		k *= 2;
	return k;
}

void block_tx_root(const uint8_t (*ids)[HASH_SIZE], size_t n, uint8_t out[HASH_SIZE])
{
	uint8_t pair[2 * HASH_SIZE];
	size_t k;

	if (n == 0) {
		hash_tagged("hearth/merkle/empty", NULL, 0, out);
		return;
	}
	if (n == 1) {
		hash_tagged("hearth/merkle/leaf", ids[0], HASH_SIZE, out);
		return;
	}
	k = split_point(n);
	block_tx_root(ids, k, pair);
	block_tx_root(ids + k, n - k, pair + HASH_SIZE);
	hash_tagged("hearth/merkle/node", pair, sizeof(pair), out);
}

int block_commit_hash(const Hearth__Commit *commit, uint8_t out[HASH_SIZE])
{
	uint8_t *buf;
	size_t len;

	if (codec_encode(&commit->base, &buf, &len) != CODEC_OK)
		return -1;
	hash_tagged("hearth/commit", buf, len, out);
	free(buf);
	return 0;
}

#define BIN(field) ((ProtobufCBinaryData){ .len = HASH_SIZE, .data = (uint8_t *)(field) })

int block_header_encode(const struct block_header *h, uint8_t **out, size_t *len)
{
	Hearth__BlockHeader rec = HEARTH__BLOCK_HEADER__INIT;

	rec.chain_id = (char *)h->chain_id;
	rec.height = h->height;
	rec.time_ms = h->time_ms;
	rec.prev_block_id = BIN(h->prev_block_id);
	rec.tx_root = BIN(h->tx_root);
	rec.app_hash = BIN(h->app_hash);
	rec.validators_hash = BIN(h->validators_hash);
	rec.next_validators_hash = BIN(h->next_validators_hash);
	rec.proposer = BIN(h->proposer);
	rec.last_commit_hash = BIN(h->last_commit_hash);
	return codec_encode(&rec.base, out, len) == CODEC_OK ? 0 : -1;
}

/* Copies a 32-byte field; false when it has another length. */
static bool copy32(uint8_t dst[HASH_SIZE], ProtobufCBinaryData src)
{
	if (src.len != HASH_SIZE)
		return false;
	memcpy(dst, src.data, HASH_SIZE);
	return true;
}

enum ledger_reason block_header_decode(const uint8_t *bytes, size_t len, struct block_header *h,
				       struct ledger_error *err)
{
	ProtobufCMessage *msg;
	const Hearth__BlockHeader *rec;
	struct codec_error cerr;
	enum codec_status cs;
	bool ok;

	memset(h, 0, sizeof(*h));
	cs = codec_decode(&hearth__block_header__descriptor, bytes, len, len, &msg, &cerr);
	if (cs == CODEC_NO_MEMORY)
		return ledger_fail(err, LEDGER_INTERNAL, "decoding BlockHeader");
	if (cs != CODEC_OK)
		return ledger_fail(err, LEDGER_BLOCK_HEADER_MALFORMED, "%s", cerr.text);
	rec = (const Hearth__BlockHeader *)msg;
	ok = strlen(rec->chain_id) <= CHAIN_ID_MAX &&
	     copy32(h->prev_block_id, rec->prev_block_id) && copy32(h->tx_root, rec->tx_root) &&
	     copy32(h->app_hash, rec->app_hash) &&
	     copy32(h->validators_hash, rec->validators_hash) &&
	     copy32(h->next_validators_hash, rec->next_validators_hash) &&
	     copy32(h->proposer, rec->proposer) &&
	     copy32(h->last_commit_hash, rec->last_commit_hash);
	if (ok) {
		strcpy(h->chain_id, rec->chain_id);
		h->height = rec->height;
		h->time_ms = rec->time_ms;
	}
	codec_free(msg);
	if (!ok) {
		memset(h, 0, sizeof(*h));
		return ledger_fail(err, LEDGER_BLOCK_HEADER_MALFORMED,
				   "a hash is not 32 bytes or the chain id is too long");
	}
	return LEDGER_OK;
}

int block_encode(const struct block_header *h, const uint8_t *const *txs, const size_t *lens,
		 size_t n, const Hearth__Commit *last_commit, uint8_t **out, size_t *len)
{
	Hearth__Block rec = HEARTH__BLOCK__INIT;
	ProtobufCBinaryData *items = NULL;
	uint8_t *header;
	size_t header_len;
	int rc;

	*out = NULL;
	*len = 0;
	if (block_header_encode(h, &header, &header_len) != 0)
		return -1;
	if (n > 0) {
		items = calloc(n, sizeof(*items));
		if (items == NULL) {
			free(header);
			return -1;
		}
	}
	for (size_t i = 0; i < n; i++) {
		items[i].data = (uint8_t *)txs[i];
		items[i].len = lens[i];
	}
	rec.header.data = header;
	rec.header.len = header_len;
	rec.n_txs = n;
	rec.txs = items;
	rec.last_commit = (Hearth__Commit *)last_commit;
	rc = codec_encode(&rec.base, out, len) == CODEC_OK ? 0 : -1;
	free(items);
	free(header);
	return rc;
}

void block_free(struct block *b)
{
	codec_free(b->msg ? &b->msg->base : NULL);
	memset(b, 0, sizeof(*b));
}

enum ledger_reason block_decode(const uint8_t *bytes, size_t len, const struct params *p,
				struct block *b, struct ledger_error *err)
{
	ProtobufCMessage *msg;
	struct codec_error cerr;
	enum codec_status cs;
	enum ledger_reason r;

	memset(b, 0, sizeof(*b));
	ledger_error_clear(err);
	if (len > p->max_block_bytes)
		return ledger_fail(err, LEDGER_BLOCK_TOO_LARGE, "%zu > %llu bytes", len,
				   (unsigned long long)p->max_block_bytes);
	cs = codec_decode(&hearth__block__descriptor, bytes, len, p->max_block_bytes, &msg, &cerr);
	if (cs == CODEC_NO_MEMORY)
		return ledger_fail(err, LEDGER_INTERNAL, "decoding Block");
	if (cs != CODEC_OK)
		return ledger_fail(err, LEDGER_BLOCK_MALFORMED, "%s", cerr.text);
	b->msg = (Hearth__Block *)msg;
	if (b->msg->n_txs > p->max_block_txs) {
		r = ledger_fail(err, LEDGER_BLOCK_TOO_MANY_TXS, "%zu > %u", b->msg->n_txs,
				p->max_block_txs);
		block_free(b);
		return r;
	}
	r = block_header_decode(b->msg->header.data, b->msg->header.len, &b->header, err);
	if (r != LEDGER_OK) {
		block_free(b);
		return r;
	}
	block_id(b->msg->header.data, b->msg->header.len, b->id);
	return LEDGER_OK;
}

static enum ledger_reason check_tx_root(const struct block *b, struct ledger_error *err)
{
	uint8_t(*ids)[HASH_SIZE] = NULL;
	uint8_t root[HASH_SIZE];
	size_t n = b->msg->n_txs;

	if (n > 0) {
		ids = calloc(n, HASH_SIZE);
		if (ids == NULL)
			return ledger_fail(err, LEDGER_INTERNAL, "tx ids");
	}
	for (size_t i = 0; i < n; i++)
		tx_id(b->msg->txs[i].data, b->msg->txs[i].len, ids[i]);
	block_tx_root((const uint8_t(*)[HASH_SIZE])ids, n, root);
	free(ids);
	if (memcmp(root, b->header.tx_root, HASH_SIZE) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_TX_ROOT, NULL);
	return LEDGER_OK;
}

static enum ledger_reason check_last_commit(const struct block *b, const struct chain_tip *tip,
					    struct ledger_error *err)
{
	static const uint8_t zero[HASH_SIZE];
	const Hearth__Commit *c = b->msg->last_commit;
	uint8_t hash[HASH_SIZE];

	if (tip->height == 0) {
		if (c != NULL || memcmp(b->header.last_commit_hash, zero, HASH_SIZE) != 0)
			return ledger_fail(err, LEDGER_BLOCK_WRONG_LAST_COMMIT,
					   "height 1 carries no commit");
		return LEDGER_OK;
	}
	if (c == NULL)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_LAST_COMMIT, "commit missing");
	if (block_commit_hash(c, hash) != 0)
		return ledger_fail(err, LEDGER_INTERNAL, "hashing commit");
	if (memcmp(hash, b->header.last_commit_hash, HASH_SIZE) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_LAST_COMMIT, "hash differs from header");
	if (c->height != tip->height || c->block_id.len != HASH_SIZE ||
	    memcmp(c->block_id.data, tip->block_id, HASH_SIZE) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_LAST_COMMIT,
				   "commit is not for the tip block");
	return LEDGER_OK;
}

enum ledger_reason block_check_against_tip(const struct block *b, const char *chain_id,
					   const struct chain_tip *tip, struct ledger_error *err)
{
	const struct block_header *h = &b->header;
	enum ledger_reason r;

	if (strcmp(h->chain_id, chain_id) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_CHAIN, "\"%.64s\"", h->chain_id);
	if (tip->height == UINT64_MAX || h->height != tip->height + 1)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_HEIGHT, "%llu after tip %llu",
				   (unsigned long long)h->height, (unsigned long long)tip->height);
	if (memcmp(h->prev_block_id, tip->block_id, HASH_SIZE) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_PREV, NULL);
	if (tip->height == 0 ? h->time_ms < tip->time_ms : h->time_ms <= tip->time_ms)
		return ledger_fail(err, LEDGER_BLOCK_TIME_NOT_INCREASING, "%llu after %llu",
				   (unsigned long long)h->time_ms,
				   (unsigned long long)tip->time_ms);
	if (memcmp(h->app_hash, tip->app_hash, HASH_SIZE) != 0)
		return ledger_fail(err, LEDGER_BLOCK_WRONG_APP_HASH, NULL);
	r = check_tx_root(b, err);
	if (r != LEDGER_OK)
		return r;
	return check_last_commit(b, tip, err);
}
