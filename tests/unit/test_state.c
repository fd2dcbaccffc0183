/* test_state.c: unit tests of the in-memory state, the overlay and the
 * write-set / app hash (consensus/state*.c, kvmap.c, overlay.c). */
#include "consensus/overlay.h"
#include "consensus/state_mem.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

/* Collects an iteration as "key=val;" text for easy comparison. */
struct collect {
	char text[65536];
	size_t len;
	int stop_after; /* stop after this many pairs (0: never) */
	int seen;
};

static int collect_pair(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			size_t val_len)
{
	struct collect *c = arg;
	int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%.*s=%.*s;", (int)key_len,
			 (const char *)key, (int)val_len, val ? (const char *)val : "");

	assert_true(n > 0 && (size_t)n < sizeof(c->text) - c->len);
	c->len += (size_t)n;
	c->seen++;
	return c->stop_after != 0 && c->seen >= c->stop_after ? 1 : 0;
}

static void put_s(const struct state *st, const char *k, const char *v)
{
	assert_int_equal(
		state_put(st, (const uint8_t *)k, strlen(k), (const uint8_t *)v, strlen(v)),
		STATE_OK);
}

static void del_s(const struct state *st, const char *k)
{
	assert_int_equal(state_del(st, (const uint8_t *)k, strlen(k)), STATE_OK);
}

static const char *iterate_s(const struct state *st, const char *prefix, const char *start,
			     struct collect *c)
{
	memset(c, 0, sizeof(*c));
	assert_int_equal(state_iterate(st, (const uint8_t *)prefix, strlen(prefix),
				       (const uint8_t *)start, start ? strlen(start) : 0,
				       collect_pair, c),
			 STATE_OK);
	return c->text;
}

