/* cgroup.c: the lifecycle of a job's cgroups (see cgroup.h): create with
 * limits, attach, kill as a whole, wait until empty, measure, remove.
 *
 * v2:     memory.max, memory.swap.max=0, memory.oom.group=1, pids.max,
 *         cpu.max; controllers enabled in cgroup.subtree_control from the
 *         supervisor's own cgroup down to the parent.
 * v1:     memory.limit_in_bytes (+ memory.memsw.limit_in_bytes), pids.max,
 *         cpu.cfs_quota_us/cfs_period_us, cpuacct (usage), freezer (kill).
 * hybrid: v1 limits, and a v2 cgroup in the controller-less tree used to
 *         place (clone3), kill (cgroup.kill) and watch (cgroup.events). */
#include "node/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/fsutil.h"

#define CPU_PERIOD_USEC 100000
#define CGROUP_FILE_MAX (4 * 1024 * 1024)

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Writes val to dir/file. */
static int cg_write(const char *dir, const char *file, const char *val, struct node_error *e)
{
	char path[CGROUP_PATH_MAX + 64];

	if (path_join(path, sizeof(path), dir, file) < 0)
		return node_error_set(e, ENAMETOOLONG, "cgroup file %s/%s", dir, file);
	return file_write_str(path, val, e);
}

static int cg_write_u64(const char *dir, const char *file, uint64_t v, struct node_error *e)
{
	char val[32];

	snprintf(val, sizeof(val), "%" PRIu64, v);
	return cg_write(dir, file, val, e);
}

static bool cg_has(const char *dir, const char *file)
{
	char path[CGROUP_PATH_MAX + 64];

	if (path_join(path, sizeof(path), dir, file) < 0)
		return false;
	return access(path, F_OK) == 0;
}

/* Reads dir/file into a new buffer (caller frees). */
static int cg_read(const char *dir, const char *file, char **buf, struct node_error *e)
{
	char path[CGROUP_PATH_MAX + 64];

	if (path_join(path, sizeof(path), dir, file) < 0)
		return node_error_set(e, ENAMETOOLONG, "cgroup file %s/%s", dir, file);
	return file_read_all(AT_FDCWD, path, CGROUP_FILE_MAX, buf, NULL, e);
}

/* Finds "key value" in a flat keyed file (memory.events, cpu.stat,
 * memory.oom_control). Returns 0 and *v, or -1 when the key is missing. */
static int keyed_value(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);

	for (const char *p = text; p != NULL && *p != '\0';) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			char *end;

			errno = 0;
			*v = strtoull(p + klen + 1, &end, 10);
			return errno == 0 && end != p + klen + 1 ? 0 : -1;
		}
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	return -1;
}

static int cg_read_keyed(const char *dir, const char *file, const char *key, uint64_t *v,
			 struct node_error *e)
{
	char *text;
	int rc;

	if (cg_read(dir, file, &text, e) < 0)
		return -1;
	rc = keyed_value(text, key, v);
	free(text);
	if (rc < 0)
		return node_error_set(e, 0, "%s/%s: no %s", dir, file, key);
	return 0;
}

static int cg_read_u64(const char *dir, const char *file, uint64_t *v, struct node_error *e)
{
	char *text, *end;
	int rc = 0;

	if (cg_read(dir, file, &text, e) < 0)
		return -1;
	errno = 0;
	*v = strtoull(text, &end, 10);
	if (errno != 0 || end == text)
		rc = node_error_set(e, 0, "%s/%s: not a number", dir, file);
	free(text);
	return rc;
}

/* Directory of the parent in one hierarchy. */
static int parent_dir(const struct cgroup_layout *l, const char *own, const char *mount, char *out,
		      struct node_error *e)
{
	const char *base = l->parent[0] == '/' ? mount : own;

	if (path_join(out, CGROUP_PATH_MAX, base, l->parent) < 0)
		return node_error_set(e, ENAMETOOLONG, "cgroup parent under %s", base);
	return 0;
}

