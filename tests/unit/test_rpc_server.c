/* test_rpc_server.c: the RPC server for real: started on 127.0.0.1 with a
 * port the OS picks, driven with libcurl. Checks auth (none, wrong, cookie,
 * rpcauth), limits (413), routing (404/405), batches, notifications (204),
 * /health and /metrics callbacks, public mode, concurrent clients and a
 * clean stop that deletes the cookie. The methods echo and store exist only
 * in this test. */
#include "node/rpc_server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "tests/unit/test_util.h"

#define ALICE_ENTRY                                                                                \
	"alice:cb77f0957de88ff388cf817ddbc7273$"                                                   \
	"c58d9037a3568742b8b59737f7ea21ffed4f4760e19b956506dbd6e4eecafeb8"
#define ALICE	   "alice:hunter2-correct-horse"
#define MAX_BODY   4096
#define DELAY_MS   40
#define BODY_LIMIT (64 * 1024)

static int echo_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	(void)ctx;
	(void)err;
	*result = json_pack("{s:O}", "value", json_array_get(params, 0));
	return 0;
}

static int store_handler(void *ctx, json_t *params, json_t **result, struct rpc_error *err)
{
	int *stored = ctx;

	(void)params;
	(void)err;
	__atomic_add_fetch(stored, 1, __ATOMIC_SEQ_CST);
	*result = json_pack("{s:b}", "stored", 1);
	return 0;
}

static const struct rpc_param echo_params[] = {
	{ "value", RPC_PARAM_ANY, false, "what to send back" },
};

static const struct rpc_method test_methods[] = {
	{ "echo", "returns value", echo_params, 1, true, echo_handler },
	{ "store", "a write method", NULL, 0, false, store_handler },
};

struct fixture {
	char base[64];
	struct datadir dd;
	struct log log;
	struct metrics *metrics;
	struct metric_family *collected;
	struct rpc_server *srv;
	uint16_t port;
	int stored;
	bool healthy;
	int collects;
	bool collect_failed;
};

static unsigned health(void *ctx, json_t **body)
{
	struct fixture *f = ctx;

	*body = json_pack("{s:s}", "status", f->healthy ? "ok" : "syncing");
	return f->healthy ? 200 : 503;
}

static void collect(void *ctx)
{
	struct fixture *f = ctx;

	/* Runs on a server thread: no cmocka assertion here. */
	f->collects++;
	if (metrics_gauge_set(f->collected, NULL, f->collects) != 0)
		f->collect_failed = true;
}

static struct fixture *fixture_new(bool public_mode)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct rpc_server_opts o;
	char err[256], path[4200];

	assert_non_null(f);
	snprintf(f->base, sizeof(f->base), "/tmp/hearth-rpc-server-XXXXXX");
	assert_non_null(mkdtemp(f->base));
	assert_int_equal(datadir_open(&f->dd, f->base, "main", err, sizeof(err)), 0);
	assert_int_equal(datadir_file(&f->dd, "debug.log", path, sizeof(path)), 0);
	assert_int_equal(log_open(&f->log, path, false, 0), 0);
	f->metrics = metrics_new();
	assert_non_null(f->metrics);
	f->collected = metrics_register(f->metrics, METRIC_GAUGE, "test_collects",
					"times collect ran", NULL, 0, NULL, 0, err, sizeof(err));
	assert_non_null(f->collected);
	rpc_server_opts_default(&o);
	o.port = 0;
	o.rpcauth[0] = ALICE_ENTRY;
	o.num_rpcauth = 1;
	o.public_mode = public_mode;
	o.threads = 2;
	o.max_body = MAX_BODY;
	o.max_batch = 10;
	o.auth_fail_delay_ms = DELAY_MS;
	o.timeout_s = 5;
	o.datadir = &f->dd;
	o.metrics = f->metrics;
	o.log = &f->log;
	o.health = health;
	o.collect = collect;
	o.ctx = f;
	f->healthy = true;
	f->srv = rpc_server_new(&o, err, sizeof(err));
	if (f->srv == NULL)
		fail_msg("rpc_server_new: %s", err);
	assert_int_equal(
		rpc_server_add_methods(f->srv, test_methods, 2, &f->stored, err, sizeof(err)), 0);
	if (rpc_server_start(f->srv, err, sizeof(err)) != 0)
		fail_msg("rpc_server_start: %s", err);
	f->port = rpc_server_port(f->srv, 0);
	assert_true(f->port != 0);
	assert_int_equal(rpc_server_port(f->srv, 1), 0);
	return f;
}

