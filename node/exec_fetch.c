/* exec_fetch.c: one lease's input fetched by hash over HTTP on its own
 * thread, checked against the hash before it is kept (exec_fetch.h). */
#include "node/exec_fetch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "node/fdio.h"
#include "node/input_store.h"

#define FETCH_BACKOFF_FIRST_MS 1000
#define FETCH_BACKOFF_MAX_MS   30000
#define FETCH_TRY_MS	       60000 /* one attempt, unless give_up_ms comes first */
#define FETCH_CONNECT_MS       5000
#define FETCH_MIN_TRY_MS       2000 /* even past give_up_ms, the first try gets this */

const char *exec_fetch_status_name(enum exec_fetch_status s)
{
	switch (s) {
	case EXEC_FETCH_OK:
		return "ok";
	case EXEC_FETCH_MISMATCH:
		return "hash mismatch";
	case EXEC_FETCH_TOO_LARGE:
		return "too large";
	case EXEC_FETCH_UNREACHABLE:
		return "unreachable";
	case EXEC_FETCH_IO:
		return "local i/o error";
	case EXEC_FETCH_CANCELLED:
		return "cancelled";
	}
	return "unknown";
}

void exec_fetch_cancel(struct exec_fetch *fetch)
{
	__atomic_store_n(&fetch->cancel, 1, __ATOMIC_RELEASE);
}

static bool cancelled(struct exec_fetch *fetch)
{
	return __atomic_load_n(&fetch->cancel, __ATOMIC_ACQUIRE) != 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

enum exec_fetch_status exec_fetch_check_file(const char *path, const uint8_t hash[HASH_SIZE],
					     uint64_t max_bytes)
{
	uint8_t buf[65536], got[HASH_SIZE];
	struct hasher h;
	uint64_t total = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return EXEC_FETCH_IO;
	hash_begin(&h, INPUT_HASH_TAG);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		total += (uint64_t)n;
		if (total > max_bytes)
			break;
		hash_update(&h, buf, (size_t)n);
	}
	close(fd);
	hash_finish(&h, got);
	if (n < 0)
		return EXEC_FETCH_IO;
	if (total > max_bytes)
		return EXEC_FETCH_TOO_LARGE;
	return sodium_memcmp(got, hash, HASH_SIZE) == 0 ? EXEC_FETCH_OK : EXEC_FETCH_MISMATCH;
}

/* One attempt's receiving side. */
struct sink {
	struct exec_fetch *fetch;
	int fd;
	struct hasher h;
	uint64_t bytes;
	bool too_large, write_failed;
	int write_errno;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t len = size * nmemb;

	if (s->bytes + len > s->fetch->max_bytes) {
		s->too_large = true;
		return 0; /* curl ends the transfer with CURLE_WRITE_ERROR */
	}
	if (fdio_write_all(s->fd, data, len) != 0) {
		s->write_failed = true;
		s->write_errno = errno;
		return 0;
	}
	hash_update(&s->h, data, len);
	s->bytes += len;
	return len;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct sink *s = arg;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	return cancelled(s->fetch) ? 1 : 0;
}

static int set_options(CURL *c, struct exec_fetch *fetch, struct sink *s, long timeout_ms)
{
	int rc = 0;

#if LIBCURL_VERSION_NUM >= 0x075500
	rc |= (int)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
#else
	rc |= (int)curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTP);
#endif
	rc |= (int)curl_easy_setopt(c, CURLOPT_URL, fetch->url);
	rc |= (int)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)FETCH_CONNECT_MS);
	rc |= (int)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	rc |= (int)curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)fetch->max_bytes);
	rc |= (int)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	rc |= (int)curl_easy_setopt(c, CURLOPT_WRITEDATA, s);
	rc |= (int)curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	rc |= (int)curl_easy_setopt(c, CURLOPT_XFERINFODATA, s);
	rc |= (int)curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	rc |= (int)curl_easy_setopt(c, CURLOPT_USERAGENT, "hearthd");
	return rc == 0 ? 0 : -1;
}

/* Keeps the received file: fsync, rename to input.tar, fsync of dir. */
static enum exec_fetch_status keep(struct exec_fetch *fetch, int fd, const char *part,
				   const char *final)
{
	if (fsync(fd) != 0 || rename(part, final) != 0 || fdio_fsync_dir(fetch->dir) != 0) {
		snprintf(fetch->error, sizeof(fetch->error), "keep input.tar: %s", strerror(errno));
		return EXEC_FETCH_IO;
	}
	return EXEC_FETCH_OK;
}

