/* test_rpc_park.c: methods that wait (rpc_server_add_parked_methods) run
 * off the HTTP threads. With one HTTP thread, a parked call that holds must
 * not stop other calls from being answered; over the cap a parked call is
 * refused -31; a batch with a parked call is parked whole; stopping waits
 * until parked calls are answered. The method "hold" waits on a gate the
 * test opens. */
#include "node/rpc_server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "tests/unit/test_util.h"

#define USERPWD	   "u:p"
#define BODY_LIMIT 4096

struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool open;
	int entered;
};

static int hold_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	struct gate *g = ctx;
	struct timespec deadline;
	bool open;

	(void)params;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	pthread_mutex_lock(&g->lock);
	g->entered++;
	pthread_cond_broadcast(&g->cond);
	while (!g->open && pthread_cond_timedwait(&g->cond, &g->lock, &deadline) == 0)
		;
	open = g->open;
	pthread_mutex_unlock(&g->lock);
	if (!open)
		return rpc_error_set(err, RPC_TIMEOUT, "gate never opened");
	*result = json_pack("{s:b}", "released", 1);
	return 0;
}

static int echo_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = json_pack("{s:O}", "value", json_array_get(params, 0));
	return 0;
}

static const struct rpc_param echo_params[] = {
	{ "value", RPC_PARAM_ANY, false, "what to send back" },
};
static const struct rpc_method plain_methods[] = {
	{ "echo", "returns value", echo_params, 1, true, echo_handler },
};
static const struct rpc_method parked_methods[] = {
	{ "hold", "waits until the test opens the gate", NULL, 0, true, hold_handler },
};

struct fixture {
	struct gate gate;
	struct rpc_server *srv;
	uint16_t port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct rpc_server_opts o;
	char err[256];

	assert_non_null(f);
	assert_int_equal(pthread_mutex_init(&f->gate.lock, NULL), 0);
	assert_int_equal(pthread_cond_init(&f->gate.cond, NULL), 0);
	rpc_server_opts_default(&o);
	o.port = 0;
	o.user = "u";
	o.password = "p";
	o.threads = 1;
	o.max_parked = 2;
	f->srv = rpc_server_new(&o, err, sizeof(err));
	if (f->srv == NULL)
		fail_msg("rpc_server_new: %s", err);
	assert_int_equal(rpc_server_add_methods(f->srv, plain_methods, 1, NULL, err, sizeof(err)),
			 0);
	assert_int_equal(rpc_server_add_parked_methods(f->srv, parked_methods, 1, &f->gate, err,
						       sizeof(err)),
			 0);
	if (rpc_server_start(f->srv, err, sizeof(err)) != 0)
		fail_msg("rpc_server_start: %s", err);
	f->port = rpc_server_port(f->srv, 0);
	*state = f;
	return 0;
}

static void gate_open(struct gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->open = true;
	pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Waits (up to 20 s) until n calls of hold have entered. */
static void gate_wait_entered(struct gate *g, int n)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 20;
	pthread_mutex_lock(&g->lock);
	while (g->entered < n && pthread_cond_timedwait(&g->cond, &g->lock, &deadline) == 0)
		;
	assert_true(g->entered >= n);
	pthread_mutex_unlock(&g->lock);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	gate_open(&f->gate);
	rpc_server_free(f->srv);
	pthread_cond_destroy(&f->gate.cond);
	pthread_mutex_destroy(&f->gate.lock);
	free(f);
	return 0;
}

struct call {
	const struct fixture *f;
	const char *body;
	long status;
	char reply[BODY_LIMIT];
	size_t len;
	CURLcode rc;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct call *c = arg;
	size_t n = size * nmemb;

	if (n >= sizeof(c->reply) - c->len)
		return 0;
	memcpy(c->reply + c->len, data, n);
	c->len += n;
	c->reply[c->len] = '\0';
	return n;
}

/* One POST / with the test's credentials; no cmocka assertion (may run on
 * a thread of its own). */
