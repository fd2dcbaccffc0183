/* state.h: the state-access interface of the ledger. The ledger and the
 * market read and write key/value pairs only through a struct state, so the
 * same code runs over LevelDB in the node (node/store_reader.c), over memory
 * in the tests and the simulator (consensus/state_mem.c), and over a
 * per-block overlay that collects writes (consensus/overlay.c).
 *
 * Keys are byte strings starting with a one-byte type prefix (doc/storage.md).
 * Iteration is in ascending byte order of keys. */
#ifndef HEARTH_CONSENSUS_STATE_H
#define HEARTH_CONSENSUS_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_KEY_MAX	256
#define STATE_VALUE_MAX (16u << 20)

enum state_status {
	STATE_OK = 0,
	STATE_NOT_FOUND = 1,
	STATE_ERROR = -1, /* I/O failure, out of memory, or a bound exceeded */
};

/* Called for each pair during iteration. Returns 0 to go on, 1 to stop early
 * (the iteration then returns STATE_OK), -1 to abort (it returns STATE_ERROR).
 * The key and value are valid only during the call. */
typedef int (*state_iter_fn)(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			     size_t val_len);

struct state_ops {
	/* Out: *val (malloc'd, caller frees; NULL with *val_len 0 for an empty
	 * value is allowed), *val_len. */
	enum state_status (*get)(void *impl, const uint8_t *key, size_t key_len, uint8_t **val,
				 size_t *val_len);
	enum state_status (*put)(void *impl, const uint8_t *key, size_t key_len, const uint8_t *val,
				 size_t val_len);
	/* Deleting a missing key is STATE_OK. */
	enum state_status (*del)(void *impl, const uint8_t *key, size_t key_len);
	/* Visits keys that start with prefix and are >= start (start may be NULL). */
	enum state_status (*iterate)(void *impl, const uint8_t *prefix, size_t prefix_len,
				     const uint8_t *start, size_t start_len, state_iter_fn fn,
				     void *arg);
};

struct state {
	const struct state_ops *ops;
	void *impl;
};

/* The wrappers below check the key and value bounds, then call the ops. */
__attribute__((warn_unused_result)) enum state_status state_get(const struct state *st,
								const uint8_t *key, size_t key_len,
								uint8_t **val, size_t *val_len);

__attribute__((warn_unused_result)) enum state_status state_put(const struct state *st,
								const uint8_t *key, size_t key_len,
								const uint8_t *val, size_t val_len);

__attribute__((warn_unused_result)) enum state_status state_del(const struct state *st,
								const uint8_t *key, size_t key_len);

__attribute__((warn_unused_result)) enum state_status
state_iterate(const struct state *st, const uint8_t *prefix, size_t prefix_len,
	      const uint8_t *start, size_t start_len, state_iter_fn fn, void *arg);

#endif
