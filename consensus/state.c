/* state.c: bound checks in front of every state implementation. */
#include "consensus/state.h"

static int key_ok(const uint8_t *key, size_t key_len)
{
	return key != NULL && key_len > 0 && key_len <= STATE_KEY_MAX;
}

enum state_status state_get(const struct state *st, const uint8_t *key, size_t key_len,
			    uint8_t **val, size_t *val_len)
{
	*val = NULL;
	*val_len = 0;
	if (!key_ok(key, key_len))
		return STATE_ERROR;
	return st->ops->get(st->impl, key, key_len, val, val_len);
}

enum state_status state_put(const struct state *st, const uint8_t *key, size_t key_len,
			    const uint8_t *val, size_t val_len)
{
	if (!key_ok(key, key_len) || val_len > STATE_VALUE_MAX || (val == NULL && val_len > 0))
		return STATE_ERROR;
	return st->ops->put(st->impl, key, key_len, val, val_len);
}

enum state_status state_del(const struct state *st, const uint8_t *key, size_t key_len)
{
	if (!key_ok(key, key_len))
		return STATE_ERROR;
	return st->ops->del(st->impl, key, key_len);
}

enum state_status state_iterate(const struct state *st, const uint8_t *prefix, size_t prefix_len,
				const uint8_t *start, size_t start_len, state_iter_fn fn, void *arg)
{
	if (prefix_len > STATE_KEY_MAX || start_len > STATE_KEY_MAX ||
	    (prefix == NULL && prefix_len > 0) || (start == NULL && start_len > 0))
		return STATE_ERROR;
	return st->ops->iterate(st->impl, prefix, prefix_len, start, start_len, fn, arg);
}
