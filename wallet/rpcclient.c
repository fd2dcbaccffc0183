/* rpcclient.c: one JSON-RPC call per HTTP POST with libcurl (see
 * rpcclient.h): credentials, the bounded answer buffer, the retry loop of
 * -rpcwait and the translation of every failure into one line. */
#include "wallet/rpcclient.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#define COOKIE_MAX	  256
#define WAIT_STEP_MS	  250
#define CONNECT_TIMEOUT_S 10

struct reply {
	char *data;
	size_t len;
	bool too_large;
};

__attribute__((format(printf, 3, 4))) static void fail(struct rpc_error *e, enum rpc_failure f,
						       const char *fmt, ...)
{
	va_list ap;

	e->failure = f;
	e->code = 0;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
}

int rpc_client_init(struct rpc_client *c, const struct rpc_client_opts *o, struct rpc_error *e)
{
	const char *home = getenv("HOME");
	const char *sub = o->net == NETWORK_DEV ? "/dev" : o->net == NETWORK_TEST ? "/testnet" : "";
	const char *host = o->host != NULL ? o->host : RPC_CLIENT_DEFAULT_HOST;
	bool v6 = strchr(host, ':') != NULL;
	int n;

	memset(c, 0, sizeof(*c));
	memset(e, 0, sizeof(*e));
	c->opts = *o;
	c->port = o->port != 0		  ? o->port
		  : o->net == NETWORK_DEV ? RPC_CLIENT_PORT_DEV
					  : RPC_CLIENT_PORT_MAIN;
	c->next_id = 1;
	if (strlen(host) > 255 || strpbrk(host, "/?#@[] ") != NULL) {
		fail(e, RPC_FAIL_CONNECT, "invalid -rpcconnect host '%s'", host);
		return -1;
	}
	snprintf(c->url, sizeof(c->url), v6 ? "http://[%s]:%u/" : "http://%s:%u/", host, c->port);
	if (o->datadir != NULL)
		n = snprintf(c->cookie_path, sizeof(c->cookie_path), "%s%s/.cookie", o->datadir,
			     sub);
	else if (home != NULL && home[0] != '\0')
		n = snprintf(c->cookie_path, sizeof(c->cookie_path), "%s/.hearth%s/.cookie", home,
			     sub);
	else
		n = 0; /* no cookie: only -rpcuser/-rpcpassword can work */
	if (n < 0 || (size_t)n >= sizeof(c->cookie_path)) {
		fail(e, RPC_FAIL_CONNECT, "%s", "cookie path too long");
		return -1;
	}
	return 0;
}

/* Reads "user:password" from the cookie file into out (wiped by the
 * caller). Returns 0, or -1 with e (RPC_FAIL_CONNECT: no cookie). */
static int read_cookie(const struct rpc_client *c, char *out, size_t size, struct rpc_error *e)
{
	ssize_t n;
	int fd;

	if (c->cookie_path[0] == '\0') {
		fail(e, RPC_FAIL_CONNECT, "%s",
		     "no credentials: HOME is unset; give -datadir or "
		     "-rpcuser and -rpcpassword");
		return -1;
	}
	fd = open(c->cookie_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e->failure = RPC_FAIL_CONNECT;
		snprintf(e->message, sizeof(e->message),
			 "cannot read the node's cookie %.300s: %s (is hearthd running with this "
			 "-datadir and network?)",
			 c->cookie_path, strerror(errno));
		return -1;
	}
	n = read(fd, out, size - 1);
	close(fd);
	if (n <= 0) {
		fail(e, RPC_FAIL_CONNECT, "cannot read the node's cookie %s", c->cookie_path);
		return -1;
	}
	out[n] = '\0';
	out[strcspn(out, "\r\n")] = '\0';
	if (strchr(out, ':') == NULL) {
		fail(e, RPC_FAIL_CONNECT, "the node's cookie %s is malformed", c->cookie_path);
		return -1;
	}
	return 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb;
	char *grown;

	if (n > RPC_CLIENT_REPLY_MAX - r->len) {
		r->too_large = true;
		return 0;
	}
	grown = realloc(r->data, r->len + n + 1);
	if (grown == NULL)
		return 0;
	r->data = grown;
	memcpy(r->data + r->len, ptr, n);
	r->len += n;
	r->data[r->len] = '\0';
	return n;
}

/* Sets the credentials on h. Out: secret (the cookie text; caller wipes). */
static int set_auth(const struct rpc_client *c, CURL *h, char *secret, size_t size,
		    struct rpc_error *e)
{
	char *colon;

	if (c->opts.user != NULL) {
		if (curl_easy_setopt(h, CURLOPT_USERNAME, c->opts.user) != CURLE_OK ||
		    curl_easy_setopt(h, CURLOPT_PASSWORD,
				     c->opts.password != NULL ? c->opts.password : "") != CURLE_OK)
			goto nomem;
		return 0;
	}
	if (read_cookie(c, secret, size, e) != 0)
		return -1;
	colon = strchr(secret, ':');
	*colon = '\0';
	if (curl_easy_setopt(h, CURLOPT_USERNAME, secret) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PASSWORD, colon + 1) != CURLE_OK)
		goto nomem;
	return 0;
nomem:
	fail(e, RPC_FAIL_PROTOCOL, "%s", "cannot set up the HTTP request");
	return -1;
}

