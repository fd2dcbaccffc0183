/* main.c: hearthd's entry point. Reads the settings (command line, then
 * hearth.conf), detaches with -daemon, runs the node until SIGINT/SIGTERM
 * and exits 0 after a clean shutdown, 1 on any start-up error (one line on
 * standard error). -verifychain checks the store and exits instead
 * (node/verifychain.c). The only file allowed global state; it has none. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/config.h"
#include "node/node.h"
#include "node/verifychain.h"

#define HEARTHD_VERSION "0.1.0"

static void print_help(void)
{
	printf("Usage: hearthd [options]\n\nStarts a Hearth node. Options (also valid in "
	       "hearth.conf "
	       "as key=value):\n\n");
	for (const struct config_key *k = config_keys(); k->name != NULL; k++) {
		const char *arg = k->type == CONFIG_BOOL ? "" : "=<value>";

		printf("  -%s%s\n      %s\n", k->name, arg, k->help);
	}
}

/* Reads hearth.conf: -conf, or <base datadir>/hearth.conf if it exists. */
static int read_conf(struct config *cfg, char *err, size_t err_size)
{
	const char *conf = config_get(cfg, "conf");
	char base[DATADIR_PATH_MAX], path[DATADIR_PATH_MAX + 32];

	if (conf != NULL)
		return config_read_file(cfg, conf, false, err, err_size);
	if (node_base_dir(cfg, base, sizeof(base), err, err_size) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/hearth.conf", base);
	return config_read_file(cfg, path, true, err, err_size);
}

/* Waits for the daemon's start-up result on fd and prints a failure.
 * Returns the parent's exit status. */
static int wait_for_daemon(int fd)
{
	char msg[NODE_ERROR_MAX + 8] = "";
	ssize_t n = read(fd, msg, sizeof(msg) - 1);

	close(fd);
	if (n > 0 && strncmp(msg, "ok", 2) == 0)
		return 0;
	if (n > 0) {
		msg[n] = '\0';
		fprintf(stderr, "hearthd: %s\n", msg);
	} else {
		fprintf(stderr, "hearthd: daemon exited during start-up\n");
	}
	return 1;
}

/* Forks into the background. The parent waits on a pipe for the child's
 * start-up result, so `hearthd -daemon` fails visibly.
 * Out: *is_parent. Returns, in the child, the write end of the pipe; in the
 * parent, its exit status; -1 on error (err set). */
static int daemonize(bool *is_parent, char *err, size_t err_size)
{
	int fds[2];
	pid_t pid;

	*is_parent = false;
	if (pipe(fds) != 0) {
		snprintf(err, err_size, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, err_size, "fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid > 0) {
		*is_parent = true;
		close(fds[1]);
		return wait_for_daemon(fds[0]);
	}
	close(fds[0]);
	if (setsid() < 0) {
		snprintf(err, err_size, "setsid: %s", strerror(errno));
		close(fds[1]);
		return -1;
	}
	return fds[1];
}

/* Points the standard streams of a daemon at /dev/null. */
static void detach_stdio(void)
{
	if (freopen("/dev/null", "r", stdin) == NULL || freopen("/dev/null", "w", stdout) == NULL ||
	    freopen("/dev/null", "w", stderr) == NULL)
		return; /* nothing sensible left to report to */
}

static void report_start(int fd, const char *msg)
{
	if (fd < 0)
		return;
	if (write(fd, msg, strlen(msg)) < 0)
		return; /* the parent is gone; nothing to tell */
	close(fd);
}

int main(int argc, char **argv)
{
	struct config *cfg = malloc(sizeof(*cfg));
	struct node *node = malloc(sizeof(*node));
	char err[NODE_ERROR_MAX] = "";
	int ready_fd = -1, rc = 1;

	if (cfg == NULL || node == NULL) {
		fprintf(stderr, "hearthd: out of memory\n");
		return 1;
	}
	config_init(cfg);
	if (config_parse_args(cfg, argc, argv, err, sizeof(err)) != 0)
		goto fail;
	if (config_get_bool(cfg, "help", false)) {
		print_help();
		rc = 0;
		goto out;
	}
	if (config_get_bool(cfg, "version", false)) {
		printf("hearthd %s\n", HEARTHD_VERSION);
		rc = 0;
		goto out;
	}
	if (read_conf(cfg, err, sizeof(err)) != 0 || config_check(cfg, err, sizeof(err)) != 0)
		goto fail;
	if (config_get_bool(cfg, "verifychain", false)) {
		rc = verifychain_main(cfg);
		goto out;
	}
	if (config_get_bool(cfg, "daemon", false)) {
		bool is_parent;

		ready_fd = daemonize(&is_parent, err, sizeof(err));
		if (is_parent) {
			rc = ready_fd;
			goto out;
		}
		if (ready_fd < 0)
			goto fail;
	}
	if (node_start(node, cfg, err, sizeof(err)) != 0) {
		if (ready_fd >= 0) {
			/* The waiting parent prints it. */
			report_start(ready_fd, err);
			goto out;
		}
		goto fail;
	}
	if (ready_fd >= 0) {
		report_start(ready_fd, "ok");
		detach_stdio();
	}
	rc = node_run(node, err, sizeof(err)) == 0 ? 0 : 1;
	node_stop(node);
	if (rc != 0)
		goto fail;
	goto out;
fail:
	fprintf(stderr, "hearthd: %s\n", err);
out:
	free(node);
	free(cfg);
	return rc;
}
