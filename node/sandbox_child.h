/* sandbox_child.h: the sandbox side of sandbox_run, and the messages it
 * exchanges with the supervisor over a SOCK_SEQPACKET socket pair.
 *
 * The cloned process is the job's init (pid 1 of its pid namespace), born
 * in the job's v2 cgroup when clone3 could place it there. It waits for
 * START (the supervisor has written its id maps), builds the root while the
 * supervisor makes the v1 cgroups, writes the limits and compiles the
 * seccomp filter (the first job of a process), then waits for GO, which
 * carries the filter and the fds of the v1 `tasks` files; it enters those
 * cgroups itself and its cgroup namespace, copies the inputs (unpacking an
 * input archive with tar(1) run exactly like the job), sends READY
 * with the /out directory fd, forks the job, reaps until the job's main
 * process ends, sends STATUS, and exits, which kills whatever the job left
 * running. No job code runs before GO. A failing step sends FAIL with its
 * error; a failing execve sends EXEC_FAIL. */
#ifndef HEARTH_NODE_SANDBOX_CHILD_H
#define HEARTH_NODE_SANDBOX_CHILD_H

#include <stdint.h>
#include <linux/filter.h>

#include "node/error.h"
#include "node/sandbox.h"

enum child_msg_type {
	CHILD_MSG_START = 6,
	CHILD_MSG_GO = 1,
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

/* GO: the filter inline, the v1 `tasks` fds as SCM_RIGHTS. Sent with only
 * prog_len instructions. */
struct child_go {
	uint32_t type;
	uint32_t prog_len;
	struct sock_filter prog[BPF_MAXINSNS];
};

struct child_args {
	const struct sandbox_ctx *ctx;
	const struct sandbox_spec *spec;
	int sock;     /* our end of the socket pair */
	int stdout_w; /* write ends of the capture pipes */
	int stderr_w;
	int input_fd; /* directory to copy into /work, or -1 */
	int tar_fd;   /* archive to unpack into /work, or -1 */
};

/* Runs the init described above; never returns. */
_Noreturn void sandbox_child_main(const struct child_args *a);

#endif