static void *call_run(void *arg)
{
	struct call *c = arg;
	CURL *curl = curl_easy_init();
	struct curl_slist *headers = curl_slist_append(NULL, "Content-Type: application/json");
	char url[64];

	c->rc = CURLE_FAILED_INIT;
	if (curl == NULL || headers == NULL) {
		curl_slist_free_all(headers);
		curl_easy_cleanup(curl);
		return NULL;
	}
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)c->f->port);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_USERPWD, USERPWD);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, c->body);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, c);
	c->rc = curl_easy_perform(curl);
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &c->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return NULL;
}

static const char hold_call[] = "{\"jsonrpc\":\"2.0\",\"method\":\"hold\",\"id\":1}";
static const char hold_answer[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"released\":true},\"id\":1}";
static const char echo_call[] = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[7],\"id\":2}";
static const char echo_answer[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"value\":7},\"id\":2}";

static void expect(const struct call *c, const char *reply)
{
	assert_int_equal(c->rc, CURLE_OK);
	assert_int_equal(c->status, 200);
	assert_string_equal(c->reply, reply);
}

static void test_parked_call_leaves_the_http_thread_free(void **state)
{
	struct fixture *f = *state;
	struct call held = { .f = f, .body = hold_call }, echo = { .f = f, .body = echo_call };
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, call_run, &held), 0);
	gate_wait_entered(&f->gate, 1);
	/* The only HTTP thread is free: echo is answered while hold waits. */
	call_run(&echo);
	expect(&echo, echo_answer);
	gate_open(&f->gate);
	assert_int_equal(pthread_join(t, NULL), 0);
	expect(&held, hold_answer);
}

static void test_parked_calls_over_the_cap_are_refused(void **state)
{
	struct fixture *f = *state;
	struct call held[2] = { { .f = f, .body = hold_call }, { .f = f, .body = hold_call } };
	struct call third = { .f = f, .body = hold_call };
	pthread_t t[2];

	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, call_run, &held[i]), 0);
	gate_wait_entered(&f->gate, 2);
	call_run(&third);
	assert_int_equal(third.rc, CURLE_OK);
	assert_int_equal(third.status, 200);
	assert_non_null(strstr(third.reply, "\"code\":-31"));
	assert_non_null(strstr(third.reply, "rpcmaxwaiters=2"));
	gate_open(&f->gate);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		expect(&held[i], hold_answer);
	}
}

static void test_batch_with_a_parked_call_is_answered_whole(void **state)
{
	struct fixture *f = *state;
	char body[256];
	struct call batch = { .f = f, .body = body };
	pthread_t t;

	snprintf(body, sizeof(body), "[%s,%s]", echo_call, hold_call);
	assert_int_equal(pthread_create(&t, NULL, call_run, &batch), 0);
	gate_wait_entered(&f->gate, 1);
	gate_open(&f->gate);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(batch.rc, CURLE_OK);
	snprintf(body, sizeof(body), "[%s,%s]", echo_answer, hold_answer);
	assert_string_equal(batch.reply, body);
}

struct opener {
	struct gate *gate;
	unsigned delay_ms;
};

static void *open_later(void *arg)
{
	struct opener *o = arg;
	struct timespec delay = { .tv_sec = 0, .tv_nsec = (long)o->delay_ms * 1000000L };

	(void)nanosleep(&delay, NULL);
	gate_open(o->gate);
	return NULL;
}

static void test_stop_waits_until_parked_calls_are_answered(void **state)
{
	struct fixture *f = *state;
	struct call held = { .f = f, .body = hold_call };
	struct opener opener = { &f->gate, 300 };
	pthread_t t, o;

	assert_int_equal(pthread_create(&t, NULL, call_run, &held), 0);
	gate_wait_entered(&f->gate, 1);
	assert_int_equal(pthread_create(&o, NULL, open_later, &opener), 0);
	rpc_server_stop(f->srv);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(pthread_join(o, NULL), 0);
	expect(&held, hold_answer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_parked_call_leaves_the_http_thread_free),
		T(test_parked_calls_over_the_cap_are_refused),
		T(test_batch_with_a_parked_call_is_answered_whole),
		T(test_stop_waits_until_parked_calls_are_answered),
#undef T
	};
	int failed;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
