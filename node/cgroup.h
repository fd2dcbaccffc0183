/* cgroup.h: the control groups a job runs in. Two halves:
 *
 * - the layout (cgroup_layout.c): which cgroup hierarchies the host mounts
 *   (pure v2, pure v1, or hybrid: v1 controllers beside a controller-less v2
 *   tree), found once at start from statfs("/sys/fs/cgroup"),
 *   /proc/self/mountinfo and /proc/self/cgroup;
 * - the job cgroup (cgroup.c): one cgroup per job, in every hierarchy that
 *   has a controller we use, under a configurable parent; limits are written
 *   before the job runs; the job is killed as a whole, waited for until the
 *   cgroup is empty, measured, and removed.
 *
 * On hybrid hosts the job is tracked and killed through its v2 cgroup
 * (cgroup.kill, cgroup.events) while its limits come from v1. */
#ifndef HEARTH_NODE_CGROUP_H
#define HEARTH_NODE_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "node/error.h"

#define CGROUP_PATH_MAX 1024
#define CGROUP_NAME_MAX 64

enum cgroup_mode {
	CGROUP_MODE_V2,
	CGROUP_MODE_V1,
	CGROUP_MODE_HYBRID,
};

/* The v1 controllers the sandbox uses. */
enum cgroup_ctrl {
	CGROUP_CTRL_MEMORY,
	CGROUP_CTRL_CPU,
	CGROUP_CTRL_CPUACCT,
	CGROUP_CTRL_PIDS,
	CGROUP_CTRL_FREEZER,
};
#define CGROUP_CTRL_COUNT 5

struct cgroup_layout {
	enum cgroup_mode mode;
	/* The supervisor's own cgroup directory in the v2 tree ("" when none). */
	char v2_own[CGROUP_PATH_MAX];
	/* The supervisor's own cgroup directory in the v1 hierarchy of each
	 * controller ("" when that controller is not mounted). Co-mounted
	 * controllers (cpu,cpuacct) share one directory. */
	char v1_own[CGROUP_CTRL_COUNT][CGROUP_PATH_MAX];
	/* Parent of the job cgroups: relative paths are taken under the
	 * supervisor's own cgroup, absolute ones from the hierarchy's root
	 * (the mount point). Default "hearth". */
	char parent[CGROUP_PATH_MAX];
	/* Directory the absolute parent is resolved against, per hierarchy. */
	char v2_mount[CGROUP_PATH_MAX];
	char v1_mount[CGROUP_CTRL_COUNT][CGROUP_PATH_MAX];
};

/* Limits in the units the kernel takes. 0 means "no limit" for each. */
struct cgroup_limits {
	uint64_t cpu_millicores;
	uint64_t memory_bytes;
	uint64_t pids;
};

/* A job's cgroup: one directory per hierarchy used. */
struct cgroup_job {
	enum cgroup_mode mode;
	char v2_dir[CGROUP_PATH_MAX];			 /* "" when no v2 tree */
	char v1_dir[CGROUP_CTRL_COUNT][CGROUP_PATH_MAX]; /* "" when unused or co-mounted
							    with an earlier controller */
	int v2_fd;					 /* O_PATH|O_DIRECTORY of v2_dir, or -1 */
	bool has_memsw;					 /* v1 memory.memsw.* present */
	bool has_kill;					 /* v2 cgroup.kill present */
	char name[CGROUP_NAME_MAX];			 /* the job cgroup's directory name */
};

/* What the cgroup measured. */
struct cgroup_stats {
	uint64_t cpu_usec;   /* CPU time of every process of the job */
	uint64_t peak_bytes; /* peak memory, 0 when the kernel does not tell */
	uint64_t oom_kills;  /* processes killed by the OOM killer */
};

const char *cgroup_mode_name(enum cgroup_mode mode);
const char *cgroup_ctrl_name(enum cgroup_ctrl ctrl);

/* Builds a layout from the texts of /proc/self/mountinfo and
 * /proc/self/cgroup. In: root_is_cgroup2, whether /sys/fs/cgroup itself is a
 * cgroup2 mount (pure v2); parent, the job parent (see struct cgroup_layout).
 * Out: l. Returns 0, or -1 with e set when no usable hierarchy is mounted or
 * a text is malformed. Pure: used by cgroup_layout_detect and the tests. */
__attribute__((warn_unused_result)) int
cgroup_layout_parse(struct cgroup_layout *l, bool root_is_cgroup2, const char *mountinfo,
		    const char *self_cgroup, const char *parent, struct node_error *e);

/* Detects the host's layout (statfs of /sys/fs/cgroup, /proc/self/mountinfo,
 * /proc/self/cgroup). Out: l. Returns 0, or -1 with e set. */
