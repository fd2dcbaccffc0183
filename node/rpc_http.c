/* rpc_http.c: one request of the RPC server, from its first line to its
 * answer: the accept policy (loopback and -rpcallowip), routing, credentials
 * checked as soon as the headers are in and before any body is read, the
 * body gathered up to its cap, the answer from rpc_dispatch or from the
 * node's /health and /metrics callbacks, and the count of HTTP statuses. */
#include "node/rpc_http.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void rpc_http_log(const struct rpc_server *srv, enum log_level level, const char *what,
		  const char *detail)
{
	if (srv->opts.log != NULL)
		log_write(srv->opts.log, level, LOG_RPC, "%s %s", what, detail);
}

enum MHD_Result rpc_http_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
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
		rpc_http_log(srv, LOG_DEBUG, "refused client not in -rpcallowip", text);
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
		rpc_http_log(srv, LOG_DEBUG, "metrics update dropped", text);
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

/* GET /input/<64 hex>: a job input of <datadir>/inputs (node/input_store.h),
 * streamed from its file. No credentials: the name is the hash of the
 * content, so only who knows the hash asks for it (doc/consumer.md). */
static enum MHD_Result serve_input(struct rpc_server *srv, struct MHD_Connection *conn,
				   const char *hex)
{
	char name[sizeof("inputs/") + 2 * 32], path[DATADIR_PATH_MAX + 128];
	struct MHD_Response *resp;
	struct stat st;
	enum MHD_Result rc;
	size_t n = strspn(hex, "0123456789abcdef");
	int fd;

	if (n != 64 || hex[n] != '\0' || srv->opts.datadir == NULL)
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	snprintf(name, sizeof(name), "inputs/%s", hex);
	if (datadir_file(srv->opts.datadir, name, path, sizeof(path)) != 0 ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd)) == NULL) {
		close(fd);
		return respond_error(srv, conn, 500, "cannot read the input", NULL, NULL);
	}
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				    "application/octet-stream") != MHD_YES) {
		MHD_destroy_response(resp); /* closes fd */
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	count_status(srv, 200);
	return rc;
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

/* Frees what was kept of a body that will be answered 413. */
static void drop_body(struct rpc_request *req)
{
	req->too_large = true;
	free(req->body);
	req->body = NULL;
	req->len = req->cap = 0;
}

/* Keeps the next piece of the body, or drops everything once over the cap. */
static void take_body(struct rpc_request *req, const char *data, size_t size)
{
	size_t max = req->srv->opts.max_body;

	if (req->too_large)
		return;
	if (size > max - req->len) {
		drop_body(req);
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
			drop_body(req);
			return;
		}
		req->body = grown;
		req->cap = cap;
	}
	memcpy(req->body + req->len, data, size);
	req->len += size;
}

static enum MHD_Result send_reply(struct rpc_server *srv, struct MHD_Connection *conn,
				  struct rpc_reply *reply)
{
	char *body = reply->body;

	reply->body = NULL;
	return respond(srv, conn, reply->http_status, body, reply->len,
		       body ? "application/json" : NULL, NULL, NULL);
}

static enum MHD_Result finish_post(struct rpc_request *req, struct MHD_Connection *conn)
{
	struct rpc_server *srv = req->srv;
	json_t *root;
	int rc;

	if (req->too_large)
		return respond_error(srv, conn, 413, "request body too large", NULL, NULL);
	rc = rpc_dispatch_parse(srv->table, req->body ? req->body : "", req->len, &root,
				&req->reply);
	if (rc == 0 && rpc_dispatch_is_parked(srv->table, root)) {
		rc = rpc_park_request(req, conn, root);
		if (rc == 1)
			return MHD_YES; /* answered when the thread resumes conn */
	} else if (rc == 0) {
		rc = rpc_dispatch_root(srv->table, root, req->full_access, &req->reply);
		json_decref(root);
	}
	if (rc < 0)
		return respond_error(srv, conn, 500, "out of memory", NULL, NULL);
	return send_reply(srv, conn, &req->reply);
}

/* What a request asks for, known from its first line. */
static enum rpc_route route_of(const char *url, const char *method)
{
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		   strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;

