/* rpc_park.c: calls that may wait (waitforblock, waitfortx) run off the
 * HTTP threads. libmicrohttpd's pool threads each serve many connections,
 * so a handler that blocks there would stall all of them; instead the
 * connection is suspended, the body runs on a detached thread of its own,
 * and the thread resumes the connection once the answer is ready. The
 * number of parked calls is capped (opts.max_parked), and at shutdown
 * rpc_park_drain waits until every parked call has been answered. */
#include "node/rpc_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rpc_park_init(struct rpc_server *srv)
{
	if (pthread_mutex_init(&srv->park_lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&srv->park_cond, NULL) != 0) {
		pthread_mutex_destroy(&srv->park_lock);
		return -1;
	}
	srv->park_lock_open = true;
	return 0;
}

void rpc_park_free(struct rpc_server *srv)
{
	if (!srv->park_lock_open)
		return;
	pthread_cond_destroy(&srv->park_cond);
	pthread_mutex_destroy(&srv->park_lock);
	srv->park_lock_open = false;
}

static void count_parked(struct rpc_server *srv)
{
	if (srv->m_parked != NULL && metrics_gauge_set(srv->m_parked, NULL, srv->num_parked) != 0)
		rpc_http_log(srv, LOG_DEBUG, "metrics update dropped", "parked");
}

struct park_job {
	struct rpc_request *req;
	struct MHD_Connection *conn;
};

static void *park_thread(void *arg)
{
	struct park_job job = *(struct park_job *)arg;
	struct rpc_request *req = job.req;
	struct rpc_server *srv = req->srv;
	struct rpc_reply reply;

	free(arg);
	if (rpc_dispatch_root(srv->table, req->root, req->full_access, &reply) != 0) {
		memset(&reply, 0, sizeof(reply));
		reply.http_status = 500;
	}
	json_decref(req->root);
	req->root = NULL;
	pthread_mutex_lock(&srv->park_lock);
	req->reply = reply;
	/* After the resume MHD may answer and free req at once: req is not
	 * touched again. */
	MHD_resume_connection(job.conn);
	srv->num_parked--;
	count_parked(srv);
	pthread_cond_broadcast(&srv->park_cond);
	pthread_mutex_unlock(&srv->park_lock);
	return NULL;
}

/* Answers root at once with code and message. */
static int refuse(struct rpc_request *req, json_t *root, int code, const char *message)
{
	int rc = rpc_dispatch_refuse(req->srv->table, root, code, message, &req->reply);

	json_decref(root);
	return rc == 0 ? 0 : -1;
}

int rpc_park_request(struct rpc_request *req, struct MHD_Connection *conn, json_t *root)
{
	struct rpc_server *srv = req->srv;
	struct park_job *job = malloc(sizeof(*job));
	pthread_attr_t attr;
	pthread_t thread;
	char msg[96];
	int rc;

	if (job == NULL) {
		json_decref(root);
		return -1;
	}
	job->req = req;
	job->conn = conn;
	if (pthread_attr_init(&attr) != 0) {
		free(job);
		return refuse(req, root, RPC_RESOURCE_EXHAUSTED, "cannot start a waiting call");
	}
	(void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_mutex_lock(&srv->park_lock);
	/* One connection at least is always left for other calls. */
	if (srv->stopping || srv->num_parked >= srv->opts.max_parked ||
	    srv->num_parked + 1 >= srv->opts.max_connections) {
		bool stopping = srv->stopping;

		pthread_mutex_unlock(&srv->park_lock);
		pthread_attr_destroy(&attr);
		free(job);
		if (stopping)
			return refuse(req, root, RPC_SHUTTING_DOWN, "the node is shutting down");
		snprintf(msg, sizeof(msg), "too many waiting calls (rpcmaxwaiters=%u); retry later",
			 srv->opts.max_parked);
		return refuse(req, root, RPC_RESOURCE_EXHAUSTED, msg);
	}
	req->root = root;
	req->parked = true;
	/* The lock is held until the connection is suspended: the thread
	 * takes it before resuming, so it never resumes too early. */
	rc = pthread_create(&thread, &attr, park_thread, job);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_unlock(&srv->park_lock);
		req->root = NULL;
		req->parked = false;
		free(job);
		return refuse(req, root, RPC_RESOURCE_EXHAUSTED, "cannot start a waiting call");
	}
	srv->num_parked++;
	count_parked(srv);
	MHD_suspend_connection(conn);
	pthread_mutex_unlock(&srv->park_lock);
	return 1;
}

void rpc_park_drain(struct rpc_server *srv)
{
	if (!srv->park_lock_open)
		return;
	pthread_mutex_lock(&srv->park_lock);
	srv->stopping = true;
	while (srv->num_parked > 0)
		pthread_cond_wait(&srv->park_cond, &srv->park_lock);
	pthread_mutex_unlock(&srv->park_lock);
}
