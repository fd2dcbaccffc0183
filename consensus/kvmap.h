/* kvmap.h: an ordered map of byte-string keys to byte-string values, kept as
 * a sorted array (binary search; inserts move the tail). It backs the
 * in-memory state and the per-block overlay; an entry may be a tombstone
 * (deleted = true) so an overlay can record deletions. Owns copies of every
 * key and value. */
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

struct kvmap {
	struct kv_entry *items;
	size_t count;
	size_t cap;
};

/* Byte-order comparison of two keys; a proper prefix sorts first. */
int kvmap_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len);

void kvmap_init(struct kvmap *map);

/* Frees every entry and the array; the map is empty and reusable. */
void kvmap_clear(struct kvmap *map);

/* Index of the first entry whose key is >= key; *found tells if it is equal. */
size_t kvmap_lower_bound(const struct kvmap *map, const uint8_t *key, size_t key_len, bool *found);

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

/* Index of the first entry that starts with prefix and is >= start. */
size_t kvmap_seek(const struct kvmap *map, const uint8_t *prefix, size_t prefix_len,
		  const uint8_t *start, size_t start_len);

#endif
