/* sandbox.c: the supervisor side of a job (see sandbox.h): cgroup, clone,
 * placement, capture, timeout, teardown, result. The sandbox side is in
 * sandbox_child.c. */
#include "node/sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "node/fsutil.h"
#include "node/sandbox_child.h"

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* The kernel's struct clone_args (linux/sched.h, CLONE_ARGS_SIZE_VER2). */
struct clone3_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
	uint64_t cgroup;
};

#define EMPTY_WAIT_MS 10000

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int sandbox_ctx_init_layout(struct sandbox_ctx *ctx, const struct sandbox_config *cfg,
			    const struct cgroup_layout *layout, struct node_error *e)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->layout = *layout;
	ctx->uid = cfg ? cfg->uid : SANDBOX_DEFAULT_UID;
	ctx->gid = cfg ? cfg->gid : SANDBOX_DEFAULT_GID;
	ctx->userns = (cfg && cfg->userns) || geteuid() != 0;
	if (geteuid() != 0) {
		ctx->host_uid = getuid();
		ctx->host_gid = getgid();
	} else {
		ctx->host_uid = cfg ? cfg->userns_host_uid : SANDBOX_DEFAULT_UID;
		ctx->host_gid = cfg ? cfg->userns_host_gid : SANDBOX_DEFAULT_GID;
	}
	ctx->clone3_broken = cfg && cfg->no_clone3;
	if (ctx->uid == 0 || ctx->gid == 0)
		return node_error_set(e, EINVAL, "the job's uid and gid must not be 0");
	return 0;
}

int sandbox_ctx_filter(struct sandbox_ctx *ctx, struct node_error *e)
{
	if (ctx->seccomp.filter != NULL)
		return 0;
	return seccomp_prog_load(&ctx->seccomp, e);
}

/* The once-per-process work that no job needs before its clone: the sweep
 * of stale job cgroups. Done at the first job, while its init builds the
 * root. */
static int ctx_sweep(struct sandbox_ctx *ctx, struct node_error *e)
{
	unsigned removed;

	if (ctx->swept)
		return 0;
	if (cgroup_sweep_stale(&ctx->layout, &removed, e) < 0)
		return node_error_prefix(e, "sweep stale job cgroups");
	ctx->swept = true;
	return 0;
}

int sandbox_layout_resolve(const struct sandbox_config *cfg, struct cgroup_layout *layout,
			   struct node_error *e)
{
	struct stat st;

	if (cfg == NULL || cfg->cgroup_v2_root == NULL)
		return cgroup_layout_detect(layout, cfg ? cfg->cgroup_parent : NULL, e);
	if (stat(cfg->cgroup_v2_root, &st) < 0)
		return node_error_set(e, errno, "cgroup v2 root %s", cfg->cgroup_v2_root);
	return cgroup_layout_v2_at(layout, cfg->cgroup_v2_root, cfg->cgroup_parent, e);
}

int sandbox_ctx_init(struct sandbox_ctx *ctx, const struct sandbox_config *cfg,
		     struct node_error *e)
{
	struct cgroup_layout layout;

	if (sandbox_layout_resolve(cfg, &layout, e) < 0)
		return -1;
	return sandbox_ctx_init_layout(ctx, cfg, &layout, e);
}

void sandbox_ctx_free(struct sandbox_ctx *ctx)
{
	seccomp_prog_free(&ctx->seccomp);
}

void sandbox_result_free(struct sandbox_result *res)
{
	free(res->stdout_data);
	free(res->stderr_data);
	res->stdout_data = res->stderr_data = NULL;
	if (res->out_fd >= 0)
		close(res->out_fd);
	res->out_fd = -1;
	manifest_free(&res->manifest);
}

/* Everything one run holds, so that one function can release it. */
struct run {
	struct cgroup_job job;
	bool job_made;
	int sock;	  /* supervisor's end */
	int out_r, err_r; /* capture pipes, read ends */
	int pidfd;	  /* the init */
	pid_t pid;
	bool reaped;
	bool stopped;	   /* stop_all succeeded: the cgroup is empty */
	bool ready;	   /* READY received */
	bool have_status;  /* STATUS received */
	bool setup_failed; /* FAIL or EXEC_FAIL received */
	struct node_error child_err;
	uint64_t started, ended;
};

static int make_pipe(int *r, int *w, struct node_error *e)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return node_error_set(e, errno, "pipe2");
	*r = p[0];
	*w = p[1];
	return 0;
}

/* Clones the init into the new namespaces; the child never returns.
 * Out: *pid, *pidfd; *into_cgroup when clone3 placed it in the v2 cgroup. */
