/* evidence_submit.c: turning a double sign the engine saw into an Evidence
 * tx in the mempool and on the network (evidence_submit.h). */
#include "node/evidence_submit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/staking.h"
#include "node/evidence_report.h"
#include "node/evidence_store.h"
#include "node/node.h"
#include "proto/hex.h"

static void hex_of(const uint8_t *data, size_t len, char *out, size_t out_size)
{
	if (hex_encode(data, len, out, out_size) != 0)
		out[0] = '\0';
}

static void count_evidence(struct node *node, const char *state)
{
	if (node_metrics_on_evidence(&node->nm, state) != 0)
		log_write(&node->log, LOG_WARN, LOG_RPC, "cannot update the evidence metric");
}

/* Writes the reported set and the waiting list to evidence.dat (a failure
 * is logged: the reports still go out, they are only not kept over a
 * restart). */
static void save_reports(struct node *node)
{
	char err[DATADIR_PATH_MAX + 128];

	if (evidence_store_save(&node->dd, &node->evidence, err, sizeof(err)) != 0)
		log_write(&node->log, LOG_WARN, LOG_CONSENSUS, "evidence not saved: %s", err);
}

/* True when key is jailed in the committed state (a failed read says no:
 * the ledger has the last word anyway). */
static bool already_jailed(struct node *node, const uint8_t key[PUBKEY_SIZE])
{
	bool jailed = false;

	return staking_is_jailed(store_state(node->store), key, &jailed) == STATE_OK && jailed;
}

/* Offers the evidence tx with nonce to the mempool.
 * Out: id, *lerr. Returns the mempool's answer. */
static enum mempool_result offer(struct node *node, const struct evidence *ev, uint64_t nonce,
				 uint8_t id[HASH_SIZE], struct ledger_error *lerr)
{
	const struct params *p = &node->chain.genesis.params;
	uint64_t feerate = p->min_fee_per_byte * EVIDENCE_FEE_MULTIPLE;
	enum mempool_result res;
	uint8_t *tx;
	size_t len;

	if (p->min_fee_per_byte > UINT64_MAX / EVIDENCE_FEE_MULTIPLE)
		feerate = p->min_fee_per_byte;
	ledger_error_clear(lerr);
	if (evidence_report_build_tx(node->chain.genesis.chain_id, &node->validator_key, ev, nonce,
				     feerate, &tx, &len) != 0) {
		snprintf(lerr->text, sizeof(lerr->text), "cannot build the evidence tx");
		return MEMPOOL_ERROR;
	}
	res = mempool_add(&node->mempool, tx, len, id, lerr);
	free(tx);
	return res;
}

/* Adds the evidence tx to the mempool with the first nonce not taken by an
 * own tx already in the pool (ready: the check state refuses the nonce as
 * replayed; waiting for a gap: MEMPOOL_NONCE_WAITING). Out: id, *lerr. Returns the last answer. */
static enum mempool_result add_with_nonce(struct node *node, const struct evidence *ev,
					  uint8_t id[HASH_SIZE], struct ledger_error *lerr)
{
	struct account acct;
	enum mempool_result res = MEMPOOL_ERROR;

	if (account_load(store_state(node->store), node->validator_key.pubkey, &acct) != STATE_OK) {
		snprintf(lerr->text, sizeof(lerr->text), "cannot read the validator's account");
		return MEMPOOL_ERROR;
	}
	if (acct.nonce > UINT64_MAX - EVIDENCE_NONCE_TRIES) {
		snprintf(lerr->text, sizeof(lerr->text), "the validator's nonces are used up");
		return MEMPOOL_ERROR;
	}
	for (uint64_t i = 1; i <= EVIDENCE_NONCE_TRIES; i++) {
		res = offer(node, ev, acct.nonce + i, id, lerr);
		bool taken = res == MEMPOOL_NONCE_WAITING ||
			     (res == MEMPOOL_REJECTED && lerr->reason == LEDGER_TX_NONCE_REPLAYED);
		if (!taken)
			break;
	}
	return res;
}

/* Announces an admitted evidence tx and counts it. */
static void announce(struct node *node, const struct evidence *ev, const uint8_t id[HASH_SIZE],
		     const char *offender)
{
	char sid[2 * HASH_SIZE + 1];

	evidence_report_add_pending(&node->evidence, id, ev);
	node->evidence.submitted++;
	count_evidence(node, "submitted");
	if (node->net_open)
		net_on_tx(&node->net, id, 0);
	node_update_gauges(node);
	if (node->consensus_open)
		consensus_on_tx(&node->consensus);
	hex_of(id, HASH_SIZE, sid, sizeof(sid));
	log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
		  "evidence submitted offender=%s kind=%s height=%llu round=%u tx=%s", offender,
		  evidence_kind_name(ev->kind), (unsigned long long)evidence_height(ev),
		  evidence_round(ev), sid);
}