static void test_state_mem_get_put_delete(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	uint8_t *val;
	size_t len;

	state_mem_init(&mem, &st);
	put_s(&st, "a1", "x");
	put_s(&st, "a1", "yy");
	assert_int_equal(state_get(&st, (const uint8_t *)"a1", 2, &val, &len), STATE_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(val, "yy", 2);
	free(val);
	del_s(&st, "a1");
	del_s(&st, "never");
	assert_int_equal(state_get(&st, (const uint8_t *)"a1", 2, &val, &len), STATE_NOT_FOUND);
	assert_null(val);
	state_mem_free(&mem);
}

static void test_state_rejects_out_of_bound_keys(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	uint8_t key[STATE_KEY_MAX + 1] = { 0 };

	state_mem_init(&mem, &st);
	assert_int_equal(state_put(&st, key, 0, key, 1), STATE_ERROR);
	assert_int_equal(state_put(&st, key, sizeof(key), key, 1), STATE_ERROR);
	assert_int_equal(state_put(&st, key, STATE_KEY_MAX, key, 1), STATE_OK);
	assert_int_equal(state_put(&st, key, 1, NULL, 5), STATE_ERROR);
	state_mem_free(&mem);
}

static void test_state_mem_iterates_prefix_in_order_from_start(void **state UNUSED)
{
	struct state_mem mem;
	struct state st;
	struct collect c;

	state_mem_init(&mem, &st);
	put_s(&st, "b2", "4");
	put_s(&st, "a3", "3");
	put_s(&st, "a1", "1");
	put_s(&st, "a2", "2");
	put_s(&st, "a", "0");
	assert_string_equal(iterate_s(&st, "a", NULL, &c), "a=0;a1=1;a2=2;a3=3;");
	assert_string_equal(iterate_s(&st, "a", "a2", &c), "a2=2;a3=3;");
	assert_string_equal(iterate_s(&st, "", NULL, &c), "a=0;a1=1;a2=2;a3=3;b2=4;");
	assert_string_equal(iterate_s(&st, "c", NULL, &c), "");
	memset(&c, 0, sizeof(c));
	c.stop_after = 2;
	assert_int_equal(state_iterate(&st, (const uint8_t *)"a", 1, NULL, 0, collect_pair, &c),
			 STATE_OK);
	assert_string_equal(c.text, "a=0;a1=1;");
	state_mem_free(&mem);
}

static void test_overlay_shadows_base_and_leaves_it_untouched(void **state UNUSED)
{
	struct state_mem mem;
	struct state base, st;
	struct overlay ov;
	struct collect c;
	uint8_t *val;
	size_t len;

	state_mem_init(&mem, &base);
	put_s(&base, "k1", "base1");
	put_s(&base, "k2", "base2");
	put_s(&base, "k4", "base4");
	overlay_init(&ov, &base, &st);
	put_s(&st, "k2", "new2");
	put_s(&st, "k3", "new3");
	del_s(&st, "k4");
	put_s(&st, "k5", "new5");
	assert_string_equal(iterate_s(&st, "k", NULL, &c), "k1=base1;k2=new2;k3=new3;k5=new5;");
	assert_string_equal(iterate_s(&st, "k", "k3", &c), "k3=new3;k5=new5;");
	assert_int_equal(state_get(&st, (const uint8_t *)"k4", 2, &val, &len), STATE_NOT_FOUND);
	assert_string_equal(iterate_s(&base, "k", NULL, &c), "k1=base1;k2=base2;k4=base4;");
	assert_int_equal(overlay_flush(&ov, &base), STATE_OK);
	assert_string_equal(iterate_s(&base, "k", NULL, &c), "k1=base1;k2=new2;k3=new3;k5=new5;");
	overlay_free(&ov);
	state_mem_free(&mem);
}

/* Random operations applied to a plain state and to an overlay over a copy
 * must read and iterate identically. */
static void test_overlay_matches_direct_writes_randomized(void **state UNUSED)
{
	uint64_t x = 12345;

	for (int round = 0; round < 50; round++) {
		struct state_mem direct_mem, base_mem;
		struct state direct, base, st;
		struct overlay ov;
		struct collect c1, c2;

		state_mem_init(&direct_mem, &direct);
		state_mem_init(&base_mem, &base);
		for (int i = 0; i < 30; i++) {
			char k[8];

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			snprintf(k, sizeof(k), "p%02u", (unsigned)(x >> 33) % 40);
			put_s(&direct, k, "b");
			put_s(&base, k, "b");
		}
		overlay_init(&ov, &base, &st);
		for (int i = 0; i < 60; i++) {
			char k[8], v[8];

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			snprintf(k, sizeof(k), "p%02u", (unsigned)(x >> 33) % 40);
			snprintf(v, sizeof(v), "v%d", i);
			if ((x >> 20) % 3 == 0) {
				del_s(&direct, k);
				del_s(&st, k);
			} else {
				put_s(&direct, k, v);
				put_s(&st, k, v);
			}
		}
		assert_string_equal(iterate_s(&direct, "p", NULL, &c1),
				    iterate_s(&st, "p", NULL, &c2));
		assert_string_equal(iterate_s(&direct, "p", "p2", &c1),
				    iterate_s(&st, "p", "p2", &c2));
		assert_int_equal(overlay_flush(&ov, &base), STATE_OK);
		assert_string_equal(iterate_s(&direct, "", NULL, &c1),
				    iterate_s(&base, "", NULL, &c2));
		overlay_free(&ov);
		state_mem_free(&direct_mem);
		state_mem_free(&base_mem);
	}
}

static void test_write_set_hash_is_order_independent_and_complete(void **state UNUSED)
{
	struct state_mem mem;
	struct state base, s1, s2;
	struct overlay o1, o2;
	uint8_t h1[32], h2[32], app1[32], app2[32], zero[32] = { 0 };

	state_mem_init(&mem, &base);
	overlay_init(&o1, &base, &s1);
	overlay_init(&o2, &base, &s2);
	put_s(&s1, "a", "1");
	put_s(&s1, "b", "2");
	del_s(&s1, "c");
	del_s(&s2, "c");
	put_s(&s2, "b", "2");
	put_s(&s2, "a", "1");
	overlay_write_set_hash(&o1, h1);
	overlay_write_set_hash(&o2, h2);
	assert_memory_equal(h1, h2, 32);
	/* A deletion is part of the write set. */
	put_s(&s2, "c", "");
	overlay_write_set_hash(&o2, h2);
	assert_memory_not_equal(h1, h2, 32);
	/* The app hash chains the previous one. */
	overlay_app_hash(zero, h1, app1);
	overlay_app_hash(app1, h1, app2);
	assert_memory_not_equal(app1, app2, 32);
	overlay_free(&o1);
	overlay_free(&o2);
	state_mem_free(&mem);
}

static void test_nested_overlays_flush_into_parent_only(void **state UNUSED)
{
	struct state_mem mem;
	struct state base, block, tx;
	struct overlay block_ov, tx_ov;
	struct collect c;

	state_mem_init(&mem, &base);
	overlay_init(&block_ov, &base, &block);
	overlay_init(&tx_ov, &block, &tx);
	put_s(&tx, "x", "1");
	assert_string_equal(iterate_s(&block, "", NULL, &c), "");
	assert_int_equal(overlay_flush(&tx_ov, &block), STATE_OK);
	assert_string_equal(iterate_s(&block, "", NULL, &c), "x=1;");
	assert_string_equal(iterate_s(&base, "", NULL, &c), "");
	overlay_free(&tx_ov);
	overlay_free(&block_ov);
	state_mem_free(&mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_mem_get_put_delete),
		cmocka_unit_test(test_state_rejects_out_of_bound_keys),
		cmocka_unit_test(test_state_mem_iterates_prefix_in_order_from_start),
		cmocka_unit_test(test_overlay_shadows_base_and_leaves_it_untouched),
		cmocka_unit_test(test_overlay_matches_direct_writes_randomized),
		cmocka_unit_test(test_write_set_hash_is_order_independent_and_complete),
		cmocka_unit_test(test_nested_overlays_flush_into_parent_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