static int setup(void **state)
{
	*state = fixture_new(false);
	return 0;
}

static int setup_public(void **state)
{
	*state = fixture_new(true);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[4200];

	rpc_server_free(f->srv);
	metrics_free(f->metrics);
	log_close(&f->log);
	datadir_close(&f->dd);
	if (datadir_file(&f->dd, "debug.log", path, sizeof(path)) == 0)
		(void)unlink(path);
	if (datadir_file(&f->dd, RPC_COOKIE_FILE, path, sizeof(path)) == 0)
		(void)unlink(path);
	if (datadir_file(&f->dd, ".lock", path, sizeof(path)) == 0)
		(void)unlink(path);
	if (rmdir(f->base) != 0)
		return -1;
	free(f);
	return 0;
}

struct response {
	long status;
	char body[BODY_LIMIT];
	size_t len;
	char headers[4096];
	size_t headers_len;
};

static size_t take(char *dst, size_t *len, size_t cap, const char *src, size_t n)
{
	if (n >= cap - *len)
		return 0; /* makes curl fail: the test's buffer is full */
	memcpy(dst + *len, src, n);
	*len += n;
	dst[*len] = '\0';
	return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;

	return take(r->body, &r->len, sizeof(r->body), data, size * nmemb);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;

	return take(r->headers, &r->headers_len, sizeof(r->headers), data, size * nmemb);
}

struct upload {
	const char *data;
	size_t len, pos;
};

static size_t on_read(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb < u->len - u->pos ? size * nmemb : u->len - u->pos;

	memcpy(buf, u->data + u->pos, n);
	u->pos += n;
	return n;
}

/* One request. body NULL: no body; chunked: send body chunked (no
 * Content-Length). userpwd NULL: no credentials. */
static void http(const struct fixture *f, const char *method, const char *path, const char *body,
		 size_t body_len, bool chunked, const char *userpwd, struct response *r)
{
	CURL *c = curl_easy_init();
	struct curl_slist *headers = NULL;
	struct upload up = { body, body_len, 0 };
	char url[128];
	CURLcode rc;

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", (unsigned)f->port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Expect:");
	if (chunked) {
		headers = curl_slist_append(headers, "Transfer-Encoding: chunked");
		curl_easy_setopt(c, CURLOPT_POST, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &up);
	} else if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
	}
	assert_non_null(headers);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	if (strcmp(method, "POST") != 0 || body == NULL)
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (userpwd != NULL)
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
}

static void rpc(const struct fixture *f, const char *body, const char *userpwd, struct response *r)
{
	http(f, "POST", "/", body, strlen(body), false, userpwd, r);
}

/* "__cookie__:<hex>" as written to the data directory. */
static char *read_cookie(const struct fixture *f)
{
	char err[256], *text;
	size_t len;

	assert_int_equal(datadir_read(&f->dd, RPC_COOKIE_FILE, 256, &text, &len, err, sizeof(err)),
			 0);
	return text;
}

static double now_s(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char echo_call[] = "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":[7],\"id\":1}";
static const char echo_answer[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"value\":7},\"id\":1}";

static void test_server_refuses_missing_and_wrong_credentials(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));
	char err[256], *log;
	double start;
	size_t len;

	assert_non_null(r);
	rpc(f, echo_call, NULL, r);
	assert_int_equal(r->status, 401);
	assert_non_null(strstr(r->headers, "WWW-Authenticate: Basic realm=\"jsonrpc\""));
	start = now_s();
	rpc(f, echo_call, "alice:wrong", r);
	assert_int_equal(r->status, 401);
	assert_true(now_s() - start >= DELAY_MS / 1000.0);
	rpc(f, echo_call, "__cookie__:0000", r);
	assert_int_equal(r->status, 401);
	/* Each wrong login is logged with the client; the name is made
	 * printable first. */
	rpc(f, echo_call, "bad\nuser:x", r);
	assert_int_equal(r->status, 401);
	free(r);
	assert_int_equal(datadir_read(&f->dd, "debug.log", 4096, &log, &len, err, sizeof(err)), 0);
	assert_non_null(strstr(log, " warn rpc wrong RPC credentials client=127.0.0.1:"));
	assert_non_null(strstr(log, " user=alice\n"));
	assert_non_null(strstr(log, " user=bad?user\n"));
	free(log);
}

