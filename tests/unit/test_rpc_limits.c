/* test_rpc_limits.c: the RPC server's connection-level behaviour, driven
 * over raw sockets on 127.0.0.1: an idle connection is closed after the
 * timeout, a connection over the cap waits until another closes, keep-alive
 * connections serve several requests, and a server configured with
 * rpcuser/rpcpassword writes no cookie and answers 404 for the /health and
 * /metrics it was given no callbacks for; a port in use stops the start with
 * the reason; a request trickled in is cut at its deadline. */
#include "node/rpc_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <errno.h>
#include <unistd.h>

#include <sodium.h>

#include "tests/unit/test_util.h"

struct fixture {
	char base[64];
	struct datadir dd;
	struct rpc_server *srv;
	uint16_t port;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct rpc_server_opts o;
	char err[256];

	assert_non_null(f);
	snprintf(f->base, sizeof(f->base), "/tmp/hearth-rpc-limits-XXXXXX");
	assert_non_null(mkdtemp(f->base));
	assert_int_equal(datadir_open(&f->dd, f->base, "main", err, sizeof(err)), 0);
	rpc_server_opts_default(&o);
	o.port = 0;
	o.user = "user";
	o.password = "secret";
	o.threads = 1;
	o.max_connections = 1;
	o.timeout_s = 1;
	o.datadir = &f->dd;
	f->srv = rpc_server_new(&o, err, sizeof(err));
	if (f->srv == NULL)
		fail_msg("rpc_server_new: %s", err);
	if (rpc_server_start(f->srv, err, sizeof(err)) != 0)
		fail_msg("rpc_server_start: %s", err);
	f->port = rpc_server_port(f->srv, 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[4200];

	rpc_server_free(f->srv);
	datadir_close(&f->dd);
	if (datadir_file(&f->dd, ".lock", path, sizeof(path)) == 0)
		(void)unlink(path);
	if (rmdir(f->base) != 0)
		return -1;
	free(f);
	return 0;
}

static int connect_server(const struct fixture *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(f->port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr), 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Waits up to ms for fd to be closed by the server (EOF or reset), reading
 * and dropping any answer. Returns true when it was closed. */
static bool closed_within(int fd, int ms)
{
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, ms) <= 0)
			return false;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return true;
	}
}

/* Sends a whole request on fd and returns the status of the answer. */
static int request_status(int fd, const char *request)
{
	char buf[4096];
	size_t len = strlen(request);
	ssize_t n;
	int status = 0;

	assert_int_equal(send(fd, request, len, MSG_NOSIGNAL), (ssize_t)len);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		fail_msg("no answer to %.20s: %zd %s", request, n, strerror(errno));
	buf[n] = '\0';
	assert_int_equal(sscanf(buf, "HTTP/1.1 %d", &status), 1);
	return status;
}

static const char health_request[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
static const char metrics_request[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
/* user:secret */
static const char uptime_request[] = "POST / HTTP/1.1\r\nHost: x\r\n"
				     "Authorization: Basic dXNlcjpzZWNyZXQ=\r\n"
				     "Content-Length: 29\r\n\r\n"
				     "{\"method\":\"uptime\",\"id\":null}";

static void test_idle_connection_is_closed_after_timeout(void **state)
{
	struct fixture *f = *state;
	int fd = connect_server(f);
	const char partial[] = "POST / HTTP/1.1\r\nHost: x\r\n";
	struct timespec start, end;

	assert_int_equal(send(fd, partial, strlen(partial), MSG_NOSIGNAL), strlen(partial));
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &start), 0);
	assert_true(closed_within(fd, 4000));
	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &end), 0);
	assert_true(end.tv_sec - start.tv_sec <= 3);
	close(fd);
}

static void test_connections_over_the_cap_wait_for_a_free_slot(void **state)
{
	struct fixture *f = *state;
	int first = connect_server(f), second;
	struct pollfd p;
	char buf[256];

	/* The first connection is answered and kept alive: the cap is full. */
	assert_int_equal(request_status(first, health_request), 404);
	second = connect_server(f);
	assert_int_equal(send(second, health_request, strlen(health_request), MSG_NOSIGNAL),
			 (ssize_t)strlen(health_request));
	p.fd = second;
	p.events = POLLIN;
	assert_int_equal(poll(&p, 1, 300), 0);
	/* Once the first one closes, the second is taken and answered. */
	close(first);
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_true(recv(second, buf, sizeof(buf) - 1, 0) > 12);
	assert_memory_equal(buf, "HTTP/1.1 404", 12);
	close(second);
}

/* A slowloris: one byte of the headers every 300 ms keeps the connection
 * busy, so only the request deadline (rpc_deadline.c) can end it. */
static void test_trickling_request_is_cut_at_the_deadline(void **state)
{
	struct fixture *f = *state;
	int fd = connect_server(f);
	const char slow[] =
		"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	bool closed = false;

	for (size_t i = 0; i < strlen(slow) && !closed; i++) {
		if (send(fd, slow + i, 1, MSG_NOSIGNAL) != 1)
			break;
		closed = closed_within(fd, 300);
	}
	/* 1 s of deadline, at most 250 ms for the watchdog: cut well before
	 * the 16 s the whole header would take. */
	assert_true(closed);
	close(fd);
}

/* The deadline restarts after each answer: a keep-alive connection whose
 * requests each arrive in time is served again and again. */
static void test_keep_alive_requests_each_get_a_fresh_deadline(void **state)
{
	struct fixture *f = *state;
	int fd = connect_server(f);
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = 600 * 1000000L };

	for (int i = 0; i < 3; i++) {
		assert_int_equal(request_status(fd, health_request), 404);
		assert_int_equal(nanosleep(&pause, NULL), 0);
	}
	close(fd);
}

static void test_userpass_server_has_no_cookie_and_no_callbacks(void **state)
{
	struct fixture *f = *state;
	char path[4200];
	int fd = connect_server(f);

	assert_int_equal(datadir_file(&f->dd, RPC_COOKIE_FILE, path, sizeof(path)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(request_status(fd, health_request), 404);
	assert_int_equal(request_status(fd, metrics_request), 404);
	assert_int_equal(request_status(fd, uptime_request), 200);
	close(fd);
}

static void test_port_in_use_is_a_clear_start_error(void **state)
{
	struct fixture *f = *state;
	struct rpc_server_opts o;
	struct rpc_server *srv;
	char err[256], bind[32];

	snprintf(bind, sizeof(bind), "127.0.0.1:%u", (unsigned)f->port);
	rpc_server_opts_default(&o);
	o.bind[0] = bind;
	o.num_bind = 1;
	o.user = "user";
	o.password = "secret";
	srv = rpc_server_new(&o, err, sizeof(err));
	assert_non_null(srv);
	assert_int_equal(rpc_server_start(srv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot listen for RPC on 127.0.0.1:"));
	assert_non_null(strstr(err, "bind: Address already in use"));
	assert_int_equal(rpc_server_port(srv, 0), 0);
	rpc_server_free(srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idle_connection_is_closed_after_timeout, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_connections_over_the_cap_wait_for_a_free_slot,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_userpass_server_has_no_cookie_and_no_callbacks,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_port_in_use_is_a_clear_start_error, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_trickling_request_is_cut_at_the_deadline,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_keep_alive_requests_each_get_a_fresh_deadline,
						setup, teardown),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
