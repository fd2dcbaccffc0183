/* test_loop_call.c: unit tests of node/loop_call.c: calls from threads run
 * on the loop thread, in order, and shutdown releases every waiter; in
 * direct mode a call runs at once on the caller's thread. */
#include "node/loop_call.h"

#include <stdlib.h>
#include <unistd.h>

#include "tests/unit/test_util.h"

#define THREADS 4
#define CALLS	200

struct shared {
	uv_loop_t loop;
	struct loop_call lc;
	pthread_t loop_thread;
	long counter; /* touched only on the loop thread */
	int wrong_thread;
	int failed;
	uv_async_t stop;
};

static void increment(void *arg)
{
	struct shared *s = arg;

	if (!pthread_equal(pthread_self(), s->loop_thread))
		s->wrong_thread++;
	s->counter++;
}

static void *caller(void *arg)
{
	struct shared *s = arg;

	for (int i = 0; i < CALLS; i++) {
		if (loop_call_run(&s->lc, increment, s) != 0)
			__atomic_add_fetch(&s->failed, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void on_stop(uv_async_t *h)
{
	uv_stop(h->loop);
}

static void *run_loop(void *arg)
{
	struct shared *s = arg;

	s->loop_thread = pthread_self();
	uv_run(&s->loop, UV_RUN_DEFAULT);
	return NULL;
}

static void start(struct shared *s, pthread_t *loop_tid)
{
	assert_int_equal(uv_loop_init(&s->loop), 0);
	assert_int_equal(loop_call_init(&s->lc, &s->loop), 0);
	assert_int_equal(uv_async_init(&s->loop, &s->stop, on_stop), 0);
	assert_int_equal(pthread_create(loop_tid, NULL, run_loop, s), 0);
}

static void finish(struct shared *s, pthread_t loop_tid)
{
	assert_int_equal(uv_async_send(&s->stop), 0);
	assert_int_equal(pthread_join(loop_tid, NULL), 0);
	loop_call_shutdown(&s->lc);
	loop_call_close(&s->lc);
	uv_close((uv_handle_t *)&s->stop, NULL);
	assert_int_equal(uv_run(&s->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&s->loop), 0);
	loop_call_free(&s->lc);
}

static void test_loop_call_runs_every_call_on_the_loop_thread(void **state UNUSED)
{
	struct shared *s = calloc(1, sizeof(*s));
	pthread_t loop_tid, callers[THREADS];

	assert_non_null(s);
	start(s, &loop_tid);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&callers[i], NULL, caller, s), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(callers[i], NULL), 0);
	assert_int_equal(s->counter, THREADS * CALLS);
	assert_int_equal(s->wrong_thread, 0);
	assert_int_equal(s->failed, 0);
	finish(s, loop_tid);
	free(s);
}

static void *one_call(void *arg)
{
	struct shared *s = arg;

	if (loop_call_run(&s->lc, increment, s) != 0)
		__atomic_add_fetch(&s->failed, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A caller waiting on a loop that no longer runs is released by shutdown,
 * and calls after shutdown fail at once. */
static void test_loop_call_shutdown_releases_waiters(void **state UNUSED)
{
	struct shared *s = calloc(1, sizeof(*s));
	pthread_t waiter;

	assert_non_null(s);
	assert_int_equal(uv_loop_init(&s->loop), 0);
	assert_int_equal(loop_call_init(&s->lc, &s->loop), 0);
	/* The loop never runs: the call stays queued. */
	assert_int_equal(pthread_create(&waiter, NULL, one_call, s), 0);
	for (int i = 0; i < 200; i++) {
		pthread_mutex_lock(&s->lc.lock);
		bool queued = s->lc.head != NULL;
		pthread_mutex_unlock(&s->lc.lock);
		if (queued)
			break;
		usleep(5000);
	}
	loop_call_shutdown(&s->lc);
	assert_int_equal(pthread_join(waiter, NULL), 0);
	assert_int_equal(s->failed, 1);
	assert_int_equal(s->counter, 0);
	assert_int_equal(loop_call_run(&s->lc, increment, s), -1);
	loop_call_close(&s->lc);
	assert_int_equal(uv_run(&s->loop, UV_RUN_DEFAULT), 0);
	assert_int_equal(uv_loop_close(&s->loop), 0);
	loop_call_free(&s->lc);
	free(s);
}

/* Direct mode (no loop thread): each call runs at once on the caller's
 * thread, and the shutdown steps do nothing. */
static void test_loop_call_direct_runs_on_the_caller(void **state UNUSED)
{
	struct shared *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->loop_thread = pthread_self();
	loop_call_init_direct(&s->lc);
	for (int i = 0; i < 3; i++)
		assert_int_equal(loop_call_run(&s->lc, increment, s), 0);
	assert_int_equal(s->counter, 3);
	assert_int_equal(s->wrong_thread, 0);
	loop_call_shutdown(&s->lc);
	loop_call_close(&s->lc);
	loop_call_free(&s->lc);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop_call_runs_every_call_on_the_loop_thread),
		cmocka_unit_test(test_loop_call_shutdown_releases_waiters),
		cmocka_unit_test(test_loop_call_direct_runs_on_the_caller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
