/* passphrase.h: where the keystore's passphrase comes from, in this order:
 * the first line of standard input when -stdin is given; else the
 * environment variable HEARTH_PASSPHRASE (for scripts and tests); else an
 * interactive prompt on /dev/tty with echo turned off (asked twice when a
 * new key is made). */
#ifndef HEARTH_WALLET_PASSPHRASE_H
#define HEARTH_WALLET_PASSPHRASE_H

#include <stdbool.h>
#include <stddef.h>

#define PASSPHRASE_MAX 1024 /* bytes, without the newline and NUL */
#define PASSPHRASE_ENV "HEARTH_PASSPHRASE"

struct passphrase {
	char text[PASSPHRASE_MAX + 2];
	size_t len;
};

/* Reads the passphrase.
 * In:  from_stdin (-stdin); confirm: ask twice on a prompt and require
 *      both to match and be non-empty (a new key); prompt: text shown.
 * Out: p (wipe it with passphrase_wipe). Returns 0, or -1 with err (no
 * terminal and no other source, too long, mismatch, empty). */
__attribute__((warn_unused_result)) int passphrase_read(struct passphrase *p, bool from_stdin,
							bool confirm, const char *prompt, char *err,
							size_t err_size);

void passphrase_wipe(struct passphrase *p);

#endif
