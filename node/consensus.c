/* consensus.c: the BFT engine on the libuv loop: events in, actions out. */
#include "node/consensus.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "consensus/proposer.h"
#include "consensus/staking.h"
#include "consensus/tx.h"
#include "node/consensus_internal.h"
#include "node/evidence_submit.h"
#include "node/node.h"
#include "node/privval_file.h"
#include "proto/hex.h"

struct consensus_timer {
	uv_timer_t handle;
	struct consensus *c;
	struct bft_timeout timeout;
	struct consensus_timer *next;
};

static void replay_early(struct consensus *c);

static uint64_t wall_ms(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_REALTIME, &now) != 0)
		return 0;
	return (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec / 1000000;
}

void consensus_short_id(const uint8_t id[HASH_SIZE], char out[17])
{
	if (hex_encode(id, 8, out, 17) != 0)
		out[0] = '\0';
}

/* A decided block that cannot be stored leaves the node unable to go on: it
 * stops, and a restart resumes from the last stored block. */
void consensus_fail_fatal(struct consensus *c, const char *what)
{
	log_write(&c->node->log, LOG_ERROR, LOG_CONSENSUS, "stopping: %s", what);
	c->failed = true;
	c->node->stop_requested = true;
	uv_stop(&c->node->loop);
}

/* ------------------------------------------------------------ validator sets */

/* S_h from S_{h-1} (or from nothing at h = 1) and the membership of h. */
int consensus_set_advance(const struct state *st, const struct validator_set *prev, uint64_t height,
			  struct validator_set *out)
{
	struct validator_set members, inc;

	if (staking_load_set(st, height, &members) != STATE_OK)
		return -1;
	if (prev == NULL) {
		memset(&inc, 0, sizeof(inc));
	} else {
		inc = *prev;
		(void)proposer_increment(&inc, 1);
	}
	return proposer_update(&inc, members.members, members.count, out);
}

/* S_height, replayed from the genesis set. */
static int set_at(const struct state *st, uint64_t height, struct validator_set *out)
{
	struct validator_set *prev = malloc(sizeof(*prev));
	int rc;

	if (prev == NULL)
		return -1;
	rc = consensus_set_advance(st, NULL, 1, out);
	for (uint64_t h = 2; rc == 0 && h <= height; h++) {
		*prev = *out;
		rc = consensus_set_advance(st, prev, h, out);
	}
	free(prev);
	return rc;
}

/* ------------------------------------------------------------ timers */

static void on_timer_closed(uv_handle_t *handle)
{
	free(handle->data);
}