static void test_server_accepts_cookie_and_rpcauth(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));
	char *cookie = read_cookie(f);

	assert_non_null(r);
	rpc(f, echo_call, cookie, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, echo_answer);
	assert_non_null(strstr(r->headers, "Content-Type: application/json"));
	rpc(f, echo_call, ALICE, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, echo_answer);
	free(cookie);
	free(r);
}

static void test_server_answers_413_to_oversized_bodies(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));
	char *big = malloc(MAX_BODY + 100);

	assert_non_null(r);
	assert_non_null(big);
	memset(big, ' ', MAX_BODY + 100);
	memcpy(big, echo_call, strlen(echo_call));
	http(f, "POST", "/", big, MAX_BODY + 100, false, ALICE, r);
	assert_int_equal(r->status, 413);
	http(f, "POST", "/", big, MAX_BODY + 100, true, ALICE, r);
	assert_int_equal(r->status, 413);
	/* Exactly at the cap is fine, chunked or not. */
	http(f, "POST", "/", big, MAX_BODY, true, ALICE, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, echo_answer);
	http(f, "POST", "/", big, MAX_BODY, false, ALICE, r);
	assert_int_equal(r->status, 200);
	free(big);
	free(r);
}

static void test_server_routes_404_and_405(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));

	assert_non_null(r);
	http(f, "GET", "/nosuch", NULL, 0, false, ALICE, r);
	assert_int_equal(r->status, 404);
	rpc(f, "{}", NULL, r);
	assert_int_equal(r->status, 401);
	http(f, "POST", "/nosuch", echo_call, strlen(echo_call), false, ALICE, r);
	assert_int_equal(r->status, 404);
	http(f, "GET", "/", NULL, 0, false, ALICE, r);
	assert_int_equal(r->status, 405);
	assert_non_null(strstr(r->headers, "Allow: POST"));
	http(f, "PUT", "/", echo_call, strlen(echo_call), false, ALICE, r);
	assert_int_equal(r->status, 405);
	http(f, "POST", "/health", echo_call, strlen(echo_call), false, ALICE, r);
	assert_int_equal(r->status, 405);
	assert_non_null(strstr(r->headers, "Allow: GET, HEAD"));
	free(r);
}

static void test_server_batch_and_notification(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));

	assert_non_null(r);
	rpc(f,
	    "[{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"params\":{\"value\":\"a\"},\"id\":1},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"store\"},"
	    "{\"jsonrpc\":\"2.0\",\"method\":\"nosuch\",\"id\":2},"
	    "{\"method\":\"echo\",\"params\":[1],\"id\":3}]",
	    ALICE, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body,
			    "[{\"jsonrpc\":\"2.0\",\"result\":{\"value\":\"a\"},\"id\":1},"
			    "{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32601,\"message\":\"method "
			    "'nosuch' not found\"},\"id\":2},"
			    "{\"result\":{\"value\":1},\"error\":null,\"id\":3}]");
	assert_int_equal(f->stored, 1);
	rpc(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\"}", ALICE, r);
	assert_int_equal(r->status, 204);
	assert_int_equal(r->len, 0);
	assert_int_equal(f->stored, 2);
	rpc(f, "{\"method\":\"nosuch\",\"id\":1}", ALICE, r);
	assert_int_equal(r->status, 404);
	rpc(f, "{\"jsonrpc\":\"2.0\",", ALICE, r);
	assert_int_equal(r->status, 400);
	assert_non_null(strstr(r->body, "-32700"));
	free(r);
}

