/* exec_input.h: the executor's side of inputs by hash. Before a lease whose
 * bid names its input by hash (Job.input_hash) may run, its input is
 * fetched from the bid's input_url on a thread (node/exec_fetch.h) into the
 * lease's directory and checked against the hash; the finished fetch is
 * handed back to the loop, which starts the run or fails the lease (logged,
 * counted in hearth_executor_input_fetch_failures_total; no receipt is
 * submitted, doc/provider.md says why). Owned by the loop thread. */
#ifndef HEARTH_NODE_EXEC_INPUT_H
#define HEARTH_NODE_EXEC_INPUT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "node/metrics.h"

struct executor;
struct exec_job;
struct exec_fetch;

struct exec_inputs {
	uint64_t max_size;	   /* -maxinputsize */
	struct exec_fetch *active; /* fetches whose thread runs (loop's list) */
	size_t fetching;
	pthread_mutex_t lock;
	bool lock_init, curl_init;
	struct exec_fetch *finished; /* handed back by the threads */
	uv_async_t async;
	bool async_open;
	struct metric_family *m_fetched, *m_failures;
};

/* At executor start-up, on the loop thread: the metrics, the hand-back and
 * libcurl's global state. Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int exec_inputs_init(struct executor *x, char *err,
							 size_t err_size);

/* True when job may run: its bid has no input by hash, or the input is in
 * its directory and checked. Otherwise starts the fetch (once) and
 * returns false; a bid with a hash but no input_url fails the lease. */
bool exec_input_ready(struct executor *x, struct exec_job *job);

/* Cancels the fetches and waits for their threads; closes the hand-back
 * (the loop must run once more). */
void exec_inputs_stop(struct executor *x);

/* Frees what exec_inputs_init made (after exec_inputs_stop). */
void exec_inputs_free(struct executor *x);

#endif
