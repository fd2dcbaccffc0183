/* test_cgroup.c: unit tests of node/cgroup_layout.c and node/cgroup.c:
 * layout detection from the mountinfo and /proc/self/cgroup texts of pure
 * v2, pure v1 and hybrid hosts, and the exact files a job cgroup writes, on
 * a fake cgroupfs (plain directories) for v2 and for v1. */
#include "node/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/fsutil.h"
#include "tests/unit/test_util.h"

static const char v2_mountinfo[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"31 23 0:28 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 "
	"rw,nsdelegate,memory_recursiveprot\n";
static const char v2_self[] = "0::/system.slice/hearthd.service\n";

static const char hybrid_mountinfo[] =
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
	"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
	"37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
	"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
	"40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
	"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
static const char hybrid_self[] = "9:name=systemd:/\n8:pids:/\n6:freezer:/\n"
				  "4:memory:/process_api/f115\n2:cpu,cpuacct:/\n0::/\n";

static void test_layout_pure_v2_uses_own_cgroup(void **state UNUSED)
{
	struct cgroup_layout l;
	struct node_error e;

	assert_int_equal(cgroup_layout_parse(&l, true, v2_mountinfo, v2_self, NULL, &e), 0);
	assert_int_equal(l.mode, CGROUP_MODE_V2);
	assert_string_equal(l.v2_own, "/sys/fs/cgroup/system.slice/hearthd.service");
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup");
	assert_string_equal(l.parent, "hearth");
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++)
		assert_string_equal(l.v1_own[c], "");
}

static void test_layout_hybrid_has_v1_controllers_and_v2_tree(void **state UNUSED)
{
	struct cgroup_layout l;
	struct node_error e;

	assert_int_equal(cgroup_layout_parse(&l, false, hybrid_mountinfo, hybrid_self, "/jobs", &e),
			 0);
	assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
	assert_string_equal(l.v2_own, "/sys/fs/cgroup/unified");
	assert_string_equal(l.v1_own[CGROUP_CTRL_MEMORY], "/sys/fs/cgroup/memory/process_api/f115");
	assert_string_equal(l.v1_own[CGROUP_CTRL_CPU], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.v1_own[CGROUP_CTRL_CPUACCT], "/sys/fs/cgroup/cpu,cpuacct");
	assert_string_equal(l.v1_own[CGROUP_CTRL_PIDS], "/sys/fs/cgroup/pids");
	assert_string_equal(l.v1_own[CGROUP_CTRL_FREEZER], "/sys/fs/cgroup/freezer");
	assert_string_equal(l.parent, "/jobs");
}

static void test_layout_pure_v1_without_cgroup2_mount(void **state UNUSED)
{
	char mi[sizeof(hybrid_mountinfo)];
	struct cgroup_layout l;
	struct node_error e;

	strcpy(mi, hybrid_mountinfo);
	*strstr(mi, "41 31 0:38") = '\0';
	assert_int_equal(cgroup_layout_parse(&l, false, mi, hybrid_self, NULL, &e), 0);
	assert_int_equal(l.mode, CGROUP_MODE_V1);
	assert_string_equal(l.v2_own, "");
}

static void test_layout_without_any_cgroup_fails(void **state UNUSED)
{
	struct cgroup_layout l;
	struct node_error e;

	assert_int_equal(cgroup_layout_parse(&l, false, "22 27 0:21 / /proc rw - proc proc rw\n",
					     "0::/\n", NULL, &e),
			 -1);
	assert_non_null(strstr(e.msg, "no cgroup hierarchy"));
	assert_int_equal(cgroup_layout_parse(&l, false, v2_mountinfo, "0::/\n", "../escape", &e),
			 -1);
}

static void test_layout_mount_root_and_escapes(void **state UNUSED)
{
	static const char mi[] =
		"41 31 0:38 /delegated /sys/fs/cg\\040two rw - cgroup2 cgroup2 rw\n";
	struct cgroup_layout l;
	struct node_error e;

	assert_int_equal(cgroup_layout_parse(&l, false, mi, "0::/delegated/me\n", NULL, &e), 0);
	assert_int_equal(l.mode, CGROUP_MODE_V2);
	assert_string_equal(l.v2_own, "/sys/fs/cg two/me");
	assert_int_equal(cgroup_layout_parse(&l, false, mi, "0::/elsewhere\n", NULL, &e), -1);
}

/* Reads dir/file of the fake cgroupfs; fails the test when missing. */
static char *slurp(const char *dir, const char *file)
{
	char path[1200];
	char *text;
	struct node_error e;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (file_read_all(AT_FDCWD, path, 4096, &text, NULL, &e) < 0)
		fail_msg("%s", e.msg);
	return text;
}

