/* state_mem.c: struct state over a kvmap in memory. Iteration callbacks must
 * not write to the state they iterate. */
#include "consensus/state_mem.h"

static enum state_status mem_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				 size_t *val_len)
{
	struct state_mem *mem = impl;
	const struct kv_entry *e = kvmap_find(&mem->map, key, key_len);

	if (e == NULL)
		return STATE_NOT_FOUND;
	return kvmap_copy_value(e, val, val_len) == 0 ? STATE_OK : STATE_ERROR;
}

static enum state_status mem_put(void *impl, const uint8_t *key, size_t key_len, const uint8_t *val,
				 size_t val_len)
{
	struct state_mem *mem = impl;

	return kvmap_set(&mem->map, key, key_len, val, val_len, false) == 0 ? STATE_OK
									    : STATE_ERROR;
}

static enum state_status mem_del(void *impl, const uint8_t *key, size_t key_len)
{
	struct state_mem *mem = impl;

	kvmap_erase(&mem->map, key, key_len);
	return STATE_OK;
}

static enum state_status mem_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
				     const uint8_t *start, size_t start_len, state_iter_fn fn,
				     void *arg)
{
	struct state_mem *mem = impl;

	for (struct kvmap_cursor c =
		     kvmap_cursor_seek_prefix(&mem->map, prefix, prefix_len, start, start_len);
	     kvmap_cursor_valid(&c); kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);
		int rc;

		if (!kvmap_has_prefix(e->key, e->key_len, prefix, prefix_len))
			break;
		rc = fn(arg, e->key, e->key_len, e->val, e->val_len);
		if (rc < 0)
			return STATE_ERROR;
		if (rc > 0)
			break;
	}
	return STATE_OK;
}

static const struct state_ops mem_ops = {
	.get = mem_get,
	.put = mem_put,
	.del = mem_del,
	.iterate = mem_iterate,
};

void state_mem_init(struct state_mem *mem, struct state *st)
{
	kvmap_init(&mem->map);
	st->ops = &mem_ops;
	st->impl = mem;
}

void state_mem_free(struct state_mem *mem)
{
	kvmap_clear(&mem->map);
}