/* Sends ev, of a committed height, unless its offender is jailed. */
static void send_evidence(struct node *node, const struct evidence *ev)
{
	char offender[2 * PUBKEY_SIZE + 1];
	uint8_t id[HASH_SIZE];
	struct ledger_error lerr;
	enum mempool_result res;

	hex_of(evidence_offender(ev), PUBKEY_SIZE, offender, sizeof(offender));
	if (already_jailed(node, evidence_offender(ev))) {
		log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
			  "evidence not sent offender=%s: already jailed", offender);
		return;
	}
	res = add_with_nonce(node, ev, id, &lerr);
	if (res == MEMPOOL_ADDED) {
		announce(node, ev, id, offender);
		return;
	}
	/* Another node's evidence against it may be in the pool already. */
	log_write(&node->log,
		  res == MEMPOOL_REJECTED && lerr.reason == LEDGER_EVIDENCE_ALREADY_JAILED
			  ? LOG_INFO
			  : LOG_WARN,
		  LOG_CONSENSUS, "evidence not sent offender=%s: %s %s", offender,
		  mempool_result_string(res), lerr.text);
}

void evidence_submit_conflict(struct node *node, const struct evidence *ev)
{
	char offender[2 * PUBKEY_SIZE + 1];
	uint64_t height = evidence_height(ev);

	hex_of(evidence_offender(ev), PUBKEY_SIZE, offender, sizeof(offender));
	log_write(&node->log, LOG_WARN, LOG_CONSENSUS,
		  "double signing seen offender=%s kind=%s height=%llu round=%u", offender,
		  evidence_kind_name(ev->kind), (unsigned long long)height, evidence_round(ev));
	if (!node->has_validator_key || !node->mempool_open)
		return; /* nothing to sign an evidence tx with */
	if (!evidence_report_mark(&node->evidence, evidence_offender(ev), height))
		return; /* reported before */
	if (height <= node->chain.tip.height) {
		send_evidence(node, ev);
		save_reports(node);
		return;
	}
	/* No block of this height may carry it: it goes after the commit. */
	if (evidence_report_wait(&node->evidence, ev))
		log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
			  "evidence waits for height=%llu to be committed offender=%s",
			  (unsigned long long)height, offender);
	else
		log_write(&node->log, LOG_WARN, LOG_CONSENSUS,
			  "evidence dropped offender=%s: %d already wait", offender,
			  EVIDENCE_REPORT_WAITING_MAX);
	save_reports(node);
}

/* Sends the waiting evidence whose height is now committed (or drops it:
 * send_evidence refuses a jailed offender, the mempool what the ledger
 * would refuse), and saves the shorter list. */
static void send_waiting(struct node *node)
{
	struct evidence_report *r = &node->evidence;
	size_t kept = 0, n = r->num_waiting;

	for (size_t i = 0; i < n; i++) {
		struct evidence ev = r->waiting[i];

		if (evidence_height(&ev) <= node->chain.tip.height)
			send_evidence(node, &ev);
		else
			r->waiting[kept++] = ev;
	}
	r->num_waiting = kept;
	if (kept != n)
		save_reports(node);
}

/* Where own pending evidence tx i went. Returns true when it is settled
 * (committed or gone) and may be forgotten. */
static bool settle(struct node *node, size_t i)
{
	const uint8_t *id = node->evidence.pending[i];
	char sid[2 * HASH_SIZE + 1];
	struct store_error serr;
	uint64_t height;
	uint32_t index;
	enum store_status st;

	if (mempool_contains(&node->mempool, id))
		return false;
	hex_of(id, HASH_SIZE, sid, sizeof(sid));
	st = store_get_tx_location(node->store, NULL, id, &height, &index, &serr);
	if (st == STORE_OK) {
		node->evidence.committed++;
		count_evidence(node, "committed");
		log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
			  "evidence committed height=%llu tx=%s", (unsigned long long)height, sid);
		return true;
	}
	if (st == STORE_NOT_FOUND) {
		log_write(&node->log, LOG_INFO, LOG_CONSENSUS,
			  "evidence dropped from the mempool tx=%s", sid);
		return true;
	}
	log_write(&node->log, LOG_WARN, LOG_CONSENSUS, "evidence tx=%s: %s", sid, serr.msg);
	return false;
}

void evidence_submit_on_commit(struct node *node)
{
	size_t i = 0, n = node->evidence.num_pending;

	while (i < node->evidence.num_pending) {
		if (settle(node, i))
			evidence_report_drop_pending(&node->evidence, i);
		else
			i++;
	}
	if (node->evidence.num_pending != n)
		save_reports(node);
	send_waiting(node);
}

/* Sends again the evidence of the own txs that were pending when the node
 * stopped (its mempool, and perhaps its peers', lost them): dropped when the
 * offender is jailed, which is also how a tx committed meanwhile shows. A
 * copy of the tx still in a peer's pool has the same nonce: at most one of
 * the two commits. */
static void send_pending_again(struct node *node)
{
	struct evidence_report *r = &node->evidence;
	struct evidence again[EVIDENCE_REPORT_PENDING_MAX];
	size_t n = r->num_pending;

	if (n == 0)
		return;
	memcpy(again, r->pending_ev, n * sizeof(again[0]));
	r->num_pending = 0;
	for (size_t i = 0; i < n; i++)
		send_evidence(node, &again[i]);
	save_reports(node);
}

void evidence_submit_start(struct node *node)
{
	if (!node->has_validator_key || !node->mempool_open)
		return; /* the file stays for a start with the key */
	if (!evidence_store_load(&node->dd, &node->log, &node->evidence))
		return;
	send_pending_again(node);
	send_waiting(node);
}