static int spawn_init(struct sandbox_ctx *ctx, struct run *run, struct child_args *args,
		      bool *into_cgroup, struct node_error *e)
{
	uint64_t ns = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS;
	int pidfd = -1;
	long pid;

	if (ctx->userns)
		ns |= CLONE_NEWUSER;
	*into_cgroup = false;
	if (!ctx->clone3_broken) {
		struct clone3_args ca;

		memset(&ca, 0, sizeof(ca));
		ca.flags = ns | CLONE_PIDFD;
		ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
		ca.exit_signal = SIGCHLD;
		if (run->job.v2_fd >= 0) {
			ca.flags |= CLONE_INTO_CGROUP;
			ca.cgroup = (uint64_t)run->job.v2_fd;
		}
		/* Placed at birth: only the id maps are left to wait for. */
		args->wait_start = ctx->userns;
		pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0)
			sandbox_child_main(args);
		if (pid > 0) {
			*into_cgroup = run->job.v2_fd >= 0;
			run->pid = (pid_t)pid;
			run->pidfd = pidfd;
			return 0;
		}
		/* Kernels before 5.7 (CLONE_INTO_CGROUP) or 5.3 (clone3). */
		if (errno != ENOSYS && errno != E2BIG && errno != EINVAL)
			return node_error_set(e, errno, "clone3");
		ctx->clone3_broken = true;
	}
	args->wait_start = ctx->userns || run->job.v2_dir[0] != '\0';
	pid = syscall(SYS_clone, (unsigned long)ns | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		sandbox_child_main(args);
	if (pid < 0)
		return node_error_set(e, errno, "clone");
	run->pid = (pid_t)pid;
	run->pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
	if (run->pidfd < 0) {
		int err = errno;

		kill(run->pid, SIGKILL);
		return node_error_set(e, err, "pidfd_open");
	}
	return 0;
}

static int write_id_maps(const struct sandbox_ctx *ctx, pid_t pid, struct node_error *e)
{
	char path[64], map[64];

	snprintf(path, sizeof(path), "/proc/%d/setgroups", (int)pid);
	if (geteuid() != 0 && file_write_str(path, "deny", e) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ctx->uid, (unsigned)ctx->host_uid);
	if (file_write_str(path, map, e) < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)ctx->gid, (unsigned)ctx->host_gid);
	return file_write_str(path, map, e);
}

/* After the clone: attaches the init to the v2 cgroup when clone3 could
 * not, writes the user namespace's id maps, and sends START when the init
 * waits for it (only then: every other hand-off is a context switch). */
static int start_init(const struct sandbox_ctx *ctx, struct run *run, bool into_cgroup,
		      bool wait_start, struct node_error *e)
{
	struct child_msg start = { .type = CHILD_MSG_START };

	/* The init enters the v1 cgroups itself (cgroup_enter_tasks). */
	if (cgroup_job_attach(&run->job, run->pid, into_cgroup, true, e) < 0)
		return node_error_prefix(e, "cgroup attach");
	if (ctx->userns && write_id_maps(ctx, run->pid, e) < 0)
		return -1;
	if (wait_start &&
	    send(run->sock, &start, sizeof(start), MSG_NOSIGNAL) != (ssize_t)sizeof(start))
		return node_error_set(e, errno, "send START to the sandbox");
	return 0;
}

/* Appends what the pipe has to *buf, keeping at most max bytes.
 * Returns 0 after a read, 1 at EOF, 2 when nothing is there, -1 on error. */
