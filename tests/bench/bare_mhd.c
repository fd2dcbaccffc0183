/* bare_mhd.c: the yardstick of `make bench-rpc`. A libmicrohttpd server set
 * up as hearthd's RPC server is (thread pool, epoll, the same connection
 * limit and timeout) that answers every request with a constant JSON-RPC
 * body once its body is read: what HTTP alone costs, without auth, JSON or
 * the store. Usage: bare_mhd PORT [THREADS]; prints "listening PORT" and
 * serves until SIGINT or SIGTERM. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

static const char answer[] = "{\"jsonrpc\":\"2.0\",\"result\":{\"height\":0},\"id\":1}";

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *resp;
	enum MHD_Result rc;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = conn; /* any non-NULL mark: the headers are in */
		return MHD_YES;
	}
	if (*upload_data_size != 0) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	resp = MHD_create_response_from_buffer(sizeof(answer) - 1, (void *)answer,
					       MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	if (MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") !=
	    MHD_YES) {
		MHD_destroy_response(resp);
		return MHD_NO;
	}
	rc = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return rc;
}

int main(int argc, char **argv)
{
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	unsigned long port, threads = 4;
	sigset_t set;
	int sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: bare_mhd PORT [THREADS]\n");
		return 2;
	}
	port = strtoul(argv[1], NULL, 10);
	if (argc == 3)
		threads = strtoul(argv[2], NULL, 10);
	if (port > 65535 || threads < 1 || threads > 64) {
		fprintf(stderr, "bare_mhd: bad port or thread count\n");
		return 2;
	}
	/* Blocked before MHD starts its threads, so they inherit the mask and
	 * sigwait below is the one place the signals arrive. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return 1;
	d = MHD_start_daemon(MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)port, NULL,
			     NULL, handle, NULL, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
			     MHD_OPTION_CONNECTION_LIMIT, 128u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
			     MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "bare_mhd: cannot listen on port %lu\n", port);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("listening %u\n", info != NULL ? (unsigned)info->port : (unsigned)port);
	fflush(stdout);
	if (sigwait(&set, &sig) != 0)
		fprintf(stderr, "bare_mhd: sigwait failed\n");
	MHD_stop_daemon(d);
	return 0;
}
