/* rootfs.c: the job's root filesystem (see rootfs.h for the order). */
#include "node/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "node/fsutil.h"
#include "node/tree_copy.h"

/* The new root is built on a tmpfs mounted over this directory of the
 * (private) old root; inputs below it were opened before. */
#define NEWROOT "/tmp"

static const char *const system_dirs[] = {
	"usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32"
};

static int make_private(struct node_error *e)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return node_error_set(e, errno, "mount --make-rprivate /");
	return 0;
}

static int mount_base(struct node_error *e)
{
	if (mount("hearth-root", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m") < 0)
		return node_error_set(e, errno, "mount tmpfs %s", NEWROOT);
	return 0;
}

/* Adds read-only, nosuid and nodev to the mount at path and every mount
 * below it. A user namespace may only add flags, never clear the ones the
 * host locked, so nothing is cleared. */
static int make_readonly(const char *path, bool recursive, struct node_error *e)
{
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
	};
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV;

	if (mount_setattr(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return node_error_set(e, errno, "mount_setattr ro %s", path);
	/* Before Linux 5.12: remount the top mount, keeping locked flags. */
	if (statvfs(path, &sv) < 0)
		return node_error_set(e, errno, "statvfs %s", path);
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, path, NULL, flags, NULL) < 0)
		return node_error_set(e, errno, "remount ro %s", path);
	return 0;
}

/* Binds the host's src onto dst (created as a directory or file first). */
static int bind_ro(const char *src, const char *dst, bool is_dir, struct node_error *e)
{
	if (is_dir) {
		if (mkdir(dst, 0755) < 0 && errno != EEXIST)
			return node_error_set(e, errno, "mkdir %s", dst);
	} else {
		int fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

		if (fd < 0)
			return node_error_set(e, errno, "create %s", dst);
		close(fd);
	}
	if (mount(src, dst, NULL, MS_BIND | MS_REC, NULL) < 0)
		return node_error_set(e, errno, "bind %s", src);
	return make_readonly(dst, true, e);
}

static int bind_system(struct node_error *e)
{
	for (size_t i = 0; i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		char host[64], dst[128], target[PATH_MAX];
		struct stat st;

		snprintf(host, sizeof(host), "/%s", system_dirs[i]);
		snprintf(dst, sizeof(dst), "%s/%s", NEWROOT, system_dirs[i]);
		if (lstat(host, &st) < 0) {
			if (errno == ENOENT)
				continue;
			return node_error_set(e, errno, "lstat %s", host);
		}
		if (S_ISLNK(st.st_mode)) {
			ssize_t n = readlink(host, target, sizeof(target) - 1);

			if (n < 0)
				return node_error_set(e, errno, "readlink %s", host);
			target[n] = '\0';
			if (symlink(target, dst) < 0)
				return node_error_set(e, errno, "symlink %s", dst);
			continue;
		}
		if (!S_ISDIR(st.st_mode))
			continue;
		if (bind_ro(host, dst, true, e) < 0)
			return -1;
	}
	return 0;
}

static int write_file(const char *path, const char *text, struct node_error *e)
{
	return file_write_str(path, text, e);
}

static int write_etc(uid_t uid, gid_t gid, struct node_error *e)
{
	char passwd[256], group[256];
	struct stat st;

	if (mkdir(NEWROOT "/etc", 0755) < 0)
		return node_error_set(e, errno, "mkdir /etc");
	snprintf(passwd, sizeof(passwd),
		 "root:x:0:0:root:/root:/usr/sbin/nologin\n"
		 "job:x:%u:%u:hearth job:/work:/usr/sbin/nologin\n",
		 (unsigned)uid, (unsigned)gid);
	snprintf(group, sizeof(group), "root:x:0:\njob:x:%u:\n", (unsigned)gid);
	if (write_file(NEWROOT "/etc/passwd", passwd, e) < 0 ||
	    write_file(NEWROOT "/etc/group", group, e) < 0 ||
	    write_file(NEWROOT "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n", e) < 0 ||
	    write_file(NEWROOT "/etc/hostname", "hearth\n", e) < 0 ||
	    write_file(NEWROOT "/etc/resolv.conf", "# no network in a hearth sandbox\n", e) < 0 ||
	    write_file(NEWROOT "/etc/nsswitch.conf", "passwd: files\ngroup: files\nhosts: files\n",
		       e) < 0)
		return -1;
	/* The dynamic loader's cache and Debian's alternatives links. */
	if (stat("/etc/ld.so.cache", &st) == 0 && S_ISREG(st.st_mode) &&
	    bind_ro("/etc/ld.so.cache", NEWROOT "/etc/ld.so.cache", false, e) < 0)
		return -1;
	if (stat("/etc/alternatives", &st) == 0 && S_ISDIR(st.st_mode) &&
	    bind_ro("/etc/alternatives", NEWROOT "/etc/alternatives", true, e) < 0)
		return -1;
	return 0;
}

static int mount_proc(struct node_error *e)
{
	if (mkdir(NEWROOT "/proc", 0555) < 0)
		return node_error_set(e, errno, "mkdir /proc");
	if (mount("proc", NEWROOT "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return node_error_set(e, errno, "mount proc");
	if (mount(NEWROOT "/proc/sys", NEWROOT "/proc/sys", NULL, MS_BIND | MS_REC, NULL) < 0)
		return node_error_set(e, errno, "bind /proc/sys");
	return make_readonly(NEWROOT "/proc/sys", true, e);
}

/* Makes dst the same character device as the host's src: a node of the
 * same type, number and permissions (what runc does as real root), or,
 * where mknod is not allowed (a user namespace), a bind mount of src. A
 * node is a mount less to make and to tear down; /dev is nosuid, noexec
 * and read-only either way. */
static int dev_node(const char *src, const char *dst, struct node_error *e)
{
	struct stat st;
	int fd;

	if (stat(src, &st) < 0)
		return node_error_set(e, errno, "stat %s", src);
	if (!S_ISCHR(st.st_mode))
		return node_error_set(e, ENODEV, "%s is not a character device", src);
	if (mknod(dst, S_IFCHR | 0600, st.st_rdev) == 0) {
		if (chmod(dst, st.st_mode & 0777) < 0)
			return node_error_set(e, errno, "chmod %s", dst);
		return 0;
	}
	if (errno != EPERM)
		return node_error_set(e, errno, "mknod %s", dst);
	fd = open(dst, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		return node_error_set(e, errno, "create %s", dst);
	close(fd);
	/* The bind keeps devtmpfs's nosuid; exec of a device fails anyway. */
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		return node_error_set(e, errno, "bind %s", src);
	return 0;
}

static int mount_dev(struct node_error *e)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom" };
	static const char *const links[][2] = {
		{ "/proc/self/fd", "fd" },
		{ "/proc/self/fd/0", "stdin" },
		{ "/proc/self/fd/1", "stdout" },
		{ "/proc/self/fd/2", "stderr" },
	};

	if (mkdir(NEWROOT "/dev", 0755) < 0)
		return node_error_set(e, errno, "mkdir /dev");
	if (mount("hearth-dev", NEWROOT "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC,
		  "mode=0755,size=64k") < 0)
		return node_error_set(e, errno, "mount tmpfs /dev");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		char src[32], dst[64];

		snprintf(src, sizeof(src), "/dev/%s", nodes[i]);
		snprintf(dst, sizeof(dst), "%s/dev/%s", NEWROOT, nodes[i]);
		if (dev_node(src, dst, e) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char dst[64];

		snprintf(dst, sizeof(dst), "%s/dev/%s", NEWROOT, links[i][1]);
		if (symlink(links[i][0], dst) < 0)
			return node_error_set(e, errno, "symlink %s", dst);
	}
	if (mkdir(NEWROOT "/dev/shm", 01777) < 0)
		return node_error_set(e, errno, "mkdir /dev/shm");
	if (mount("hearth-shm", NEWROOT "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=1777") < 0)
		return node_error_set(e, errno, "mount tmpfs /dev/shm");
	return 0;
}

/* A tmpfs at NEWROOT/name with the given options. */
static int mount_tmpfs(const char *name, const char *opts, struct node_error *e)
{
	char dst[64];

	snprintf(dst, sizeof(dst), "%s/%s", NEWROOT, name);
	if (mkdir(dst, 0755) < 0)
		return node_error_set(e, errno, "mkdir /%s", name);
	if (mount("hearth-scratch", dst, "tmpfs", MS_NOSUID | MS_NODEV, opts) < 0)
		return node_error_set(e, errno, "mount tmpfs /%s (%s)", name, opts);
	return 0;
}

static int mount_scratch(const struct rootfs_spec *spec, int *out_fd, struct node_error *e)
{
	char opts[256], size[64] = "";

	if (spec->tmp_bytes > 0)
		snprintf(size, sizeof(size), ",size=%" PRIu64, spec->tmp_bytes);
	snprintf(opts, sizeof(opts), "mode=1777%s", size);
	if (mount_tmpfs("tmp", opts, e) < 0)
		return -1;
	snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u%s", (unsigned)spec->uid,
		 (unsigned)spec->gid, size);
	if (mount_tmpfs("work", opts, e) < 0)
		return -1;
	/* One inode goes to /out itself. */
	snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u,size=%" PRIu64 ",nr_inodes=%" PRIu64,
		 (unsigned)spec->uid, (unsigned)spec->gid, spec->out_bytes, spec->out_files + 1);
	if (mount_tmpfs("out", opts, e) < 0)
		return -1;
	*out_fd = open(NEWROOT "/out", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*out_fd < 0)
		return node_error_set(e, errno, "open /out");
	return 0;
}

static int pivot(struct node_error *e)
{
	/* pivot_root(".", ".") stacks the old root on the new one; detaching
	 * it then leaves only the new root (pivot_root(2), NOTES). */
	if (chdir(NEWROOT) < 0)
		return node_error_set(e, errno, "chdir %s", NEWROOT);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return node_error_set(e, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return node_error_set(e, errno, "detach old root");
	if (chdir("/") < 0)
		return node_error_set(e, errno, "chdir /");
	return 0;
}

static int seal(struct node_error *e)
{
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) <
	    0)
		return node_error_set(e, errno, "remount / read-only");
	if (mount(NULL, "/dev", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
		  NULL) < 0)
		return node_error_set(e, errno, "remount /dev read-only");
	return 0;
}

int rootfs_fill_work(const struct rootfs_spec *spec, int input_fd, struct node_error *e)
{
	struct tree_copy_opts copy = {
		.uid = spec->uid, .gid = spec->gid, .max_entries = 1000000, .max_depth = 64
	};
	int work = open("/work", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (work < 0)
		return node_error_set(e, errno, "open /work");
	rc = tree_copy(input_fd, work, &copy, e);
	close(work);
	if (rc < 0)
		return node_error_prefix(e, "copy inputs to /work");
	return 0;
}

int rootfs_setup(const struct rootfs_spec *spec, int *out_fd, struct node_error *e)
{
	*out_fd = -1;
	if (make_private(e) < 0 || mount_base(e) < 0 || bind_system(e) < 0 ||
	    write_etc(spec->uid, spec->gid, e) < 0 || mount_proc(e) < 0 || mount_dev(e) < 0 ||
	    mount_scratch(spec, out_fd, e) < 0 || pivot(e) < 0 || seal(e) < 0) {
		if (*out_fd >= 0)
			close(*out_fd);
		*out_fd = -1;
		return -1;
	}
	return 0;
}
