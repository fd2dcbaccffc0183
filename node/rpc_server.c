/* rpc_server.c: the HTTP side of rpc_server.h on libmicrohttpd: one daemon
 * per bind address, each with its own thread pool; the accept policy
 * (loopback and -rpcallowip); routing; credentials checked as soon as the
 * headers are in, before any body is read; the body gathered up to its cap;
 * the answer from rpc_dispatch; and the RPC metrics. The options come from
 * rpc_options.c. */
#include "node/rpc_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "node/rpc_builtin.h"
#include "node/rpc_net.h"

struct rpc_listener {
	struct sockaddr_storage addr;
	socklen_t addr_len;
	struct MHD_Daemon *daemon;
	uint16_t port;
};

struct rpc_server {
	struct rpc_server_opts opts;
	struct rpc_table *table;
	struct rpc_builtin builtin;
	struct rpc_auth auth;
	size_t num_allow;
	struct rpc_subnet allow[RPC_MAX_ALLOWIP];
	size_t num_listeners;
	struct rpc_listener listeners[RPC_MAX_BIND];
	bool started;
	struct metric_family *m_calls, *m_call_seconds, *m_http;
};

/* State of one HTTP request, from its headers to its completion. */
struct rpc_request {
	struct rpc_server *srv;
	bool full_access;
	bool too_large;
	char *body;
	size_t len, cap;
};

static void server_log(const struct rpc_server *srv, enum log_level level, const char *what,
		       const char *detail)
{
	if (srv->opts.log != NULL)
		log_write(srv->opts.log, level, LOG_RPC, "%s %s", what, detail);
}

static void observe_call(void *arg, const char *method, int code, double seconds)
{
	struct rpc_server *srv = arg;
	char code_text[16];
	const char *labels[2] = { method, code_text };

	snprintf(code_text, sizeof(code_text), "%d", code);
	if (metrics_counter_add(srv->m_calls, labels, 1) != 0 ||
	    metrics_histogram_observe(srv->m_call_seconds, labels, seconds) != 0)
		server_log(srv, LOG_DEBUG, "metrics update dropped", method);
}

static int register_metrics(struct rpc_server *srv, char *err, size_t err_size)
{
	static const char *const call_labels[] = { "method", "code" };
	static const char *const http_labels[] = { "status" };
	static const double buckets[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
					  0.1,	  0.25,	 0.5,	 1,	2.5,  5,     10 };
	struct metrics *m = srv->opts.metrics;

	if (m == NULL)
		return 0;
	srv->m_calls = metrics_register(m, METRIC_COUNTER, "hearth_rpc_requests_total",
					"JSON-RPC calls answered, by method and error code",
					call_labels, 2, NULL, 0, err, err_size);
	if (srv->m_calls == NULL)
		return -1;
	srv->m_call_seconds =
		metrics_register(m, METRIC_HISTOGRAM, "hearth_rpc_request_duration_seconds",
				 "time spent answering one JSON-RPC call", call_labels, 1, buckets,
				 sizeof(buckets) / sizeof(buckets[0]), err, err_size);
	if (srv->m_call_seconds == NULL)
		return -1;
	srv->m_http = metrics_register(m, METRIC_COUNTER, "hearth_rpc_http_responses_total",
				       "HTTP responses of the RPC server, by status", http_labels,
				       1, NULL, 0, err, err_size);
	if (srv->m_http == NULL)
		return -1;
	rpc_table_set_observer(srv->table, observe_call, srv);
	return 0;
}

