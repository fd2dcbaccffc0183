/* hostcheck.c: probes the host for each thing the sandbox needs (see
 * hostcheck.h). Namespaces are tried in a forked child each, the cgroup
 * controllers by creating and removing a test cgroup, and the whole chain
 * by running /bin/true in a real sandbox. */
#include "node/hostcheck.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/fsutil.h"

static __attribute__((format(printf, 4, 5))) void add(struct hostcheck *hc, const char *name,
						      bool ok, const char *fmt, ...)
{
	struct hostcheck_item *it;
	va_list ap;

	if (hc->count >= HOSTCHECK_ITEMS_MAX)
		return;
	it = &hc->items[hc->count++];
	snprintf(it->name, sizeof(it->name), "%s", name);
	it->ok = ok;
	it->required = true;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
	if (!ok)
		hc->usable = false;
}

/* Tries unshare(flag) in a child. Returns 0 or the errno. */
static int try_unshare(int flag)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return errno;
	if (pid == 0)
		_exit(unshare(flag) == 0 ? 0 : (errno & 0x7f));
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

static void check_namespaces(struct hostcheck *hc, bool userns)
{
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
		{ "namespace user", CLONE_NEWUSER },	 { "namespace pid", CLONE_NEWPID },
		{ "namespace mount", CLONE_NEWNS },	 { "namespace net", CLONE_NEWNET },
		{ "namespace ipc", CLONE_NEWIPC },	 { "namespace uts", CLONE_NEWUTS },
		{ "namespace cgroup", CLONE_NEWCGROUP },
	};

	for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		/* Without root the sandbox makes every namespace inside a new
		 * user namespace: try them that way. */
		int err = try_unshare(ns[i].flag | (userns ? CLONE_NEWUSER : 0));

		add(hc, ns[i].name, err == 0, "%s%s", err ? "unshare: " : "usable",
		    err ? strerror(err) : "");
		if (ns[i].flag == CLONE_NEWUSER && !userns)
			hc->items[hc->count - 1].required = false;
	}
}

static void check_cgroups(struct hostcheck *hc, const struct cgroup_layout *l)
{
	struct cgroup_limits lim = { .cpu_millicores = 500, .memory_bytes = 64 << 20, .pids = 16 };
	struct cgroup_job job;
	struct node_error e;
	char name[CGROUP_NAME_MAX];

	add(hc, "cgroup mode", true, "%s (v2 tree: %s)", cgroup_mode_name(l->mode),
	    l->v2_own[0] ? l->v2_own : "none");
	if (l->mode != CGROUP_MODE_V2) {
		for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
			char item[64];

			snprintf(item, sizeof(item), "cgroup v1 %s", cgroup_ctrl_name(c));
			add(hc, item, l->v1_own[c][0] != '\0', "%s",
			    l->v1_own[c][0] ? l->v1_own[c] : "not mounted");
		}
	}
	snprintf(name, sizeof(name), "check-%d", (int)getpid());
	if (cgroup_job_create(l, name, &lim, &job, &e) < 0) {
		add(hc, "cgroup job with limits", false, "%s", e.msg);
		return;
	}
	add(hc, "cgroup job with limits", true, "created and removed under parent %s", l->parent);
	if (l->mode != CGROUP_MODE_V1)
		add(hc, "cgroup.kill", job.has_kill, "%s",
		    job.has_kill ? "kills the whole job at once"
				 : "missing (Linux < 5.14): freeze and kill each process instead");
	if (job.has_kill == false && l->mode != CGROUP_MODE_V1)
		hc->items[hc->count - 1].required = false;
	if (l->mode == CGROUP_MODE_V1 || l->mode == CGROUP_MODE_HYBRID)
		add(hc, "cgroup v1 memory.memsw", job.has_memsw, "%s",
		    job.has_memsw ? "swap limited with memory"
				  : "missing (swap accounting off): jobs may swap");
	if (!job.has_memsw && l->mode != CGROUP_MODE_V2)
		hc->items[hc->count - 1].required = false;
	if (cgroup_job_destroy(&job, &e) < 0)
		add(hc, "cgroup removal", false, "%s", e.msg);
}

static void check_run(struct hostcheck *hc, struct sandbox_ctx *ctx)
{
	static const char *const argv[] = { "/bin/true", NULL };
	struct sandbox_spec spec = {
		.argv = argv,
		.limits = { .cpu_millicores = 1000,
			    .memory_bytes = 128 << 20,
			    .pids = 32,
			    .timeout_ms = 10000,
			    .max_output_bytes = 1 << 20,
			    .max_files = 16 },
		.cancel_fd = -1,
	};
	struct sandbox_result res;
	struct node_error e;

	if (sandbox_run(ctx, &spec, &res, &e) < 0) {
		add(hc, "sandbox run /bin/true", false, "%s", e.msg);
		return;
	}
	add(hc, "sandbox run /bin/true",
	    res.status.kind == RESULT_EXITED && res.status.value == 0 && res.has_hash,
	    "status %s %u in %.1f ms", res.status.kind == RESULT_EXITED ? "exit" : "signal",
	    (unsigned)res.status.value, (double)res.wall_usec / 1000.0);
	sandbox_result_free(&res);
}

void hostcheck_run(const struct sandbox_config *cfg, struct hostcheck *hc)
{
	struct sandbox_ctx ctx;
	struct cgroup_layout layout;
	struct node_error e;
	bool userns = (cfg && cfg->userns) || geteuid() != 0;

	memset(hc, 0, sizeof(*hc));
	hc->usable = true;
	if (sandbox_layout_resolve(cfg, &layout, &e) < 0) {
		add(hc, "cgroup layout", false, "%s", e.msg);
	} else {
		check_cgroups(hc, &layout);
	}
	check_namespaces(hc, userns);
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0)
		add(hc, "seccomp", false, "prctl PR_GET_SECCOMP: %s", strerror(errno));
	if (sandbox_layout_resolve(cfg, &layout, &e) == 0) {
		if (sandbox_ctx_init_layout(&ctx, cfg, &layout, &e) < 0 ||
		    sandbox_ctx_filter(&ctx, &e) < 0) {
			add(hc, "seccomp filter", false, "%s", e.msg);
		} else {
			add(hc, "seccomp filter", true, "%u BPF instructions",
			    (unsigned)ctx.seccomp.len);
			check_run(hc, &ctx);
			sandbox_ctx_free(&ctx);
		}
	}
	hc->usable = true;
	for (size_t i = 0; i < hc->count; i++)
		if (hc->items[i].required && !hc->items[i].ok)
			hc->usable = false;
}
