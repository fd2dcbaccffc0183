/* sandbox_child.h: the sandbox side of sandbox_run, and the messages it
 * exchanges with the supervisor over a SOCK_SEQPACKET socket pair.
 *
 * The cloned process is the job's init (pid 1 of its pid namespace), born
 * in the job's v2 cgroup when clone3 could place it there. Everything else
 * it needs was made before the clone and comes with it: the seccomp filter
 * (in its copy of the supervisor's memory) and the fds of the v1 `tasks`
 * files. It waits for START only when the supervisor still has to write its
 * id maps or attach it to the v2 cgroup; then it enters the v1 cgroups
 * itself, builds the root, enters its cgroup namespace, copies the inputs
 * (unpacking an input archive with tar(1) run exactly like the job), sends
 * READY with the /out directory fd, forks the job, reaps until the job's
 * main process ends, sends STATUS, and exits, which kills whatever the job
 * left running. No job code runs before the init is in every cgroup of the
 * job. A failing step sends FAIL with its error; a failing execve sends
 * EXEC_FAIL. */
#ifndef HEARTH_NODE_SANDBOX_CHILD_H
#define HEARTH_NODE_SANDBOX_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/error.h"
#include "node/sandbox.h"

enum child_msg_type {
	CHILD_MSG_START = 6,
	CHILD_MSG_READY = 2,
	CHILD_MSG_FAIL = 3,
	CHILD_MSG_EXEC_FAIL = 4,
	CHILD_MSG_STATUS = 5,
};

struct child_msg {
	uint32_t type;
	int32_t err;
	uint32_t status_kind;
	uint32_t status_value;
	char what[NODE_ERROR_MAX];
};

struct child_args {
	const struct sandbox_ctx *ctx;
	const struct sandbox_spec *spec;
	int sock;     /* our end of the socket pair */
	int stdout_w; /* write ends of the capture pipes */
	int stderr_w;
	int input_fd;			   /* directory to copy into /work, or -1 */
	int tar_fd;			   /* archive to unpack into /work, or -1 */
	const struct seccomp_prog *filter; /* the job's filter (the ctx's) */
	int tasks[CGROUP_CTRL_COUNT];	   /* v1 `tasks` files to enter */
	size_t ntasks;
	bool wait_start; /* wait for START (id maps written, or attached) */
};

/* Runs the init described above; never returns. */
_Noreturn void sandbox_child_main(const struct child_args *a);

#endif
