/* rootfs.h: builds a job's filesystem inside its fresh mount namespace and
 * makes it the root. Called by the job's init (sandbox_child.c) as root of
 * its namespaces, before any job code runs. Order, one step each:
 *
 *   make_private   mount propagation of "/" private: nothing leaks back
 *   mount_base     a tmpfs that becomes the new root
 *   bind_system    /usr, /bin, /sbin, /lib* read-only, nosuid, nodev (a host
 *                  symlink such as /bin -> usr/bin is recreated as a symlink)
 *   write_etc      a minimal /etc: passwd, group, hosts, resolv.conf,
 *                  nsswitch.conf; ld.so.cache and alternatives bound read-only
 *   mount_proc     a fresh /proc of the job's pid namespace; /proc/sys read-only
 *   mount_dev      a tmpfs /dev with null, zero, full, random, urandom bound
 *                  from the host, fd/std* links and a tmpfs /dev/shm; no tty
 *   mount_scratch  tmpfs /tmp, /work and /out (sized to the output limit
 *                  and file count), nosuid,nodev, owned by the job's uid
 *   pivot          pivot_root into the new root and detach the old one
 *   seal           the root tmpfs (and /dev) remounted read-only
 *
 * and later, once the init is in the job's cgroups (so that the tmpfs pages
 * of the inputs are charged to the job), rootfs_fill_work copies the inputs
 * into /work. */
#ifndef HEARTH_NODE_ROOTFS_H
#define HEARTH_NODE_ROOTFS_H

#include <stdint.h>
#include <sys/types.h>

#include "node/error.h"

struct rootfs_spec {
	uid_t uid; /* owner of /work and /out */
	gid_t gid;
	uint64_t out_bytes; /* size of the /out tmpfs */
	uint64_t out_files; /* inodes of the /out tmpfs */
	uint64_t tmp_bytes; /* size of /tmp and /work each, 0: kernel default */
};

/* Builds and enters the root. Out: *out_fd, an open directory of /out.
 * Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int rootfs_setup(const struct rootfs_spec *spec, int *out_fd,
						     struct node_error *e);

/* Copies the directory input_fd into /work, owned by the job's ids.
 * Returns 0 or -1 with e set. */
__attribute__((warn_unused_result)) int rootfs_fill_work(const struct rootfs_spec *spec,
							 int input_fd, struct node_error *e);

#endif
