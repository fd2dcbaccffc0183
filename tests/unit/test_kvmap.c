/* test_kvmap.c: unit tests of the ordered map (consensus/kvmap.c): random
 * operations against a sorted-array model over many seeds, the tree's
 * invariants (parent links, heights, AVL balance), cursors and prefix seeks,
 * and allocation failures. The file includes kvmap.c itself so that it can
 * walk the tree's nodes, and is linked with -Wl,--wrap=malloc so that a test
 * can make the n-th allocation fail. */
#include "test_util.h"

#include <stdbool.h>
#include <string.h>

#include "consensus/kvmap.c"

/* ---------------------------------------------------------------- failing malloc */

void *__real_malloc(size_t size);
void *__wrap_malloc(size_t size);

/* Allocations left before one fails; negative: none fails. The linker's
 * --wrap leaves no other way to reach the wrapper than a file-level variable. */
static long allocs_before_failure = -1;

void *__wrap_malloc(size_t size)
{
	if (allocs_before_failure == 0) {
		allocs_before_failure = -1;
		return NULL;
	}
	if (allocs_before_failure > 0)
		allocs_before_failure--;
	return __real_malloc(size);
}

/* ---------------------------------------------------------------- the model */

#define KEY_MAX	  4
#define VAL_MAX	  8
#define MODEL_MAX 400 /* more than the 341 keys of up to 4 bytes over 4 letters */

struct model_entry {
	uint8_t key[KEY_MAX];
	size_t key_len;
	uint8_t val[VAL_MAX];
	size_t val_len;
	bool deleted;
};

/* A sorted array: what kvmap was before it became a tree. */
struct model {
	struct model_entry items[MODEL_MAX];
	size_t count;
};

static size_t model_lower_bound(const struct model *m, const uint8_t *key, size_t key_len)
{
	size_t i = 0;

	while (i < m->count &&
	       kvmap_compare(m->items[i].key, m->items[i].key_len, key, key_len) < 0)
		i++;
	return i;
}

static bool model_has(const struct model *m, size_t i, const uint8_t *key, size_t key_len)
{
	return i < m->count &&
	       kvmap_compare(m->items[i].key, m->items[i].key_len, key, key_len) == 0;
}

static void model_set(struct model *m, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len, bool deleted)
{
	size_t i = model_lower_bound(m, key, key_len);
	struct model_entry *e = &m->items[i];

	if (!model_has(m, i, key, key_len)) {
		assert_true(m->count < MODEL_MAX);
		memmove(e + 1, e, (m->count - i) * sizeof(*e));
		m->count++;
		if (key_len > 0)
			memcpy(e->key, key, key_len);
		e->key_len = key_len;
	}
	e->val_len = deleted ? 0 : val_len;
	if (e->val_len > 0)
		memcpy(e->val, val, val_len);
	e->deleted = deleted;
}

static void model_erase(struct model *m, const uint8_t *key, size_t key_len)
{
	size_t i = model_lower_bound(m, key, key_len);

	if (!model_has(m, i, key, key_len))
		return;
	memmove(&m->items[i], &m->items[i + 1], (m->count - i - 1) * sizeof(m->items[0]));
	m->count--;
}

/* ---------------------------------------------------------------- checks */

static void assert_entry_is(const struct kv_entry *e, const struct model_entry *want)
{
	assert_int_equal(e->key_len, want->key_len);
	if (want->key_len > 0)
		assert_memory_equal(e->key, want->key, want->key_len);
	assert_int_equal(e->deleted, want->deleted);
	assert_int_equal(e->val_len, want->val_len);
	if (want->val_len > 0)
		assert_memory_equal(e->val, want->val, want->val_len);
	else
		assert_null(e->val);
}

/* Checks parent links, stored heights and the AVL balance of n's subtree.
 * Returns its height; adds its nodes to *nodes. */
static int check_subtree(const struct kvmap_node *n, const struct kvmap_node *parent, size_t *nodes)
{
	int l, r;

	if (n == NULL)
		return 0;
	assert_ptr_equal(n->parent, parent);
	l = check_subtree(n->left, n, nodes);
	r = check_subtree(n->right, n, nodes);
	assert_true(l - r <= 1 && r - l <= 1);
	assert_int_equal(n->height, 1 + (l > r ? l : r));
	(*nodes)++;
	return n->height;
}