static void timer_remove(struct consensus *c, struct consensus_timer *t)
{
	for (struct consensus_timer **p = &c->timers; *p != NULL; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	uv_close((uv_handle_t *)&t->handle, on_timer_closed);
}

static void on_timeout(uv_timer_t *handle)
{
	struct consensus_timer *t = handle->data;
	struct consensus *c = t->c;
	struct bft_event ev = { .type = BFT_EVENT_TIMEOUT };

	ev.u.timeout = t->timeout;
	timer_remove(c, t);
	(void)consensus_feed(c, &ev, NULL);
}

static void schedule(struct consensus *c, const struct bft_timeout *to)
{
	struct consensus_timer *t = calloc(1, sizeof(*t));

	if (t == NULL || uv_timer_init(&c->node->loop, &t->handle) != 0) {
		free(t);
		consensus_fail_fatal(c, "cannot arm a consensus timeout");
		return;
	}
	t->c = c;
	t->timeout = *to;
	t->handle.data = t;
	t->next = c->timers;
	c->timers = t;
	if (uv_timer_start(&t->handle, on_timeout, to->delay_ms, 0) != 0) {
		timer_remove(c, t);
		consensus_fail_fatal(c, "cannot start a consensus timeout");
	}
}

/* ------------------------------------------------------------ blocks */

void consensus_cache_drop(struct consensus *c)
{
	if (c->cached)
		ledger_block_result_free(&c->cached_res);
	c->cached = false;
}

/* Applies a block over the committed state into the cache.
 * Returns LEDGER_OK or the reason it is invalid. */
enum ledger_reason consensus_cache_apply(struct consensus *c, const uint8_t *payload, size_t len,
					 const uint8_t id[HASH_SIZE], struct ledger_error *err)
{
	struct node *node = c->node;
	enum ledger_reason r;

	consensus_cache_drop(c);
	r = ledger_apply_block(&node->chain.ledger, store_state(node->store), &node->chain.tip,
			       payload, len, &c->cached_res, err);
	if (r != LEDGER_OK)
		return r;
	if (memcmp(c->cached_res.tip.block_id, id, HASH_SIZE) != 0) {
		ledger_block_result_free(&c->cached_res);
		return ledger_fail(err, LEDGER_BLOCK_MALFORMED, "payload does not match block id");
	}
	memcpy(c->cached_id, id, HASH_SIZE);
	c->cached = true;
	return LEDGER_OK;
}

/* Encodes a block of txs[n] on the tip. Out: *bytes (caller frees), id. */
static int block_build(struct consensus *c, const uint8_t *const *txs, const size_t *lens, size_t n,
		       uint8_t **bytes, size_t *len, uint8_t id[HASH_SIZE])
{
	struct node *node = c->node;
	struct block_header h;
	uint64_t now = wall_ms(),
		 time_ms = now > node->chain.tip.time_ms ? now : node->chain.tip.time_ms + 1;
	uint8_t *hb;
	size_t hl;

	if (ledger_prepare_header(&node->chain.ledger, store_state(node->store), &node->chain.tip,
				  time_ms, node->validator_key.pubkey, txs, lens, n, c->last_commit,
				  &h) != LEDGER_OK)
		return -1;
	if (block_encode(&h, txs, lens, n, c->last_commit, bytes, len) != 0)
		return -1;
	if (block_header_encode(&h, &hb, &hl) != 0) {
		free(*bytes);
		return -1;
	}
	block_id(hb, hl, id);
	free(hb);
	return 0;
}

/* Builds this proposer's block from the mempool and hands it to the engine.
 * A block the ledger refuses (a pool tx gone stale) is replaced by an empty
 * one after the pool is re-checked. */
static void propose(struct consensus *c, uint64_t height, uint32_t round)
{
	struct node *node = c->node;
	const struct params *p = &node->chain.genesis.params;
	size_t ready = mempool_ready_count(&node->mempool),
	       cap = ready < p->max_block_txs ? ready : p->max_block_txs;
	const uint8_t **txs = calloc(cap ? cap : 1, sizeof(*txs));
	size_t *lens = calloc(cap ? cap : 1, sizeof(*lens));
	size_t margin = 4096 + c->set.count * 128, n = 0, len;
	struct bft_event ev = { .type = BFT_EVENT_BLOCK };
	struct ledger_error lerr;
	uint8_t *bytes = NULL;

	c->request_pending = false;
	if (txs != NULL && lens != NULL && p->max_block_bytes > margin)
		n = mempool_reap(&node->mempool, p->max_block_bytes - margin, cap, txs, lens);
	if (txs == NULL || lens == NULL ||
	    block_build(c, txs, lens, n, &bytes, &len, ev.u.block.block_id) != 0) {
		free(txs);
		free(lens);
		log_write(&node->log, LOG_ERROR, LOG_CONSENSUS, "cannot build a block height=%llu",
			  (unsigned long long)height);
		return;
	}
	if (consensus_cache_apply(c, bytes, len, ev.u.block.block_id, &lerr) != LEDGER_OK) {
		log_write(&node->log, LOG_WARN, LOG_CONSENSUS,
			  "own block refused, proposing an empty one: %s", lerr.text);
		free(bytes);
		bytes = NULL;
		if (mempool_update(&node->mempool, NULL, 0, height) < 0 ||
		    block_build(c, NULL, NULL, 0, &bytes, &len, ev.u.block.block_id) != 0 ||
		    consensus_cache_apply(c, bytes, len, ev.u.block.block_id, &lerr) != LEDGER_OK) {
			free(bytes);
			free(txs);
			free(lens);
			consensus_fail_fatal(c, "cannot build even an empty block");
			return;
		}
	}
	free(txs);
	free(lens);
	ev.u.block.height = height;
	ev.u.block.round = round;
	ev.u.block.payload = bytes;
	ev.u.block.payload_len = len;
	/* The persist callback logs this block before its proposal is signed:
	 * the event may wait in the queue (a block request made while another
	 * event is handled), so the pointer stays until feed frees the bytes. */
	c->own_payload = bytes;
	c->own_len = len;
	memcpy(c->own_id, ev.u.block.block_id, HASH_SIZE);
	(void)consensus_feed(c, &ev, bytes);
}

static void on_heartbeat(uv_timer_t *handle)
{
	struct consensus *c = handle->data;

	if (c->request_pending)
		propose(c, c->request_height, c->request_round);
}

static void request_block(struct consensus *c, uint64_t height, uint32_t round)
{
	uint64_t since = uv_now(&c->node->loop) - c->last_commit_ms;

	if (c->empty_interval_ms == 0 || mempool_ready_count(&c->node->mempool) > 0 ||
	    since >= c->empty_interval_ms) {
		propose(c, height, round);
		return;
	}
	c->request_pending = true;
	c->request_height = height;
	c->request_round = round;
	if (uv_timer_start(&c->heartbeat, on_heartbeat, c->empty_interval_ms - since, 0) != 0)
		consensus_fail_fatal(c, "cannot arm the empty-block timer");
}

/* A tx arrived while the proposer waits: the block is built on the next
 * turn of the loop (a 0 ms timer), not at once, so that every tx already
 * queued for the loop (the other RPC calls and gossip handled in this turn)
 * goes into the same block instead of one block, and one fsync, per tx. */
void consensus_on_tx(struct consensus *c)
{
	if (c->engine != NULL && c->request_pending &&
	    uv_timer_start(&c->heartbeat, on_heartbeat, 0, 0) != 0)
		consensus_fail_fatal(c, "cannot arm the block timer");
}

void consensus_validate_now(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
			    const uint8_t *payload, size_t len)
{
	struct bft_event ev = { .type = BFT_EVENT_VALIDITY };
	struct ledger_error lerr;

	ev.u.validity.height = height;
	memcpy(ev.u.validity.block_id, id, HASH_SIZE);
	ev.u.validity.valid = consensus_cache_apply(c, payload, len, id, &lerr) == LEDGER_OK;
	if (!ev.u.validity.valid)
		log_write(&c->node->log, LOG_INFO, LOG_CONSENSUS,
			  "invalid proposal height=%llu: %s", (unsigned long long)height,
			  lerr.text);
	(void)consensus_feed(c, &ev, NULL);
}

/* Validates now, or once the pool has checked the txs' signatures. */
static void validate(struct consensus *c, uint64_t height, const uint8_t id[HASH_SIZE],
		     const uint8_t *payload, size_t len)
{
	if (!cs_precheck_defer(c, height, id, payload, len))
		consensus_validate_now(c, height, id, payload, len);
}

/* ------------------------------------------------------------ the engine */

static void perform(struct consensus *c, const struct bft_action *a)
{
	switch (a->type) {
	case BFT_ACTION_BROADCAST_PROPOSAL:
		log_write(&c->node->log, LOG_DEBUG, LOG_CONSENSUS, "proposal height=%llu round=%u",
			  (unsigned long long)a->u.proposal.header.height,
			  a->u.proposal.header.round);
		if (c->node->net_open)
			net_send_proposal(&c->node->net, &a->u.proposal);
		break;
	case BFT_ACTION_BROADCAST_VOTE:
		log_write(&c->node->log, LOG_DEBUG, LOG_CONSENSUS,
			  "vote type=%d height=%llu round=%u", (int)a->u.vote.type,
			  (unsigned long long)a->u.vote.height, a->u.vote.round);
		if (c->node->net_open)
			net_send_vote(&c->node->net, &a->u.vote);
		break;
	case BFT_ACTION_SCHEDULE_TIMEOUT:
		schedule(c, &a->u.timeout);
		break;
	case BFT_ACTION_REQUEST_BLOCK:
		log_write(&c->node->log, LOG_DEBUG, LOG_CONSENSUS,
			  "block request height=%llu round=%u",
			  (unsigned long long)a->u.request.height, a->u.request.round);
		request_block(c, a->u.request.height, a->u.request.round);
		break;
	case BFT_ACTION_VALIDATE_BLOCK:
		validate(c, a->u.validate.height, a->u.validate.block_id, a->u.validate.payload,
			 a->u.validate.payload_len);
		break;
	case BFT_ACTION_COMMIT:
		consensus_commit(c, a);
		break;
	case BFT_ACTION_EVIDENCE:
		evidence_submit_conflict(c->node, &a->u.evidence);
		break;
	}
}

/* Queues ev (owned: its payload to free after) and, unless an outer call is
 * already handling events, handles the queue: the engine's actions point into
 * its memory until the next bft_handle, so every action of one event is
 * performed before the next event goes in; events the actions produce wait
 * in the queue.
 * Returns what the engine made of ev when it was handled at once (BFT_OK
 * when it was queued behind an outer call). */
/* Frees an event's payload (and forgets it as this proposer's block). */
static void free_owned(struct consensus *c, uint8_t *owned)
{
	if (owned != NULL && owned == c->own_payload)
		c->own_payload = NULL;
	free(owned);
}

/* Hands the engine the next height's messages kept while it was not there
 * yet (cs_early.h), once it is. */
static void replay_early(struct consensus *c)
{
	struct cs_early *got;

	if (c->engine == NULL || c->early.height == 0 || c->failed)
		return;
	got = malloc(sizeof(*got));
	if (got == NULL || !cs_early_take(&c->early, bft_height(c->engine), got)) {
		free(got);
		return;
	}
	log_write(&c->node->log, LOG_DEBUG, LOG_CONSENSUS,
		  "replaying %zu proposals and %zu votes kept for height=%llu", got->n_proposals,
		  got->n_votes, (unsigned long long)got->height);
	for (size_t i = 0; i < got->n_proposals && !c->failed; i++) {
		struct bft_event ev = { .type = BFT_EVENT_PROPOSAL };

		ev.u.proposal = got->proposals[i];
		got->proposals[i].payload = NULL; /* feed owns and frees it */
		(void)consensus_feed(c, &ev, (uint8_t *)ev.u.proposal.payload);
	}
	for (size_t i = 0; i < got->n_votes && !c->failed; i++) {
		struct bft_event ev = { .type = BFT_EVENT_VOTE };

		ev.u.vote = got->votes[i];
		(void)consensus_feed(c, &ev, NULL);
	}
	cs_early_clear(got);
	free(got);
}

enum bft_status consensus_feed(struct consensus *c, const struct bft_event *ev, uint8_t *owned)
{
	struct bft_actions *actions;
	enum bft_status first = BFT_OK;
	bool is_first = true;

	if (c->queue_len == CONSENSUS_QUEUE_MAX) {
		free_owned(c, owned);
		consensus_fail_fatal(c, "consensus event queue full");
		return BFT_ERROR;
	}
	c->queue[c->queue_len].ev = *ev;
	c->queue[c->queue_len].owned = owned;
	c->queue_len++;
	if (c->feeding)
		return BFT_OK;
	actions = malloc(sizeof(*actions));
	if (actions == NULL) {
		consensus_fail_fatal(c, "out of memory");
		return BFT_NO_MEMORY;
	}
	c->feeding = true;
	while (c->queue_len > 0 && !c->failed) {
		struct consensus_queued q = c->queue[0];
		enum bft_status st;

		memmove(&c->queue[0], &c->queue[1], (c->queue_len - 1) * sizeof(c->queue[0]));
		c->queue_len--;
		st = bft_handle(c->engine, &q.ev, actions);
		if (is_first)
			first = st;
		is_first = false;
		if (st == BFT_ERROR || st == BFT_NO_MEMORY)
			log_write(&c->node->log, LOG_ERROR, LOG_CONSENSUS, "engine: %s",
				  bft_strstatus(st));
		for (size_t i = 0; i < actions->count && !c->failed; i++)
			perform(c, &actions->items[i]);
		free_owned(c, q.owned);
	}
	for (size_t i = 0; i < c->queue_len; i++)
		free_owned(c, c->queue[i].owned);
	c->queue_len = 0;
	c->feeding = false;
	free(actions);
	replay_early(c);
	return first;
}

enum bft_status consensus_receive(struct consensus *c, const struct bft_event *ev)
{
	enum bft_status st;

	if (c->engine == NULL || c->failed)
		return BFT_STALE;
	st = consensus_feed(c, ev, NULL);
	if (st == BFT_STALE && c->engine != NULL &&
	    cs_early_keep(&c->early, bft_height(c->engine), ev))
		log_write(&c->node->log, LOG_DEBUG, LOG_CONSENSUS,
			  "kept a %s of the next height=%llu",
			  ev->type == BFT_EVENT_PROPOSAL ? "proposal" : "vote",
			  (unsigned long long)c->early.height);
	return st;
}

/* ------------------------------------------------------------ start and stop */

/* The double-sign guard's persist step. Before a proposal's signature is
 * released, the proposal and its block go into the WAL; then the guard's
 * record is made durable. */
static int persist_signature(void *ctx, const struct privval_record *rec)
{
	struct consensus *c = ctx;
	struct proposal_header h;
	const struct cs_wal_entry *known;
	const uint8_t *payload;
	size_t len;

	if (rec->step == PRIVVAL_STEP_PROPOSE && c->wal_open) {
		memset(&h, 0, sizeof(h));
		h.height = rec->height;
		h.round = rec->round;
		h.pol_round = rec->pol_round;
		memcpy(h.block_id, rec->block_id, HASH_SIZE);
		memcpy(h.proposer, privval_pubkey(&c->pv), PUBKEY_SIZE);
		memcpy(h.sig, rec->sig, SIG_SIZE);
		known = cs_wal_find_block(&c->wal, rec->block_id);
		if (c->own_payload != NULL && memcmp(c->own_id, rec->block_id, HASH_SIZE) == 0) {
			payload = c->own_payload;
			len = c->own_len;
		} else if (known != NULL) {
			payload = known->payload;
			len = known->len;
		} else {
			/* A proposal of a block we cannot log: refuse to sign it. */
			return -1;
		}
		if (!cs_wal_has(&c->wal, &h) && cs_wal_append(&c->wal, &h, payload, len) != 0)
			return -1;
	}
	return privval_file_persist((void *)&c->node->dd, rec);
}

/* Feeds the proposals logged before a restart back into the engine. */
static void replay_wal(struct consensus *c)
{
	for (size_t i = 0; i < c->wal.count && !c->failed; i++) {
		const struct cs_wal_entry *e = &c->wal.entries[i];
		struct bft_event ev = { .type = BFT_EVENT_PROPOSAL };

		ev.u.proposal.header = e->header;
		ev.u.proposal.payload = e->payload;
		ev.u.proposal.payload_len = e->len;
		log_write(&c->node->log, LOG_INFO, LOG_CONSENSUS,
			  "replaying a logged proposal height=%llu round=%u",
			  (unsigned long long)e->header.height, e->header.round);
		(void)consensus_feed(c, &ev, NULL);
	}
}

static int start_privval(struct consensus *c, char *err, size_t err_size)
{
	struct node *node = c->node;
	struct privval_record rec;
	uint8_t seckey[SECKEY_SIZE];
	bool found, converted;
	int rc;

	if (privval_file_load(&node->dd, &rec, &found, &converted, err, err_size) != 0)
		return -1;
	if (converted)
		log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
			  "converted %s from JSON to the slot format height=%llu round=%u step=%d",
			  PRIVVAL_FILE_NAME, (unsigned long long)rec.height, rec.round,
			  (int)rec.step);
	if (signer_secret(&node->validator_key, seckey) != 0) {
		snprintf(err, err_size, "cannot read the validator key");
		return -1;
	}
	rc = privval_init(&c->pv, seckey, found ? &rec : NULL, persist_signature, c);
	secret_wipe(seckey, sizeof(seckey));
	if (rc != 0) {
		snprintf(err, err_size, "the validator key is not usable");
		return -1;
	}
	c->is_validator = true;
	return 0;
}

