/* executor_internal.h: the executor's state, shared by its files:
 * executor.c (each block's steps), exec_start.c (runs: start and hand-back)
 * and exec_life.c (start-up, retention, shutdown). Not for other parts. */
#ifndef HEARTH_NODE_EXECUTOR_INTERNAL_H
#define HEARTH_NODE_EXECUTOR_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/datadir.h"
#include "node/exec_fault.h"
#include "node/exec_input.h"
#include "node/exec_run.h"
#include "node/journal.h"
#include "node/metrics.h"
#include "node/provider.h"
#include "node/sandbox.h"

struct node;

struct exec_job {
	struct journal_entry j;
	struct exec_run *run;	  /* non-NULL while its thread runs */
	struct exec_fetch *fetch; /* non-NULL while its input is fetched */
	bool input_ready;	  /* no input by hash, or it is fetched and checked */
};

struct executor {
	struct node *node;
	struct provider prov;
	char results[DATADIR_PATH_MAX + 16];
	struct exec_job **jobs; /* leases not final yet */
	size_t n_jobs, cap_jobs;
	uint8_t (*noted)[HASH_SIZE]; /* new leases of the last block */
	size_t n_noted, cap_noted;
	/* One sandbox context per concurrent run (made at first use). */
	struct sandbox_config sbx_cfg;
	struct sandbox_ctx *ctxs;
	bool *ctx_ready, *ctx_busy;
	size_t max_jobs, running;
	/* Finished runs, handed from their threads to the loop. */
	pthread_mutex_t lock;
	bool lock_init;
	struct exec_run *finished;
	uv_async_t async;
	bool async_open;
	bool stopping;
	uint64_t retention_ms;
	uint64_t blocks_seen;
	struct exec_faults faults; /* test-only (-testwrongresult) */
	struct exec_inputs inputs; /* inputs by hash (exec_input.h) */
	struct metric_family *m_running, *m_completed, *m_failed, *m_timed_out, *m_oom, *m_receipts,
		*m_earnings, *m_missed;
};

/* executor.c */
void exec_short(const uint8_t id[HASH_SIZE], char out[17]);
uint64_t exec_now_ms(void);
void exec_save(struct executor *x, struct exec_job *job);
struct exec_job *exec_find(struct executor *x, const uint8_t lease_id[HASH_SIZE]);
struct exec_job *exec_add(struct executor *x, const struct journal_entry *e);
void exec_receive(struct executor *x, const uint8_t lease_id[HASH_SIZE]);
void exec_submit(struct executor *x, struct exec_job *job);

/* exec_start.c: starts job's run when a sandbox and an offer slot are free. */
void exec_try_start(struct executor *x, struct exec_job *job);
/* The loop's side of the hand-back (x->async). */
void exec_on_finished(uv_async_t *handle);

/* exec_life.c: removes the results of final leases older than the
 * retention. */
void exec_prune(struct executor *x);

#endif