/* Checks the bind addresses: numeric, and loopback unless -rpcallowip. */
static int parse_binds(struct rpc_server *srv, char *err, size_t err_size)
{
	const struct rpc_server_opts *o = &srv->opts;
	static const char *const loopback[] = { "127.0.0.1" };
	const char *const *binds = o->num_bind ? o->bind : loopback;
	size_t n = o->num_bind ? o->num_bind : 1;

	for (size_t i = 0; i < n; i++) {
		struct rpc_listener *l = &srv->listeners[i];

		if (rpc_net_parse_bind(binds[i], o->port, &l->addr, &l->addr_len) != 0) {
			snprintf(err, err_size,
				 "-rpcbind=%.80s is not a numeric address with an optional port",
				 binds[i]);
			return -1;
		}
		if (!rpc_net_is_loopback((const struct sockaddr *)&l->addr) &&
		    srv->num_allow == 0) {
			snprintf(err, err_size,
				 "-rpcbind=%.80s is not a loopback address: give -rpcallowip for "
				 "the clients that may connect",
				 binds[i]);
			return -1;
		}
	}
	srv->num_listeners = n;
	return 0;
}

static int check_opts(const struct rpc_server_opts *o, char *err, size_t err_size)
{
	if (o->num_bind > RPC_MAX_BIND || o->num_allowip > RPC_MAX_ALLOWIP ||
	    o->num_rpcauth > RPC_AUTH_MAX_ENTRIES) {
		snprintf(err, err_size, "too many -rpcbind, -rpcallowip or -rpcauth values");
		return -1;
	}
	if (o->threads < 1 || o->threads > 64 || o->max_body < 64 || o->timeout_s < 1 ||
	    o->max_connections < o->threads || o->max_batch < 1 || o->auth_fail_delay_ms > 10000) {
		snprintf(err, err_size,
			 "RPC limits out of range (threads 1..64, body >= 64 bytes, timeout >= 1 "
			 "s, connections >= threads, batch >= 1)");
		return -1;
	}
	if ((o->user == NULL) != (o->password == NULL)) {
		snprintf(err, err_size, "-rpcuser and -rpcpassword go together");
		return -1;
	}
	return 0;
}

static int setup_auth(struct rpc_server *srv, char *err, size_t err_size)
{
	const struct rpc_server_opts *o = &srv->opts;

	rpc_auth_init(&srv->auth);
	for (size_t i = 0; i < o->num_rpcauth; i++) {
		if (rpc_auth_add_entry(&srv->auth, o->rpcauth[i], err, err_size) != 0)
			return -1;
	}
	if (o->user != NULL &&
	    rpc_auth_set_userpass(&srv->auth, o->user, o->password, err, err_size) != 0)
		return -1;
	if (o->datadir == NULL && o->user == NULL && o->num_rpcauth == 0 && !o->public_mode) {
		snprintf(err, err_size, "RPC has no credentials: no cookie, -rpcauth or -rpcuser");
		return -1;
	}
	return 0;
}

struct rpc_server *rpc_server_new(const struct rpc_server_opts *opts, char *err, size_t err_size)
{
	struct rpc_server *srv;

	if (check_opts(opts, err, err_size) != 0)
		return NULL;
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	srv->opts = *opts;
	for (size_t i = 0; i < opts->num_allowip; i++) {
		if (rpc_net_parse_subnet(opts->allowip[i], &srv->allow[i]) != 0) {
			snprintf(err, err_size,
				 "-rpcallowip=%.80s is not an address or subnet (a.b.c.d/n, "
				 "a.b.c.d/mask, IPv6/n)",
				 opts->allowip[i]);
			rpc_server_free(srv);
			return NULL;
		}
	}
	srv->num_allow = opts->num_allowip;
	srv->table = rpc_table_new();
	if (srv->table == NULL) {
		snprintf(err, err_size, "out of memory");
		rpc_server_free(srv);
		return NULL;
	}
	rpc_table_set_max_batch(srv->table, opts->max_batch);
	if (parse_binds(srv, err, err_size) != 0 || setup_auth(srv, err, err_size) != 0 ||
	    rpc_builtin_register(&srv->builtin, srv->table, err, err_size) != 0 ||
	    register_metrics(srv, err, err_size) != 0) {
		rpc_server_free(srv);
		return NULL;
	}
	return srv;
}

