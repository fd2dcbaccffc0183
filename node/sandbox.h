/* sandbox.h: runs one job in a fresh sandbox and reports what happened.
 *
 * A struct sandbox_ctx is made once per process: it holds the host's cgroup
 * layout and the seccomp filter (compiled at the first job), so each job
 * only creates its cgroup, clones, and installs the ready filter.
 * sandbox_run then:
 *
 *   1. creates the job's cgroups with their limits (cpu, memory without
 *      swap, pids): the v2 cgroup under the configured parent, and on v1
 *      and hybrid hosts the v1 cgroups; at the first job of the process,
 *      compiles the filter (and, once the init runs, sweeps stale job
 *      cgroups);
 *   2. clones the job's init straight into the v2 cgroup when it can
 *      (clone3 CLONE_INTO_CGROUP), in new pid, mount, net, ipc, uts (and
 *      user) namespaces, handing it the filter and the v1 cgroups to enter;
 *   3. the init (sandbox_child.c) enters those cgroups, builds the root and
 *      forks the job, which drops every privilege and execs the command; no
 *      job code runs before the init is in every cgroup of the job, and the
 *      init waits for the supervisor only when there are id maps to write
 *      (or no clone3 to place it);
 *   4. supervises: captures stdout/stderr up to the output limit, enforces
 *      the wall-clock timeout (monotonic clock), and honours cancel_fd;
 *   5. kills the whole cgroup, waits until it is empty, reads the usage,
 *      removes the cgroups, builds the /out manifest and the result hash.
 *
 * Nothing is left behind on any path: the namespaces die with the init and
 * every mount of the sandbox lives only in its mount namespace. See
 * doc/sandbox.md. */
#ifndef HEARTH_NODE_SANDBOX_H
#define HEARTH_NODE_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "node/cgroup.h"
#include "node/error.h"
#include "node/result_hash.h"
#include "node/seccomp.h"

#define SANDBOX_DEFAULT_UID 65534
#define SANDBOX_DEFAULT_GID 65534

struct sandbox_config {
	const char *cgroup_parent;  /* NULL: "hearth" under the supervisor's cgroup */
	const char *cgroup_v2_root; /* NULL: detect the host's layout; else use this
				       directory as a pure cgroup v2 hierarchy whose
				       root is the supervisor's own cgroup */
	uid_t uid;		    /* uid and gid of the job inside the sandbox */
	gid_t gid;
	bool userns;	       /* use a user namespace even as root (always when not root) */
	uid_t userns_host_uid; /* host ids mapped onto uid/gid when root makes the
				  user namespace (non-root maps its own ids) */
	gid_t userns_host_gid;
	bool no_clone3; /* use clone + attach, as on kernels before 5.7 (tests) */
};

/* Everything a process keeps across jobs. No global state: pass it. */
struct sandbox_ctx {
	struct cgroup_layout layout;
	struct seccomp_prog seccomp;
	uid_t uid;
	gid_t gid;
	bool userns;
	uid_t host_uid; /* host ids the user namespace maps uid/gid onto */
	gid_t host_gid;
	bool clone3_broken; /* set after clone3(CLONE_INTO_CGROUP) failed once */
	bool swept;	    /* stale job cgroups swept (at the first job) */
	uint64_t seq;	    /* jobs run, for unique cgroup names */
};

struct sandbox_limits {
	uint64_t cpu_millicores;   /* 0: no CPU limit */
	uint64_t memory_bytes;	   /* 0: no memory limit (swap is always off when set) */
	uint64_t pids;		   /* 0: no pids limit */
	uint64_t timeout_ms;	   /* 0: no wall-clock timeout */
	uint64_t max_output_bytes; /* cap of stdout, of stderr, of /out's total size,
				      and RLIMIT_FSIZE; must be > 0 */
	uint64_t max_files;	   /* most entries (inodes) in /out; must be > 0 */
	uint64_t max_open_files;   /* RLIMIT_NOFILE; 0: 1024 */
};

struct sandbox_spec {
	const char *const *argv; /* NULL-terminated, argv[0] found on the env's PATH */
	const char *const *envp; /* NULL-terminated; nothing else is inherited */
	const char *input_dir;	 /* copied into /work, or NULL */
	const char *input_tar;	 /* a tar archive unpacked into /work by tar(1) running
				    inside the sandbox as the job, or NULL */
	struct sandbox_limits limits;
	int cancel_fd; /* readable: cancel the job (e.g. a signalfd); -1 for none */
};

struct sandbox_result {
	struct result_status status; /* how the job's main process ended */
	bool timed_out;
	bool oom_killed;
	bool output_truncated;	/* stdout or stderr cut at the limit, /out full, or SIGXFSZ */
	bool seccomp_violation; /* killed by the seccomp filter (SIGSYS) */
	bool cancelled;		/* cancel_fd became readable */
	int exec_errno;		/* execve of argv[0] failed with this (status: exit 127) */
	uint64_t cpu_usec;
	uint64_t peak_memory_bytes;
	uint64_t wall_usec;
	uint8_t *stdout_data; /* captured, at most max_output_bytes; owned */
	size_t stdout_len;
	uint8_t *stderr_data; /* captured, at most max_output_bytes; owned */
	size_t stderr_len;
	int out_fd; /* open directory of the job's /out tmpfs, or -1; owned */
	struct manifest manifest;
	bool out_rejected; /* /out held something that is not allowed */
	char out_reject_why[NODE_ERROR_MAX];
	bool has_hash;		 /* false when out_rejected */
	uint8_t hash[HASH_SIZE]; /* the canonical result hash */
};

/* Prepares a context: detects the cgroup layout. At the first job, while
 * that job's init builds its root, the seccomp filter is compiled
 * (sandbox_ctx_filter) and the empty job cgroups of dead supervisors are
 * removed (cgroup_sweep_stale). In: cfg (may be NULL for the defaults). Out: ctx (sandbox_ctx_free
 * it). Needs hearth_crypto_init() first. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int
sandbox_ctx_init(struct sandbox_ctx *ctx, const struct sandbox_config *cfg, struct node_error *e);

/* The cgroup layout cfg asks for: cfg->cgroup_v2_root, else the host's.
 * Out: layout. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int sandbox_layout_resolve(const struct sandbox_config *cfg,
							       struct cgroup_layout *layout,
							       struct node_error *e);

/* As sandbox_ctx_init, with a given cgroup layout instead of the host's. */
__attribute__((warn_unused_result)) int sandbox_ctx_init_layout(struct sandbox_ctx *ctx,
								const struct sandbox_config *cfg,
								const struct cgroup_layout *layout,
								struct node_error *e);

/* Compiles the context's seccomp filter unless that was done already.
 * Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int sandbox_ctx_filter(struct sandbox_ctx *ctx,
							   struct node_error *e);

void sandbox_ctx_free(struct sandbox_ctx *ctx);

/* Runs one job. Out: res (sandbox_result_free it), filled whenever 0 is
 * returned, whatever the job did. Returns -1 with e set when the sandbox
 * itself could not be built or torn down; everything created is removed on
 * that path too. */
__attribute__((warn_unused_result)) int sandbox_run(struct sandbox_ctx *ctx,
						    const struct sandbox_spec *spec,
						    struct sandbox_result *res,
						    struct node_error *e);

void sandbox_result_free(struct sandbox_result *res);

#endif
