/* privs.h: the last steps before a job's execve, in this order:
 *
 *   set_rlimits    core 0, nofile, fsize (output limit), memlock 0
 *   drop_bounding  every capability out of the bounding set, ambient cleared
 *   set_ids        no supplementary groups, then gid, then uid (the job's)
 *   clear_caps     effective, permitted and inheritable emptied and checked
 *   no_new_privs   PR_SET_NO_NEW_PRIVS: setuid bits and file caps are inert
 *
 * (the seccomp filter follows, see seccomp.h). Each runs in the forked job
 * process, which is single-threaded, so these per-thread settings hold for
 * the whole job. */
#ifndef HEARTH_NODE_PRIVS_H
#define HEARTH_NODE_PRIVS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "node/error.h"

struct privs_spec {
	uid_t uid;
	gid_t gid;
	bool in_userns;	      /* setgroups may be denied in a user namespace */
	uint64_t fsize_bytes; /* RLIMIT_FSIZE */
	uint64_t nofile;      /* RLIMIT_NOFILE */
};

/* Applies every step above. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int privs_drop_all(const struct privs_spec *spec,
						       struct node_error *e);

/* Only the bounding set (and the ambient set): what the job's init drops
 * before it forks the job, which then finds them empty. Returns 0 or -1
 * with e set. */
__attribute__((warn_unused_result)) int privs_drop_bounding(struct node_error *e);

/* Only the capability steps (bounding, ambient, effective/permitted/
 * inheritable) and no_new_privs, keeping the ids: for the job's init. */
__attribute__((warn_unused_result)) int privs_drop_caps(struct node_error *e);

#endif
