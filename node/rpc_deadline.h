/* rpc_deadline.h: the RPC server's guard against slow clients (slowloris).
 * libmicrohttpd's connection timeout counts idle time only, so a client
 * that sends one byte of its request every second holds a connection slot
 * forever. The guard gives every request a deadline instead: it must arrive
 * whole (headers and body) within the timeout of the moment its connection
 * opened or its previous answer was sent. Connections are registered
 * through MHD's connection notifications; a watchdog thread shuts down the
 * socket of any connection past its deadline that is not being answered,
 * and MHD then closes it as if the client had gone. Answering (a method
 * that runs long, a long poll) does not count against the deadline. */
#ifndef HEARTH_NODE_RPC_DEADLINE_H
#define HEARTH_NODE_RPC_DEADLINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <microhttpd.h>

struct rpc_deadline_conn;

struct rpc_deadline {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running, stopping;
	uint64_t timeout_ms;
	struct rpc_deadline_conn *conns; /* a doubly linked list */
	uint64_t cut;			 /* connections shut down so far */
};

/* Sets d up with the request deadline; no thread runs yet.
 * Returns 0, or -1 when the mutex or condition cannot be made. */
__attribute__((warn_unused_result)) int rpc_deadline_init(struct rpc_deadline *d,
							  uint64_t timeout_ms);

/* Starts the watchdog thread. Returns 0 or -1. */
__attribute__((warn_unused_result)) int rpc_deadline_start(struct rpc_deadline *d);

/* Stops and joins the watchdog (if it runs) and frees what is left. Call it
 * after every MHD daemon using d has stopped. */
void rpc_deadline_free(struct rpc_deadline *d);

/* MHD_OPTION_NOTIFY_CONNECTION callback (cls: d): registers a connection
 * when it opens, forgets it when it closes. */
void rpc_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe);

/* The request of conn is read whole and being answered: no deadline. */
void rpc_deadline_answering(struct rpc_deadline *d, struct MHD_Connection *conn);

/* The request of conn is over: the next one's deadline starts now. */
void rpc_deadline_next(struct rpc_deadline *d, struct MHD_Connection *conn);

#endif
