/* sandbox_child.c: the job's init and the job process (see
 * sandbox_child.h). Runs right after clone, before any job code. The steps
 * are called in one visible order from child_main and job_main. */
#include "node/sandbox_child.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "node/privs.h"
#include "node/rootfs.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static void send_msg(int sock, const struct child_msg *m, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

static _Noreturn void fail(int sock, enum child_msg_type type, const struct node_error *e)
{
	struct child_msg m = { .type = type, .err = e->err };

	snprintf(m.what, sizeof(m.what), "%s", e->msg);
	send_msg(sock, &m, -1);
	_exit(type == CHILD_MSG_EXEC_FAIL ? 127 : 1);
}

/* Closes every fd from 3 up except those in keep. */
static void close_others(const int *keep, size_t n)
{
	int lo = 3;

	for (;;) {
		int next = INT_MAX;

		for (size_t i = 0; i < n; i++)
			if (keep[i] >= lo && keep[i] < next)
				next = keep[i];
		if (next == INT_MAX) {
			close_range((unsigned)lo, ~0U, 0);
			return;
		}
		if (next > lo)
			close_range((unsigned)lo, (unsigned)next - 1, 0);
		lo = next + 1;
	}
}

/* Waits for START. */
static int wait_start(int sock, struct node_error *e)
{
	struct child_msg m;
	ssize_t n;

	do {
		n = recv(sock, &m, sizeof(m), 0);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(m) || m.type != CHILD_MSG_START)
		return node_error_set(e, n < 0 ? errno : 0, "wait for the supervisor");
	return 0;
}

/* In a user namespace the init still runs with the host ids of its creator,
 * which have no mapping inside (files it creates would fail EOVERFLOW): take
 * the mapped ids, keeping the namespace's capabilities for the setup. */
static int enter_userns_ids(const struct sandbox_ctx *ctx, struct node_error *e)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	if (!ctx->userns)
		return 0;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return node_error_set(e, errno, "prctl PR_SET_KEEPCAPS");
	if (setresgid(ctx->gid, ctx->gid, ctx->gid) < 0)
		return node_error_set(e, errno, "setresgid %u in the user namespace",
				      (unsigned)ctx->gid);
	if (setresuid(ctx->uid, ctx->uid, ctx->uid) < 0)
		return node_error_set(e, errno, "setresuid %u in the user namespace",
				      (unsigned)ctx->uid);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return node_error_set(e, errno, "capget");
	data[0].effective = data[0].permitted;
	data[1].effective = data[1].permitted;
	if (syscall(SYS_capset, &hdr, data) < 0)
		return node_error_set(e, errno, "capset");
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return node_error_set(e, errno, "prctl PR_SET_KEEPCAPS");
	return 0;
}

static int set_names(struct node_error *e)
{
	if (sethostname("hearth", 6) < 0)
		return node_error_set(e, errno, "sethostname");
	if (setdomainname("hearth", 6) < 0)
		return node_error_set(e, errno, "setdomainname");
	return 0;
}

static int enter_cgroup_ns(struct node_error *e)
{
	/* After placement, so the job sees its own cgroup as "/". */
	if (unshare(CLONE_NEWCGROUP) < 0)
		return node_error_set(e, errno, "unshare CLONE_NEWCGROUP");
	return 0;
}

static int reset_signals(struct node_error *e)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL); /* fails only for invalid numbers */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return node_error_set(e, errno, "sigprocmask");
	return 0;
}

/* stdin from in_fd (-1: /dev/null), stdout to out_fd, stderr to the
 * capture pipe; every other fd but the (close-on-exec) socket closed. */
static int set_stdio(const struct child_args *a, int in_fd, int out_fd, struct node_error *e)
{
	int null = -1;

	if (in_fd < 0) {
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0)
			return node_error_set(e, errno, "open /dev/null");
		in_fd = null;
	}
	if (dup2(in_fd, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(a->stderr_w, 2) < 0)
		return node_error_set(e, errno, "dup2");
	if (null >= 0)
		close(null);
	{
		int keep[] = { a->sock };

		close_others(keep, 1);
	}
	return 0;
}