int rpc_server_add_methods(struct rpc_server *srv, const struct rpc_method *methods, size_t count,
			   void *ctx, char *err, size_t err_size)
{
	if (srv->started) {
		snprintf(err, err_size, "methods must be added before the RPC server starts");
		return -1;
	}
	return rpc_table_add(srv->table, methods, count, ctx, err, err_size);
}

static enum MHD_Result accept_client(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	const struct rpc_server *srv = cls;

	(void)addrlen;
	if (rpc_net_is_loopback(addr))
		return MHD_YES;
	for (size_t i = 0; i < srv->num_allow; i++) {
		if (rpc_net_subnet_match(&srv->allow[i], addr))
			return MHD_YES;
	}
	if (srv->opts.log != NULL && log_enabled(srv->opts.log, LOG_DEBUG, LOG_RPC)) {
		char text[RPC_NET_ADDR_MAX];

		rpc_net_format(addr, text, sizeof(text));
		server_log(srv, LOG_DEBUG, "refused client not in -rpcallowip", text);
	}
	return MHD_NO;
}

static void count_status(struct rpc_server *srv, unsigned status)
{
	char text[8];
	const char *labels[1] = { text };

	if (srv->m_http == NULL)
		return;
	snprintf(text, sizeof(text), "%u", status);
	if (metrics_counter_add(srv->m_http, labels, 1) != 0)
		server_log(srv, LOG_DEBUG, "metrics update dropped", text);
}

/* Queues status with body (malloc'd, taken; NULL for none). */
static enum MHD_Result respond(struct rpc_server *srv, struct MHD_Connection *conn, unsigned status,
			       char *body, size_t len, const char *content_type, const char *header,
			       const char *header_value)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	if (body != NULL)
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	else
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	if ((content_type != NULL && MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
							     content_type) != MHD_YES) ||
	    (header != NULL && MHD_add_response_header(resp, header, header_value) != MHD_YES)) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	count_status(srv, status);
	return rc;
}

/* A short JSON body for an HTTP-level error. */
static enum MHD_Result respond_error(struct rpc_server *srv, struct MHD_Connection *conn,
				     unsigned status, const char *message, const char *header,
				     const char *header_value)
{
	json_t *o = json_pack("{s:s}", "error", message);
	char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return respond(srv, conn, status, body, body ? strlen(body) : 0,
		       body ? "application/json" : NULL, header, header_value);
}

static enum MHD_Result serve_health(struct rpc_server *srv, struct MHD_Connection *conn)
{
	json_t *body = NULL;
	unsigned status;
	char *text;

	if (srv->opts.health == NULL)
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	status = srv->opts.health(srv->opts.ctx, &body);
	text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (text == NULL || (status != 200 && status != 503)) {
		free(text);
		return respond_error(srv, conn, 500, "health callback failed", NULL, NULL);
	}
	return respond(srv, conn, status, text, strlen(text), "application/json", NULL, NULL);
}

static enum MHD_Result serve_metrics(struct rpc_server *srv, struct MHD_Connection *conn)
{
	char *text;
	size_t len;

	if (srv->opts.metrics == NULL)
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	if (srv->opts.collect != NULL)
		srv->opts.collect(srv->opts.ctx);
	if (metrics_render(srv->opts.metrics, &text, &len) != 0)
		return respond_error(srv, conn, 500, "out of memory", NULL, NULL);
	return respond(srv, conn, 200, text, len, METRICS_CONTENT_TYPE, NULL, NULL);
}

/* Logs a wrong login with the client's address, like bitcoind. The user
 * name comes from the client: only printable ASCII of it is written. */
static void log_refused(const struct rpc_server *srv, struct MHD_Connection *conn, char *user)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char addr[RPC_NET_ADDR_MAX] = "?";

	if (srv->opts.log == NULL)
		return;
	for (char *c = user; *c != '\0'; c++) {
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	}
	if (info != NULL && info->client_addr != NULL)
		rpc_net_format(info->client_addr, addr, sizeof(addr));
	log_write(srv->opts.log, LOG_WARN, LOG_RPC, "wrong RPC credentials client=%s user=%s", addr,
		  user);
}

