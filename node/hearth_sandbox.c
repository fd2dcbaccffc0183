/* hearth_sandbox.c: the `hearth-sandbox` tool. Runs one command in a Hearth
 * sandbox with the given limits and prints the result and its canonical
 * hash (JSON with --json), or checks the host with --check. Operators use it
 * to check a host; the benchmarks and functional tests drive it.
 *
 * Output: the report goes to stdout with --json, else to stderr after the
 * job's stdout; the job's stderr is copied to stderr. Exit status: the job's
 * exit code, 128+signal when it was killed, 125 when the sandbox failed or
 * /out held something rejected, 2 for a usage error. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "consensus/crypto.h"
#include "node/fdio.h"
#include "node/hostcheck.h"
#include "node/sandbox.h"
#include "node/tree_copy.h"
#include "node/units.h"
#include "proto/hex.h"

#define EXIT_SANDBOX 125
#define EXIT_USAGE   2
#define ENV_MAX	     256

struct options {
	struct sandbox_config cfg;
	struct sandbox_limits limits;
	const char *input_dir;
	const char *input_tar;
	const char *out_dir;
	const char *stdout_file;
	const char *env[ENV_MAX + 1];
	size_t env_count;
	bool json;
	bool check;
	char **argv;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: hearth-sandbox [options] -- CMD [ARGS...]\n"
		   "       hearth-sandbox --check [--json]\n"
		   "  --cpu Q            CPU limit: 500m, 1, 1.5 (cores)     [1]\n"
		   "  --mem N            memory limit, no swap: 256M, 1G     [512M]\n"
		   "  --pids N           most processes and threads          [256]\n"
		   "  --timeout T        wall-clock limit: 10s, 500ms, 2m    [60s]\n"
		   "  --max-output N     cap of stdout, stderr and /out      [64M]\n"
		   "  --max-files N      most files in /out                  [16384]\n"
		   "  --input DIR        copied into /work\n"
		   "  --input-tar FILE   a tar archive unpacked into /work (inside the sandbox)\n"
		   "  --out DIR          where to copy /out after the job\n"
		   "  --stdout FILE      where to write the job's stdout\n"
		   "  --env K=V          set a variable (repeatable; nothing is inherited)\n"
		   "  --cgroup-parent P  parent of the job cgroups           [hearth]\n"
		   "  --cgroup-v2-root D use D as a pure cgroup v2 hierarchy (no detection)\n"
		   "  (--cpu, --mem, --pids and --timeout take \"none\" for no limit)\n"
		   "  --userns           use a user namespace even as root\n"
		   "  --no-clone3        clone, then attach (the path of kernels before 5.7)\n"
		   "  --json             print the result as JSON on stdout\n"
		   "  --check            report what this host supports\n");
}

/* Parses a limit with parse, or "none" (no limit: 0). Returns 0 or -1. */
static int parse_limit(const char *s, uint64_t *v, int (*parse)(const char *, uint64_t *))
{
	if (strcmp(s, "none") == 0) {
		*v = 0;
		return 0;
	}
	return parse(s, v);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum {
		O_CPU = 256,
		O_MEM,
		O_PIDS,
		O_TIMEOUT,
		O_MAXOUT,
		O_MAXFILES,
		O_INPUT,
		O_OUT,
		O_STDOUT,
		O_ENV,
		O_PARENT,
		O_USERNS,
		O_JSON,
		O_CHECK,
		O_HELP,
		O_V2ROOT,
		O_INPUT_TAR,
		O_NO_CLONE3, /* the order of these matches longopts[] */
	};
	static const struct option longopts[] = {
		{ "cpu", required_argument, NULL, O_CPU },
		{ "mem", required_argument, NULL, O_MEM },
		{ "pids", required_argument, NULL, O_PIDS },
		{ "timeout", required_argument, NULL, O_TIMEOUT },
		{ "max-output", required_argument, NULL, O_MAXOUT },
		{ "max-files", required_argument, NULL, O_MAXFILES },
		{ "input", required_argument, NULL, O_INPUT },
		{ "out", required_argument, NULL, O_OUT },
		{ "stdout", required_argument, NULL, O_STDOUT },
		{ "env", required_argument, NULL, O_ENV },
		{ "cgroup-parent", required_argument, NULL, O_PARENT },
		{ "userns", no_argument, NULL, O_USERNS },
		{ "json", no_argument, NULL, O_JSON },
		{ "check", no_argument, NULL, O_CHECK },
		{ "help", no_argument, NULL, O_HELP },
		{ "cgroup-v2-root", required_argument, NULL, O_V2ROOT },
		{ "input-tar", required_argument, NULL, O_INPUT_TAR },
		{ "no-clone3", no_argument, NULL, O_NO_CLONE3 },
		{ NULL, 0, NULL, 0 },
	};
	bool have_path = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->cfg.uid = o->cfg.userns_host_uid = SANDBOX_DEFAULT_UID;
	o->cfg.gid = o->cfg.userns_host_gid = SANDBOX_DEFAULT_GID;
	o->limits = (struct sandbox_limits){
		.cpu_millicores = 1000,
		.memory_bytes = 512ULL << 20,
		.pids = 256,
		.timeout_ms = 60000,
		.max_output_bytes = 64ULL << 20,
		.max_files = 16384,
	};
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		int bad = 0;

		switch (c) {
		case O_CPU:
			bad = parse_limit(optarg, &o->limits.cpu_millicores,
					  units_parse_millicores);
			break;
		case O_MEM:
			bad = parse_limit(optarg, &o->limits.memory_bytes, units_parse_bytes);
			break;
		case O_PIDS:
			bad = parse_limit(optarg, &o->limits.pids, units_parse_count);
			break;
		case O_TIMEOUT:
			bad = parse_limit(optarg, &o->limits.timeout_ms, units_parse_ms);
			break;
		case O_V2ROOT:
			o->cfg.cgroup_v2_root = optarg;
			break;
		case O_MAXOUT:
			bad = units_parse_bytes(optarg, &o->limits.max_output_bytes);
			break;
		case O_MAXFILES:
			bad = units_parse_count(optarg, &o->limits.max_files);
			break;
		case O_INPUT:
			o->input_dir = optarg;
			break;
		case O_INPUT_TAR:
			o->input_tar = optarg;
			break;
		case O_NO_CLONE3:
			o->cfg.no_clone3 = true;
			break;
		case O_OUT:
			o->out_dir = optarg;
			break;
		case O_STDOUT:
			o->stdout_file = optarg;
			break;
		case O_ENV:
			if (strchr(optarg, '=') == NULL || o->env_count >= ENV_MAX) {
				bad = -1;
				break;
			}
			have_path |= strncmp(optarg, "PATH=", 5) == 0;
			o->env[o->env_count++] = optarg;
			break;
		case O_PARENT:
			o->cfg.cgroup_parent = optarg;
			break;
		case O_USERNS:
			o->cfg.userns = true;
			break;
		case O_JSON:
			o->json = true;
			break;
		case O_CHECK:
			o->check = true;
			break;
		case O_HELP:
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "hearth-sandbox: bad value for --%s: %s\n",
				longopts[c - O_CPU].name, optarg);
			return -1;
		}
	}
	if (!have_path && o->env_count < ENV_MAX)
		o->env[o->env_count++] = "PATH=/usr/local/bin:/usr/bin:/bin";
	o->env[o->env_count] = NULL;
	o->argv = argv + optind;
	if (!o->check && o->argv[0] == NULL) {
		usage(stderr);
		return -1;
	}
	return 0;
}

