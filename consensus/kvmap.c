/* kvmap.c: the sorted-array ordered map behind state_mem.c and overlay.c. */
#include "consensus/kvmap.h"

#include <stdlib.h>
#include <string.h>

int kvmap_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	size_t n = a_len < b_len ? a_len : b_len;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

void kvmap_init(struct kvmap *map)
{
	memset(map, 0, sizeof(*map));
}

static void entry_free(struct kv_entry *e)
{
	free(e->key);
	free(e->val);
}

void kvmap_clear(struct kvmap *map)
{
	for (size_t i = 0; i < map->count; i++)
		entry_free(&map->items[i]);
	free(map->items);
	kvmap_init(map);
}

size_t kvmap_lower_bound(const struct kvmap *map, const uint8_t *key, size_t key_len, bool *found)
{
	size_t lo = 0, hi = map->count;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = kvmap_compare(map->items[mid].key, map->items[mid].key_len, key, key_len);

		if (c < 0) {
			lo = mid + 1;
		} else {
			if (c == 0)
				*found = true;
			hi = mid;
		}
	}
	return lo;
}

const struct kv_entry *kvmap_find(const struct kvmap *map, const uint8_t *key, size_t key_len)
{
	bool found;
	size_t i = kvmap_lower_bound(map, key, key_len, &found);

	return found ? &map->items[i] : NULL;
}

static uint8_t *copy_bytes(const uint8_t *src, size_t len)
{
	uint8_t *dst;

	if (len == 0)
		return NULL;
	dst = malloc(len);
	if (dst != NULL)
		memcpy(dst, src, len);
	return dst;
}

static int grow(struct kvmap *map)
{
	size_t cap = map->cap ? map->cap * 2 : 16;
	struct kv_entry *items;

	if (map->count < map->cap)
		return 0;
	if (cap > SIZE_MAX / sizeof(*items))
		return -1;
	items = realloc(map->items, cap * sizeof(*items));
	if (items == NULL)
		return -1;
	map->items = items;
	map->cap = cap;
	return 0;
}

int kvmap_set(struct kvmap *map, const uint8_t *key, size_t key_len, const uint8_t *val,
	      size_t val_len, bool deleted)
{
	bool found;
	size_t i = kvmap_lower_bound(map, key, key_len, &found);
	uint8_t *v = deleted ? NULL : copy_bytes(val, val_len);
	struct kv_entry *e;

	if (v == NULL && !deleted && val_len > 0)
		return -1;
	if (found) {
		e = &map->items[i];
		free(e->val);
		e->val = v;
		e->val_len = deleted ? 0 : val_len;
		e->deleted = deleted;
		return 0;
	}
	if (grow(map) != 0) {
		free(v);
		return -1;
	}
	e = &map->items[i];
	memmove(e + 1, e, (map->count - i) * sizeof(*e));
	e->key = copy_bytes(key, key_len);
	if (e->key == NULL) {
		memmove(e, e + 1, (map->count - i) * sizeof(*e));
		free(v);
		return -1;
	}
	e->key_len = key_len;
	e->val = v;
	e->val_len = deleted ? 0 : val_len;
	e->deleted = deleted;
	map->count++;
	return 0;
}

int kvmap_copy_value(const struct kv_entry *e, uint8_t **val, size_t *val_len)
{
	*val = NULL;
	*val_len = 0;
	if (e->val_len > 0) {
		*val = copy_bytes(e->val, e->val_len);
		if (*val == NULL)
			return -1;
	}
	*val_len = e->val_len;
	return 0;
}

void kvmap_erase(struct kvmap *map, const uint8_t *key, size_t key_len)
{
	bool found;
	size_t i = kvmap_lower_bound(map, key, key_len, &found);

	if (!found)
		return;
	entry_free(&map->items[i]);
	memmove(&map->items[i], &map->items[i + 1], (map->count - i - 1) * sizeof(map->items[0]));
	map->count--;
}

bool kvmap_has_prefix(const uint8_t *key, size_t key_len, const uint8_t *prefix, size_t prefix_len)
{
	return key_len >= prefix_len && (prefix_len == 0 || memcmp(key, prefix, prefix_len) == 0);
}

size_t kvmap_seek(const struct kvmap *map, const uint8_t *prefix, size_t prefix_len,
		  const uint8_t *start, size_t start_len)
{
	bool found;

	if (start != NULL && kvmap_compare(start, start_len, prefix, prefix_len) > 0)
		return kvmap_lower_bound(map, start, start_len, &found);
	return kvmap_lower_bound(map, prefix, prefix_len, &found);
}