static void put(const char *dir, const char *file, const char *text)
{
	char path[1200];
	struct node_error e;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (file_write_str(path, text, &e) < 0)
		fail_msg("%s", e.msg);
}

static void assert_file(const char *dir, const char *file, const char *want)
{
	char *text = slurp(dir, file);

	assert_string_equal(text, want);
	free(text);
}

static void unlink_in(const char *dir, const char *const *files)
{
	for (; *files != NULL; files++) {
		char path[1200];

		snprintf(path, sizeof(path), "%s/%s", dir, *files);
		unlink(path);
	}
}

static void test_v2_job_writes_limits_kills_and_measures(void **state UNUSED)
{
	static const char *const job_files[] = {
		"memory.max",	 "memory.swap.max", "memory.oom.group", "pids.max",
		"cpu.max",	 "cgroup.procs",    "cpu.stat",		"memory.peak",
		"memory.events", "cgroup.kill",	    "cgroup.events",	NULL
	};
	static const char *const parent_files[] = { "cgroup.controllers", "cgroup.subtree_control",
						    "memory.swap.max", "cgroup.kill", NULL };
	struct cgroup_limits lim = { .cpu_millicores = 250, .memory_bytes = 64 << 20, .pids = 32 };
	char root[] = "/tmp/hearth-test-cgv2-XXXXXX", parent[128];
	struct cgroup_layout l;
	struct cgroup_job job;
	struct cgroup_stats st;
	struct node_error e;

	assert_non_null(mkdtemp(root));
	snprintf(parent, sizeof(parent), "%s/hearth", root);
	assert_int_equal(mkdir(parent, 0755), 0);
	put(root, "cgroup.controllers", "cpuset cpu io memory pids\n");
	put(parent, "cgroup.controllers", "cpu memory pids\n");
	put(parent, "memory.swap.max", "max\n");
	put(parent, "cgroup.kill", "");
	assert_int_equal(cgroup_layout_v2_at(&l, root, NULL, &e), 0);
	if (cgroup_job_create(&l, "job-1", &lim, &job, &e) < 0)
		fail_msg("%s", e.msg);
	assert_true(job.has_kill);
	assert_true(job.v2_fd >= 0);
	assert_file(root, "cgroup.subtree_control", "+memory +pids +cpu");
	assert_file(parent, "cgroup.subtree_control", "+memory +pids +cpu");
	assert_file(job.v2_dir, "memory.max", "67108864");
	assert_file(job.v2_dir, "memory.swap.max", "0");
	assert_file(job.v2_dir, "memory.oom.group", "1");
	assert_file(job.v2_dir, "pids.max", "32");
	assert_file(job.v2_dir, "cpu.max", "25000 100000");
	assert_int_equal(cgroup_job_attach(&job, 4242, false, false, &e), 0);
	assert_file(job.v2_dir, "cgroup.procs", "4242");
	put(job.v2_dir, "cpu.stat", "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n");
	put(job.v2_dir, "memory.peak", "5000000\n");
	put(job.v2_dir, "memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
	assert_int_equal(cgroup_job_read_stats(&job, &st, &e), 0);
	assert_int_equal(st.cpu_usec, 1234567);
	assert_int_equal(st.peak_bytes, 5000000);
	assert_int_equal(st.oom_kills, 1);
	assert_int_equal(cgroup_job_kill(&job, &e), 0);
	assert_file(job.v2_dir, "cgroup.kill", "1");
	put(job.v2_dir, "cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cgroup_job_wait_empty(&job, 30, &e), -1);
	assert_int_equal(e.err, ETIMEDOUT);
	put(job.v2_dir, "cgroup.events", "populated 0\nfrozen 0\n");
	assert_int_equal(cgroup_job_wait_empty(&job, 1000, &e), 0);
	unlink_in(job.v2_dir, job_files);
	assert_int_equal(cgroup_job_destroy(&job, &e), 0);
	assert_int_equal(access(parent, F_OK), 0);
	assert_int_equal(access(job.v2_dir[0] ? job.v2_dir : "/nonexistent/x", F_OK), -1);
	unlink_in(parent, parent_files);
	unlink_in(root, parent_files);
	assert_int_equal(rmdir(parent), 0);
	assert_int_equal(rmdir(root), 0);
}

static void test_v2_missing_controller_is_a_clear_error(void **state UNUSED)
{
	struct cgroup_limits lim = { .memory_bytes = 1 << 20 };
	char root[] = "/tmp/hearth-test-cgv2-XXXXXX", path[128];
	struct cgroup_layout l;
	struct cgroup_job job;
	struct node_error e;

	assert_non_null(mkdtemp(root));
	put(root, "cgroup.controllers", "cpu pids\n");
	assert_int_equal(cgroup_layout_v2_at(&l, root, "hearth", &e), 0);
	assert_int_equal(cgroup_job_create(&l, "job-2", &lim, &job, &e), -1);
	assert_non_null(strstr(e.msg, "controller memory is not available"));
	snprintf(path, sizeof(path), "%s/hearth/job-2", root);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/hearth", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	unlink(path);
	assert_int_equal(rmdir(root), 0);
}

static void test_v1_job_writes_limits_in_each_hierarchy(void **state UNUSED)
{
	static const char *const ctrls[] = { "memory", "cpu,cpuacct", "pids", "freezer" };
	struct cgroup_limits lim = { .cpu_millicores = 1500, .memory_bytes = 1 << 30, .pids = 64 };
	char root[] = "/tmp/hearth-test-cgv1-XXXXXX", mi[2048], dir[256];
	struct cgroup_layout l;
	struct cgroup_job job;
	struct node_error e;
	size_t used = 0;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, ctrls[i]);
		assert_int_equal(mkdir(dir, 0755), 0);
		used += (size_t)snprintf(mi + used, sizeof(mi) - used,
					 "%zu 1 0:%zu / %s rw - cgroup cgroup rw,%s\n", 30 + i, i,
					 dir, ctrls[i]);
	}
	assert_int_equal(cgroup_layout_parse(&l, false, mi,
					     "4:memory:/\n2:cpu,cpuacct:/\n8:pids:/\n6:freezer:/\n",
					     NULL, &e),
			 0);
	assert_int_equal(l.mode, CGROUP_MODE_V1);
	if (cgroup_job_create(&l, "job-3", &lim, &job, &e) < 0)
		fail_msg("%s", e.msg);
	assert_string_equal(job.v2_dir, "");
	assert_false(job.has_memsw);
	assert_file(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.limit_in_bytes", "1073741824");
	assert_file(job.v1_dir[CGROUP_CTRL_PIDS], "pids.max", "64");
	assert_file(job.v1_dir[CGROUP_CTRL_CPU], "cpu.cfs_period_us", "100000");
	assert_file(job.v1_dir[CGROUP_CTRL_CPU], "cpu.cfs_quota_us", "150000");
	assert_string_equal(job.v1_dir[CGROUP_CTRL_CPU], job.v1_dir[CGROUP_CTRL_CPUACCT]);
	assert_int_equal(cgroup_job_attach(&job, 77, false, false, &e), 0);
	assert_file(job.v1_dir[CGROUP_CTRL_FREEZER], "cgroup.procs", "77");
	put(job.v1_dir[CGROUP_CTRL_CPUACCT], "cpuacct.usage", "2000000000\n");
	put(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.max_usage_in_bytes", "123456\n");
	put(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	{
		struct cgroup_stats st;

		assert_int_equal(cgroup_job_read_stats(&job, &st, &e), 0);
		assert_int_equal(st.cpu_usec, 2000000);
		assert_int_equal(st.peak_bytes, 123456);
		assert_int_equal(st.oom_kills, 2);
	}
	{
		static const char *const mem_files[] = { "memory.limit_in_bytes", "cgroup.procs",
							 "memory.max_usage_in_bytes",
							 "memory.oom_control", NULL };
		static const char *const cpu_files[] = { "cpu.cfs_period_us", "cpu.cfs_quota_us",
							 "cgroup.procs", "cpuacct.usage", NULL };
		static const char *const pids_files[] = { "pids.max", "cgroup.procs", NULL };
		static const char *const frz_files[] = { "cgroup.procs", NULL };

		unlink_in(job.v1_dir[CGROUP_CTRL_MEMORY], mem_files);
		unlink_in(job.v1_dir[CGROUP_CTRL_CPU], cpu_files);
		unlink_in(job.v1_dir[CGROUP_CTRL_PIDS], pids_files);
		unlink_in(job.v1_dir[CGROUP_CTRL_FREEZER], frz_files);
	}
	assert_int_equal(cgroup_job_destroy(&job, &e), 0);
	for (size_t i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/%s/hearth", root, ctrls[i]);
		assert_int_equal(rmdir(dir), 0);
		snprintf(dir, sizeof(dir), "%s/%s", root, ctrls[i]);
		assert_int_equal(rmdir(dir), 0);
	}
	assert_int_equal(rmdir(root), 0);
}

static void test_hybrid_job_uses_v1_limits_and_the_v2_tree(void **state UNUSED)
{
	static const char *const ctrls[] = { "memory", "cpu", "cpuacct", "pids", "freezer" };
	struct cgroup_limits lim = { .cpu_millicores = 500, .memory_bytes = 1 << 26 };
	char root[] = "/tmp/hearth-test-cghy-XXXXXX", mi[2048], dir[256];
	struct cgroup_layout l;
	struct cgroup_job job;
	struct node_error e;
	size_t used = 0;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < 5; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", root, ctrls[i]);
		assert_int_equal(mkdir(dir, 0755), 0);
		used += (size_t)snprintf(mi + used, sizeof(mi) - used,
					 "%zu 1 0:%zu / %s rw - cgroup cgroup rw,%s\n", 30 + i, i,
					 dir, ctrls[i]);
	}
	snprintf(dir, sizeof(dir), "%s/unified", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(mi + used, sizeof(mi) - used, "40 1 0:9 / %s rw - cgroup2 cgroup2 rw\n", dir);
	snprintf(dir, sizeof(dir), "%s/unified/hearth", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	put(dir, "cgroup.kill", "");
	assert_int_equal(cgroup_layout_parse(&l, false, mi,
					     "4:memory:/\n1:cpu:/\n2:cpuacct:/\n8:pids:/\n"
					     "6:freezer:/\n0::/\n",
					     NULL, &e),
			 0);
	assert_int_equal(l.mode, CGROUP_MODE_HYBRID);
	if (cgroup_job_create(&l, "job-4", &lim, &job, &e) < 0)
		fail_msg("%s", e.msg);
	/* Tracked, killed and measured (CPU) through v2; limits from v1. */
	assert_true(job.has_kill);
	assert_string_not_equal(job.v2_dir, "");
	assert_file(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.limit_in_bytes", "67108864");
	assert_file(job.v1_dir[CGROUP_CTRL_CPU], "cpu.cfs_quota_us", "50000");
	assert_string_equal(job.v1_dir[CGROUP_CTRL_PIDS], ""); /* no pids limit asked */
	assert_string_equal(job.v1_dir[CGROUP_CTRL_CPUACCT], "");
	assert_string_equal(job.v1_dir[CGROUP_CTRL_FREEZER], "");
	put(job.v2_dir, "cpu.stat", "usage_usec 42\n");
	put(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.max_usage_in_bytes", "99\n");
	put(job.v1_dir[CGROUP_CTRL_MEMORY], "memory.oom_control", "oom_kill 0\n");
	{
		struct cgroup_stats st;

		assert_int_equal(cgroup_job_read_stats(&job, &st, &e), 0);
		assert_int_equal(st.cpu_usec, 42);
		assert_int_equal(st.peak_bytes, 99);
	}
	assert_int_equal(cgroup_job_kill(&job, &e), 0);
	assert_file(job.v2_dir, "cgroup.kill", "1");
	{
		static const char *const v2_files[] = { "cpu.stat", "cgroup.kill", NULL };
		static const char *const mem_files[] = { "memory.limit_in_bytes",
							 "memory.max_usage_in_bytes",
							 "memory.oom_control", NULL };
		static const char *const cpu_files[] = { "cpu.cfs_period_us", "cpu.cfs_quota_us",
							 NULL };

		unlink_in(job.v2_dir, v2_files);
		unlink_in(job.v1_dir[CGROUP_CTRL_MEMORY], mem_files);
		unlink_in(job.v1_dir[CGROUP_CTRL_CPU], cpu_files);
	}
	assert_int_equal(cgroup_job_destroy(&job, &e), 0);
	snprintf(dir, sizeof(dir), "%s/unified/hearth/cgroup.kill", root);
	assert_int_equal(unlink(dir), 0);
	snprintf(dir, sizeof(dir), "%s/unified/hearth", root);
	assert_int_equal(rmdir(dir), 0);
	snprintf(dir, sizeof(dir), "%s/unified", root);
	assert_int_equal(rmdir(dir), 0);
	for (size_t i = 0; i < 5; i++) {
		snprintf(dir, sizeof(dir), "%s/%s/hearth", root, ctrls[i]);
		rmdir(dir); /* made only for the controllers used */
		snprintf(dir, sizeof(dir), "%s/%s", root, ctrls[i]);
		assert_int_equal(rmdir(dir), 0);
	}
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_pure_v2_uses_own_cgroup),
		cmocka_unit_test(test_layout_hybrid_has_v1_controllers_and_v2_tree),
		cmocka_unit_test(test_layout_pure_v1_without_cgroup2_mount),
		cmocka_unit_test(test_layout_without_any_cgroup_fails),
		cmocka_unit_test(test_layout_mount_root_and_escapes),
		cmocka_unit_test(test_v2_job_writes_limits_kills_and_measures),
		cmocka_unit_test(test_v2_missing_controller_is_a_clear_error),
		cmocka_unit_test(test_v1_job_writes_limits_in_each_hierarchy),
		cmocka_unit_test(test_hybrid_job_uses_v1_limits_and_the_v2_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
