/* exec_start.c: starting a lease's run on a thread (a free sandbox context
 * and a free slot of its offer needed), and taking finished runs back on
 * the loop: the outcome goes into the journal and the receipt or
 * commitment is submitted at once. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "market/market.h"
#include "node/executor_internal.h"
#include "node/node.h"

#define EXEC_MAX_ATTEMPTS   3
#define EXEC_DEFAULT_OUTPUT (64ull << 20)
#define EXEC_DEFAULT_PATH   "PATH=/usr/local/bin:/usr/bin:/bin"

static bool free_slot(struct executor *x, size_t *slot)
{
	if (x->running >= x->max_jobs)
		return false;
	for (size_t i = 0; i < x->max_jobs; i++) {
		if (!x->ctx_busy[i]) {
			*slot = i;
			return true;
		}
	}
	return false;
}

/* The offer's slots bound how many of its leases run at once. */
static bool offer_has_room(struct executor *x, const struct exec_job *job)
{
	Hearth__OfferRecord *offer;
	uint32_t slots = 1, busy = 0;

	if (market_offer_get(store_state(x->node->store), job->j.offer_id, &offer) == STATE_OK) {
		slots = offer->offer->slots;
		codec_free(&offer->base);
	}
	for (size_t i = 0; i < x->n_jobs; i++) {
		if (x->jobs[i]->run != NULL &&
		    memcmp(x->jobs[i]->j.offer_id, job->j.offer_id, HASH_SIZE) == 0)
			busy++;
	}
	return busy < slots;
}

static int ctx_ready(struct executor *x, size_t slot)
{
	struct node_error e = { 0 };

	if (x->ctx_ready[slot])
		return 0;
	if (sandbox_ctx_init(&x->ctxs[slot], &x->sbx_cfg, &e) != 0) {
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "sandbox: %s", e.msg);
		return -1;
	}
	/* Job cgroups are named job-<pid>-<seq>: give each context its own
	 * range of seq so that concurrent runs never share a name. */
	x->ctxs[slot].seq = (uint64_t)slot << 40;
	x->ctx_ready[slot] = true;
	return 0;
}

static char **copy_argv(const Hearth__Job *job)
{
	char **v = calloc(job->n_argv + 1, sizeof(*v));

	for (size_t i = 0; v != NULL && i < job->n_argv; i++) {
		v[i] = strdup(job->argv[i]);
		if (v[i] == NULL)
			return v; /* NULL-terminated here: freed by the caller */
	}
	return v;
}

static char **copy_env(const Hearth__Job *job)
{
	char **v = calloc(job->n_env + 2, sizeof(*v));
	bool has_path = false;
	size_t n = 0;

	for (size_t i = 0; v != NULL && i < job->n_env; i++) {
		const Hearth__EnvVar *ev = job->env[i];
		size_t len = strlen(ev->name) + strlen(ev->value) + 2;

		v[n] = malloc(len);
		if (v[n] == NULL)
			return v;
		snprintf(v[n++], len, "%s=%s", ev->name, ev->value);
		has_path = has_path || strcmp(ev->name, "PATH") == 0;
	}
	if (v != NULL && !has_path)
		v[n] = strdup(EXEC_DEFAULT_PATH);
	return v;
}

static bool strv_complete(char **v, size_t n)
{
	if (v == NULL)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == NULL)
			return false;
	}
	return true;
}

static int write_input(const char *dir, const ProtobufCBinaryData *data)
{
	char path[4200];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/input.tar", dir) >= sizeof(path))
		return -1;
	f = fopen(path, "wb");
	if (f == NULL)
		return -1;
	if ((data->len > 0 && fwrite(data->data, 1, data->len, f) != data->len) || fclose(f) != 0)
		return -1;
	return 0;
}

/* The run of job from its bid: argv, env, the bid's limits, the input. */
static int fill_run(struct executor *x, struct exec_run *run, const Hearth__Bid *bid)
{
	const Hearth__Resources *res = bid->resources;
	const Hearth__Job *job = bid->job;

	if (journal_dir(x->results, run->lease_id, run->dir, sizeof(run->dir)) != 0)
		return -1;
	run->argv = copy_argv(job);
	run->envp = copy_env(job);
	if (!strv_complete(run->argv, job->n_argv) || !strv_complete(run->envp, job->n_env + 1))
		return -1;
	run->limits.cpu_millicores = res->cpu_millicores;
	run->limits.memory_bytes = res->memory_bytes;
	run->limits.pids = 256;
	run->limits.timeout_ms = bid->max_duration_seconds * 1000;
	run->limits.max_output_bytes = res->disk_bytes > 0 ? res->disk_bytes : EXEC_DEFAULT_OUTPUT;
	run->limits.max_files = 16384;
	/* An input by hash was fetched into dir/input.tar (exec_input.c). */
	run->has_input = job->has_inline_input || job->has_input_hash;
	if (job->has_inline_input && write_input(run->dir, &job->inline_input) != 0)
		return -1;
	return 0;
}

