/* rpc_deadline.c: the request deadline of the RPC server (rpc_deadline.h).
 * Every open connection has an entry; the watchdog looks at them four
 * times a second. An entry is removed under the lock when MHD reports the
 * connection closed, which MHD does before it closes the socket, so the
 * watchdog never shuts down a descriptor that was closed and reused. */
#include "node/rpc_deadline.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#define WATCH_INTERVAL_MS 250

struct rpc_deadline_conn {
	struct rpc_deadline_conn *prev, *next;
	int fd;
	uint64_t since_ms; /* when the current request's time started */
	bool answering;
	bool cut;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int rpc_deadline_init(struct rpc_deadline *d, uint64_t timeout_ms)
{
	pthread_condattr_t attr;
	int rc;

	d->running = false;
	d->stopping = false;
	d->timeout_ms = timeout_ms;
	d->conns = NULL;
	d->cut = 0;
	if (pthread_mutex_init(&d->lock, NULL) != 0)
		return -1;
	rc = pthread_condattr_init(&attr);
	if (rc == 0) {
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
		if (rc == 0)
			rc = pthread_cond_init(&d->wake, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (rc != 0) {
		pthread_mutex_destroy(&d->lock);
		return -1;
	}
	return 0;
}

/* Shuts down the sockets of the connections past their deadline. Called
 * with the lock held. */
static void cut_late(struct rpc_deadline *d, uint64_t now)
{
	for (struct rpc_deadline_conn *c = d->conns; c != NULL; c = c->next) {
		if (c->answering || c->cut || now - c->since_ms < d->timeout_ms)
			continue;
		/* MHD sees the end of the stream and closes the connection. */
		if (shutdown(c->fd, SHUT_RDWR) == 0 || errno == ENOTCONN) {
			c->cut = true;
			d->cut++;
		}
	}
}

static void *watch(void *arg)
{
	struct rpc_deadline *d = arg;

	pthread_mutex_lock(&d->lock);
	while (!d->stopping) {
		uint64_t now = now_ms(), until = now + WATCH_INTERVAL_MS;
		struct timespec ts = {
			.tv_sec = (time_t)(until / 1000),
			.tv_nsec = (long)(until % 1000) * 1000000L,
		};

		cut_late(d, now);
		/* A timeout or a spurious wake-up: look again either way. */
		(void)pthread_cond_timedwait(&d->wake, &d->lock, &ts);
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

int rpc_deadline_start(struct rpc_deadline *d)
{
	if (pthread_create(&d->thread, NULL, watch, d) != 0)
		return -1;
	d->running = true;
	return 0;
}

void rpc_deadline_free(struct rpc_deadline *d)
{
	if (d->running) {
		pthread_mutex_lock(&d->lock);
		d->stopping = true;
		pthread_cond_signal(&d->wake);
		pthread_mutex_unlock(&d->lock);
		pthread_join(d->thread, NULL);
		d->running = false;
	}
	while (d->conns != NULL) {
		struct rpc_deadline_conn *c = d->conns;

		d->conns = c->next;
		free(c);
	}
	pthread_cond_destroy(&d->wake);
	pthread_mutex_destroy(&d->lock);
}

static void conn_opened(struct rpc_deadline *d, struct MHD_Connection *conn, void **socket_context)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct rpc_deadline_conn *c;

	*socket_context = NULL;
	if (info == NULL)
		return;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return; /* then only MHD's idle timeout guards this connection */
	c->fd = info->connect_fd;
	c->since_ms = now_ms();
	pthread_mutex_lock(&d->lock);
	c->next = d->conns;
	if (d->conns != NULL)
		d->conns->prev = c;
	d->conns = c;
	pthread_mutex_unlock(&d->lock);
	*socket_context = c;
}

static void conn_closed(struct rpc_deadline *d, void **socket_context)
{
	struct rpc_deadline_conn *c = *socket_context;

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		d->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&d->lock);
	free(c);
	*socket_context = NULL;
}

void rpc_deadline_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct rpc_deadline *d = cls;

	switch (toe) {
	case MHD_CONNECTION_NOTIFY_STARTED:
		conn_opened(d, conn, socket_context);
		return;
	case MHD_CONNECTION_NOTIFY_CLOSED:
		conn_closed(d, socket_context);
		return;
	}
}

/* The entry of conn, or NULL. */
static struct rpc_deadline_conn *entry_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *info =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return info != NULL ? info->socket_context : NULL;
}

void rpc_deadline_answering(struct rpc_deadline *d, struct MHD_Connection *conn)
{
	struct rpc_deadline_conn *c = entry_of(conn);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->answering = true;
	pthread_mutex_unlock(&d->lock);
}

void rpc_deadline_next(struct rpc_deadline *d, struct MHD_Connection *conn)
{
	struct rpc_deadline_conn *c = entry_of(conn);

	if (c == NULL)
		return;
	pthread_mutex_lock(&d->lock);
	c->answering = false;
	c->since_ms = now_ms();
	pthread_mutex_unlock(&d->lock);
}