/* Checks the tree's invariants and that its cursor walk is the model. */
static void assert_map_is(const struct kvmap *map, const struct model *m)
{
	size_t nodes = 0, i = 0;

	check_subtree(map->root, NULL, &nodes);
	assert_int_equal(nodes, m->count);
	assert_int_equal(kvmap_count(map), m->count);
	for (struct kvmap_cursor c = kvmap_cursor_first(map); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		assert_true(i < m->count);
		assert_entry_is(kvmap_cursor_entry(&c), &m->items[i]);
		i++;
	}
	assert_int_equal(i, m->count);
}

/* Walks the entries of prefix from start (NULL: from the prefix) both ways. */
static void assert_prefix_walk_is(const struct kvmap *map, const struct model *m,
				  const uint8_t *prefix, size_t prefix_len, const uint8_t *start,
				  size_t start_len)
{
	struct kvmap_cursor c = kvmap_cursor_seek_prefix(map, prefix, prefix_len, start, start_len);
	size_t i = model_lower_bound(m, prefix, prefix_len);

	if (start != NULL && kvmap_compare(start, start_len, prefix, prefix_len) > 0)
		i = model_lower_bound(m, start, start_len);
	for (; i < m->count &&
	       kvmap_has_prefix(m->items[i].key, m->items[i].key_len, prefix, prefix_len);
	     i++) {
		assert_true(kvmap_cursor_valid(&c));
		assert_entry_is(kvmap_cursor_entry(&c), &m->items[i]);
		kvmap_cursor_next(&c);
	}
	if (kvmap_cursor_valid(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);

		assert_false(kvmap_has_prefix(e->key, e->key_len, prefix, prefix_len));
	}
}

/* ---------------------------------------------------------------- random keys */

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* A key of 0-4 bytes over 4 letters (so keys share prefixes often). */
static size_t random_key(uint64_t *s, uint8_t key[KEY_MAX], size_t max_len)
{
	static const uint8_t letters[4] = { 0x00, 0x01, 0x80, 0xff };
	size_t len = rng_next(s) % (max_len + 1);

	for (size_t i = 0; i < len; i++)
		key[i] = letters[rng_next(s) % 4];
	return len;
}

static void random_step(struct kvmap *map, struct model *m, uint64_t *s)
{
	uint8_t key[KEY_MAX], val[VAL_MAX];
	size_t key_len = random_key(s, key, KEY_MAX), val_len = rng_next(s) % (VAL_MAX + 1);
	unsigned op = (unsigned)(rng_next(s) % 100);
	const struct kv_entry *e;
	size_t i;

	for (size_t j = 0; j < val_len; j++)
		val[j] = (uint8_t)rng_next(s);
	if (op < 45 || op >= 85) {
		bool deleted = op >= 85;

		assert_int_equal(kvmap_set(map, key, key_len, val, val_len, deleted), 0);
		model_set(m, key, key_len, val, val_len, deleted);
	} else {
		kvmap_erase(map, key, key_len);
		model_erase(m, key, key_len);
	}
	assert_int_equal(kvmap_count(map), m->count);
	e = kvmap_find(map, key, key_len);
	i = model_lower_bound(m, key, key_len);
	if (model_has(m, i, key, key_len)) {
		assert_non_null(e);
		assert_entry_is(e, &m->items[i]);
	} else {
		assert_null(e);
	}
}

/* ---------------------------------------------------------------- tests */

static void test_kvmap_matches_a_sorted_array_over_many_seeds(void **state UNUSED)
{
	static struct model m;

	for (uint64_t seed = 1; seed <= 200; seed++) {
		struct kvmap_cursor c;
		struct kvmap map;
		uint64_t s = seed;

		kvmap_init(&map);
		m.count = 0;
		for (int step = 0; step < 3000; step++) {
			random_step(&map, &m, &s);
			if (step % 50 == 0) {
				uint8_t prefix[KEY_MAX], start[KEY_MAX];
				size_t prefix_len = random_key(&s, prefix, 3);
				size_t start_len = random_key(&s, start, KEY_MAX);

				assert_map_is(&map, &m);
				assert_prefix_walk_is(&map, &m, prefix, prefix_len, NULL, 0);
				assert_prefix_walk_is(&map, &m, prefix, prefix_len, start,
						      start_len);
			}
		}
		assert_map_is(&map, &m);
		kvmap_clear(&map);
		assert_int_equal(kvmap_count(&map), 0);
		c = kvmap_cursor_first(&map);
		assert_false(kvmap_cursor_valid(&c));
	}
}

/* Keys 0..n-1 as 4-byte big-endian integers. */
static size_t int_key(uint32_t i, uint8_t key[4])
{
	key[0] = (uint8_t)(i >> 24);
	key[1] = (uint8_t)(i >> 16);
	key[2] = (uint8_t)(i >> 8);
	key[3] = (uint8_t)i;
	return 4;
}