/* True when the space-separated list holds word. */
static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* Enables the controllers of want in cgroup.subtree_control of dir, in one
 * write ("+memory +pids +cpu"); each must be offered in cgroup.controllers. */
static int v2_enable(const char *dir, const char *const *want, struct node_error *e)
{
	char *offered, ops[128] = "";
	size_t used = 0;
	int rc;

	if (want[0] == NULL)
		return 0;
	if (cg_read(dir, "cgroup.controllers", &offered, e) < 0)
		return -1;
	for (const char *const *w = want; *w != NULL; w++) {
		if (!word_in(offered, *w)) {
			node_error_set(e, 0, "cgroup v2 controller %s is not available in %s", *w,
				       dir);
			free(offered);
			return -1;
		}
		used += (size_t)snprintf(ops + used, sizeof(ops) - used, "%s+%s", used ? " " : "",
					 *w);
	}
	free(offered);
	/* Already enabled (every job after the first): no write, which would
	 * take the cgroup locks for nothing. */
	if (cg_read(dir, "cgroup.subtree_control", &offered, e) == 0) {
		bool all = true;

		for (const char *const *w = want; *w != NULL && all; w++)
			all = word_in(offered, *w);
		free(offered);
		if (all)
			return 0;
	}
	rc = cg_write(dir, "cgroup.subtree_control", ops, e);
	if (rc < 0 && e->err == EBUSY)
		node_error_prefix(e,
				  "cannot enable controllers below %s: it holds processes "
				  "(cgroup v2 \"no internal processes\" rule); run the supervisor "
				  "in a delegated cgroup or use an absolute --cgroup-parent",
				  dir);
	return rc;
}

/* mkdir -p for the parent, enabling v2 controllers from own down. */
static int v2_make_parent(const struct cgroup_layout *l, const char *parent,
			  const struct cgroup_limits *lim, struct node_error *e)
{
	const char *want[4];
	char level[CGROUP_PATH_MAX];
	size_t start, n = 0;

	if (lim->memory_bytes > 0)
		want[n++] = "memory";
	if (lim->pids > 0)
		want[n++] = "pids";
	if (lim->cpu_millicores > 0)
		want[n++] = "cpu";
	want[n] = NULL;
	/* Usually there already: one mkdir, not one per path component. */
	if (mkdir(parent, 0755) < 0 && errno != EEXIST && dir_make_all(parent, e) < 0)
		return -1;
	if (l->mode != CGROUP_MODE_V2)
		return 0; /* hybrid: the v2 tree only tracks and kills */
	/* Walk from the base (own cgroup or mount) to the parent itself. */
	start = strlen(l->parent[0] == '/' ? l->v2_mount : l->v2_own);
	snprintf(level, sizeof(level), "%s", parent);
	for (size_t i = start; i <= strlen(parent); i++) {
		if (parent[i] != '/' && parent[i] != '\0')
			continue;
		level[i] = '\0';
		if (v2_enable(level, want, e) < 0)
			return -1;
		level[i] = parent[i];
	}
	return 0;
}

/* parent: whose files tell which optional ones the job has (a new cgroup
 * has the same interface files as its parent). */
static int v2_write_limits(const char *dir, const char *parent, const struct cgroup_limits *lim,
			   struct node_error *e)
{
	if (lim->memory_bytes > 0) {
		if (cg_write_u64(dir, "memory.max", lim->memory_bytes, e) < 0)
			return -1;
		/* memory.swap.max is missing when swap accounting is off */
		if (cg_has(parent, "memory.swap.max") &&
		    cg_write(dir, "memory.swap.max", "0", e) < 0)
			return -1;
		if (cg_write(dir, "memory.oom.group", "1", e) < 0)
			return -1;
	}
	if (lim->pids > 0 && cg_write_u64(dir, "pids.max", lim->pids, e) < 0)
		return -1;
	if (lim->cpu_millicores > 0) {
		char val[64];
		uint64_t quota = lim->cpu_millicores * (CPU_PERIOD_USEC / 1000);

		snprintf(val, sizeof(val), "%" PRIu64 " %d", quota, CPU_PERIOD_USEC);
		if (cg_write(dir, "cpu.max", val, e) < 0)
			return -1;
	}
	return 0;
}

