/* executor.c: the provider's executor on the loop thread (executor.h): the
 * in-memory list of leases in flight, the step each block takes for each,
 * the start of runs on threads and the hand-back of finished ones. */
#include "node/executor.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "market/market.h"
#include "market/order.h"
#include "node/exec_run.h"
#include "node/executor_internal.h"
#include "node/journal.h"
#include "node/node.h"
#include "node/provider.h"
#include "proto/hex.h"

#define EXEC_PRUNE_EVERY 600 /* blocks between retention sweeps */

static const struct state *tip_state(const struct executor *x)
{
	return store_state(x->node->store);
}

static uint64_t tip_height(const struct executor *x)
{
	return x->node->chain.tip.height;
}

void exec_short(const uint8_t id[HASH_SIZE], char out[17])
{
	if (hex_encode(id, 8, out, 17) != 0)
		out[0] = '\0';
}

uint64_t exec_now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void exec_save(struct executor *x, struct exec_job *job)
{
	char err[256];
	char sid[17];

	if (journal_save(x->results, &job->j, err, sizeof(err)) != 0) {
		exec_short(job->j.lease_id, sid);
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "journal lease=%s: %s", sid, err);
	}
}

static void set_state(struct executor *x, struct exec_job *job, enum journal_state s)
{
	enum journal_state from = job->j.state;
	char sid[17];

	/* Saved first, logged after: whoever reads the log sees the journal. */
	job->j.state = s;
	exec_save(x, job);
	exec_short(job->j.lease_id, sid);
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s %s -> %s", sid,
		  journal_state_name(from), journal_state_name(s));
}

struct exec_job *exec_find(struct executor *x, const uint8_t lease_id[HASH_SIZE])
{
	for (size_t i = 0; i < x->n_jobs; i++) {
		if (memcmp(x->jobs[i]->j.lease_id, lease_id, HASH_SIZE) == 0)
			return x->jobs[i];
	}
	return NULL;
}

struct exec_job *exec_add(struct executor *x, const struct journal_entry *e)
{
	struct exec_job *job;

	if (x->n_jobs == x->cap_jobs) {
		size_t cap = x->cap_jobs ? 2 * x->cap_jobs : 16;
		struct exec_job **jobs = realloc(x->jobs, cap * sizeof(*jobs));

		if (jobs == NULL)
			return NULL;
		x->jobs = jobs;
		x->cap_jobs = cap;
	}
	job = calloc(1, sizeof(*job));
	if (job == NULL)
		return NULL;
	job->j = *e;
	x->jobs[x->n_jobs++] = job;
	return job;
}

/* Drops the final jobs that no thread uses any more. */
static void drop_final(struct executor *x)
{
	size_t kept = 0;

	for (size_t i = 0; i < x->n_jobs; i++) {
		struct exec_job *job = x->jobs[i];

		if (journal_state_final(job->j.state) && job->run == NULL)
			free(job);
		else
			x->jobs[kept++] = job;
	}
	x->n_jobs = kept;
}

static void count(struct metric_family *f, double v)
{
	if (f != NULL && metrics_counter_add(f, NULL, v) != 0)
		return;
}

/* ---------------------------------------------------------- receiving */

static int entry_from_lease(struct executor *x, const Hearth__Lease *lease, struct journal_entry *e)
{
	Hearth__BidRecord *bid;

	if (market_bid_get(tip_state(x), lease->bid_id.data, &bid) != STATE_OK)
		return -1;
	memset(e, 0, sizeof(*e));
	memcpy(e->lease_id, lease->id.data, HASH_SIZE);
	memcpy(e->bid_id, lease->bid_id.data, HASH_SIZE);
	memcpy(e->offer_id, lease->offer_id.data, HASH_SIZE);
	e->state = JOURNAL_RECEIVED;
	e->verifier = lease->replica == MARKET_VERIFIER_REPLICA;
	e->replicas = e->verifier ? 1 : bid->bid->replicas;
	e->price = lease->price_per_second;
	e->deadline = lease->deadline_height;
	e->max_duration = bid->bid->max_duration_seconds;
	e->created_ms = exec_now_ms();
	codec_free(&bid->base);
	return 0;
}