/* From the run's thread: hand the run to the loop. */
static void on_run_done(struct exec_run *run)
{
	struct executor *x = run->arg;

	pthread_mutex_lock(&x->lock);
	run->next = x->finished;
	x->finished = run;
	pthread_mutex_unlock(&x->lock);
	uv_async_send(&x->async);
}

static struct exec_run *make_run(struct executor *x, struct exec_job *job, size_t slot)
{
	Hearth__BidRecord *bid;
	struct exec_run *run;
	int rc;

	if (market_bid_get(store_state(x->node->store), job->j.bid_id, &bid) != STATE_OK)
		return NULL;
	run = exec_run_new();
	if (run == NULL) {
		codec_free(&bid->base);
		return NULL;
	}
	memcpy(run->lease_id, job->j.lease_id, HASH_SIZE);
	run->slot = slot;
	run->ctx = &x->ctxs[slot];
	run->done = on_run_done;
	run->arg = x;
	rc = fill_run(x, run, bid->bid);
	codec_free(&bid->base);
	if (rc != 0) {
		exec_run_free(run);
		return NULL;
	}
	return run;
}

void exec_try_start(struct executor *x, struct exec_job *job)
{
	struct exec_run *run;
	size_t slot;
	char sid[17];

	if (x->stopping || !free_slot(x, &slot) || !offer_has_room(x, job) ||
	    ctx_ready(x, slot) != 0)
		return;
	exec_short(job->j.lease_id, sid);
	run = make_run(x, job, slot);
	if (run == NULL) {
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "lease=%s cannot prepare the run",
			  sid);
		return;
	}
	job->j.attempts++;
	job->j.state = JOURNAL_RUNNING;
	exec_save(x, job);
	if (uv_thread_create(&run->thread, exec_run_main, run) != 0) {
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "lease=%s cannot start a thread",
			  sid);
		exec_run_free(run);
		return;
	}
	job->run = run;
	x->ctx_busy[slot] = true;
	x->running++;
	if (metrics_gauge_set(x->m_running, NULL, (double)x->running) != 0)
		return;
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s running attempt=%" PRIu32, sid,
		  job->j.attempts);
}

static void add(struct metric_family *f)
{
	if (metrics_counter_add(f, NULL, 1) != 0)
		return;
}

static void take_outcome(struct executor *x, struct exec_job *job, const struct exec_run *run)
{
	struct journal_entry *e = &job->j;

	e->has_outcome = true;
	memcpy(e->result_hash, run->result_hash, HASH_SIZE);
	exec_faults_apply(&x->faults, e->result_hash);
	e->exit_status = run->exit_status;
	e->timed_out = run->timed_out;
	e->oom_killed = run->oom_killed;
	e->wall_ms = run->wall_ms;
	e->cpu_ms = run->cpu_ms;
	e->peak_memory_bytes = run->peak_memory_bytes;
	if (e->replicas >= 2 && !e->verifier)
		randombytes_buf(e->salt, sizeof(e->salt));
	if (run->timed_out)
		add(x->m_timed_out);
	else if (run->oom_killed)
		add(x->m_oom);
	else if (run->exit_status == 0)
		add(x->m_completed);
	else
		add(x->m_failed);
}

static void finish(struct executor *x, struct exec_job *job, struct exec_run *run)
{
	char sid[17];

	exec_short(run->lease_id, sid);
	if (run->cancelled)
		return; /* shutting down: the journal says running, a restart runs it */
	if (run->failed) {
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "lease=%s sandbox: %s", sid,
			  run->error);
		job->j.state =
			job->j.attempts < EXEC_MAX_ATTEMPTS ? JOURNAL_RECEIVED : JOURNAL_FAILED;
		if (job->j.state == JOURNAL_FAILED)
			add(x->m_failed);
		exec_save(x, job);
		return;
	}
	take_outcome(x, job, run);
	job->j.state = JOURNAL_DONE;
	job->j.has_tx = false;
	exec_save(x, job);
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR,
		  "lease=%s done exit=%" PRId32 " timed_out=%d oom=%d wall_ms=%" PRIu64, sid,
		  run->exit_status, run->timed_out ? 1 : 0, run->oom_killed ? 1 : 0, run->wall_ms);
	if (!x->stopping)
		exec_submit(x, job);
}

void exec_on_finished(uv_async_t *handle)
{
	struct executor *x = handle->data;
	struct exec_run *list, *run;

	pthread_mutex_lock(&x->lock);
	list = x->finished;
	x->finished = NULL;
	pthread_mutex_unlock(&x->lock);
	while ((run = list) != NULL) {
		struct exec_job *job = exec_find(x, run->lease_id);

		list = run->next;
		if (uv_thread_join(&run->thread) != 0)
			log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "cannot join a run");
		x->ctx_busy[run->slot] = false;
		x->running--;
		if (job != NULL) {
			job->run = NULL;
			finish(x, job, run);
		}
		exec_run_free(run);
	}
	if (metrics_gauge_set(x->m_running, NULL, (double)x->running) != 0)
		return;
}