/* Turns a JSON-RPC answer into a result or an error. Takes body. */
static int parse_answer(json_t *body, json_t **result, struct rpc_error *e)
{
	json_t *err = json_object_get(body, "error"), *res = json_object_get(body, "result");
	json_t *code, *msg;

	if (err != NULL && !json_is_null(err)) {
		code = json_object_get(err, "code");
		msg = json_object_get(err, "message");
		e->failure = RPC_FAIL_REMOTE;
		e->code = json_is_integer(code) ? json_integer_value(code) : -1;
		snprintf(e->message, sizeof(e->message), "error code %" PRId64 ": %s", e->code,
			 json_is_string(msg) ? json_string_value(msg) : "(no message)");
		json_decref(body);
		return -1;
	}
	if (res == NULL) {
		json_decref(body);
		fail(e, RPC_FAIL_PROTOCOL, "%s", "the node's answer has no result");
		return -1;
	}
	*result = json_incref(res);
	json_decref(body);
	return 0;
}

/* One HTTP attempt. Returns 0, or -1 with e. */
static int attempt(struct rpc_client *c, const char *request, json_t **result, struct rpc_error *e)
{
	char secret[COOKIE_MAX], where[320];
	struct curl_slist *headers = NULL;
	struct reply r = { NULL, 0, false };
	json_error_t jerr;
	json_t *body;
	long status = 0;
	CURLcode rc;
	CURL *h = curl_easy_init();

	memset(e, 0, sizeof(*e));
	if (h == NULL) {
		fail(e, RPC_FAIL_PROTOCOL, "%s", "cannot start libcurl");
		return -1;
	}
	if (set_auth(c, h, secret, sizeof(secret), e) != 0) {
		sodium_memzero(secret, sizeof(secret));
		curl_easy_cleanup(h);
		return -1;
	}
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (headers == NULL || curl_easy_setopt(h, CURLOPT_URL, c->url) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_WRITEDATA, &r) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)CONNECT_TIMEOUT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)RPC_CLIENT_TIMEOUT_S) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_PROXY, "") != CURLE_OK) {
		fail(e, RPC_FAIL_PROTOCOL, "%s", "cannot set up the HTTP request");
		rc = CURLE_FAILED_INIT;
	} else {
		rc = curl_easy_perform(h);
		if (rc == CURLE_OK)
			(void)curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	}
	sodium_memzero(secret, sizeof(secret));
	curl_slist_free_all(headers);
	curl_easy_cleanup(h);
	snprintf(where, sizeof(where), "%.*s", (int)(strlen(c->url) - 1), c->url);
	if (e->failure != RPC_FAIL_NONE) {
		free(r.data);
		return -1;
	}
	if (rc != CURLE_OK) {
		free(r.data);
		if (r.too_large) {
			fail(e, RPC_FAIL_PROTOCOL, "the node's answer is larger than %s", "64 MiB");
			return -1;
		}
		e->failure = RPC_FAIL_CONNECT;
		snprintf(e->message, sizeof(e->message),
			 "cannot reach the node at %s: %s (is hearthd running? use -rpcconnect, "
			 "-rpcport, -dev)",
			 where, curl_easy_strerror(rc));
		return -1;
	}
	if (status == 401) {
		free(r.data);
		fail(e, RPC_FAIL_AUTH,
		     "the node at %s refused the credentials (wrong -rpcuser/-rpcpassword or "
		     "a stale cookie)",
		     where);
		return -1;
	}
	body = r.data != NULL ? json_loadb(r.data, r.len, 0, &jerr) : NULL;
	free(r.data);
	if (!json_is_object(body)) {
		json_decref(body);
		e->failure = RPC_FAIL_PROTOCOL;
		snprintf(e->message, sizeof(e->message),
			 "the node at %s did not answer with JSON-RPC (HTTP %ld)", where, status);
		return -1;
	}
	return parse_answer(body, result, e);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool worth_retrying(const struct rpc_error *e)
{
	return e->failure == RPC_FAIL_CONNECT ||
	       (e->failure == RPC_FAIL_REMOTE && e->code == RPC_CLIENT_CODE_WARMUP);
}

int rpc_client_call(struct rpc_client *c, const char *method, json_t *params, json_t **result,
		    struct rpc_error *e)
{
	const struct timespec step = { 0, WAIT_STEP_MS * 1000000L };
	uint64_t deadline = now_ms() + (uint64_t)c->opts.wait_timeout_s * 1000;
	json_t *req = json_pack("{s:s, s:I, s:s}", "jsonrpc", "2.0", "id", (json_int_t)c->next_id++,
				"method", method);
	char *text;
	int rc;

	*result = NULL;
	if (req == NULL || (params != NULL && json_object_set(req, "params", params) != 0) ||
	    (text = json_dumps(req, JSON_COMPACT)) == NULL) {
		json_decref(req);
		fail(e, RPC_FAIL_PROTOCOL, "%s", "out of memory building the request");
		return -1;
	}
	json_decref(req);
	for (;;) {
		rc = attempt(c, text, result, e);
		if (rc == 0 || !c->opts.wait || !worth_retrying(e) || now_ms() >= deadline)
			break;
		nanosleep(&step, NULL);
	}
	free(text);
	if (rc != 0 && c->opts.wait && worth_retrying(e)) {
		size_t n = strlen(e->message);

		snprintf(e->message + n, sizeof(e->message) - n,
			 " (gave up after -rpcwaittimeout=%u)", c->opts.wait_timeout_s);
	}
	return rc;
}
