/* overlay.c: pending writes over a base state, their merge into reads and
 * ordered iteration, and the write-set and app hashes. */
#include "consensus/overlay.h"

static enum state_status ov_get(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				size_t *val_len)
{
	struct overlay *ov = impl;
	const struct kv_entry *e = kvmap_find(&ov->writes, key, key_len);

	if (e == NULL)
		return state_get(ov->base, key, key_len, val, val_len);
	if (e->deleted)
		return STATE_NOT_FOUND;
	return kvmap_copy_value(e, val, val_len) == 0 ? STATE_OK : STATE_ERROR;
}

static enum state_status ov_put(void *impl, const uint8_t *key, size_t key_len, const uint8_t *val,
				size_t val_len)
{
	struct overlay *ov = impl;

	return kvmap_set(&ov->writes, key, key_len, val, val_len, false) == 0 ? STATE_OK
									      : STATE_ERROR;
}

static enum state_status ov_del(void *impl, const uint8_t *key, size_t key_len)
{
	struct overlay *ov = impl;

	return kvmap_set(&ov->writes, key, key_len, NULL, 0, true) == 0 ? STATE_OK : STATE_ERROR;
}

/* Merges the overlay's sorted writes into the base's sorted iteration. */
struct merge {
	struct kvmap_cursor next; /* next overlay entry not yet emitted */
	const uint8_t *prefix;
	size_t prefix_len;
	state_iter_fn fn;
	void *arg;
	int rc; /* last non-zero answer of fn */
};

/* Emits live overlay entries with key < bound (all within prefix if bound is
 * NULL). Returns fn's non-zero answer, or 0. */
static int merge_emit_until(struct merge *m, const uint8_t *bound, size_t bound_len)
{
	while (kvmap_cursor_valid(&m->next)) {
		const struct kv_entry *e = kvmap_cursor_entry(&m->next);
		int rc;

		if (!kvmap_has_prefix(e->key, e->key_len, m->prefix, m->prefix_len))
			return 0;
		if (bound != NULL && kvmap_compare(e->key, e->key_len, bound, bound_len) >= 0)
			return 0;
		kvmap_cursor_next(&m->next);
		if (e->deleted)
			continue;
		rc = m->fn(m->arg, e->key, e->key_len, e->val, e->val_len);
		if (rc != 0)
			return m->rc = rc;
	}
	return 0;
}

static int merge_base_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			   size_t val_len)
{
	struct merge *m = arg;
	int rc = merge_emit_until(m, key, key_len);

	if (rc != 0)
		return rc;
	if (kvmap_cursor_valid(&m->next)) {
		const struct kv_entry *e = kvmap_cursor_entry(&m->next);

		if (kvmap_compare(e->key, e->key_len, key, key_len) == 0) {
			/* The overlay shadows this base pair. */
			kvmap_cursor_next(&m->next);
			if (e->deleted)
				return 0;
			val = e->val;
			val_len = e->val_len;
		}
	}
	rc = m->fn(m->arg, key, key_len, val, val_len);
	if (rc != 0)
		m->rc = rc;
	return rc;
}

static enum state_status ov_iterate(void *impl, const uint8_t *prefix, size_t prefix_len,
				    const uint8_t *start, size_t start_len, state_iter_fn fn,
				    void *arg)
{
	struct overlay *ov = impl;
	struct merge m = {
		.next = kvmap_cursor_seek_prefix(&ov->writes, prefix, prefix_len, start, start_len),
		.prefix = prefix,
		.prefix_len = prefix_len,
		.fn = fn,
		.arg = arg,
		.rc = 0,
	};
	enum state_status st =
		state_iterate(ov->base, prefix, prefix_len, start, start_len, merge_base_pair, &m);

	if (st != STATE_OK || m.rc < 0)
		return STATE_ERROR;
	if (m.rc > 0)
		return STATE_OK;
	return merge_emit_until(&m, NULL, 0) < 0 ? STATE_ERROR : STATE_OK;
}

static const struct state_ops overlay_ops = {
	.get = ov_get,
	.put = ov_put,
	.del = ov_del,
	.iterate = ov_iterate,
};

void overlay_init(struct overlay *ov, const struct state *base, struct state *st)
{
	ov->base = base;
	kvmap_init(&ov->writes);
	st->ops = &overlay_ops;
	st->impl = ov;
}

void overlay_free(struct overlay *ov)
{
	kvmap_clear(&ov->writes);
}

int overlay_foreach_write(const struct overlay *ov, overlay_write_fn fn, void *arg)
{
	for (struct kvmap_cursor c = kvmap_cursor_first(&ov->writes); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);
		int rc = fn(arg, e->key, e->key_len, e->val, e->val_len, e->deleted);

		if (rc != 0)
			return rc;
	}
	return 0;
}

enum state_status overlay_flush(struct overlay *ov, const struct state *dst)
{
	for (struct kvmap_cursor c = kvmap_cursor_first(&ov->writes); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);
		enum state_status st =
			e->deleted ? state_del(dst, e->key, e->key_len)
				   : state_put(dst, e->key, e->key_len, e->val, e->val_len);

		if (st != STATE_OK)
			return STATE_ERROR;
	}
	kvmap_clear(&ov->writes);
	return STATE_OK;
}

void overlay_write_set_hash(const struct overlay *ov, uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/writeset");
	for (struct kvmap_cursor c = kvmap_cursor_first(&ov->writes); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);
		uint8_t live = e->deleted ? 0 : 1;

		hash_bytes(&h, e->key, e->key_len);
		hash_update(&h, &live, 1);
		hash_bytes(&h, e->val, e->val_len);
	}
	hash_finish(&h, out);
}

void overlay_app_hash(const uint8_t prev[HASH_SIZE], const uint8_t write_set_hash[HASH_SIZE],
		      uint8_t out[HASH_SIZE])
{
	struct hasher h;

	hash_begin(&h, "hearth/app");
	hash_update(&h, prev, HASH_SIZE);
	hash_update(&h, write_set_hash, HASH_SIZE);
	hash_finish(&h, out);
}
