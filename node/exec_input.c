/* exec_input.c: inputs by hash in the executor (exec_input.h): when a
 * lease needs its input fetched, the fetch's thread, its hand-back to the
 * loop, and what the loop does with the outcome. */
#include "node/exec_input.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "market/market.h"
#include "node/exec_fetch.h"
#include "node/executor_internal.h"
#include "node/node.h"
#include "node/rpc_input.h"

#define FETCH_MIN_BUDGET_MS 10000 /* the fetch's time when the deadline leaves none */

static void add(struct metric_family *f)
{
	if (f != NULL && metrics_counter_add(f, NULL, 1) != 0)
		return;
}

/* No receipt follows: the lease fails at its deadline (doc/provider.md). */
static void fail_lease(struct executor *x, struct exec_job *job, const char *why)
{
	char sid[17];

	exec_short(job->j.lease_id, sid);
	job->j.state = JOURNAL_FAILED;
	exec_save(x, job);
	log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR,
		  "lease=%s input by hash failed: %s; not run, no receipt", sid, why);
	add(x->inputs.m_failures);
	add(x->m_failed);
}

static void on_fetch_done(struct exec_fetch *fetch)
{
	struct executor *x = fetch->arg;

	pthread_mutex_lock(&x->inputs.lock);
	fetch->next = x->inputs.finished;
	x->inputs.finished = fetch;
	pthread_mutex_unlock(&x->inputs.lock);
	uv_async_send(&x->inputs.async);
}

static void unlink_active(struct exec_inputs *in, struct exec_fetch *fetch)
{
	for (struct exec_fetch **p = &in->active; *p != NULL; p = &(*p)->active_next) {
		if (*p == fetch) {
			*p = fetch->active_next;
			return;
		}
	}
}

static void take_back(struct executor *x, struct exec_fetch *fetch)
{
	struct exec_job *job = exec_find(x, fetch->lease_id);
	char why[EXEC_FETCH_URL_MAX + 512], sid[17];

	if (uv_thread_join(&fetch->thread) != 0)
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "cannot join a fetch");
	x->inputs.fetching--;
	if (job != NULL && job->fetch == fetch)
		job->fetch = NULL;
	else
		job = NULL; /* the lease ended meanwhile */
	if (fetch->status == EXEC_FETCH_CANCELLED)
		return; /* shutting down: fetched again (or found on disk) after a restart */
	exec_short(fetch->lease_id, sid);
	if (fetch->status != EXEC_FETCH_OK) {
		snprintf(why, sizeof(why), "%s (%s) url=%s attempts=%u",
			 exec_fetch_status_name(fetch->status), fetch->error, fetch->url,
			 fetch->attempts);
		if (job != NULL && !journal_state_final(job->j.state)) {
			fail_lease(x, job, why);
			return;
		}
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR,
			  "lease=%s input by hash failed: %s; the lease had ended", sid, why);
		add(x->inputs.m_failures);
		return;
	}
	if (job == NULL)
		return;
	job->input_ready = true;
	add(x->inputs.m_fetched);
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s input ready attempts=%u", sid,
		  fetch->attempts);
	if (!x->stopping && job->run == NULL &&
	    (job->j.state == JOURNAL_RECEIVED || job->j.state == JOURNAL_RUNNING))
		exec_try_start(x, job);
}

static void on_async(uv_async_t *handle)
{
	struct executor *x = handle->data;
	struct exec_fetch *list, *fetch;

	pthread_mutex_lock(&x->inputs.lock);
	list = x->inputs.finished;
	x->inputs.finished = NULL;
	pthread_mutex_unlock(&x->inputs.lock);
	while ((fetch = list) != NULL) {
		list = fetch->next;
		unlink_active(&x->inputs, fetch);
		take_back(x, fetch);
		free(fetch);
	}
}

/* The wall-clock time to give up at: what the deadline leaves once the
 * job's own max duration is set aside, at least FETCH_MIN_BUDGET_MS. */
static uint64_t give_up_at(const struct executor *x, const struct exec_job *job)
{
	const struct params *p = &x->node->chain.ledger.cfg.params;
	uint64_t tip = x->node->chain.tip.height, blocks, left_ms, reserve_ms, budget = 0;

	blocks = job->j.deadline > tip + 1 ? job->j.deadline - tip - 1 : 0;
	if (__builtin_mul_overflow(blocks, p->market_block_time_ms, &left_ms))
		left_ms = UINT64_MAX / 2;
	if (__builtin_mul_overflow(job->j.max_duration, (uint64_t)1000, &reserve_ms))
		reserve_ms = UINT64_MAX / 2;
	if (left_ms > reserve_ms)
		budget = left_ms - reserve_ms;
	if (budget < FETCH_MIN_BUDGET_MS)
		budget = FETCH_MIN_BUDGET_MS;
	return exec_now_ms() + budget;
}