	if (strcmp(url, "/health") == 0 || strcmp(url, "/metrics") == 0) {
		if (!get)
			return ROUTE_GET_ONLY;
		return url[1] == 'h' ? ROUTE_HEALTH : ROUTE_METRICS;
	}
	if (strncmp(url, RPC_INPUT_PREFIX, sizeof(RPC_INPUT_PREFIX) - 1) == 0)
		return get ? ROUTE_INPUT : ROUTE_GET_ONLY;
	if (strcmp(url, "/") != 0)
		return ROUTE_NOT_FOUND;
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0)
		return ROUTE_POST_ONLY;
	return ROUTE_RPC;
}

static enum MHD_Result serve(struct rpc_request *req, struct MHD_Connection *conn)
{
	struct rpc_server *srv = req->srv;

	switch (req->route) {
	case ROUTE_RPC:
		return finish_post(req, conn);
	case ROUTE_HEALTH:
		return serve_health(srv, conn);
	case ROUTE_METRICS:
		return serve_metrics(srv, conn);
	case ROUTE_INPUT:
		return serve_input(srv, conn, req->input_hex);
	case ROUTE_NOT_FOUND:
		return respond_error(srv, conn, 404, "not found", NULL, NULL);
	case ROUTE_POST_ONLY:
		return respond_error(srv, conn, 405, "JSON-RPC needs POST", MHD_HTTP_HEADER_ALLOW,
				     "POST");
	case ROUTE_GET_ONLY:
		return respond_error(srv, conn, 405, "method not allowed", MHD_HTTP_HEADER_ALLOW,
				     "GET, HEAD");
	}
	return MHD_NO;
}

static bool has_body(struct MHD_Connection *conn)
{
	const char *length =
		MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (length != NULL && strcmp(length, "0") != 0) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

/* First call of a request, with its headers. MHD closes the connection after
 * a response queued now, before the request was read whole: right for a
 * refusal whose body must not be read, wasteful otherwise, so other answers
 * wait for the last call and keep-alive connections stay open. */
static enum MHD_Result begin_request(struct rpc_server *srv, struct MHD_Connection *conn,
				     const char *url, const char *method, void **con_cls)
{
	enum rpc_route route = route_of(url, method);
	struct rpc_request *req;
	enum MHD_Result result;
	bool full_access = false;

	if (route == ROUTE_RPC && admit_post(srv, conn, &full_access, &result) != 0)
		return result;
	req = calloc(1, sizeof(*req));
	if (req == NULL)
		return MHD_NO;
	req->srv = srv;
	req->route = route;
	req->full_access = full_access;
	if (route == ROUTE_INPUT)
		snprintf(req->input_hex, sizeof(req->input_hex), "%s",
			 url + sizeof(RPC_INPUT_PREFIX) - 1);
	if (route != ROUTE_RPC && has_body(conn)) {
		result = serve(req, conn);
		free(req);
		return result;
	}
	*con_cls = req;
	__atomic_add_fetch(&srv->in_flight, 1, __ATOMIC_RELAXED);
	return MHD_YES;
}

enum MHD_Result rpc_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload_data,
				size_t *upload_data_size, void **con_cls)
{
	struct rpc_server *srv = cls;
	struct rpc_request *req = *con_cls;

	(void)version;
	if (req == NULL)
		return begin_request(srv, conn, url, method, con_cls);
	if (req->parked) {
		/* Resumed: the thread left the answer. */
		req->parked = false;
		if (req->reply.http_status == 500 && req->reply.body == NULL)
			return respond_error(srv, conn, 500, "out of memory", NULL, NULL);
		return send_reply(srv, conn, &req->reply);
	}
	if (*upload_data_size != 0) {
		if (req->route == ROUTE_RPC)
			take_body(req, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	rpc_deadline_answering(&srv->deadline, conn);
	return serve(req, conn);
}

void rpc_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe)
{
	struct rpc_server *srv = cls;
	struct rpc_request *req = *con_cls;

	(void)toe;
	rpc_deadline_next(&srv->deadline, conn);
	if (req != NULL) {
		json_decref(req->root);
		free(req->reply.body);
		free(req->body);
		free(req);
		*con_cls = NULL;
		__atomic_sub_fetch(&srv->in_flight, 1, __ATOMIC_RELAXED);
	}
}
