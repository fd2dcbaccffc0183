/* passphrase.c: reading the keystore's passphrase (sources in
 * passphrase.h). The terminal is opened directly so that a passphrase is
 * never taken from a pipe by accident, and its echo is restored even when
 * reading fails. */
#include "wallet/passphrase.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

void passphrase_wipe(struct passphrase *p)
{
	sodium_memzero(p, sizeof(*p));
}

/* Reads one line of at most PASSPHRASE_MAX bytes from fd into p, byte by
 * byte so that nothing after the newline is consumed. Returns 0 or -1. */
static int read_line(int fd, struct passphrase *p, char *err, size_t err_size)
{
	char c;
	ssize_t n;

	p->len = 0;
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, err_size, "cannot read the passphrase: %s", strerror(errno));
			return -1;
		}
		if (n == 0 || c == '\n')
			break;
		if (p->len == PASSPHRASE_MAX) {
			snprintf(err, err_size, "passphrase longer than %d bytes", PASSPHRASE_MAX);
			return -1;
		}
		p->text[p->len++] = c;
	}
	if (p->len > 0 && p->text[p->len - 1] == '\r')
		p->len--;
	p->text[p->len] = '\0';
	return 0;
}

static int prompt_tty(int tty, const char *prompt, struct passphrase *p, char *err, size_t err_size)
{
	struct termios old, quiet;
	int rc;

	if (tcgetattr(tty, &old) != 0) {
		snprintf(err, err_size, "cannot read the terminal: %s", strerror(errno));
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	if (write(tty, prompt, strlen(prompt)) < 0 || tcsetattr(tty, TCSAFLUSH, &quiet) != 0) {
		snprintf(err, err_size, "cannot prompt on the terminal: %s", strerror(errno));
		return -1;
	}
	rc = read_line(tty, p, err, err_size);
	(void)tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0)
		rc = -1;
	return rc;
}

static int from_tty(struct passphrase *p, bool confirm, const char *prompt, char *err,
		    size_t err_size)
{
	struct passphrase again;
	int rc, tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);

	if (tty < 0) {
		snprintf(err, err_size,
			 "no terminal to ask the passphrase on: use -stdin or " PASSPHRASE_ENV);
		return -1;
	}
	rc = prompt_tty(tty, prompt, p, err, err_size);
	if (rc == 0 && confirm) {
		rc = prompt_tty(tty, "Repeat the passphrase: ", &again, err, err_size);
		if (rc == 0 &&
		    (again.len != p->len || sodium_memcmp(again.text, p->text, p->len))) {
			snprintf(err, err_size, "the passphrases do not match");
			rc = -1;
		}
		passphrase_wipe(&again);
	}
	close(tty);
	return rc;
}

int passphrase_read(struct passphrase *p, bool from_stdin, bool confirm, const char *prompt,
		    char *err, size_t err_size)
{
	const char *env = getenv(PASSPHRASE_ENV);
	int rc;

	memset(p, 0, sizeof(*p));
	if (from_stdin) {
		rc = read_line(STDIN_FILENO, p, err, err_size);
	} else if (env != NULL) {
		p->len = strnlen(env, PASSPHRASE_MAX + 1);
		if (p->len > PASSPHRASE_MAX) {
			snprintf(err, err_size, PASSPHRASE_ENV " longer than %d bytes",
				 PASSPHRASE_MAX);
			rc = -1;
		} else {
			memcpy(p->text, env, p->len);
			rc = 0;
		}
	} else {
		rc = from_tty(p, confirm, prompt, err, err_size);
	}
	if (rc == 0 && confirm && p->len == 0) {
		snprintf(err, err_size, "refusing an empty passphrase for a new key");
		rc = -1;
	}
	if (rc != 0)
		passphrase_wipe(p);
	return rc;
}