static int load_last_commit(struct consensus *c, char *err, size_t err_size)
{
	struct node *node = c->node;
	struct store_error serr;
	uint8_t *bytes;
	size_t len;

	if (node->chain.tip.height == 0)
		return 0;
	if (store_get_commit(node->store, NULL, node->chain.tip.height, &bytes, &len, &serr) !=
	    STORE_OK) {
		snprintf(err, err_size, "%s", serr.msg);
		return -1;
	}
	if (consensus_keep_commit(c, bytes, len) != 0) {
		free(bytes);
		snprintf(err, err_size, "the certificate of the tip block does not decode");
		return -1;
	}
	free(bytes);
	return 0;
}

static void timeouts_of(const struct node *node, struct bft_timeouts *t)
{
	if (strcmp(node->network, "dev") == 0) {
		bft_timeouts_dev(t);
		/* The proposer may wait for a tx up to the empty-block interval. */
		t->propose_ms += (uint64_t)config_get_int(node->cfg, "emptyblockinterval", 1000);
	} else {
		bft_timeouts_production(t);
	}
	t->commit_ms = (uint64_t)config_get_int(node->cfg, "timeoutcommit", (int64_t)t->commit_ms);
}

int consensus_start(struct consensus *c, struct node *node, char *err, size_t err_size)
{
	struct bft_config cfg;
	struct bft_event ev = { .type = BFT_EVENT_START_HEIGHT };

	memset(c, 0, sizeof(*c));
	c->node = node;
	err[0] = '\0';
	if (node->has_validator_key && start_privval(c, err, err_size) != 0)
		return -1;
	if (cs_wal_open(&c->wal, &node->dd, node->chain.tip.height + 1,
			node->chain.genesis.params.max_block_bytes, err, err_size) != 0) {
		consensus_stop(c);
		return -1;
	}
	c->wal_open = true;
	if (load_last_commit(c, err, err_size) != 0 ||
	    set_at(store_state(node->store), node->chain.tip.height + 1, &c->set) != 0) {
		if (err[0] == '\0')
			snprintf(err, err_size, "cannot load the validator set");
		consensus_stop(c);
		return -1;
	}
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.chain_id, sizeof(cfg.chain_id), "%s", node->chain.genesis.chain_id);
	timeouts_of(node, &cfg.timeouts);
	if (strcmp(node->network, "dev") == 0)
		c->empty_interval_ms =
			(uint64_t)config_get_int(node->cfg, "emptyblockinterval", 1000);
	c->engine = bft_new(&cfg, c->is_validator ? &c->pv : NULL);
	if (c->engine == NULL || uv_timer_init(&node->loop, &c->heartbeat) != 0) {
		snprintf(err, err_size, "cannot start the consensus engine");
		consensus_stop(c);
		return -1;
	}
	c->heartbeat.data = c;
	c->heartbeat_open = true;
	c->last_commit_ms = uv_now(&node->loop);
	ev.u.start.height = node->chain.tip.height + 1;
	ev.u.start.validators = &c->set;
	log_write(&node->log, LOG_INFO, LOG_CONSENSUS, "starting height=%llu validators=%zu%s",
		  (unsigned long long)ev.u.start.height, c->set.count,
		  c->is_validator ? " validator=1" : "");
	(void)consensus_feed(c, &ev, NULL);
	replay_wal(c);
	return c->failed ? -1 : 0;
}

bool consensus_is_committing(const struct consensus *c, uint64_t now_ms)
{
	uint64_t window = c->empty_interval_ms > 2000 ? 5 * c->empty_interval_ms : 10000;

	return c->engine != NULL && !c->failed && now_ms - c->last_commit_ms <= window;
}

void consensus_stop(struct consensus *c)
{
	while (c->timers != NULL)
		timer_remove(c, c->timers);
	if (c->heartbeat_open)
		uv_close((uv_handle_t *)&c->heartbeat, NULL);
	c->heartbeat_open = false;
	consensus_cache_drop(c);
	cs_precheck_clear(&c->precheck);
	cs_early_clear(&c->early);
	bft_free(c->engine);
	c->engine = NULL;
	if (c->last_commit != NULL)
		codec_free(&c->last_commit->base);
	c->last_commit = NULL;
	if (c->is_validator)
		privval_wipe(&c->pv);
	c->is_validator = false;
	if (c->wal_open)
		cs_wal_close(&c->wal);
	c->wal_open = false;
}
