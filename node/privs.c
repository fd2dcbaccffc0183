/* privs.c: rlimits, capabilities, ids and no_new_privs of a job (see
 * privs.h). */
#include "node/privs.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#define CAP_SCAN_MAX 64

static int set_limit(int res, const char *name, uint64_t v, struct node_error *e)
{
	struct rlimit rl = { .rlim_cur = (rlim_t)v, .rlim_max = (rlim_t)v };

	if (setrlimit(res, &rl) < 0)
		return node_error_set(e, errno, "setrlimit %s", name);
	return 0;
}

static int set_rlimits(const struct privs_spec *spec, struct node_error *e)
{
	if (set_limit(RLIMIT_CORE, "core", 0, e) < 0 ||
	    set_limit(RLIMIT_NOFILE, "nofile", spec->nofile, e) < 0 ||
	    set_limit(RLIMIT_FSIZE, "fsize", spec->fsize_bytes, e) < 0 ||
	    set_limit(RLIMIT_MEMLOCK, "memlock", 0, e) < 0)
		return -1;
	return 0;
}

/* Each PR_CAPBSET_DROP makes and commits new credentials (about 2 us
 * here): only the capabilities still in the set are dropped, so that a
 * process forked by one that dropped them already pays only the reads. */
static int drop_bounding(struct node_error *e)
{
	for (int cap = 0; cap < CAP_SCAN_MAX; cap++) {
		int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);

		if (in_set < 0 && errno == EINVAL)
			break; /* past the kernel's last capability */
		if (in_set < 0)
			return node_error_set(e, errno, "prctl PR_CAPBSET_READ %d", cap);
		if (in_set == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			return node_error_set(e, errno, "prctl PR_CAPBSET_DROP %d", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return node_error_set(e, errno, "prctl PR_CAP_AMBIENT_CLEAR_ALL");
	return 0;
}

static int set_ids(const struct privs_spec *spec, struct node_error *e)
{
	if (setgroups(0, NULL) < 0 && !(spec->in_userns && errno == EPERM))
		return node_error_set(e, errno, "setgroups");
	if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
		return node_error_set(e, errno, "setresgid %u", (unsigned)spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
		return node_error_set(e, errno, "setresuid %u", (unsigned)spec->uid);
	return 0;
}

static int clear_caps(struct node_error *e)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) < 0)
		return node_error_set(e, errno, "capset");
	if (syscall(SYS_capget, &hdr, data) < 0)
		return node_error_set(e, errno, "capget");
	for (int i = 0; i < 2; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable)
			return node_error_set(e, EPERM, "capabilities still held after capset");
	return 0;
}

static int no_new_privs(struct node_error *e)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return node_error_set(e, errno, "prctl PR_SET_NO_NEW_PRIVS");
	return 0;
}

int privs_drop_all(const struct privs_spec *spec, struct node_error *e)
{
	if (set_rlimits(spec, e) < 0 || drop_bounding(e) < 0 || set_ids(spec, e) < 0 ||
	    clear_caps(e) < 0 || no_new_privs(e) < 0)
		return -1;
	return 0;
}

int privs_drop_bounding(struct node_error *e)
{
	return drop_bounding(e);
}

int privs_drop_caps(struct node_error *e)
{
	if (drop_bounding(e) < 0 || clear_caps(e) < 0 || no_new_privs(e) < 0)
		return -1;
	return 0;
}