static void start_fetch(struct executor *x, struct exec_job *job, const Hearth__Bid *bid)
{
	struct exec_fetch *fetch = calloc(1, sizeof(*fetch));
	uint64_t disk = bid->resources->disk_bytes;
	char sid[17];

	exec_short(job->j.lease_id, sid);
	if (fetch == NULL || strlen(bid->job->input_url) > EXEC_FETCH_URL_MAX ||
	    journal_dir(x->results, job->j.lease_id, fetch->dir, sizeof(fetch->dir)) != 0) {
		free(fetch);
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "lease=%s cannot fetch", sid);
		return;
	}
	memcpy(fetch->lease_id, job->j.lease_id, HASH_SIZE);
	memcpy(fetch->hash, bid->job->input_hash.data, HASH_SIZE);
	snprintf(fetch->url, sizeof(fetch->url), "%s", bid->job->input_url);
	fetch->max_bytes = disk > 0 && disk < x->inputs.max_size ? disk : x->inputs.max_size;
	fetch->give_up_ms = give_up_at(x, job);
	fetch->done = on_fetch_done;
	fetch->arg = x;
	if (uv_thread_create(&fetch->thread, exec_fetch_main, fetch) != 0) {
		free(fetch);
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "lease=%s cannot start a fetch",
			  sid);
		return;
	}
	fetch->active_next = x->inputs.active;
	x->inputs.active = fetch;
	x->inputs.fetching++;
	job->fetch = fetch;
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR,
		  "lease=%s fetching input url=%s max_bytes=%" PRIu64, sid, fetch->url,
		  fetch->max_bytes);
}

bool exec_input_ready(struct executor *x, struct exec_job *job)
{
	Hearth__BidRecord *bid;
	const Hearth__Job *jb;

	if (job->input_ready)
		return true;
	if (job->fetch != NULL || x->stopping ||
	    market_bid_get(store_state(x->node->store), job->j.bid_id, &bid) != STATE_OK)
		return false;
	jb = bid->bid->job;
	if (!jb->has_input_hash || jb->input_hash.len != HASH_SIZE)
		job->input_ready = true;
	else if (jb->input_url == NULL)
		fail_lease(x, job, "the bid has an input hash but no input_url");
	else
		start_fetch(x, job, bid->bid);
	codec_free(&bid->base);
	return job->input_ready;
}

static struct metric_family *reg(struct executor *x, const char *name, const char *help, char *err,
				 size_t err_size)
{
	return metrics_register(x->node->metrics, METRIC_COUNTER, name, help, NULL, 0, NULL, 0, err,
				err_size);
}

int exec_inputs_init(struct executor *x, char *err, size_t err_size)
{
	struct input_store_limits lim;
	int rc;

	rpc_input_limits(x->node->cfg, &lim);
	x->inputs.max_size = lim.max_size;
	x->inputs.m_fetched = reg(x, "hearth_executor_input_fetches_total",
				  "job inputs fetched by hash and checked", err, err_size);
	x->inputs.m_failures = reg(
		x, "hearth_executor_input_fetch_failures_total",
		"leases failed because their input could not be fetched or did not match its hash",
		err, err_size);
	if (x->inputs.m_fetched == NULL || x->inputs.m_failures == NULL)
		return -1;
	if (pthread_mutex_init(&x->inputs.lock, NULL) != 0) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	x->inputs.lock_init = true;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, err_size, "curl_global_init failed");
		return -1;
	}
	x->inputs.curl_init = true;
	x->inputs.async.data = x;
	rc = uv_async_init(&x->node->loop, &x->inputs.async, on_async);
	if (rc != 0) {
		snprintf(err, err_size, "uv_async_init: %s", uv_strerror(rc));
		return -1;
	}
	x->inputs.async_open = true;
	return 0;
}

void exec_inputs_stop(struct executor *x)
{
	if (!x->inputs.async_open)
		return;
	for (struct exec_fetch *f = x->inputs.active; f != NULL; f = f->active_next)
		exec_fetch_cancel(f);
	while (x->inputs.fetching > 0) {
		bool any;

		pthread_mutex_lock(&x->inputs.lock);
		any = x->inputs.finished != NULL;
		pthread_mutex_unlock(&x->inputs.lock);
		if (any)
			on_async(&x->inputs.async);
		else
			usleep(10000);
	}
	uv_close((uv_handle_t *)&x->inputs.async, NULL);
	x->inputs.async_open = false;
}

void exec_inputs_free(struct executor *x)
{
	if (x->inputs.lock_init)
		pthread_mutex_destroy(&x->inputs.lock);
	if (x->inputs.curl_init)
		curl_global_cleanup();
}
