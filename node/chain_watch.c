/* chain_watch.c: the commit notification of chain_watch.h. */
#include "node/chain_watch.h"

int chain_watch_init(struct chain_watch *w)
{
	pthread_condattr_t attr;
	int rc;

	w->commits = 0;
	w->closing = false;
	w->open = false;
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		return -1;
	if (pthread_condattr_init(&attr) != 0) {
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&w->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_destroy(&w->lock);
		return -1;
	}
	w->open = true;
	return 0;
}

uint64_t chain_watch_commits(struct chain_watch *w)
{
	uint64_t n;

	pthread_mutex_lock(&w->lock);
	n = w->commits;
	pthread_mutex_unlock(&w->lock);
	return n;
}

void chain_watch_notify(struct chain_watch *w)
{
	if (!w->open)
		return;
	pthread_mutex_lock(&w->lock);
	w->commits++;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

enum chain_watch_result chain_watch_wait(struct chain_watch *w, uint64_t seen,
					 const struct timespec *deadline)
{
	enum chain_watch_result r = CHAIN_WATCH_TIMEOUT;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (w->closing) {
			r = CHAIN_WATCH_CLOSING;
			break;
		}
		if (w->commits != seen) {
			r = CHAIN_WATCH_COMMITTED;
			break;
		}
		if (pthread_cond_timedwait(&w->cond, &w->lock, deadline) != 0)
			break; /* ETIMEDOUT; no other error is possible here */
	}
	pthread_mutex_unlock(&w->lock);
	return r;
}

void chain_watch_close(struct chain_watch *w)
{
	if (!w->open)
		return;
	pthread_mutex_lock(&w->lock);
	w->closing = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

void chain_watch_free(struct chain_watch *w)
{
	if (!w->open)
		return;
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	w->open = false;
}

int chain_watch_deadline(uint64_t ms, struct timespec *out)
{
	if (clock_gettime(CLOCK_MONOTONIC, out) != 0)
		return -1;
	out->tv_sec += (time_t)(ms / 1000);
	out->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (out->tv_nsec >= 1000000000L) {
		out->tv_sec++;
		out->tv_nsec -= 1000000000L;
	}
	return 0;
}
