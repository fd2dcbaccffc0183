/* rpc_http.h: inside the RPC server, shared by rpc_server.c (life cycle)
 * and rpc_http.c (requests): the server's state and the libmicrohttpd
 * callbacks that answer clients. Not for the rest of the node: it uses
 * rpc_server.h. */
#ifndef HEARTH_NODE_RPC_HTTP_H
#define HEARTH_NODE_RPC_HTTP_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "node/rpc_auth.h"
#include "node/rpc_builtin.h"
#include "node/rpc_deadline.h"
#include "node/rpc_net.h"
#include "node/rpc_server.h"

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
	struct metric_family *m_calls, *m_call_seconds, *m_http, *m_parked;
	struct rpc_deadline deadline; /* slow clients: rpc_deadline.h */
	bool deadline_open;
	/* Parked calls (rpc_park.c): guarded by park_lock. */
	pthread_mutex_t park_lock;
	pthread_cond_t park_cond;
	bool park_lock_open;
	unsigned num_parked;
	bool stopping;	    /* no new parked call */
	unsigned in_flight; /* requests begun, not completed (atomics) */
};

enum rpc_route {
	ROUTE_RPC,	 /* POST / */
	ROUTE_HEALTH,	 /* GET /health */
	ROUTE_METRICS,	 /* GET /metrics */
	ROUTE_NOT_FOUND, /* 404 */
	ROUTE_POST_ONLY, /* 405 on / */
	ROUTE_GET_ONLY,	 /* 405 on /health, /metrics */
	ROUTE_INPUT,	 /* GET /input/<hash hex>: a stored job input */
};

#define RPC_INPUT_PREFIX "/input/"

/* State of one HTTP request, from its headers to its completion. */
struct rpc_request {
	struct rpc_server *srv;
	enum rpc_route route;
	bool full_access;
	bool too_large;
	char *body;
	size_t len, cap;
	/* A parked call: its body, then its answer once the thread is done. */
	json_t *root;
	bool parked;
	struct rpc_reply reply;
	char input_hex[68]; /* ROUTE_INPUT: what follows /input/ (cut at 67 bytes) */
};

/* Writes "what detail" to the server's log in category rpc, if it has one. */
void rpc_http_log(const struct rpc_server *srv, enum log_level level, const char *what,
		  const char *detail);

/* MHD accept policy (cls: the server): loopback and -rpcallowip clients. */
enum MHD_Result rpc_http_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);

/* MHD access handler (cls: the server): routes, admits, reads and answers
 * one request over its calls. */
enum MHD_Result rpc_http_handle(void *cls, struct MHD_Connection *conn, const char *url,
				const char *method, const char *version, const char *upload_data,
				size_t *upload_data_size, void **con_cls);

/* MHD completion callback: frees a request's state. */
void rpc_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			enum MHD_RequestTerminationCode toe);

/* Runs root (taken) of req on a thread of its own with conn suspended, so
 * the HTTP thread goes on serving other connections; the answer is queued
 * when MHD calls the handler again after the thread resumes conn. Over
 * opts.max_parked parked calls, or while stopping, every call of root is
 * answered with an error instead (-31, -29) in req->reply at once.
 * Returns 1 when parked, 0 when req->reply holds the answer, -1 when out
 * of memory. */
__attribute__((warn_unused_result)) int rpc_park_request(struct rpc_request *req,
							 struct MHD_Connection *conn, json_t *root);

/* Sets up and frees the parking lock of srv. Returns 0 or -1. */
__attribute__((warn_unused_result)) int rpc_park_init(struct rpc_server *srv);
void rpc_park_free(struct rpc_server *srv);

/* Refuses new parked calls and waits until every parked one has been
 * answered (their handlers must return: the node wakes its waiters first). */
void rpc_park_drain(struct rpc_server *srv);

#endif