/* Decides from the headers alone whether a POST / may go on. Returns 0 with
 * *full_access set, or -1 after queueing the refusal (*result). */
static int admit_post(struct rpc_server *srv, struct MHD_Connection *conn, bool *full_access,
		      enum MHD_Result *result)
{
	const char *auth =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	const char *length =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	static const char realm[] = "Basic realm=\"jsonrpc\"";

	if (auth != NULL) {
		char user[RPC_AUTH_USER_MAX];

		if (!rpc_auth_check_header(&srv->auth, auth, user, sizeof(user))) {
			struct timespec delay = {
				.tv_sec = srv->opts.auth_fail_delay_ms / 1000,
				.tv_nsec = (long)(srv->opts.auth_fail_delay_ms % 1000) * 1000000L,
			};

			log_refused(srv, conn, user);
			/* Slows down password guessing, like bitcoind; an
			 * interrupted sleep just ends early. */
			(void)nanosleep(&delay, NULL);
			*result = respond(srv, conn, 401, NULL, 0, NULL,
					  MHD_HTTP_HEADER_WWW_AUTHENTICATE, realm);
			return -1;
		}
		*full_access = true;
	} else if (srv->opts.public_mode) {
		*full_access = false;
	} else {
		*result = respond(srv, conn, 401, NULL, 0, NULL, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
				  realm);
		return -1;
	}
	if (length != NULL &&
	    (strlen(length) > 19 ||
	     strtoull(length, NULL, 10) > (unsigned long long)srv->opts.max_body)) {
		*result = respond_error(srv, conn, 413, "request body too large", NULL, NULL);
		return -1;
	}
	return 0;
}

/* Keeps the next piece of the body, or drops everything once over the cap. */
static void take_body(struct rpc_request *req, const char *data, size_t size)
{
	size_t max = req->srv->opts.max_body;

	if (req->too_large)
		return;
	if (size > max - req->len) {
		req->too_large = true;
		free(req->body);
		req->body = NULL;
		req->len = req->cap = 0;
		return;
	}
	if (req->len + size > req->cap) {
		size_t cap = req->cap ? req->cap : 4096;
		char *grown;

		while (cap < req->len + size)
			cap *= 2;
		if (cap > max)
			cap = max;
		grown = realloc(req->body, cap);
		if (grown == NULL) {
			/* Answered like an oversize body: the server cannot take it. */
			req->too_large = true;
			free(req->body);
			req->body = NULL;
			req->len = req->cap = 0;
			return;
		}
		req->body = grown;
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, size);
	req->len += size;
}

static enum MHD_Result finish_post(struct rpc_request *req, struct MHD_Connection *conn)
{
	struct rpc_server *srv = req->srv;
	struct rpc_reply reply;

	if (req->too_large)
		return respond_error(srv, conn, 413, "request body too large", NULL, NULL);
	if (rpc_dispatch_body(srv->table, req->body ? req->body : "", req->len, req->full_access,
			      &reply) != 0)
		return respond_error(srv, conn, 500, "out of memory", NULL, NULL);
	return respond(srv, conn, reply.http_status, reply.body, reply.len,
		       reply.body ? "application/json" : NULL, NULL, NULL);
}

