/* addrbook_file.h: the address book on disk, <datadir>/peers.dat (bitcoind's
 * file name). The bytes (all integers little-endian):
 *   "HPDB"  u32 version (1)  u32 count
 *   count x { u8 ip_len, ip, u16 port, u8 source_len, source,
 *             u64 last_seen, u64 last_attempt, u64 last_success, u32 attempts }
 *   BLAKE2b-256 of everything before it
 * Written whole to a temporary file, fsynced and renamed (datadir.h). A file
 * that is not exactly this (truncated, another version, a wrong checksum, a
 * bad entry) is refused as a whole: the node moves it aside to
 * peers.dat.bak and starts with an empty book. */
#ifndef HEARTH_NODE_ADDRBOOK_FILE_H
#define HEARTH_NODE_ADDRBOOK_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "node/addrbook.h"
#include "node/datadir.h"

#define ADDRBOOK_FILE_NAME    "peers.dat"
#define ADDRBOOK_FILE_ASIDE   "peers.dat.bak"
#define ADDRBOOK_FILE_VERSION 1
/* Largest file: header, ADDRBOOK_MAX of the largest entries, checksum. */
#define ADDRBOOK_FILE_MAX (12 + ADDRBOOK_MAX * (2 + 2 * (ADDRBOOK_IP_MAX - 1) + 2 + 28) + 32)

enum addrbook_file_status {
	ADDRBOOK_FILE_OK,
	ADDRBOOK_FILE_TRUNCATED, /* shorter or longer than its count says */
	ADDRBOOK_FILE_BAD_MAGIC,
	ADDRBOOK_FILE_BAD_VERSION,
	ADDRBOOK_FILE_BAD_CHECKSUM,
	ADDRBOOK_FILE_BAD_ENTRY, /* count over ADDRBOOK_MAX, bad text, port 0 */
};

/* A few words for the log ("wrong checksum"). Never NULL. */
const char *addrbook_file_status_text(enum addrbook_file_status st);

/* Out: *out (malloc'd, caller frees), *len: the bytes of book.
 * Returns 0, or -1 out of memory. */
__attribute__((warn_unused_result)) int addrbook_encode(const struct addrbook *book, uint8_t **out,
							size_t *len);

/* Replaces the contents of book with the entries of data[0..len) (an
 * initialised book; duplicate addresses keep the first). On any error the
 * book is left empty. Returns the status. */
enum addrbook_file_status addrbook_decode(struct addrbook *book, const uint8_t *data, size_t len);

/* Writes book to <dd>/peers.dat atomically.
 * Returns 0, or -1 with err (one line). */
__attribute__((warn_unused_result)) int addrbook_file_save(const struct addrbook *book,
							   const struct datadir *dd, char *err,
							   size_t err_size);

/* Loads <dd>/peers.dat into book (initialised).
 * Returns 0 loaded, 1 no file (book empty), or -1 with err when the file
 * could not be read or was refused: the book is then empty and the file was
 * moved aside to peers.dat.bak (err says so, or why it could not be). */
int addrbook_file_load(struct addrbook *book, const struct datadir *dd, char *err, size_t err_size);

#endif
