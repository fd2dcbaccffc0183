/* loop_call.h: running a function on the libuv loop thread from another
 * thread and waiting for it. The node's state belongs to the loop thread;
 * RPC threads read the store directly but hand everything that touches the
 * mempool or the chain to the loop through this queue (a uv_async_t plus a
 * mutex-protected list). At shutdown loop_call_shutdown fails every waiting
 * and future call, so no RPC thread can wait on a loop that stopped. */
#ifndef HEARTH_NODE_LOOP_CALL_H
#define HEARTH_NODE_LOOP_CALL_H

#include <pthread.h>
#include <stdbool.h>

#include <uv.h>

struct loop_call_item;

struct loop_call {
	uv_async_t async;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	struct loop_call_item *head, *tail;
	bool closing;
	bool open;
	bool direct; /* loop_call_init_direct: no queue, calls run at once */
};

/* On the loop thread, before other threads use lc. Returns 0 or -1. */
__attribute__((warn_unused_result)) int loop_call_init(struct loop_call *lc, uv_loop_t *loop);

/* For a program with no loop thread of its own (tests/fuzz/fuzz_rpc_node.c,
 * which plays both the loop and the RPC thread): loop_call_run then runs fn
 * at once on the calling thread, which must own the loop's state.
 * loop_call_shutdown, loop_call_close and loop_call_free do nothing. */
void loop_call_init_direct(struct loop_call *lc);

/* From any thread other than the loop's: queues fn(arg) to run on the loop
 * thread and waits until it has run.
 * Returns 0, or -1 when the node is shutting down (fn did not run). */
__attribute__((warn_unused_result)) int loop_call_run(struct loop_call *lc, void (*fn)(void *arg),
						      void *arg);

/* On the loop thread (or after it stopped): fails every queued call and
 * every later one. Call before joining the threads that may be waiting. */
void loop_call_shutdown(struct loop_call *lc);

/* On the loop thread after loop_call_shutdown: closes the async handle
 * (the loop must run once more for the close to complete). */
void loop_call_close(struct loop_call *lc);

/* Frees the lock and condition; after the handle has closed. */
void loop_call_free(struct loop_call *lc);

#endif