static void test_server_health_and_metrics_callbacks(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));

	assert_non_null(r);
	http(f, "GET", "/health", NULL, 0, false, NULL, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, "{\"status\":\"ok\"}");
	f->healthy = false;
	http(f, "GET", "/health", NULL, 0, false, NULL, r);
	assert_int_equal(r->status, 503);
	assert_string_equal(r->body, "{\"status\":\"syncing\"}");
	rpc(f, echo_call, ALICE, r);
	rpc(f, "{\"jsonrpc\":\"2.0\",\"method\":\"echo\",\"id\":1}", ALICE, r);
	http(f, "GET", "/metrics", NULL, 0, false, NULL, r);
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->headers, "Content-Type: text/plain; version=0.0.4"));
	assert_int_equal(f->collects, 1);
	assert_false(f->collect_failed);
	assert_non_null(strstr(r->body, "# TYPE test_collects gauge\ntest_collects 1\n"));
	assert_non_null(strstr(r->body, "# TYPE hearth_rpc_requests_total counter\n"));
	assert_non_null(
		strstr(r->body, "hearth_rpc_requests_total{method=\"echo\",code=\"0\"} 1\n"));
	assert_non_null(
		strstr(r->body, "hearth_rpc_requests_total{method=\"echo\",code=\"-32602\"} 1\n"));
	assert_non_null(
		strstr(r->body, "hearth_rpc_request_duration_seconds_count{method=\"echo\"} 2\n"));
	assert_non_null(strstr(r->body, "hearth_rpc_http_responses_total{status=\"503\"} 1\n"));
	assert_non_null(strstr(r->body, "hearth_rpc_http_responses_total{status=\"200\"} 3\n"));
	free(r);
}

static void test_server_public_mode_serves_read_only_methods(void **state)
{
	struct fixture *f = *state;
	struct response *r = malloc(sizeof(*r));

	assert_non_null(r);
	rpc(f, echo_call, NULL, r);
	assert_int_equal(r->status, 200);
	assert_string_equal(r->body, echo_answer);
	rpc(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\",\"id\":1}", NULL, r);
	assert_int_equal(r->status, 200);
	assert_non_null(strstr(r->body, "\"code\":-2,"));
	assert_int_equal(f->stored, 0);
	rpc(f, "{\"method\":\"store\",\"id\":1}", NULL, r);
	assert_int_equal(r->status, 500);
	/* Wrong credentials are still refused; right ones unlock writes. */
	rpc(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\",\"id\":1}", "alice:wrong", r);
	assert_int_equal(r->status, 401);
	rpc(f, "{\"jsonrpc\":\"2.0\",\"method\":\"store\",\"id\":1}", ALICE, r);
	assert_int_equal(r->status, 200);
	assert_int_equal(f->stored, 1);
	free(r);
}

struct client {
	const struct fixture *f;
	int ok;
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	struct response *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	for (int i = 0; i < 25; i++) {
		rpc(c->f, echo_call, ALICE, r);
		if (r->status == 200 && strcmp(r->body, echo_answer) == 0)
			c->ok++;
	}
	free(r);
	return NULL;
}

static void test_server_concurrent_clients_all_answered(void **state)
{
	struct fixture *f = *state;
	struct client clients[8];
	pthread_t threads[8];

	for (int i = 0; i < 8; i++) {
		clients[i].f = f;
		clients[i].ok = 0;
		assert_int_equal(pthread_create(&threads[i], NULL, client_run, &clients[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		assert_int_equal(pthread_join(threads[i], NULL), 0);
		assert_int_equal(clients[i].ok, 25);
	}
}

static void test_server_stop_deletes_cookie_and_closes_port(void **state)
{
	struct fixture *f = *state;
	char path[4200];
	CURL *c;
	char url[128];

	assert_int_equal(datadir_file(&f->dd, RPC_COOKIE_FILE, path, sizeof(path)), 0);
	assert_int_equal(access(path, F_OK), 0);
	rpc_server_stop(f->srv);
	assert_int_equal(access(path, F_OK), -1);
	rpc_server_stop(f->srv); /* twice is fine */
	c = curl_easy_init();
	assert_non_null(c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/health", (unsigned)f->port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	assert_int_equal(curl_easy_perform(c), CURLE_COULDNT_CONNECT);
	curl_easy_cleanup(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_server_refuses_missing_and_wrong_credentials),
		T(test_server_accepts_cookie_and_rpcauth),
		T(test_server_answers_413_to_oversized_bodies),
		T(test_server_routes_404_and_405),
		T(test_server_batch_and_notification),
		T(test_server_health_and_metrics_callbacks),
		cmocka_unit_test_setup_teardown(test_server_public_mode_serves_read_only_methods,
						setup_public, teardown),
		T(test_server_concurrent_clients_all_answered),
		T(test_server_stop_deletes_cookie_and_closes_port),
#undef T
	};
	int failed;

	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return failed;
}