static int v1_write_limits(struct cgroup_job *job, const struct cgroup_limits *lim,
			   struct node_error *e)
{
	const char *mem = job->v1_dir[CGROUP_CTRL_MEMORY];
	const char *pids = job->v1_dir[CGROUP_CTRL_PIDS];
	const char *cpu = job->v1_dir[CGROUP_CTRL_CPU];

	if (lim->memory_bytes > 0) {
		if (mem[0] == '\0')
			return node_error_set(e, 0,
					      "memory limit asked but no v1 memory controller");
		if (cg_write_u64(mem, "memory.limit_in_bytes", lim->memory_bytes, e) < 0)
			return -1;
		if (job->has_memsw &&
		    cg_write_u64(mem, "memory.memsw.limit_in_bytes", lim->memory_bytes, e) < 0)
			return -1;
	}
	if (lim->pids > 0) {
		if (pids[0] == '\0')
			return node_error_set(e, 0, "pids limit asked but no v1 pids controller");
		if (cg_write_u64(pids, "pids.max", lim->pids, e) < 0)
			return -1;
	}
	if (lim->cpu_millicores > 0) {
		if (cpu[0] == '\0')
			return node_error_set(e, 0, "cpu limit asked but no v1 cpu controller");
		if (cg_write_u64(cpu, "cpu.cfs_period_us", CPU_PERIOD_USEC, e) < 0 ||
		    cg_write_u64(cpu, "cpu.cfs_quota_us",
				 lim->cpu_millicores * (CPU_PERIOD_USEC / 1000), e) < 0)
			return -1;
	}
	return 0;
}

/* Which v1 controllers a job uses. Pure v1: all. Hybrid: memory always (its
 * limit, peak and OOM count), cpu and pids when limited; CPU time comes from
 * the v2 cgroup's cpu.stat, and the kill from its cgroup.kill (the freezer
 * only on kernels without it). Fewer hierarchies, less work per job. */
static bool v1_needed(enum cgroup_mode mode, int c, const struct cgroup_limits *lim, bool v2_kill)
{
	if (mode != CGROUP_MODE_HYBRID)
		return true;
	switch ((enum cgroup_ctrl)c) {
	case CGROUP_CTRL_MEMORY:
		return true;
	case CGROUP_CTRL_CPU:
		return lim->cpu_millicores > 0;
	case CGROUP_CTRL_PIDS:
		return lim->pids > 0;
	case CGROUP_CTRL_CPUACCT:
		return false;
	case CGROUP_CTRL_FREEZER:
		return !v2_kill;
	}
	return true;
}