/* AVL: height < 1.4405 log2(n + 2) - 0.3277; checked as h <= 1.45 log2(n + 2). */
static void assert_height_is_logarithmic(const struct kvmap *map)
{
	double bound;
	size_t n = kvmap_count(map) + 2, nodes = 0;
	int log2n = 0;

	while (((size_t)1 << (log2n + 1)) <= n)
		log2n++;
	bound = 1.45 * (log2n + 1);
	assert_true(check_subtree(map->root, NULL, &nodes) <= bound);
	assert_int_equal(nodes, kvmap_count(map));
}

static void test_kvmap_sorted_inserts_and_erases_keep_the_tree_balanced(void **state UNUSED)
{
	enum { N = 20000 };
	struct kvmap map;
	uint8_t key[4], prev[4];
	size_t seen = 0;

	kvmap_init(&map);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(kvmap_set(&map, key, int_key(i, key), key, 4, false), 0);
	for (uint32_t i = 2 * N; i >= N; i--) /* then descending, above them */
		assert_int_equal(kvmap_set(&map, key, int_key(i, key), NULL, 0, true), 0);
	assert_int_equal(kvmap_count(&map), 2 * N + 1);
	assert_height_is_logarithmic(&map);
	for (struct kvmap_cursor c = kvmap_cursor_first(&map); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);

		assert_int_equal(e->key_len, 4);
		if (seen > 0)
			assert_true(kvmap_compare(prev, 4, e->key, 4) < 0);
		memcpy(prev, e->key, 4);
		assert_int_equal(e->deleted, seen >= N);
		seen++;
	}
	assert_int_equal(seen, 2 * N + 1);
	/* Erase the lower half in order, then every other key of the rest. */
	for (uint32_t i = 0; i < N; i++)
		kvmap_erase(&map, key, int_key(i, key));
	assert_height_is_logarithmic(&map);
	for (uint32_t i = N; i <= 2 * N; i += 2)
		kvmap_erase(&map, key, int_key(i, key));
	assert_int_equal(kvmap_count(&map), N / 2);
	assert_height_is_logarithmic(&map);
	kvmap_erase(&map, key, int_key(N, key)); /* already gone */
	assert_int_equal(kvmap_count(&map), N / 2);
	for (uint32_t i = 2 * N - 1; i > N; i -= 2)
		kvmap_erase(&map, key, int_key(i, key));
	assert_int_equal(kvmap_count(&map), 0);
	assert_null(map.root);
	kvmap_clear(&map);
}

static void test_kvmap_seek_finds_lower_bounds_and_prefixes(void **state UNUSED)
{
	static const char *const keys[] = { "a", "ab", "abc", "abd", "b", "ba", "c" };
	struct kvmap map;
	struct kvmap_cursor c;

	kvmap_init(&map);
	c = kvmap_cursor_seek(&map, (const uint8_t *)"a", 1);
	assert_false(kvmap_cursor_valid(&c));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		assert_int_equal(kvmap_set(&map, (const uint8_t *)keys[i], strlen(keys[i]),
					   (const uint8_t *)"v", 1, i == 3),
				 0);

	c = kvmap_cursor_seek(&map, (const uint8_t *)"abb", 3);
	assert_memory_equal(kvmap_cursor_entry(&c)->key, "abc", 3);
	c = kvmap_cursor_seek(&map, (const uint8_t *)"", 0);
	assert_memory_equal(kvmap_cursor_entry(&c)->key, "a", 1);
	c = kvmap_cursor_seek(&map, (const uint8_t *)"ca", 2);
	assert_false(kvmap_cursor_valid(&c));

	/* start before the prefix: from the prefix; tombstones are entries too */
	c = kvmap_cursor_seek_prefix(&map, (const uint8_t *)"ab", 2, (const uint8_t *)"a", 1);
	assert_int_equal(kvmap_cursor_entry(&c)->key_len, 2);
	kvmap_cursor_next(&c);
	kvmap_cursor_next(&c);
	assert_memory_equal(kvmap_cursor_entry(&c)->key, "abd", 3);
	assert_true(kvmap_cursor_entry(&c)->deleted);
	/* start inside the prefix */
	c = kvmap_cursor_seek_prefix(&map, (const uint8_t *)"ab", 2, (const uint8_t *)"abca", 4);
	assert_memory_equal(kvmap_cursor_entry(&c)->key, "abd", 3);
	/* start past the prefix: the cursor is outside it */
	c = kvmap_cursor_seek_prefix(&map, (const uint8_t *)"ab", 2, (const uint8_t *)"abz", 3);
	assert_false(kvmap_has_prefix(kvmap_cursor_entry(&c)->key, kvmap_cursor_entry(&c)->key_len,
				      (const uint8_t *)"ab", 2));
	c = kvmap_cursor_seek_prefix(&map, (const uint8_t *)"c", 1, NULL, 0);
	assert_memory_equal(kvmap_cursor_entry(&c)->key, "c", 1);
	kvmap_cursor_next(&c);
	assert_false(kvmap_cursor_valid(&c));
	kvmap_clear(&map);
}

