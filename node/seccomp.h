/* seccomp.h: the syscall filter of every job. It is compiled with
 * libseccomp into classic BPF once per build (node/seccomp-gen writes it to
 * node/seccomp_prebuilt.c; a cross build, which cannot run the generator,
 * compiles it once per process instead), loaded into a struct seccomp_prog
 * once per process; each job only installs the ready program (one
 * seccomp(2) call, no allocation), after no_new_privs, just before execve.
 *
 * Denied (the process is killed with SIGSYS, which the supervisor reports as
 * seccomp_violation): mount, umount2, pivot_root, setns, unshare, ptrace,
 * process_vm_readv/writev, kexec_load/kexec_file_load, bpf, perf_event_open,
 * keyctl/add_key/request_key, io_uring_setup/enter/register, userfaultfd,
 * open_tree/move_mount/fsopen/fsconfig/fsmount/fspick/mount_setattr, chroot,
 * swapon/off, reboot, module loading, acct, quotactl, the file-handle calls,
 * iopl/ioperm, ioctl(TIOCSTI), clone with a namespace flag, and every syscall of a
 * non-native architecture (x32 and i386 calls included). clone3 gets ENOSYS
 * (its flags are out of the filter's reach; libc falls back to clone). */
#ifndef HEARTH_NODE_SECCOMP_H
#define HEARTH_NODE_SECCOMP_H

#include <linux/filter.h>

#include "node/error.h"

struct seccomp_prog {
	struct sock_filter *filter; /* owned; freed by seccomp_prog_free */
	unsigned short len;
};

/* Compiles the job filter. Out: prog. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int seccomp_prog_compile(struct seccomp_prog *prog,
							     struct node_error *e);

/* The filter libseccomp compiled at build time (seccomp_prebuilt_len 0 in a
 * cross build). Defined in the generated node/seccomp_prebuilt.c. */
extern const unsigned short seccomp_prebuilt_len;
extern const struct sock_filter seccomp_prebuilt[];

/* Loads the job filter: a copy of the prebuilt program, or when the build
 * has none, seccomp_prog_compile. Out: prog. Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int seccomp_prog_load(struct seccomp_prog *prog,
							  struct node_error *e);

/* Installs prog on the calling thread. The caller has set no_new_privs.
 * Async-signal-safe (used in the child after clone). Returns 0, or -1 with
 * errno set. */
__attribute__((warn_unused_result)) int seccomp_prog_install(const struct seccomp_prog *prog);

void seccomp_prog_free(struct seccomp_prog *prog);

#endif