int cgroup_job_begin(const struct cgroup_layout *l, const char *name,
		     const struct cgroup_limits *lim, struct cgroup_job *job, struct node_error *e)
{
	char parent[CGROUP_PATH_MAX];

	memset(job, 0, sizeof(*job));
	job->mode = l->mode;
	job->v2_fd = -1;
	if (strchr(name, '/') != NULL || strlen(name) >= CGROUP_NAME_MAX || name[0] == '\0')
		return node_error_set(e, EINVAL, "cgroup name %s", name);
	if (lim->cpu_millicores > 1000000)
		return node_error_set(e, ERANGE, "cpu limit %" PRIu64 "m", lim->cpu_millicores);
	strcpy(job->name, name);
	if (l->v2_own[0] == '\0')
		return 0;
	if (parent_dir(l, l->v2_own, l->v2_mount, parent, e) < 0 ||
	    v2_make_parent(l, parent, lim, e) < 0)
		return -1;
	if (path_join(job->v2_dir, sizeof(job->v2_dir), parent, name) < 0)
		return node_error_set(e, ENAMETOOLONG, "cgroup %s/%s", parent, name);
	if (mkdir(job->v2_dir, 0755) < 0) {
		node_error_set(e, errno, "mkdir %s", job->v2_dir);
		job->v2_dir[0] = '\0';
		return -1;
	}
	job->v2_fd = open(job->v2_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (job->v2_fd < 0)
		return node_error_set(e, errno, "open %s", job->v2_dir);
	job->has_kill = cg_has(parent, "cgroup.kill");
	return 0;
}

int cgroup_job_limit(const struct cgroup_layout *l, const struct cgroup_limits *lim,
		     struct cgroup_job *job, struct node_error *e)
{
	char parent[CGROUP_PATH_MAX];

	if (l->mode == CGROUP_MODE_V2) {
		if (parent_dir(l, l->v2_own, l->v2_mount, parent, e) < 0)
			return -1;
		return v2_write_limits(job->v2_dir, parent, lim, e);
	}
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
		bool shared = false;

		if (l->v1_own[c][0] == '\0' || !v1_needed(l->mode, c, lim, job->has_kill))
			continue;
		for (int d = 0; d < c; d++)
			shared |= strcmp(l->v1_own[d], l->v1_own[c]) == 0;
		if (shared) {
			/* co-mounted: use the earlier controller's directory */
			for (int d = 0; d < c; d++)
				if (strcmp(l->v1_own[d], l->v1_own[c]) == 0 && job->v1_dir[d][0])
					memcpy(job->v1_dir[c], job->v1_dir[d],
					       sizeof(job->v1_dir[c]));
			continue;
		}
		if (parent_dir(l, l->v1_own[c], l->v1_mount[c], parent, e) < 0)
			return -1;
		if (path_join(job->v1_dir[c], sizeof(job->v1_dir[c]), parent, job->name) < 0) {
			job->v1_dir[c][0] = '\0';
			return node_error_set(e, ENAMETOOLONG, "cgroup %s/%s", parent, job->name);
		}
		if (mkdir(job->v1_dir[c], 0755) < 0 &&
		    (errno != ENOENT || dir_make_all(parent, e) < 0 ||
		     mkdir(job->v1_dir[c], 0755) < 0)) {
			node_error_set(e, errno, "mkdir %s", job->v1_dir[c]);
			job->v1_dir[c][0] = '\0';
			return -1;
		}
	}
	job->has_memsw = job->v1_dir[CGROUP_CTRL_MEMORY][0] != '\0' &&
			 cg_has(job->v1_dir[CGROUP_CTRL_MEMORY], "memory.memsw.limit_in_bytes");
	return v1_write_limits(job, lim, e);
}

int cgroup_job_create(const struct cgroup_layout *l, const char *name,
		      const struct cgroup_limits *lim, struct cgroup_job *job, struct node_error *e)
{
	struct node_error ignored;

	if (cgroup_job_begin(l, name, lim, job, e) == 0 && cgroup_job_limit(l, lim, job, e) == 0)
		return 0;
	if (cgroup_job_destroy(job, &ignored) < 0) {
		/* e keeps the first error; a failed cleanup is a consequence */
	}
	return -1;
}

/* True when v1 controller c's directory is the first use of it (not a copy
 * of a co-mounted controller's directory). */
static bool v1_owner(const struct cgroup_job *job, int c)
{
	if (job->v1_dir[c][0] == '\0')
		return false;
	for (int d = 0; d < c; d++)
		if (strcmp(job->v1_dir[d], job->v1_dir[c]) == 0)
			return false;
	return true;
}

int cgroup_job_attach(const struct cgroup_job *job, pid_t pid, bool skip_v2, bool skip_v1,
		      struct node_error *e)
{
	char val[32];

	snprintf(val, sizeof(val), "%d", (int)pid);
	if (job->v2_dir[0] != '\0' && !skip_v2 && cg_write(job->v2_dir, "cgroup.procs", val, e) < 0)
		return -1;
	for (int c = 0; c < CGROUP_CTRL_COUNT && !skip_v1; c++)
		if (v1_owner(job, c) && cg_write(job->v1_dir[c], "cgroup.procs", val, e) < 0)
			return -1;
	return 0;
}