/* A lease of ours seen on chain: journal it, unless it is known already. */
void exec_receive(struct executor *x, const uint8_t lease_id[HASH_SIZE])
{
	Hearth__Lease *lease;
	struct journal_entry e;
	struct exec_job *job;
	char dir[4200], err[256], sid[17];

	if (exec_find(x, lease_id) != NULL ||
	    journal_dir(x->results, lease_id, dir, sizeof(dir)) != 0 ||
	    journal_load(dir, &e, err, sizeof(err)) != 1)
		return;
	if (market_lease_get(tip_state(x), lease_id, &lease) != STATE_OK)
		return;
	if (lease->state != HEARTH__LEASE_STATE__LEASE_ACTIVE ||
	    memcmp(lease->provider.data, x->node->provider_key.pubkey, PUBKEY_SIZE) != 0 ||
	    entry_from_lease(x, lease, &e) != 0) {
		codec_free(&lease->base);
		return;
	}
	codec_free(&lease->base);
	exec_short(lease_id, sid);
	job = exec_add(x, &e);
	if (job == NULL)
		return;
	exec_save(x, job);
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR,
		  "lease=%s received replicas=%" PRIu32 " verifier=%d deadline=%" PRIu64, sid,
		  e.replicas, e.verifier ? 1 : 0, e.deadline);
}

static int note_one(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		    size_t val_len, bool deleted)
{
	struct executor *x = arg;
	uint8_t(*noted)[HASH_SIZE];

	(void)val;
	(void)val_len;
	if (deleted || key_len != 1 + PUBKEY_SIZE + HASH_SIZE || key[0] != MKEY_LEASE_PROVIDER ||
	    memcmp(key + 1, x->node->provider_key.pubkey, PUBKEY_SIZE) != 0)
		return 0;
	if (x->n_noted == x->cap_noted) {
		size_t cap = x->cap_noted ? 2 * x->cap_noted : 16;

		noted = realloc(x->noted, cap * sizeof(*noted));
		if (noted == NULL)
			return 0; /* found again at the next start-up scan */
		x->noted = noted;
		x->cap_noted = cap;
	}
	memcpy(x->noted[x->n_noted++], key + 1 + PUBKEY_SIZE, HASH_SIZE);
	return 0;
}

void executor_note_writes(struct executor *x, const struct overlay *writes)
{
	if (x != NULL && overlay_foreach_write(writes, note_one, x) != 0)
		return;
}

/* ---------------------------------------------------------- settlement */

static void settle(struct executor *x, struct exec_job *job, const Hearth__Lease *lease)
{
	char sid[17];
	uint64_t billed, paid;

	exec_short(job->j.lease_id, sid);
	if (lease->state == HEARTH__LEASE_STATE__LEASE_SETTLED) {
		billed = (job->j.wall_ms + 999) / 1000;
		if (billed > job->j.max_duration)
			billed = job->j.max_duration;
		if (!__builtin_mul_overflow(billed, job->j.price, &paid)) {
			job->j.paid = paid;
			count(x->m_earnings, (double)paid);
		}
		log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s settled paid=%" PRIu64,
			  sid, job->j.paid);
	} else if (job->j.state < JOURNAL_COMMITTED) {
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR,
			  "lease=%s missed its deadline height=%" PRIu64 " (state %s)", sid,
			  job->j.deadline, journal_state_name(job->j.state));
		count(x->m_missed, 1);
	} else {
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "lease=%s ended unpaid", sid);
	}
	set_state(x, job, JOURNAL_SETTLED);
}

/* ---------------------------------------------------------- txs */

void exec_submit(struct executor *x, struct exec_job *job)
{
	struct ledger_error lerr = { 0 };
	enum provider_tx kind = provider_next_tx(&job->j);
	static const char *const names[] = { "receipt", "commit", "reveal" };
	uint8_t txid[HASH_SIZE];
	enum mempool_result r;
	char sid[17];

	exec_short(job->j.lease_id, sid);
	r = provider_submit(&x->prov, kind, &job->j, txid, &lerr);
	if (r == MEMPOOL_ADDED) {
		job->j.has_tx = true;
		memcpy(job->j.txid, txid, HASH_SIZE);
		job->j.tx_height = tip_height(x);
		exec_save(x, job);
		count(x->m_receipts, 1);
		log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s submitted %s", sid,
			  names[kind]);
		if (x->node->net_open)
			net_on_tx(&x->node->net, txid, 0);
		consensus_on_tx(&x->node->consensus);
		return;
	}
	log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "lease=%s %s not accepted: %s %s", sid,
		  names[kind], mempool_result_string(r), r == MEMPOOL_REJECTED ? lerr.text : "");
}

