/* exec_run.c: runs one job in the sandbox on its own thread and writes its
 * result files (exec_run.h). */
#include "node/exec_run.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proto/hex.h"

extern char **environ;

struct exec_run *exec_run_new(void)
{
	struct exec_run *run = calloc(1, sizeof(*run));
	int fds[2];

	if (run == NULL)
		return NULL;
	if (pipe2(fds, O_CLOEXEC) != 0) {
		free(run);
		return NULL;
	}
	run->cancel_r = fds[0];
	run->cancel_w = fds[1];
	return run;
}

static void free_strv(char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void exec_run_free(struct exec_run *run)
{
	if (run == NULL)
		return;
	free_strv(run->argv);
	free_strv(run->envp);
	close(run->cancel_r);
	close(run->cancel_w);
	free(run);
}

void exec_run_cancel(struct exec_run *run)
{
	ssize_t n;

	run->cancel_sent = true;
	do
		n = write(run->cancel_w, "x", 1);
	while (n < 0 && errno == EINTR);
}

static int write_file(const char *dir, const char *name, const void *data, size_t len,
		      struct node_error *e)
{
	char path[4200];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return node_error_set(e, ENAMETOOLONG, "result path %s", dir);
	f = fopen(path, "wb");
	if (f == NULL)
		return node_error_set(e, errno, "create %s", path);
	if ((len > 0 && fwrite(data, 1, len, f) != len) || fclose(f) != 0)
		return node_error_set(e, errno, "write %s", path);
	return 0;
}

/* dir/result.tar from the open /out directory, by tar(1) reading it as
 * /proc/self/fd/3. */
static int write_tar(const char *dir, int out_fd, struct node_error *e)
{
	char path[4200];
	char *argv[] = { "tar",
			 "--sort=name",
			 "--numeric-owner",
			 "--owner=0",
			 "--group=0",
			 "--mtime=@0",
			 "--format=gnu",
			 "-C",
			 "/proc/self/fd/3",
			 "-cf",
			 path,
			 ".",
			 NULL };
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc, status, fd = out_fd;

	if ((size_t)snprintf(path, sizeof(path), "%s/result.tar", dir) >= sizeof(path))
		return node_error_set(e, ENAMETOOLONG, "result path %s", dir);
	if (fd == 3) {
		fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 10);
		if (fd < 0)
			return node_error_set(e, errno, "dup /out");
	}
	if (posix_spawn_file_actions_init(&fa) != 0)
		return node_error_set(e, ENOMEM, "posix_spawn_file_actions_init");
	rc = posix_spawn_file_actions_adddup2(&fa, fd, 3);
	if (rc == 0)
		rc = posix_spawnp(&pid, "tar", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (fd != out_fd)
		close(fd);
	if (rc != 0)
		return node_error_set(e, rc, "spawn tar");
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return node_error_set(e, errno, "waitpid tar");
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return node_error_set(e, 0, "tar of /out failed (status %d)", status);
	return 0;
}

static json_t *manifest_json(const struct manifest *m)
{
	json_t *arr = json_array();
	char hex[2 * HASH_SIZE + 1];

	for (size_t i = 0; arr != NULL && i < m->count; i++) {
		const struct manifest_entry *me = &m->entries[i];

		if (hex_encode(me->hash, HASH_SIZE, hex, sizeof(hex)) != 0 ||
		    json_array_append_new(
			    arr, json_pack("{s:s, s:s, s:b, s:I, s:s}", "path", me->path, "kind",
					   me->kind == MANIFEST_FILE ? "file" : "symlink",
					   "executable", me->executable, "size",
					   (json_int_t)me->size, "hash", hex)) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static int write_manifest(const char *dir, const struct manifest *m, struct node_error *e)
{
	json_t *arr = manifest_json(m);
	char *text = arr != NULL ? json_dumps(arr, JSON_COMPACT) : NULL;
	int rc;

	json_decref(arr);
	if (text == NULL)
		return node_error_set(e, ENOMEM, "manifest JSON");
	rc = write_file(dir, "manifest.json", text, strlen(text), e);
	free(text);
	return rc;
}

static void take_outcome(struct exec_run *run, const struct sandbox_result *res)
{
	run->exit_status = res->status.kind == RESULT_EXITED ? (int32_t)res->status.value
							     : -(int32_t)res->status.value;
	run->timed_out = res->timed_out;
	run->oom_killed = res->oom_killed;
	run->wall_ms = res->wall_usec / 1000;
	run->cpu_ms = res->cpu_usec / 1000;
	run->peak_memory_bytes = res->peak_memory_bytes;
	/* An /out the manifest refuses (a FIFO, a device...) has no canonical
	 * hash: the receipt then carries 32 zero bytes (doc/provider.md). */
	if (res->has_hash)
		memcpy(run->result_hash, res->hash, HASH_SIZE);
	else
		memset(run->result_hash, 0, HASH_SIZE);
}

static int save_results(struct exec_run *run, const struct sandbox_result *res,
			struct node_error *e)
{
	if (write_file(run->dir, "stdout", res->stdout_data, res->stdout_len, e) != 0 ||
	    write_file(run->dir, "stderr", res->stderr_data, res->stderr_len, e) != 0 ||
	    write_manifest(run->dir, &res->manifest, e) != 0)
		return -1;
	if (res->out_fd >= 0 && write_tar(run->dir, res->out_fd, e) != 0)
		return -1;
	return 0;
}

void exec_run_main(void *arg)
{
	struct exec_run *run = arg;
	char input[4200];
	struct sandbox_spec spec = { 0 };
	struct sandbox_result res;
	struct node_error e = { 0 };

	spec.argv = (const char *const *)run->argv;
	spec.envp = (const char *const *)run->envp;
	spec.limits = run->limits;
	spec.cancel_fd = run->cancel_r;
	if (run->has_input) {
		snprintf(input, sizeof(input), "%s/input.tar", run->dir);
		spec.input_tar = input;
	}
	if (sandbox_run(run->ctx, &spec, &res, &e) != 0) {
		run->failed = true;
		snprintf(run->error, sizeof(run->error), "%s", e.msg);
	} else {
		run->cancelled = res.cancelled;
		if (!res.cancelled) {
			take_outcome(run, &res);
			if (save_results(run, &res, &e) != 0) {
				run->failed = true;
				snprintf(run->error, sizeof(run->error), "%s", e.msg);
			}
		}
		sandbox_result_free(&res);
	}
	run->done(run);
}
