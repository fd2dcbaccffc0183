/* chain_watch.h: lets other threads wait for blocks. The consensus driver
 * (loop thread) calls chain_watch_notify after each commit; RPC threads
 * waiting in waitforblock or waitfortx sleep on a condition variable until
 * the next commit, their deadline, or chain_watch_close at shutdown, and
 * then look at the store again. Nothing polls. */
#ifndef HEARTH_NODE_CHAIN_WATCH_H
#define HEARTH_NODE_CHAIN_WATCH_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct chain_watch {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	uint64_t commits;    /* blocks committed since start */
	bool closing;
	bool open;
};

enum chain_watch_result {
	CHAIN_WATCH_COMMITTED, /* a block was committed since *seen */
	CHAIN_WATCH_TIMEOUT,   /* the deadline passed first */
	CHAIN_WATCH_CLOSING,   /* the node is stopping */
};

/* Before other threads use w. Returns 0 or -1. */
__attribute__((warn_unused_result)) int chain_watch_init(struct chain_watch *w);

/* The commit count now; read it before looking at the store, then wait from
 * it, so a commit in between is not missed. */
uint64_t chain_watch_commits(struct chain_watch *w);

/* Called after a block is committed and the store shows it. */
void chain_watch_notify(struct chain_watch *w);

/* Waits until a commit after seen, the CLOCK_MONOTONIC deadline, or close.
 * Returns which came first. */
enum chain_watch_result chain_watch_wait(struct chain_watch *w, uint64_t seen,
					 const struct timespec *deadline);

/* Wakes every waiter and makes every later wait return CLOSING at once. */
void chain_watch_close(struct chain_watch *w);

/* After the last waiter has returned. */
void chain_watch_free(struct chain_watch *w);

/* CLOCK_MONOTONIC now + ms. Returns 0 or -1. */
__attribute__((warn_unused_result)) int chain_watch_deadline(uint64_t ms, struct timespec *out);

#endif
