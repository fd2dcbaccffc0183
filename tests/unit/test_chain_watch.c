/* test_chain_watch.c: a wait ends at the next commit, at its deadline, or
 * at close; a commit between reading the count and waiting is not missed;
 * after close every wait returns at once. */
#include "node/chain_watch.h"

#include <pthread.h>

#include "tests/unit/test_util.h"

static double now_s(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_wait_times_out_without_a_commit(void **state UNUSED)
{
	struct chain_watch w;
	struct timespec deadline;
	double start = now_s();

	assert_int_equal(chain_watch_init(&w), 0);
	assert_int_equal(chain_watch_deadline(150, &deadline), 0);
	assert_int_equal(chain_watch_wait(&w, chain_watch_commits(&w), &deadline),
			 CHAIN_WATCH_TIMEOUT);
	assert_true(now_s() - start >= 0.14);
	chain_watch_free(&w);
}

static void test_commit_before_the_wait_is_not_missed(void **state UNUSED)
{
	struct chain_watch w;
	struct timespec deadline;
	uint64_t seen;

	assert_int_equal(chain_watch_init(&w), 0);
	seen = chain_watch_commits(&w);
	chain_watch_notify(&w);
	assert_int_equal(chain_watch_deadline(60000, &deadline), 0);
	assert_int_equal(chain_watch_wait(&w, seen, &deadline), CHAIN_WATCH_COMMITTED);
	assert_int_equal(chain_watch_commits(&w), seen + 1);
	chain_watch_free(&w);
}

struct waiter {
	struct chain_watch *w;
	uint64_t seen;
	enum chain_watch_result result;
};

static void *wait_thread(void *arg)
{
	struct waiter *x = arg;
	struct timespec deadline;

	if (chain_watch_deadline(60000, &deadline) != 0)
		return NULL;
	x->result = chain_watch_wait(x->w, x->seen, &deadline);
	return NULL;
}

/* Starts a waiter, lets it block, then calls act(w) and joins it. */
static enum chain_watch_result wake_with(void (*act)(struct chain_watch *))
{
	struct chain_watch w;
	struct waiter x;
	pthread_t t;
	const struct timespec pause = { 0, 100 * 1000000L };
	double start;

	assert_int_equal(chain_watch_init(&w), 0);
	x.w = &w;
	x.seen = chain_watch_commits(&w);
	x.result = CHAIN_WATCH_TIMEOUT;
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &x), 0);
	(void)nanosleep(&pause, NULL);
	start = now_s();
	act(&w);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(now_s() - start < 30);
	chain_watch_free(&w);
	return x.result;
}

static void test_notify_wakes_a_waiter(void **state UNUSED)
{
	assert_int_equal(wake_with(chain_watch_notify), CHAIN_WATCH_COMMITTED);
}

static void test_close_wakes_a_waiter_and_later_waits(void **state UNUSED)
{
	struct chain_watch w;
	struct timespec deadline;

	assert_int_equal(wake_with(chain_watch_close), CHAIN_WATCH_CLOSING);
	assert_int_equal(chain_watch_init(&w), 0);
	chain_watch_close(&w);
	assert_int_equal(chain_watch_deadline(60000, &deadline), 0);
	assert_int_equal(chain_watch_wait(&w, chain_watch_commits(&w), &deadline),
			 CHAIN_WATCH_CLOSING);
	chain_watch_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wait_times_out_without_a_commit),
		cmocka_unit_test(test_commit_before_the_wait_is_not_missed),
		cmocka_unit_test(test_notify_wakes_a_waiter),
		cmocka_unit_test(test_close_wakes_a_waiter_and_later_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