static int capture(int fd, uint8_t **buf, size_t *len, uint64_t max, bool *truncated,
		   struct node_error *e)
{
	uint8_t chunk[65536];
	ssize_t n = read(fd, chunk, sizeof(chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 2;
	if (n < 0)
		return node_error_set(e, errno, "read job output");
	if (n == 0)
		return 1;
	if (*len < max) {
		size_t take = (size_t)n;
		uint8_t *bigger;

		if (take > max - *len) {
			take = (size_t)(max - *len);
			*truncated = true;
		}
		bigger = realloc(*buf, *len + take);
		if (bigger == NULL)
			return node_error_set(e, ENOMEM, "job output");
		memcpy(bigger + *len, chunk, take);
		*buf = bigger;
		*len += take;
	} else {
		*truncated = true;
	}
	return 0;
}

/* Receives one message (and an fd with READY). Returns 0 after a message,
 * 1 at EOF, 2 when nothing is there, -1 on error. */
static int recv_msg(struct run *run, struct sandbox_result *res, struct node_error *e)
{
	struct child_msg m;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n = recvmsg(run->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 2;
	if (n < 0)
		return node_error_set(e, errno, "recvmsg from the sandbox");
	if (n == 0)
		return 1;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			int fd;

			memcpy(&fd, CMSG_DATA(c), sizeof(int));
			if (m.type == CHILD_MSG_READY && res->out_fd < 0 && n == (ssize_t)sizeof(m))
				res->out_fd = fd;
			else
				close(fd);
		}
	}
	if (n != (ssize_t)sizeof(m))
		return node_error_set(e, EPROTO, "short message from the sandbox");
	m.what[sizeof(m.what) - 1] = '\0';
	switch ((enum child_msg_type)m.type) {
	case CHILD_MSG_READY:
		run->ready = true;
		return 0;
	case CHILD_MSG_STATUS:
		run->have_status = true;
		res->status.kind =
			m.status_kind == RESULT_SIGNALED ? RESULT_SIGNALED : RESULT_EXITED;
		res->status.value = m.status_value;
		return 0;
	case CHILD_MSG_EXEC_FAIL:
		res->exec_errno = m.err;
		return 0;
	case CHILD_MSG_FAIL:
		if (!run->setup_failed) {
			run->setup_failed = true;
			run->child_err.err = m.err;
			memcpy(run->child_err.msg, m.what, sizeof(run->child_err.msg));
			node_error_prefix(&run->child_err, "sandbox");
		}
		return 0;
	case CHILD_MSG_START:
		break;
	}
	return node_error_set(e, EPROTO, "unknown message %u from the sandbox", m.type);
}

/* Supervises until the init exits, the deadline passes or cancel_fd fires.
 * The init's messages (READY, STATUS, FAIL...) wait in the socket until
 * drain: nothing here depends on them, and each wakeup less is a context
 * switch less per job. */
static int supervise(struct run *run, const struct sandbox_spec *spec, struct sandbox_result *res,
		     struct node_error *e)
{
	uint64_t deadline =
		spec->limits.timeout_ms ? run->started + spec->limits.timeout_ms * 1000 : 0;
	uint64_t max = spec->limits.max_output_bytes;
	bool out_eof = false, err_eof = false;

	for (;;) {
		struct pollfd p[4];
		int timeout = -1, rc;
		uint64_t now = now_usec();

		if (deadline) {
			if (now >= deadline) {
				res->timed_out = true;
				return 0;
			}
			timeout = (int)((deadline - now + 999) / 1000);
		}
		p[0] = (struct pollfd){ .fd = out_eof ? -1 : run->out_r, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = err_eof ? -1 : run->err_r, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = run->pidfd, .events = POLLIN };
		p[3] = (struct pollfd){ .fd = spec->cancel_fd, .events = POLLIN };
		rc = poll(p, 4, timeout);
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0)
			return node_error_set(e, errno, "poll");
		if (p[0].revents) {
			rc = capture(run->out_r, &res->stdout_data, &res->stdout_len, max,
				     &res->output_truncated, e);
			if (rc < 0)
				return -1;
			out_eof = rc == 1;
		}
		if (p[1].revents) {
			rc = capture(run->err_r, &res->stderr_data, &res->stderr_len, max,
				     &res->output_truncated, e);
			if (rc < 0)
				return -1;
			err_eof = rc == 1;
		}
		if (p[3].revents) {
			res->cancelled = true;
			return 0;
		}
		if (p[2].revents) {
			run->ended = now_usec();
			return 0;
		}
	}
}

/* After the cgroup is empty: the rest of the output and of the messages.
 * Every writer is dead, so each loop ends at EOF (or EAGAIN). */
static int drain(struct run *run, const struct sandbox_spec *spec, struct sandbox_result *res,
		 struct node_error *e)
{
	uint64_t max = spec->limits.max_output_bytes;
	int rc;

	while ((rc = capture(run->out_r, &res->stdout_data, &res->stdout_len, max,
			     &res->output_truncated, e)) == 0)
		;
	if (rc < 0)
		return -1;
	while ((rc = capture(run->err_r, &res->stderr_data, &res->stderr_len, max,
			     &res->output_truncated, e)) == 0)
		;
	if (rc < 0)
		return -1;
	while ((rc = recv_msg(run, res, e)) == 0)
		;
	return rc < 0 ? -1 : 0;
}

/* Kills what is left, reaps the init, waits for an empty cgroup. Once it
 * succeeded, nothing of the job is left to kill (run_release does not
 * repeat it). */
