/* kvmap.h: an ordered map of byte-string keys to byte-string values, kept as
 * an AVL tree (one node per entry, parent links): find, insert and erase cost
 * O(log n), an in-order cursor steps to the next entry in amortized O(1). It
 * backs the in-memory state and the per-block overlay; an entry may be a
 * tombstone (deleted = true) so an overlay can record deletions. Owns copies
 * of every key and value. Deterministic: the shape of the tree depends only on
 * the sequence of operations. */
#ifndef HEARTH_CONSENSUS_KVMAP_H
#define HEARTH_CONSENSUS_KVMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kv_entry {
	uint8_t *key;
	size_t key_len;
	uint8_t *val; /* NULL when val_len is 0 or the entry is a tombstone */
	size_t val_len;
	bool deleted;
};

struct kvmap_node; /* private to kvmap.c */

struct kvmap {
	struct kvmap_node *root;
	size_t count;
};

/* A position in a map: an entry, or past the last one. Any kvmap_set,
 * kvmap_erase or kvmap_clear on the map invalidates its cursors. */
struct kvmap_cursor {
	const struct kvmap_node *node; /* NULL past the end */
};

/* Byte-order comparison of two keys; a proper prefix sorts first. */
int kvmap_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

void kvmap_init(struct kvmap *map);

/* Frees every entry; the map is empty and reusable. */
void kvmap_clear(struct kvmap *map);

/* Returns the number of entries, tombstones included. */
size_t kvmap_count(const struct kvmap *map);

/* The entry of key, or NULL. */
const struct kv_entry *kvmap_find(const struct kvmap *map, const uint8_t *key, size_t key_len);

/* Inserts or replaces key with a copy of val (or a tombstone).
 * Returns 0, or -1 when out of memory (the map is then unchanged). */
__attribute__((warn_unused_result)) int kvmap_set(struct kvmap *map, const uint8_t *key,
						  size_t key_len, const uint8_t *val,
						  size_t val_len, bool deleted);

/* Copies the value of a live entry.
 * Out: *val (malloc'd, caller frees; NULL for an empty value), *val_len.
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int kvmap_copy_value(const struct kv_entry *e, uint8_t **val,
							 size_t *val_len);

/* Removes key if present. */
void kvmap_erase(struct kvmap *map, const uint8_t *key, size_t key_len);

/* True when key starts with prefix. */
bool kvmap_has_prefix(const uint8_t *key, size_t key_len, const uint8_t *prefix, size_t prefix_len);

/* Returns a cursor at the first entry of map (past the end if it is empty). */
struct kvmap_cursor kvmap_cursor_first(const struct kvmap *map);

/* Returns a cursor at the first entry whose key is >= key. */
struct kvmap_cursor kvmap_cursor_seek(const struct kvmap *map, const uint8_t *key, size_t key_len);

/* Returns a cursor at the first entry that is >= prefix and >= start (start
 * may be NULL): the first one of the prefix from start on, if any. The caller
 * stops at the first entry without the prefix. */
struct kvmap_cursor kvmap_cursor_seek_prefix(const struct kvmap *map, const uint8_t *prefix,
					     size_t prefix_len, const uint8_t *start,
					     size_t start_len);

/* True when cur is at an entry (not past the end). */
bool kvmap_cursor_valid(const struct kvmap_cursor *cur);

/* The entry at a valid cursor. */
const struct kv_entry *kvmap_cursor_entry(const struct kvmap_cursor *cur);

/* Moves a valid cursor to the next entry in key order (or past the end). */
void kvmap_cursor_next(struct kvmap_cursor *cur);

#endif