/* One GET into dir/input.tar.part. Returns OK (kept as input.tar),
 * MISMATCH, TOO_LARGE, IO, CANCELLED, or UNREACHABLE (worth retrying). */
static enum exec_fetch_status attempt(struct exec_fetch *fetch, long timeout_ms)
{
	char part[4200], final[4200];
	struct sink s = { .fetch = fetch };
	uint8_t got[HASH_SIZE];
	enum exec_fetch_status st;
	CURLcode code = CURLE_FAILED_INIT;
	CURL *c;

	snprintf(part, sizeof(part), "%s/input.tar.part", fetch->dir);
	snprintf(final, sizeof(final), "%s/input.tar", fetch->dir);
	s.fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (s.fd < 0) {
		snprintf(fetch->error, sizeof(fetch->error), "create input.tar.part: %s",
			 strerror(errno));
		return EXEC_FETCH_IO;
	}
	hash_begin(&s.h, INPUT_HASH_TAG);
	c = curl_easy_init();
	if (c != NULL && set_options(c, fetch, &s, timeout_ms) == 0)
		code = curl_easy_perform(c);
	curl_easy_cleanup(c);
	hash_finish(&s.h, got);
	if (cancelled(fetch))
		st = EXEC_FETCH_CANCELLED;
	else if (s.too_large || code == CURLE_FILESIZE_EXCEEDED)
		st = EXEC_FETCH_TOO_LARGE;
	else if (s.write_failed)
		st = EXEC_FETCH_IO;
	else if (code != CURLE_OK)
		st = EXEC_FETCH_UNREACHABLE;
	else if (sodium_memcmp(got, fetch->hash, HASH_SIZE) != 0)
		st = EXEC_FETCH_MISMATCH;
	else
		st = keep(fetch, s.fd, part, final);
	if (s.write_failed)
		snprintf(fetch->error, sizeof(fetch->error), "write input.tar.part: %s",
			 strerror(s.write_errno));
	else if (st != EXEC_FETCH_OK && st != EXEC_FETCH_IO)
		snprintf(fetch->error, sizeof(fetch->error), "%s",
			 code != CURLE_OK && !s.too_large ? curl_easy_strerror(code)
							  : exec_fetch_status_name(st));
	close(s.fd);
	if (st != EXEC_FETCH_OK)
		unlink(part);
	return st;
}

/* Sleeps ms, waking early when cancelled. Returns false when cancelled. */
static bool backoff(struct exec_fetch *fetch, uint64_t ms)
{
	for (uint64_t slept = 0; slept < ms; slept += 100) {
		if (cancelled(fetch))
			return false;
		usleep(100000);
	}
	return !cancelled(fetch);
}

static enum exec_fetch_status fetch_with_retries(struct exec_fetch *fetch)
{
	uint64_t wait = FETCH_BACKOFF_FIRST_MS,
		 try_max = fetch->try_ms ? fetch->try_ms : FETCH_TRY_MS;

	for (;;) {
		uint64_t now = now_ms(),
			 left = fetch->give_up_ms > now ? fetch->give_up_ms - now : 0;
		uint64_t timeout = left < try_max ? left : try_max;
		enum exec_fetch_status st;

		if (timeout < FETCH_MIN_TRY_MS)
			timeout = FETCH_MIN_TRY_MS;
		fetch->attempts++;
		st = attempt(fetch, (long)timeout);
		if (st != EXEC_FETCH_UNREACHABLE)
			return st;
		now = now_ms();
		if (now + wait >= fetch->give_up_ms)
			return EXEC_FETCH_UNREACHABLE;
		if (!backoff(fetch, wait))
			return EXEC_FETCH_CANCELLED;
		wait = wait * 2 < FETCH_BACKOFF_MAX_MS ? wait * 2 : FETCH_BACKOFF_MAX_MS;
	}
}

void exec_fetch_main(void *arg)
{
	struct exec_fetch *fetch = arg;
	char final[4200];

	snprintf(final, sizeof(final), "%s/input.tar", fetch->dir);
	if (exec_fetch_check_file(final, fetch->hash, fetch->max_bytes) == EXEC_FETCH_OK)
		fetch->status = EXEC_FETCH_OK; /* fetched before a restart */
	else
		fetch->status = fetch_with_retries(fetch);
	fetch->done(fetch);
}