static enum MHD_Result route(struct rpc_server *srv, struct MHD_Connection *conn, const char *url,
			     const char *method, void **con_cls)
{
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		   strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	struct rpc_request *req;
	enum MHD_Result result;
	bool full_access;

	if (strcmp(url, "/health") == 0 || strcmp(url, "/metrics") == 0) {
		if (!get)
			return respond_error(srv, conn, 405, "method not allowed",
					     MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
		return url[1] == 'h' ? serve_health(srv, conn) : serve_metrics(srv, conn);
	}
	if (strcmp(url, "/") != 0)
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return respond_error(srv, conn, 405, "JSON-RPC needs POST", MHD_HTTP_HEADER_ALLOW,
				     "POST");
	if (admit_post(srv, conn, &full_access, &result) != 0)
		return result;
	req = calloc(1, sizeof(*req));
	if (req == NULL)
		return MHD_NO;
	req->srv = srv;
	req->full_access = full_access;
	*con_cls = req;
	return MHD_YES;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct rpc_server *srv = cls;
	struct rpc_request *req = *con_cls;

	(void)version;
	if (req == NULL)
		return route(srv, conn, url, method, con_cls);
	if (*upload_data_size != 0) {
		take_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	return finish_post(req, conn);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct rpc_request *req = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (req != NULL) {
		free(req->body);
		free(req);
		*con_cls = NULL;
	}
}

static int start_listener(struct rpc_server *srv, struct rpc_listener *l, char *err,
			  size_t err_size)
{
	const struct rpc_server_opts *o = &srv->opts;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD;
	const union MHD_DaemonInfo *info;
	char text[RPC_NET_ADDR_MAX];

	if (l->addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	rpc_net_format((const struct sockaddr *)&l->addr, text, sizeof(text));
	l->daemon = MHD_start_daemon(
		flags, 0, accept_client, srv, handle_request, srv, MHD_OPTION_SOCK_ADDR,
		(const struct sockaddr *)&l->addr, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s, MHD_OPTION_NOTIFY_COMPLETED,
		request_completed, srv, MHD_OPTION_END);
	if (l->daemon == NULL) {
		snprintf(err, err_size,
			 "cannot listen for RPC on %s (in use, or not an address "
			 "of this host)",
			 text);
		return -1;
	}
	info = MHD_get_daemon_info(l->daemon, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info ? info->port : 0;
	if (l->port == 0) {
		snprintf(err, err_size, "cannot learn the RPC port of %s", text);
		return -1;
	}
	if (l->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&l->addr)->sin_port = htons(l->port);
	else
		((struct sockaddr_in6 *)&l->addr)->sin6_port = htons(l->port);
	rpc_net_format((const struct sockaddr *)&l->addr, text, sizeof(text));
	server_log(srv, LOG_INFO, "RPC listening on", text);
	return 0;
}

int rpc_server_start(struct rpc_server *srv, char *err, size_t err_size)
{
	if (srv->started) {
		snprintf(err, err_size, "RPC server already started");
		return -1;
	}
	srv->started = true;
	for (size_t i = 0; i < srv->num_listeners; i++) {
		if (start_listener(srv, &srv->listeners[i], err, err_size) != 0) {
			rpc_server_stop(srv);
			return -1;
		}
	}
	if (srv->opts.datadir != NULL && srv->opts.password == NULL &&
	    rpc_auth_cookie_create(&srv->auth, srv->opts.datadir, err, err_size) != 0) {
		rpc_server_stop(srv);
		return -1;
	}
	return 0;
}

uint16_t rpc_server_port(const struct rpc_server *srv, size_t i)
{
	return i < srv->num_listeners && srv->listeners[i].daemon ? srv->listeners[i].port : 0;
}

void rpc_server_stop(struct rpc_server *srv)
{
	for (size_t i = 0; i < srv->num_listeners; i++) {
		if (srv->listeners[i].daemon != NULL) {
			MHD_stop_daemon(srv->listeners[i].daemon);
			srv->listeners[i].daemon = NULL;
		}
	}
	if (srv->opts.datadir != NULL && rpc_auth_cookie_remove(&srv->auth, srv->opts.datadir) != 0)
		server_log(srv, LOG_WARN, "cannot delete the cookie in", srv->opts.datadir->path);
}

void rpc_server_free(struct rpc_server *srv)
{
	if (srv == NULL)
		return;
	rpc_server_stop(srv);
	rpc_table_free(srv->table);
	rpc_auth_wipe(&srv->auth);
	free(srv);
}