static int run_check(const struct options *o)
{
	struct hostcheck hc;

	hostcheck_run(&o->cfg, &hc);
	if (o->json) {
		json_t *root = json_object(), *items = json_array();

		for (size_t i = 0; i < hc.count; i++)
			json_array_append_new(items,
					      json_pack("{s:s, s:b, s:b, s:s}", "name",
							hc.items[i].name, "ok", hc.items[i].ok,
							"required", hc.items[i].required, "detail",
							hc.items[i].detail));
		json_object_set_new(root, "usable", json_boolean(hc.usable));
		json_object_set_new(root, "items", items);
		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(root);
	} else {
		for (size_t i = 0; i < hc.count; i++)
			printf("%-28s %-4s %s\n", hc.items[i].name,
			       hc.items[i].ok	      ? "ok"
			       : hc.items[i].required ? "FAIL"
						      : "no",
			       hc.items[i].detail);
		printf("%s\n", hc.usable
				       ? "this host can run Hearth sandboxes"
				       : "this host cannot run Hearth sandboxes (see FAIL above)");
	}
	return hc.usable ? 0 : 1;
}

static int save_stdout(const char *path, const struct sandbox_result *res, struct node_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return node_error_set(e, errno, "open %s", path);
	if (fdio_write_all(fd, res->stdout_data, res->stdout_len) < 0) {
		int err = errno;

		close(fd);
		return node_error_set(e, err, "write %s", path);
	}
	if (close(fd) < 0)
		return node_error_set(e, errno, "close %s", path);
	return 0;
}