/* The value of PATH in the job's env, or the default. */
static const char *env_path(const char *const *envp)
{
	for (const char *const *p = envp; p && *p; p++)
		if (strncmp(*p, "PATH=", 5) == 0)
			return *p + 5;
	return DEFAULT_PATH;
}

static void exec_job(const struct sandbox_spec *spec, const char *const *argv, struct node_error *e)
{
	const char *name = argv[0];
	const char *p;
	int first_err = ENOENT;

	if (strchr(name, '/') != NULL) {
		execve(name, (char *const *)argv, (char *const *)spec->envp);
		node_error_set(e, errno, "execve %s", name);
		return;
	}
	for (p = env_path(spec->envp); *p != '\0';) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char path[PATH_MAX];

		if (len > 0 && len + 1 + strlen(name) < sizeof(path)) {
			memcpy(path, p, len);
			path[len] = '/';
			strcpy(path + len + 1, name);
			execve(path, (char *const *)argv, (char *const *)spec->envp);
			if (errno != ENOENT && errno != ENOTDIR)
				first_err = errno;
		}
		if (end == NULL)
			break;
		p = end + 1;
	}
	node_error_set(e, first_err, "execve %s", name);
}

/* A process of the job: stdio, directory, privileges, filter, execve of
 * argv. Runs the job itself, and tar(1) for an input archive. */
