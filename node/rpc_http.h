/* rpc_http.h: inside the RPC server, shared by rpc_server.c (life cycle)
 * and rpc_http.c (requests): the server's state and the libmicrohttpd
 * callbacks that answer clients. Not for the rest of the node: it uses
 * rpc_server.h. */
#ifndef HEARTH_NODE_RPC_HTTP_H
#define HEARTH_NODE_RPC_HTTP_H

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
	struct metric_family *m_calls, *m_call_seconds, *m_http;
	struct rpc_deadline deadline; /* slow clients: rpc_deadline.h */
	bool deadline_open;
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

#endif