static int export_out(const char *dir, const struct sandbox_result *res, size_t max_files,
		      struct node_error *e)
{
	struct tree_copy_opts opts = {
		.uid = (uid_t)-1, .gid = (gid_t)-1, .max_entries = max_files + 1024, .max_depth = 64
	};
	int fd;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return node_error_set(e, errno, "mkdir %s", dir);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return node_error_set(e, errno, "open %s", dir);
	if (tree_copy(res->out_fd, fd, &opts, e) < 0) {
		close(fd);
		return node_error_prefix(e, "copy /out to %s", dir);
	}
	close(fd);
	return 0;
}

static void print_result(const struct options *o, const struct sandbox_ctx *ctx,
			 const struct sandbox_result *res)
{
	char hash[2 * HASH_SIZE + 1] = "";
	bool exited = res->status.kind == RESULT_EXITED;

	if (res->has_hash && hex_encode(res->hash, HASH_SIZE, hash, sizeof(hash)) < 0)
		hash[0] = '\0';
	if (o->json) {
		json_t *root = json_object();

		json_object_set_new(root, "exit_code",
				    exited ? json_integer((json_int_t)res->status.value)
					   : json_null());
		json_object_set_new(root, "signal",
				    exited ? json_null()
					   : json_integer((json_int_t)res->status.value));
		json_object_set_new(root, "timed_out", json_boolean(res->timed_out));
		json_object_set_new(root, "oom_killed", json_boolean(res->oom_killed));
		json_object_set_new(root, "output_truncated", json_boolean(res->output_truncated));
		json_object_set_new(root, "seccomp_violation",
				    json_boolean(res->seccomp_violation));
		json_object_set_new(root, "cancelled", json_boolean(res->cancelled));
		json_object_set_new(root, "exec_error",
				    res->exec_errno ? json_string(strerror(res->exec_errno))
						    : json_null());
		json_object_set_new(root, "cpu_usec", json_integer((json_int_t)res->cpu_usec));
		json_object_set_new(root, "peak_memory_bytes",
				    json_integer((json_int_t)res->peak_memory_bytes));
		json_object_set_new(root, "wall_usec", json_integer((json_int_t)res->wall_usec));
		json_object_set_new(root, "stdout_bytes",
				    json_integer((json_int_t)res->stdout_len));
		json_object_set_new(root, "stderr_bytes",
				    json_integer((json_int_t)res->stderr_len));
		json_object_set_new(root, "out_files",
				    json_integer((json_int_t)res->manifest.count));
		json_object_set_new(root, "out_rejected",
				    res->out_rejected ? json_string(res->out_reject_why)
						      : json_null());
		json_object_set_new(root, "result_hash",
				    res->has_hash ? json_string(hash) : json_null());
		json_object_set_new(root, "cgroup_mode",
				    json_string(cgroup_mode_name(ctx->layout.mode)));
		json_dumpf(root, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(root);
		return;
	}
	fprintf(stderr, "%s %u%s%s%s%s%s\n", exited ? "exit" : "signal",
		(unsigned)res->status.value, res->timed_out ? " timed_out" : "",
		res->oom_killed ? " oom_killed" : "",
		res->output_truncated ? " output_truncated" : "",
		res->seccomp_violation ? " seccomp_violation" : "",
		res->cancelled ? " cancelled" : "");
	fprintf(stderr,
		"cpu %.3f s, peak memory %" PRIu64 " bytes, wall %.3f s, %zu files in /out\n",
		(double)res->cpu_usec / 1e6, res->peak_memory_bytes, (double)res->wall_usec / 1e6,
		res->manifest.count);
	if (res->out_rejected)
		fprintf(stderr, "out rejected: %s\n", res->out_reject_why);
	else
		fprintf(stderr, "result %s\n", hash);
}

/* With --json a failed run still prints an object: {"error": "..."}. */
static void print_error_json(const struct node_error *e)
{
	json_t *root = json_pack("{s:s}", "error", e->msg);

	if (root == NULL)
		return;
	json_dumpf(root, stdout, JSON_INDENT(2));
	fputc('\n', stdout);
	json_decref(root);
}

/* Blocks the stop signals and returns a signalfd for them: a SIGTERM to the
 * tool cancels the job, which is then torn down like any other. */
static int stop_signals_fd(struct node_error *e)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return node_error_set(e, errno, "sigprocmask");
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (fd < 0)
		return node_error_set(e, errno, "signalfd");
	return fd;
}