int cgroup_job_open_tasks(const struct cgroup_job *job, int fds[CGROUP_CTRL_COUNT], size_t *n,
			  struct node_error *e)
{
	*n = 0;
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
		char path[CGROUP_PATH_MAX + 16];

		if (!v1_owner(job, c))
			continue;
		if (path_join(path, sizeof(path), job->v1_dir[c], "tasks") < 0) {
			node_error_set(e, ENAMETOOLONG, "cgroup %s/tasks", job->v1_dir[c]);
			goto fail;
		}
		fds[*n] = open(path, O_WRONLY | O_CLOEXEC);
		if (fds[*n] < 0) {
			node_error_set(e, errno, "open %s", path);
			goto fail;
		}
		(*n)++;
	}
	return 0;
fail:
	while (*n > 0)
		close(fds[--*n]);
	return -1;
}

int cgroup_enter_tasks(const int *fds, size_t n, struct node_error *e)
{
	for (size_t i = 0; i < n; i++) {
		ssize_t w;

		do {
			w = write(fds[i], "0", 1);
		} while (w < 0 && errno == EINTR);
		if (w != 1)
			return node_error_set(e, w < 0 ? errno : EIO, "enter v1 cgroup (tasks)");
	}
	return 0;
}

/* The directory whose cgroup.procs lists every process of the job. */
static const char *tracking_dir(const struct cgroup_job *job)
{
	static const enum cgroup_ctrl order[] = { CGROUP_CTRL_FREEZER, CGROUP_CTRL_PIDS,
						  CGROUP_CTRL_MEMORY, CGROUP_CTRL_CPU,
						  CGROUP_CTRL_CPUACCT };

	if (job->v2_dir[0] != '\0')
		return job->v2_dir;
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (job->v1_dir[order[i]][0] != '\0')
			return job->v1_dir[order[i]];
	return NULL;
}

/* SIGKILLs every pid listed in dir/cgroup.procs. Out: *count of pids seen. */
static int kill_listed(const char *dir, size_t *count, struct node_error *e)
{
	char *text, *p;

	*count = 0;
	if (cg_read(dir, "cgroup.procs", &text, e) < 0)
		return -1;
	for (p = text; *p != '\0';) {
		char *end;
		long pid = strtol(p, &end, 10);

		if (end == p)
			break;
		if (pid > 0 && kill((pid_t)pid, SIGKILL) < 0 && errno != ESRCH) {
			int err = errno;

			free(text);
			return node_error_set(e, err, "kill %ld", pid);
		}
		(*count)++;
		p = end;
		while (*p == '\n')
			p++;
	}
	free(text);
	return 0;
}

/* Sets a freezer (v1 freezer.state or v2 cgroup.freeze) and waits until the
 * kernel reports it done. */
static int freeze_set(const struct cgroup_job *job, bool frozen, struct node_error *e)
{
	const char *v1 = job->v1_dir[CGROUP_CTRL_FREEZER];

	if (v1[0] != '\0') {
		if (cg_write(v1, "freezer.state", frozen ? "FROZEN" : "THAWED", e) < 0)
			return -1;
		for (int i = 0; frozen && i < 1000; i++) {
			char *state;
			bool done;

			if (cg_read(v1, "freezer.state", &state, e) < 0)
				return -1;
			done = strncmp(state, "FROZEN", 6) == 0;
			free(state);
			if (done)
				break;
			sleep_ms(1);
		}
		return 0;
	}
	if (job->v2_dir[0] != '\0' && cg_has(job->v2_dir, "cgroup.freeze"))
		return cg_write(job->v2_dir, "cgroup.freeze", frozen ? "1" : "0", e);
	return 0; /* no freezer: kill in a loop until empty */
}

