/* rpc_server.c: the life cycle of the RPC server of rpc_server.h: checking
 * the options (addresses, subnets, credentials, limits), the method table
 * with help and uptime, the RPC metric families, one libmicrohttpd daemon
 * per bind address with its own thread pool (epoll), the cookie, and a stop
 * that waits for every thread, and the request deadline against slow
 * clients (rpc_deadline.c). Requests themselves are rpc_http.c's. The
 * options come from rpc_options.c. */
#include "node/rpc_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "node/rpc_http.h"

static void observe_call(void *arg, const char *method, int code, double seconds)
{
	struct rpc_server *srv = arg;
	char code_text[16];
	const char *labels[2] = { method, code_text };

	snprintf(code_text, sizeof(code_text), "%d", code);
	if (metrics_counter_add(srv->m_calls, labels, 1) != 0 ||
	    metrics_histogram_observe(srv->m_call_seconds, labels, seconds) != 0)
		rpc_http_log(srv, LOG_DEBUG, "metrics update dropped", method);
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
	srv->m_parked = metrics_register(m, METRIC_GAUGE, "hearth_rpc_waiting_calls",
					 "calls of waiting methods (waitforblock, ...) in progress",
					 NULL, 0, NULL, 0, err, err_size);
	if (srv->m_parked == NULL)
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
	    o->max_connections < o->threads || o->max_batch < 1 || o->auth_fail_delay_ms > 10000 ||
	    o->max_parked < 1) {
		snprintf(err, err_size,
			 "RPC limits out of range (threads 1..64, body >= 64 bytes, timeout >= 1 "
			 "s, connections >= threads, batch >= 1, waiters >= 1)");
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
	if (rpc_deadline_init(&srv->deadline, (uint64_t)opts->timeout_s * 1000) != 0) {
		snprintf(err, err_size, "cannot set up the RPC request deadline");
		free(srv);
		return NULL;
	}
	srv->deadline_open = true;
	if (rpc_park_init(srv) != 0) {
		snprintf(err, err_size, "cannot set up the RPC server's locks");
		rpc_deadline_free(&srv->deadline);
		free(srv);
		return NULL;
	}
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

int rpc_server_add_parked_methods(struct rpc_server *srv, const struct rpc_method *methods,
				  size_t count, void *ctx, char *err, size_t err_size)
{
	if (srv->started) {
		snprintf(err, err_size, "methods must be added before the RPC server starts");
		return -1;
	}
	return rpc_table_add_parked(srv->table, methods, count, ctx, err, err_size);
}

int rpc_server_set_batch(struct rpc_server *srv, const char *name, rpc_batch_fn fn, char *err,
			 size_t err_size)
{
	if (srv->started || rpc_table_set_batch(srv->table, name, fn) != 0) {
		snprintf(err, err_size, "cannot set the batch handler of %s", name);
		return -1;
	}
	return 0;
}

static int start_listener(struct rpc_server *srv, struct rpc_listener *l, char *err,
			  size_t err_size)
{
	const struct rpc_server_opts *o = &srv->opts;
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME;
	char text[RPC_NET_ADDR_MAX];
	int fd;

	/* The socket is opened here, not by MHD, so that a failure can say
	 * why (MHD only returns NULL). */
	fd = rpc_net_listen((const struct sockaddr *)&l->addr, l->addr_len, 64, &l->port, err,
			    err_size);
	if (fd < 0)
		return -1;
	if (l->addr.ss_family == AF_INET) {
		((struct sockaddr_in *)&l->addr)->sin_port = htons(l->port);
	} else {
		((struct sockaddr_in6 *)&l->addr)->sin6_port = htons(l->port);
		flags |= MHD_USE_IPv6;
	}
	rpc_net_format((const struct sockaddr *)&l->addr, text, sizeof(text));
	/* On success MHD owns fd and closes it in MHD_stop_daemon. */
	l->daemon = MHD_start_daemon(
		flags, 0, rpc_http_accept, srv, rpc_http_handle, srv, MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)o->threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)o->max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)o->timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, rpc_http_completed, srv, MHD_OPTION_NOTIFY_CONNECTION,
		rpc_deadline_notify, &srv->deadline, MHD_OPTION_END);
	if (l->daemon == NULL) {
		close(fd);
		snprintf(err, err_size, "cannot start the RPC server on %s (libmicrohttpd)", text);
		return -1;
	}
	rpc_http_log(srv, LOG_INFO, "RPC listening on", text);
	return 0;
}

int rpc_server_start(struct rpc_server *srv, char *err, size_t err_size)
{
	if (srv->started) {
		snprintf(err, err_size, "RPC server already started");
		return -1;
	}
	srv->started = true;
	if (rpc_deadline_start(&srv->deadline) != 0) {
		snprintf(err, err_size, "cannot start the RPC request deadline thread");
		return -1;
	}
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

/* Gives requests already being answered RPC_DRAIN_MS to finish. */
static void drain_in_flight(struct rpc_server *srv)
{
	const struct timespec tick = { .tv_sec = 0, .tv_nsec = 5 * 1000000L };

	for (unsigned waited = 0; waited < RPC_DRAIN_MS; waited += 5) {
		if (__atomic_load_n(&srv->in_flight, __ATOMIC_RELAXED) == 0)
			return;
		(void)nanosleep(&tick, NULL);
	}
	rpc_http_log(srv, LOG_WARN, "RPC stopping with requests unanswered", "");
}

void rpc_server_stop(struct rpc_server *srv)
{
	rpc_park_drain(srv);
	if (srv->started)
		drain_in_flight(srv);
	for (size_t i = 0; i < srv->num_listeners; i++) {
		if (srv->listeners[i].daemon != NULL) {
			MHD_stop_daemon(srv->listeners[i].daemon);
			srv->listeners[i].daemon = NULL;
		}
	}
	if (srv->opts.datadir != NULL && rpc_auth_cookie_remove(&srv->auth, srv->opts.datadir) != 0)
		rpc_http_log(srv, LOG_WARN, "cannot delete the cookie in", srv->opts.datadir->path);
}

void rpc_server_free(struct rpc_server *srv)
{
	if (srv == NULL)
		return;
	rpc_server_stop(srv);
	if (srv->deadline_open)
		rpc_deadline_free(&srv->deadline);
	rpc_table_free(srv->table);
	rpc_auth_wipe(&srv->auth);
	rpc_park_free(srv);
	free(srv);
}
