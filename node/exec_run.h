/* exec_run.h: one run of a lease's job, on a thread of its own so the loop
 * never blocks. The loop fills a struct exec_run (argv, env, limits, the
 * lease's results directory and a sandbox context nobody else uses
 * meanwhile) and starts exec_run_main on a thread; the thread runs the job
 * through sandbox_run, writes the result files into the directory
 *
 *   stdout, stderr     what the job wrote (each up to the output limit)
 *   result.tar         the files of /out (tar(1), sorted, owner 0, mtime 0)
 *   manifest.json      the manifest the result hash covers
 *
 * fills the outcome, then calls run->done(run) from the thread (which must
 * hand the run back to the loop, e.g. through a uv_async_t). Writing to
 * cancel_w cancels the job: the sandbox tears it down and the run ends with
 * cancelled set and no outcome. */
#ifndef HEARTH_NODE_EXEC_RUN_H
#define HEARTH_NODE_EXEC_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uv.h>

#include "consensus/crypto.h"
#include "node/error.h"
#include "node/sandbox.h"

struct exec_run {
	struct exec_run *next; /* the loop's list of finished runs */
	void (*done)(struct exec_run *run);
	void *arg; /* the caller's */
	uint8_t lease_id[HASH_SIZE];
	size_t slot; /* which sandbox context */
	struct sandbox_ctx *ctx;
	char dir[4096];
	char **argv, **envp; /* NULL-terminated, owned (exec_run_free) */
	bool has_input;	     /* dir/input.tar exists */
	struct sandbox_limits limits;
	int cancel_r, cancel_w;
	bool cancel_sent; /* the loop's own: exec_run_cancel was called */
	uv_thread_t thread;
	/* Out, once done is called. */
	bool failed; /* the sandbox could not run the job: error says why */
	char error[NODE_ERROR_MAX];
	bool cancelled;
	uint8_t result_hash[HASH_SIZE];
	int32_t exit_status; /* exit code, or minus the signal number */
	bool timed_out, oom_killed;
	uint64_t wall_ms, cpu_ms, peak_memory_bytes;
};

/* A new run with its cancel pipe (argv and envp still NULL).
 * Returns NULL when out of memory or out of file descriptors. */
struct exec_run *exec_run_new(void);

/* Frees the run (its thread must have ended and been joined). */
void exec_run_free(struct exec_run *run);

/* The thread's body: arg is the struct exec_run. */
void exec_run_main(void *arg);

/* Asks a running job to stop (from the loop). */
void exec_run_cancel(struct exec_run *run);

#endif