int cgroup_job_kill(const struct cgroup_job *job, struct node_error *e)
{
	const char *dir = tracking_dir(job);

	if (dir == NULL)
		return 0;
	if (job->v2_dir[0] != '\0' && job->has_kill)
		return cg_write(job->v2_dir, "cgroup.kill", "1", e);
	/* Freeze so no process can fork while we kill, kill all, thaw so the
	 * kills are delivered; repeat while processes remain listed. */
	for (int round = 0; round < 100; round++) {
		size_t count;

		if (freeze_set(job, true, e) < 0)
			return -1;
		if (kill_listed(dir, &count, e) < 0) {
			struct node_error ignored;

			if (freeze_set(job, false, &ignored) < 0) {
				/* e keeps the kill error */
			}
			return -1;
		}
		if (freeze_set(job, false, e) < 0)
			return -1;
		if (count == 0)
			return 0;
		sleep_ms(1);
		/* Exited processes leave the list once reaped. */
		if (kill_listed(dir, &count, e) < 0)
			return -1;
		if (count == 0)
			return 0;
	}
	return node_error_set(e, EBUSY, "kill cgroup %s: processes keep appearing", dir);
}

/* True when the job's cgroups hold no process. */
static int job_empty(const struct cgroup_job *job, bool *empty, struct node_error *e)
{
	*empty = true;
	if (job->v2_dir[0] != '\0' && cg_has(job->v2_dir, "cgroup.events")) {
		uint64_t populated;

		if (cg_read_keyed(job->v2_dir, "cgroup.events", "populated", &populated, e) < 0)
			return -1;
		*empty = populated == 0;
		return 0;
	}
	for (int c = 0; c < CGROUP_CTRL_COUNT && *empty; c++) {
		char *text;

		if (!v1_owner(job, c))
			continue;
		if (cg_read(job->v1_dir[c], "cgroup.procs", &text, e) < 0)
			return -1;
		*empty = text[0] == '\0';
		free(text);
	}
	return 0;
}

int cgroup_job_wait_empty(const struct cgroup_job *job, uint64_t timeout_ms, struct node_error *e)
{
	uint64_t deadline = now_ms() + timeout_ms;
	unsigned pause = 1;

	for (;;) {
		bool empty;

		if (job_empty(job, &empty, e) < 0)
			return -1;
		if (empty)
			return 0;
		if (now_ms() >= deadline)
			return node_error_set(e, ETIMEDOUT, "cgroup %s still holds processes",
					      tracking_dir(job));
		if (job->v2_dir[0] != '\0') {
			/* cgroup.events notifies (POLLPRI) when populated changes. */
			char path[CGROUP_PATH_MAX + 32];
			int fd;

			if (path_join(path, sizeof(path), job->v2_dir, "cgroup.events") == 0 &&
			    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0) {
				struct pollfd pfd = { .fd = fd, .events = POLLPRI };
				bool now_empty;
				char buf[256];

				/* read once to arm, check again to close the race */
				(void)!read(fd, buf, sizeof(buf));
				if (job_empty(job, &now_empty, e) < 0) {
					close(fd);
					return -1;
				}
				if (!now_empty)
					(void)poll(&pfd, 1, 10);
				close(fd);
				continue;
			}
		}
		sleep_ms(pause);
		if (pause < 16)
			pause *= 2;
	}
}

int cgroup_job_read_stats(const struct cgroup_job *job, struct cgroup_stats *st,
			  struct node_error *e)
{
	const char *mem = job->v1_dir[CGROUP_CTRL_MEMORY];
	const char *acct = job->v1_dir[CGROUP_CTRL_CPUACCT];