static int exit_status(const struct sandbox_result *res)
{
	if (res->out_rejected)
		return EXIT_SANDBOX;
	if (res->status.kind == RESULT_SIGNALED)
		return 128 + (int)(res->status.value & 0x7f);
	return (int)res->status.value;
}

int main(int argc, char **argv)
{
	struct options o;
	struct sandbox_ctx ctx;
	struct sandbox_spec spec;
	struct sandbox_result res;
	struct node_error e;
	int cancel_fd, status;

	if (parse_options(argc, argv, &o) < 0)
		return EXIT_USAGE;
	if (hearth_crypto_init() < 0) {
		fprintf(stderr, "hearth-sandbox: cannot start libsodium\n");
		return EXIT_SANDBOX;
	}
	if (o.check)
		return run_check(&o);
	cancel_fd = stop_signals_fd(&e);
	if (cancel_fd < 0) {
		fprintf(stderr, "hearth-sandbox: %s\n", e.msg);
		return EXIT_SANDBOX;
	}
	if (sandbox_ctx_init(&ctx, &o.cfg, &e) < 0) {
		fprintf(stderr, "hearth-sandbox: %s\n", e.msg);
		close(cancel_fd);
		return EXIT_SANDBOX;
	}
	spec = (struct sandbox_spec){
		.argv = (const char *const *)o.argv,
		.envp = o.env,
		.input_dir = o.input_dir,
		.input_tar = o.input_tar,
		.limits = o.limits,
		.cancel_fd = cancel_fd,
	};
	if (sandbox_run(&ctx, &spec, &res, &e) < 0) {
		fprintf(stderr, "hearth-sandbox: %s\n", e.msg);
		if (o.json)
			print_error_json(&e);
		sandbox_ctx_free(&ctx);
		close(cancel_fd);
		return EXIT_SANDBOX;
	}
	status = exit_status(&res);
	if (res.exec_errno)
		fprintf(stderr, "hearth-sandbox: execve %s: %s\n", o.argv[0],
			strerror(res.exec_errno));
	if (o.stdout_file != NULL && save_stdout(o.stdout_file, &res, &e) < 0) {
		fprintf(stderr, "hearth-sandbox: %s\n", e.msg);
		status = EXIT_SANDBOX;
	} else if (o.stdout_file == NULL && !o.json &&
		   fdio_write_all(STDOUT_FILENO, res.stdout_data, res.stdout_len) < 0) {
		status = EXIT_SANDBOX;
	}
	(void)!fdio_write_all(STDERR_FILENO, res.stderr_data, res.stderr_len);
	if (o.out_dir != NULL && !res.out_rejected &&
	    export_out(o.out_dir, &res, (size_t)o.limits.max_files, &e) < 0) {
		fprintf(stderr, "hearth-sandbox: %s\n", e.msg);
		status = EXIT_SANDBOX;
	}
	print_result(&o, &ctx, &res);
	if (res.out_rejected)
		fprintf(stderr, "hearth-sandbox: /out rejected: %s\n", res.out_reject_why);
	fflush(stdout);
	sandbox_result_free(&res);
	sandbox_ctx_free(&ctx);
	close(cancel_fd);
	return status;
}
