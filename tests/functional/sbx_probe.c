/* sbx_probe.c: a small program the sandbox functional tests run inside a
 * sandbox to attempt one thing and say what happened on stdout, so a test
 * can assert the precise outcome. Built without sanitizers: it runs under
 * the sandbox's limits, not the supervisor's. Usage: sbx_probe MODE [ARG]. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

static int report(const char *what, long rc)
{
	printf("%s rc=%ld errno=%s\n", what, rc, rc < 0 ? strerror(errno) : "0");
	return 0;
}

static int fork_bomb(void)
{
	int forks = 0;

	for (;;) {
		pid_t pid = fork();

		if (pid < 0) {
			printf("forks=%d errno=%s\n", forks, strerror(errno));
			return 0;
		}
		if (pid == 0) {
			pause();
			_exit(0);
		}
		forks++;
		if (forks > 100000)
			break;
	}
	printf("forks=%d unbounded\n", forks);
	return 1;
}

/* Touches mb MiB. The chunks are kept in a list and read back, so that no
 * compiler can elide the allocations. */
static int alloc(long mb)
{
	char **chunks = calloc((size_t)(mb > 0 ? mb : 1), sizeof(char *));
	volatile unsigned long sum = 0;

	if (chunks == NULL)
		return 2;
	for (long i = 0; i < mb; i++) {
		chunks[i] = malloc(1 << 20);
		if (chunks[i] == NULL) {
			printf("malloc failed at %ld MiB\n", i);
			return 2;
		}
		memset(chunks[i], (int)(i & 0x7f) + 1, 1 << 20);
	}
	for (long i = 0; i < mb; i++)
		sum += (unsigned char)chunks[i][i % (1 << 20)];
	printf("allocated %ld MiB\n", mb + (long)(sum & 0));
	return 0;
}

static int spin(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
	return 0;
}

static int connect_port(int port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return report("socket", -1);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	return report("connect", connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
}

static int flood(long bytes)
{
	static char buf[65536];

	memset(buf, 'x', sizeof(buf));
	while (bytes > 0) {
		size_t n = bytes < (long)sizeof(buf) ? (size_t)bytes : sizeof(buf);
		ssize_t w = write(1, buf, n);

		if (w < 0)
			return 3;
		bytes -= w;
	}
	return 0;
}

static int many_files(long n)
{
	char path[64];

	if (mkdir("/out/many", 0755) < 0)
		return report("mkdir", -1);
	for (long i = 0; i < n; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "/out/many/f%05ld", i);
		f = fopen(path, "w");
		if (f == NULL)
			return report("fopen", -1);
		fprintf(f, "%ld\n", i);
		fclose(f);
	}
	printf("created %ld\n", n);
	return 0;
}

static int write_out(const char *content)
{
	FILE *f = fopen("/out/result.txt", "w");

	if (f == NULL)
		return report("fopen", -1);
	fputs(content, f);
	fclose(f);
	if (mkdir("/out/bin", 0755) < 0)
		return report("mkdir", -1);
	f = fopen("/out/bin/tool", "w");
	if (f == NULL)
		return report("fopen", -1);
	fputs("#!/bin/sh\necho tool\n", f);
	fclose(f);
	chmod("/out/bin/tool", 0755);
	printf("deterministic output\n");
	return 0;
}

static int int80(void)
{
	long rc = 20; /* getpid in the i386 table */

	__asm__ volatile("int $0x80" : "+a"(rc) : : "memory");
	return report("int80", rc);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *arg = argc > 2 ? argv[2] : "";

	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(mode, "forkbomb") == 0)
		return fork_bomb();
	if (strcmp(mode, "alloc") == 0)
		return alloc(atol(arg));
	if (strcmp(mode, "spin") == 0)
		return spin();
	if (strcmp(mode, "connect") == 0)
		return connect_port(atoi(arg));
	if (strcmp(mode, "open") == 0)
		return report("open", open(arg, O_RDONLY));
	if (strcmp(mode, "create") == 0)
		return report("create", open(arg, O_WRONLY | O_CREAT, 0644));
	if (strcmp(mode, "mount") == 0)
		return report("mount", mount("none", "/tmp", "tmpfs", 0, NULL));
	if (strcmp(mode, "unshare") == 0)
		return report("unshare", unshare(CLONE_NEWUSER));
	if (strcmp(mode, "ptrace") == 0)
		return report("ptrace", ptrace(PTRACE_TRACEME, 0, NULL, NULL));
	if (strcmp(mode, "tiocsti") == 0) {
		char c = 'x';
		int fd = open("/dev/tty", O_RDWR);

		return report("tiocsti", ioctl(fd < 0 ? 1 : fd, TIOCSTI, &c));
	}
	if (strcmp(mode, "int80") == 0)
		return int80();
	if (strcmp(mode, "x32") == 0) /* getpid through the x32 ABI */
		return report("x32", syscall(0x40000000 | SYS_getpid));
	if (strcmp(mode, "euid") == 0) {
		printf("euid=%d uid=%d\n", (int)geteuid(), (int)getuid());
		return 0;
	}
	if (strcmp(mode, "flood") == 0)
		return flood(atol(arg));
	if (strcmp(mode, "files") == 0)
		return many_files(atol(arg));
	if (strcmp(mode, "symlinks") == 0) {
		if (symlink("/etc/passwd", "/out/abs") < 0 || symlink("../../root", "/out/rel") < 0)
			return report("symlink", -1);
		return write_out("with links\n");
	}
	if (strcmp(mode, "sparse") == 0) {
		/* files of arg bytes each, without a single block written */
		for (int i = 0; i < 64; i++) {
			char path[32];
			int fd;

			snprintf(path, sizeof(path), "/out/sparse%02d", i);
			fd = open(path, O_WRONLY | O_CREAT, 0644);
			if (fd < 0 || ftruncate(fd, atol(arg)) < 0)
				return report("sparse", -1);
			close(fd);
		}
		printf("sparse done\n");
		return 0;
	}
	if (strcmp(mode, "fifo") == 0) {
		if (mkfifo("/out/pipe", 0644) < 0)
			return report("mkfifo", -1);
		return 0;
	}
	if (strcmp(mode, "write") == 0)
		return write_out(arg);
	fprintf(stderr, "unknown mode %s\n", mode);
	return 64;
}