static _Noreturn void job_main(const struct child_args *a, const struct seccomp_prog *filter,
			       const char *const *argv, int in_fd, int out_fd)
{
	const struct sandbox_ctx *ctx = a->ctx;
	const struct sandbox_limits *lim = &a->spec->limits;
	struct privs_spec ps = {
		.uid = ctx->uid,
		.gid = ctx->gid,
		.in_userns = ctx->userns,
		.fsize_bytes = lim->max_output_bytes,
		.nofile = lim->max_open_files ? lim->max_open_files : 1024,
	};
	struct node_error e;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		node_error_set(&e, errno, "prctl PR_SET_PDEATHSIG");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	if (reset_signals(&e) < 0 || set_stdio(a, in_fd, out_fd, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	if (chdir("/work") < 0) {
		node_error_set(&e, errno, "chdir /work");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	if (privs_drop_all(&ps, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	if (seccomp_prog_install(filter) < 0) {
		node_error_set(&e, errno, "install seccomp filter");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	exec_job(a->spec, argv, &e);
	fail(a->sock, argv == a->spec->argv ? CHILD_MSG_EXEC_FAIL : CHILD_MSG_FAIL, &e);
}

/* Reaps children until the job's main process ends. Out: its status. */
static int reap_job(pid_t job, int *wstatus, struct node_error *e)
{
	for (;;) {
		int st;
		pid_t pid = waitpid(-1, &st, 0);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return node_error_set(e, errno, "waitpid");
		if (pid == job) {
			*wstatus = st;
			return 0;
		}
	}
}

/* Unpacks the input archive into /work with tar(1), run as a process of the
 * job (same ids, rlimits, cgroups and filter): the archive is untrusted, so
 * it is read by confined code. Its messages go to the job's stderr. */
static int unpack_tar(const struct child_args *a, const struct seccomp_prog *filter,
		      struct node_error *e)
{
	static const char *const argv[] = { "tar", "-x", "-f", "-", "-C", "/work", NULL };
	int wstatus;
	pid_t pid = fork();

	if (pid < 0)
		return node_error_set(e, errno, "fork tar");
	if (pid == 0)
		job_main(a, filter, argv, a->tar_fd, a->stderr_w);
	close(a->tar_fd);
	if (reap_job(pid, &wstatus, e) < 0)
		return -1;
	if (!WIFEXITED(wstatus) || WEXITSTATUS(wstatus) != 0)
		return node_error_set(e, 0, "unpack the input archive: tar %s %d",
				      WIFEXITED(wstatus) ? "exited with" : "killed by signal",
				      WIFEXITED(wstatus) ? WEXITSTATUS(wstatus)
							 : WTERMSIG(wstatus));
	return 0;
}

_Noreturn void sandbox_child_main(const struct child_args *a)
{
	const struct sandbox_ctx *ctx = a->ctx;
	const struct sandbox_limits *lim = &a->spec->limits;
	struct rootfs_spec rs = {
		.uid = ctx->uid,
		.gid = ctx->gid,
		.out_bytes = lim->max_output_bytes,
		.out_files = lim->max_files,
		.tmp_bytes = lim->memory_bytes,
	};
	struct child_msg m = { .type = CHILD_MSG_READY };
	struct node_error e;
	int out_fd, wstatus;
	pid_t job;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		node_error_set(&e, errno, "prctl PR_SET_PDEATHSIG");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	{
		int keep[5 + CGROUP_CTRL_COUNT] = { a->sock, a->stdout_w, a->stderr_w, a->input_fd,
						    a->tar_fd };

		memcpy(keep + 5, a->tasks, a->ntasks * sizeof(int));
		close_others(keep, 5 + a->ntasks);
	}
	if (a->wait_start && wait_start(a->sock, &e) < 0)
		_exit(1); /* the supervisor is gone */
	/* The job (maybe the same uid, with a user namespace) must not read
	 * the init's memory, environment or fds through /proc/1. Only after
	 * START: a supervisor that is not root writes our id maps in
	 * /proc/PID, which belongs to root once we are not dumpable. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		node_error_set(&e, errno, "prctl PR_SET_DUMPABLE");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	/* The v1 cgroups first: a move between cpu cgroups reschedules, and
	 * setsid in the root cpu cgroup makes a new autogroup, which
	 * reschedules too; in the job's cpu cgroup it does not. */
	if (cgroup_enter_tasks(a->tasks, a->ntasks, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	for (size_t i = 0; i < a->ntasks; i++)
		close(a->tasks[i]);
	if (setsid() < 0) {
		node_error_set(&e, errno, "setsid");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	if (enter_userns_ids(ctx, &e) < 0 || set_names(&e) < 0 ||
	    rootfs_setup(&rs, &out_fd, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	if (enter_cgroup_ns(&e) < 0 ||
	    (a->input_fd >= 0 && rootfs_fill_work(&rs, a->input_fd, &e) < 0))
		fail(a->sock, CHILD_MSG_FAIL, &e);
	if (a->input_fd >= 0)
		close(a->input_fd);
	/* The bounding set once here, not in every process of the job. */
	if (privs_drop_bounding(&e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	if (a->tar_fd >= 0 && unpack_tar(a, a->filter, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	send_msg(a->sock, &m, out_fd);
	close(out_fd);
	job = fork();
	if (job < 0) {
		node_error_set(&e, errno, "fork the job");
		fail(a->sock, CHILD_MSG_FAIL, &e);
	}
	if (job == 0)
		job_main(a, a->filter, a->spec->argv, -1, a->stdout_w);
	/* The capture pipes stay open until we exit: the supervisor then
	 * wakes up once, for our exit, instead of once more for the job's. */
	if (privs_drop_caps(&e) < 0 || reap_job(job, &wstatus, &e) < 0)
		fail(a->sock, CHILD_MSG_FAIL, &e);
	m.type = CHILD_MSG_STATUS;
	if (WIFSIGNALED(wstatus)) {
		m.status_kind = RESULT_SIGNALED;
		m.status_value = (uint32_t)WTERMSIG(wstatus);
	} else {
		m.status_kind = RESULT_EXITED;
		m.status_value = (uint32_t)WEXITSTATUS(wstatus);
	}
	send_msg(a->sock, &m, -1);
	_exit(0);
}