	memset(st, 0, sizeof(*st));
	if (job->mode == CGROUP_MODE_V2) {
		if (cg_read_keyed(job->v2_dir, "cpu.stat", "usage_usec", &st->cpu_usec, e) < 0)
			return -1;
		if (cg_has(job->v2_dir, "memory.peak") &&
		    cg_read_u64(job->v2_dir, "memory.peak", &st->peak_bytes, e) < 0)
			return -1;
		if (cg_has(job->v2_dir, "memory.events") &&
		    cg_read_keyed(job->v2_dir, "memory.events", "oom_kill", &st->oom_kills, e) < 0)
			return -1;
		return 0;
	}
	if (acct[0] != '\0') {
		uint64_t ns;

		if (cg_read_u64(acct, "cpuacct.usage", &ns, e) < 0)
			return -1;
		st->cpu_usec = ns / 1000;
	} else if (job->v2_dir[0] != '\0' &&
		   cg_read_keyed(job->v2_dir, "cpu.stat", "usage_usec", &st->cpu_usec, e) < 0) {
		return -1;
	}
	if (mem[0] != '\0') {
		if (cg_read_u64(mem, "memory.max_usage_in_bytes", &st->peak_bytes, e) < 0)
			return -1;
		/* "oom_kill" exists since Linux 4.13; older kernels only say
		 * "under_oom", which the caller cannot use after the fact. */
		if (cg_read_keyed(mem, "memory.oom_control", "oom_kill", &st->oom_kills, e) < 0)
			return -1;
	}
	return 0;
}

static int remove_dir(char *dir, struct node_error *e)
{
	/* A cgroup may stay busy for a moment after its last task is reaped. */
	for (int i = 0; i < 200; i++) {
		if (rmdir(dir) == 0 || errno == ENOENT) {
			dir[0] = '\0';
			return 0;
		}
		if (errno != EBUSY)
			break;
		sleep_ms(5);
	}
	return node_error_set(e, errno, "rmdir %s", dir);
}

int cgroup_job_destroy(struct cgroup_job *job, struct node_error *e)
{
	int rc = 0;

	if (job->v2_fd >= 0) {
		close(job->v2_fd);
		job->v2_fd = -1;
	}
	for (int c = CGROUP_CTRL_COUNT - 1; c >= 0; c--) {
		struct node_error one;

		if (!v1_owner(job, c))
			continue;
		if (remove_dir(job->v1_dir[c], &one) < 0 && rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++)
		if (rc == 0)
			job->v1_dir[c][0] = '\0';
	if (job->v2_dir[0] != '\0') {
		struct node_error one;

		if (remove_dir(job->v2_dir, &one) < 0 && rc == 0) {
			*e = one;
			rc = -1;
		}
	}
	return rc;
}

/* Sweeps one parent directory (missing: nothing to do). */
static int sweep_dir(const char *parent, unsigned *removed, struct node_error *e)
{
	DIR *d = opendir(parent);
	struct dirent *de;

	if (d == NULL) {
		if (errno == ENOENT)
			return 0;
		return node_error_set(e, errno, "opendir %s", parent);
	}
	while ((de = readdir(d)) != NULL) {
		char path[CGROUP_PATH_MAX + CGROUP_NAME_MAX];
		unsigned long pid;
		char *end;

		if (strncmp(de->d_name, "job-", 4) != 0)
			continue;
		errno = 0;
		pid = strtoul(de->d_name + 4, &end, 10);
		if (errno != 0 || end == de->d_name + 4 || *end != '-' || pid == 0 ||
		    pid > (unsigned long)INT32_MAX)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue; /* its supervisor lives (or is not ours to judge) */
		if (path_join(path, sizeof(path), parent, de->d_name) < 0)
			continue;
		if (rmdir(path) == 0)
			(*removed)++;
	}
	closedir(d);
	return 0;
}

int cgroup_sweep_stale(const struct cgroup_layout *l, unsigned *removed, struct node_error *e)
{
	char parent[CGROUP_PATH_MAX];

	*removed = 0;
	if (l->v2_own[0] != '\0' && (parent_dir(l, l->v2_own, l->v2_mount, parent, e) < 0 ||
				     sweep_dir(parent, removed, e) < 0))
		return -1;
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
		bool seen = false;

		if (l->v1_own[c][0] == '\0')
			continue;
		for (int d = 0; d < c; d++)
			seen |= strcmp(l->v1_own[d], l->v1_own[c]) == 0;
		if (seen)
			continue;
		if (parent_dir(l, l->v1_own[c], l->v1_mount[c], parent, e) < 0 ||
		    sweep_dir(parent, removed, e) < 0)
			return -1;
	}
	return 0;
}