/* Snapshot of a small map, to compare after a failed set. */
static void model_of(const struct kvmap *map, struct model *m)
{
	m->count = 0;
	for (struct kvmap_cursor c = kvmap_cursor_first(map); kvmap_cursor_valid(&c);
	     kvmap_cursor_next(&c)) {
		const struct kv_entry *e = kvmap_cursor_entry(&c);

		model_set(m, e->key, e->key_len, e->val, e->val_len, e->deleted);
	}
}

static void test_kvmap_failed_set_leaves_the_map_unchanged(void **state UNUSED)
{
	static struct model before;
	struct kvmap map;
	uint64_t s = 7;
	const uint8_t val[3] = { 1, 2, 3 };
	uint8_t key[KEY_MAX];
	size_t key_len;

	kvmap_init(&map);
	for (int i = 0; i < 100; i++) {
		key_len = random_key(&s, key, KEY_MAX);
		assert_int_equal(kvmap_set(&map, key, key_len, val, 1 + (size_t)i % 3, false), 0);
	}
	model_of(&map, &before);
	for (int i = 0; i < 200; i++) {
		bool deleted = i % 4 == 0;

		key_len = random_key(&s, key, KEY_MAX);
		bool is_new = kvmap_find(&map, key, key_len) == NULL;
		/* a live set allocates the value, then (for a new key) the node */
		long allocs = (deleted ? 0 : 1) + (is_new ? 1 : 0);

		for (long fail_at = 0; fail_at < allocs; fail_at++) {
			allocs_before_failure = fail_at;
			assert_int_equal(kvmap_set(&map, key, key_len, val, 3, deleted), -1);
			allocs_before_failure = -1;
			assert_map_is(&map, &before);
		}
		if (i % 2 == 0) { /* sometimes let it succeed, so the map changes */
			assert_int_equal(kvmap_set(&map, key, key_len, val, 3, deleted), 0);
			model_set(&before, key, key_len, val, 3, deleted);
			assert_map_is(&map, &before);
		}
	}
	kvmap_clear(&map);
}

static void test_kvmap_copy_value_copies_or_fails(void **state UNUSED)
{
	struct kvmap map;
	const struct kv_entry *e;
	uint8_t *val;
	size_t val_len;

	kvmap_init(&map);
	assert_int_equal(kvmap_set(&map, (const uint8_t *)"k", 1, (const uint8_t *)"xyz", 3, false),
			 0);
	assert_int_equal(kvmap_set(&map, (const uint8_t *)"e", 1, NULL, 0, false), 0);
	e = kvmap_find(&map, (const uint8_t *)"k", 1);
	assert_int_equal(kvmap_copy_value(e, &val, &val_len), 0);
	assert_int_equal(val_len, 3);
	assert_memory_equal(val, "xyz", 3);
	free(val);
	allocs_before_failure = 0;
	assert_int_equal(kvmap_copy_value(e, &val, &val_len), -1);
	allocs_before_failure = -1;
	assert_null(val);
	e = kvmap_find(&map, (const uint8_t *)"e", 1);
	assert_int_equal(kvmap_copy_value(e, &val, &val_len), 0);
	assert_null(val);
	assert_int_equal(val_len, 0);
	kvmap_clear(&map);
	/* cleared and reusable */
	assert_int_equal(kvmap_count(&map), 0);
	assert_int_equal(kvmap_set(&map, (const uint8_t *)"k", 1, NULL, 0, true), 0);
	assert_int_equal(kvmap_count(&map), 1);
	kvmap_clear(&map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvmap_matches_a_sorted_array_over_many_seeds),
		cmocka_unit_test(test_kvmap_sorted_inserts_and_erases_keep_the_tree_balanced),
		cmocka_unit_test(test_kvmap_seek_finds_lower_bounds_and_prefixes),
		cmocka_unit_test(test_kvmap_failed_set_leaves_the_map_unchanged),
		cmocka_unit_test(test_kvmap_copy_value_copies_or_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