static bool tx_pending(const struct executor *x, const struct exec_job *job)
{
	return job->j.has_tx && mempool_contains(&x->node->mempool, job->j.txid);
}

/* COMMITTED, r >= 2: reveal once the window is open. */
static void step_reveal(struct executor *x, struct exec_job *job)
{
	Hearth__BidRecord *bid;
	Hearth__ReceiptRecord *rec;
	bool open, revealed;

	if (market_receipt_get(tip_state(x), job->j.lease_id, &rec) != STATE_OK)
		return;
	revealed = rec->outcome != NULL;
	codec_free(&rec->base);
	if (revealed) {
		set_state(x, job, JOURNAL_REVEALED);
		return;
	}
	if (market_bid_get(tip_state(x), job->j.bid_id, &bid) != STATE_OK)
		return;
	open = bid->reveal_height != 0 && tip_height(x) < bid->reveal_height;
	codec_free(&bid->base);
	if (open && !tx_pending(x, job))
		exec_submit(x, job);
}

/* ---------------------------------------------------------- each block */

static void step_waiting(struct executor *x, struct exec_job *job)
{
	char sid[17];

	if (job->run != NULL || job->fetch != NULL)
		return;
	if (tip_height(x) >= job->j.deadline) {
		exec_short(job->j.lease_id, sid);
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR,
			  "lease=%s cannot run before its deadline height=%" PRIu64, sid,
			  job->j.deadline);
		count(x->m_missed, 1);
		set_state(x, job, JOURNAL_FAILED);
		return;
	}
	if (exec_input_ready(x, job))
		exec_try_start(x, job);
}

static void step_done(struct executor *x, struct exec_job *job, const Hearth__Lease *lease)
{
	char sid[17];

	if (lease->state != HEARTH__LEASE_STATE__LEASE_ACTIVE) {
		job->j.has_tx = false;
		set_state(x, job, JOURNAL_COMMITTED);
		return;
	}
	if (tx_pending(x, job))
		return;
	if (job->j.has_tx) {
		exec_short(job->j.lease_id, sid);
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR,
			  "lease=%s tx dropped from the mempool: re-submitting", sid);
	}
	exec_submit(x, job);
}

static void step(struct executor *x, struct exec_job *job)
{
	Hearth__Lease *lease;
	bool ended;

	if (journal_state_final(job->j.state))
		return;
	if (market_lease_get(tip_state(x), job->j.lease_id, &lease) != STATE_OK)
		return;
	ended = lease->state == HEARTH__LEASE_STATE__LEASE_SETTLED ||
		lease->state == HEARTH__LEASE_STATE__LEASE_FAILED;
	if (ended && job->run == NULL)
		settle(x, job, lease);
	else if (ended && !job->run->cancel_sent) {
		/* Nobody pays for it any more (its deadline passed): stop it. */
		exec_run_cancel(job->run);
	} else if (!ended && (job->j.state == JOURNAL_RECEIVED || job->j.state == JOURNAL_RUNNING))
		step_waiting(x, job);
	else if (!ended && job->j.state == JOURNAL_DONE)
		step_done(x, job, lease);
	else if (!ended && job->j.state == JOURNAL_COMMITTED &&
		 provider_next_tx(&job->j) == PROVIDER_REVEAL)
		step_reveal(x, job);
	codec_free(&lease->base);
}

void executor_on_block(struct executor *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->n_noted; i++)
		exec_receive(x, x->noted[i]);
	x->n_noted = 0;
	for (size_t i = 0; i < x->n_jobs; i++)
		step(x, x->jobs[i]);
	drop_final(x);
	if (++x->blocks_seen % EXEC_PRUNE_EVERY == 0)
		exec_prune(x);
}

const char *executor_results_dir(const struct executor *x)
{
	return x->results;
}