static int stop_all(struct run *run, struct node_error *e)
{
	if (run->stopped)
		return 0;
	if (run->job_made && cgroup_job_kill(&run->job, e) < 0)
		return -1;
	if (run->pid > 0 && !run->reaped) {
		siginfo_t si;

		if (!run->job_made)
			kill(run->pid, SIGKILL);
		while (waitid((idtype_t)P_PIDFD, (id_t)run->pidfd, &si, WEXITED) < 0) {
			if (errno != EINTR)
				return node_error_set(e, errno, "waitid init");
		}
		run->reaped = true;
		if (run->ended == 0)
			run->ended = now_usec();
	}
	if (run->job_made && cgroup_job_wait_empty(&run->job, EMPTY_WAIT_MS, e) < 0)
		return -1;
	run->stopped = true;
	return 0;
}

/* Releases everything of a run. Keeps the first error in e. */
static int run_release(struct run *run, int rc, struct node_error *e)
{
	struct node_error one;

	if (stop_all(run, &one) < 0 && rc == 0) {
		*e = one;
		rc = -1;
	}
	if (run->job_made && cgroup_job_destroy(&run->job, &one) < 0 && rc == 0) {
		*e = one;
		rc = -1;
	}
	run->job_made = false;
	if (run->sock >= 0)
		close(run->sock);
	if (run->out_r >= 0)
		close(run->out_r);
	if (run->err_r >= 0)
		close(run->err_r);
	if (run->pidfd >= 0)
		close(run->pidfd);
	run->sock = run->out_r = run->err_r = run->pidfd = -1;
	return rc;
}

/* Builds the manifest of /out and the result hash. */
static void finish_result(const struct sandbox_spec *spec, struct sandbox_result *res)
{
	uint8_t stdout_hash[HASH_SIZE];
	struct node_error e;
	struct statvfs sv;

	if (res->status.kind == RESULT_SIGNALED) {
		res->seccomp_violation = res->status.value == SIGSYS;
		if (res->status.value == SIGXFSZ)
			res->output_truncated = true;
	}
	if (res->out_fd < 0) {
		res->out_rejected = true;
		snprintf(res->out_reject_why, sizeof(res->out_reject_why), "no /out");
		return;
	}
	/* A full /out tmpfs means writes were refused. */
	if (fstatvfs(res->out_fd, &sv) == 0 && (sv.f_bavail == 0 || sv.f_favail == 0))
		res->output_truncated = true;
	if (manifest_build(res->out_fd, (size_t)spec->limits.max_files,
			   spec->limits.max_output_bytes, &res->manifest, &e) < 0) {
		res->out_rejected = true;
		snprintf(res->out_reject_why, sizeof(res->out_reject_why), "%s", e.msg);
		return;
	}
	result_hash_stdout(res->stdout_data, res->stdout_len, stdout_hash);
	result_hash_compute(&res->status, stdout_hash, &res->manifest, res->hash);
	res->has_hash = true;
}

static void close_tasks(struct child_args *args)
{
	while (args->ntasks > 0)
		close(args->tasks[--args->ntasks]);
}

/* Everything the init needs, made before it is cloned so that it runs
 * straight to the job without waiting for the supervisor: the job's
 * cgroups with their limits, the filter (compiled at the first job of a
 * process), and the v1 `tasks` files the init enters itself. Doing
 * this while the init builds its root saved nothing on a busy machine: the
 * init then preempted the supervisor, and the hand-off back (GO) cost a
 * scheduler slice. */
static int prepare_job(struct sandbox_ctx *ctx, struct run *run, const char *name,
		       const struct cgroup_limits *lim, struct child_args *args,
		       struct node_error *e)
{
	if (cgroup_job_begin(&ctx->layout, name, lim, &run->job, e) < 0 ||
	    cgroup_job_limit(&ctx->layout, lim, &run->job, e) < 0) {
		if (e->err == EACCES || e->err == EPERM)
			return node_error_prefix(e, "cgroup (run as root, or delegate the cgroup "
						    "parent to this user)");
		return node_error_prefix(e, "cgroup");
	}
	if (sandbox_ctx_filter(ctx, e) < 0)
		return -1;
	args->filter = &ctx->seccomp;
	return cgroup_job_open_tasks(&run->job, args->tasks, &args->ntasks, e);
}

static int check_spec(const struct sandbox_spec *spec, struct node_error *e)
{
	if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] == '\0')
		return node_error_set(e, EINVAL, "no command");
	if (spec->limits.max_output_bytes == 0 || spec->limits.max_files == 0)
		return node_error_set(e, EINVAL, "max output bytes and max files must be set");
	if (spec->limits.timeout_ms > UINT64_MAX / 1000 / 2)
		return node_error_set(e, ERANGE, "timeout");
	return 0;
}