__attribute__((warn_unused_result)) int
cgroup_layout_detect(struct cgroup_layout *l, const char *parent, struct node_error *e);

/* A pure-v2 layout whose own cgroup is dir (a private cgroup2 mount, or a
 * plain directory standing in for one in tests). Returns 0 or -1. */
__attribute__((warn_unused_result)) int cgroup_layout_v2_at(struct cgroup_layout *l,
							    const char *dir, const char *parent,
							    struct node_error *e);

/* Creates the job cgroup NAME (a single path component) under the parent in
 * every hierarchy, enabling the v2 controllers on the way down, and writes
 * the limits: cgroup_job_begin then cgroup_job_limit. On failure everything
 * created is removed again.
 * Out: job (call cgroup_job_destroy when done). Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int
cgroup_job_create(const struct cgroup_layout *l, const char *name, const struct cgroup_limits *lim,
		  struct cgroup_job *job, struct node_error *e);

/* The first half of cgroup_job_create: checks, and the job's v2 cgroup
 * (with the parent's controllers enabled), into which the job's init can be
 * cloned. Out: job; on failure the caller still calls cgroup_job_destroy.
 * Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int
cgroup_job_begin(const struct cgroup_layout *l, const char *name, const struct cgroup_limits *lim,
		 struct cgroup_job *job, struct node_error *e);

/* The second half: the limits of a pure-v2 job, or the v1 cgroups (those the
 * mode needs, see cgroup.c) with their limits. The sandbox does this while
 * the freshly cloned init builds its root. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int cgroup_job_limit(const struct cgroup_layout *l,
							 const struct cgroup_limits *lim,
							 struct cgroup_job *job,
							 struct node_error *e);

/* Moves pid into the job's cgroups: the v2 one unless skip_v2 (the process
 * was cloned into it, CLONE_INTO_CGROUP), the v1 ones unless skip_v1 (it
 * enters them itself, cgroup_enter_tasks). Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int cgroup_job_attach(const struct cgroup_job *job, pid_t pid,
							  bool skip_v2, bool skip_v1,
							  struct node_error *e);

/* Opens the `tasks` file of each of the job's v1 cgroups for writing.
 * Out: fds[0..*n) (the caller closes them). Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int cgroup_job_open_tasks(const struct cgroup_job *job,
							      int fds[CGROUP_CTRL_COUNT], size_t *n,
							      struct node_error *e);

/* Moves the calling thread into the cgroups whose `tasks` files are fds by
 * writing "0" to each. For the job's single-threaded init: a thread moving
 * itself skips the kernel's global threadgroup lock, whose RCU grace period
 * makes writing another pid to cgroup.procs cost milliseconds per job. The
 * files were opened by the supervisor (cgroup v1 checks the opener's
 * credentials), so this works after the init has left the host's mount
 * namespace behind. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int cgroup_enter_tasks(const int *fds, size_t n,
							   struct node_error *e);

/* Kills every process of the job: v2 cgroup.kill; otherwise freeze, SIGKILL
 * each process, thaw (v1 freezer or v2 cgroup.freeze). Returns 0 or -1. */
__attribute__((warn_unused_result)) int cgroup_job_kill(const struct cgroup_job *job,
							struct node_error *e);

/* Waits until no process is left in the job's cgroups, at most timeout_ms.
 * Returns 0, or -1 with e set (ETIMEDOUT when processes remain). */
__attribute__((warn_unused_result)) int
cgroup_job_wait_empty(const struct cgroup_job *job, uint64_t timeout_ms, struct node_error *e);

/* Out: st, the job's CPU time, peak memory and OOM kills. Returns 0 or -1. */
__attribute__((warn_unused_result)) int
cgroup_job_read_stats(const struct cgroup_job *job, struct cgroup_stats *st, struct node_error *e);

/* Removes the job's cgroups (they must be empty), retrying briefly while the
 * kernel still releases the last tasks. Safe on a partly created or already
 * destroyed job. Returns 0, or -1 with e set for the first failure (the
 * others are still attempted). */
__attribute__((warn_unused_result)) int cgroup_job_destroy(struct cgroup_job *job,
							   struct node_error *e);

/* Removes the empty job cgroups that a supervisor killed without a chance to
 * clean up (SIGKILL, crash) left under the parent: those named
 * "job-PID-N" whose PID is not a live process. A cgroup that still holds
 * processes is never touched (rmdir fails). Out: *removed, how many.
 * Returns 0 or -1 with e set when a parent cannot be read. */
__attribute__((warn_unused_result)) int cgroup_sweep_stale(const struct cgroup_layout *l,
							   unsigned *removed, struct node_error *e);

#endif