int sandbox_run(struct sandbox_ctx *ctx, const struct sandbox_spec *spec,
		struct sandbox_result *res, struct node_error *e)
{
	static const char *const empty_env[] = { NULL };
	struct sandbox_spec sp = *spec;
	struct run run = { .sock = -1, .out_r = -1, .err_r = -1, .pidfd = -1 };
	struct cgroup_limits lim = {
		.cpu_millicores = spec->limits.cpu_millicores,
		.memory_bytes = spec->limits.memory_bytes,
		.pids = spec->limits.pids,
	};
	struct child_args args = { .ctx = ctx, .spec = &sp, .input_fd = -1, .tar_fd = -1 };
	char name[CGROUP_NAME_MAX];
	int sv[2], out_w = -1, err_w = -1;
	bool into_cgroup;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	res->out_fd = -1;
	if (sp.envp == NULL)
		sp.envp = empty_env;
	if (check_spec(&sp, e) < 0)
		return -1;
	ctx->seq++;
	snprintf(name, sizeof(name), "job-%d-%" PRIu64, (int)getpid(), ctx->seq);
	if (sp.input_dir != NULL) {
		args.input_fd = open(sp.input_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (args.input_fd < 0)
			return node_error_set(e, errno, "open input %s", sp.input_dir);
	}
	if (sp.input_tar != NULL) {
		args.tar_fd = open(sp.input_tar, O_RDONLY | O_CLOEXEC);
		if (args.tar_fd < 0) {
			node_error_set(e, errno, "open input archive %s", sp.input_tar);
			if (args.input_fd >= 0)
				close(args.input_fd);
			return -1;
		}
	}
	run.job_made = true; /* from here on, run_release removes what exists */
	if (prepare_job(ctx, &run, name, &lim, &args, e) < 0)
		goto out;
	if (make_pipe(&run.out_r, &out_w, e) < 0 || make_pipe(&run.err_r, &err_w, e) < 0)
		goto out;
	if (fcntl(run.out_r, F_SETFL, O_NONBLOCK) < 0 ||
	    fcntl(run.err_r, F_SETFL, O_NONBLOCK) < 0) {
		node_error_set(e, errno, "fcntl O_NONBLOCK");
		goto out;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		node_error_set(e, errno, "socketpair");
		goto out;
	}
	run.sock = sv[0];
	args.sock = sv[1];
	args.stdout_w = out_w;
	args.stderr_w = err_w;
	run.started = now_usec();
	rc = spawn_init(ctx, &run, &args, &into_cgroup, e);
	close(sv[1]);
	close(out_w);
	close(err_w);
	out_w = err_w = -1;
	close_tasks(&args);
	if (rc < 0)
		goto out;
	rc = -1;
	if (start_init(ctx, &run, into_cgroup, args.wait_start, e) < 0 || ctx_sweep(ctx, e) < 0)
		goto out;
	if (supervise(&run, &sp, res, e) < 0)
		goto out;
	if (stop_all(&run, e) < 0)
		goto out;
	if (drain(&run, &sp, res, e) < 0)
		goto out;
	if (run.setup_failed) {
		*e = run.child_err;
		goto out;
	}
	if (!run.ready && !res->timed_out && !res->cancelled) {
		node_error_set(e, 0, "sandbox: the init died before the job started");
		goto out;
	}
	{
		struct cgroup_stats st;

		if (cgroup_job_read_stats(&run.job, &st, e) < 0)
			goto out;
		res->cpu_usec = st.cpu_usec;
		res->peak_memory_bytes = st.peak_bytes;
		res->oom_killed = st.oom_kills > 0;
	}
	if (!run.have_status) {
		/* The init was killed (timeout, cancel, OOM group kill). */
		res->status.kind = RESULT_SIGNALED;
		res->status.value = SIGKILL;
	}
	res->wall_usec = run.ended - run.started;
	rc = 0;
out:
	if (out_w >= 0)
		close(out_w);
	if (err_w >= 0)
		close(err_w);
	if (args.input_fd >= 0)
		close(args.input_fd);
	if (args.tar_fd >= 0)
		close(args.tar_fd);
	close_tasks(&args);
	rc = run_release(&run, rc, e);
	if (rc < 0) {
		sandbox_result_free(res);
		return -1;
	}
	finish_result(&sp, res);
	return 0;
}
