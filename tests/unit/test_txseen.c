/* test_txseen.c: unit tests of the node's table of recent tx ids
 * (node/txseen.c): flags add up per id, an ask is refused within its
 * window and allowed after it, ids noted before a generation turns over
 * are still known, the oldest ones are forgotten after two turnovers, and
 * a long run of ids in one table keeps lookups right. */
#include "node/txseen.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

/* A distinct id for every n. */
static void id_of(uint32_t n, uint8_t id[HASH_SIZE])
{
	memset(id, 0xa5, HASH_SIZE);
	memcpy(id, &n, sizeof(n));
}

static int setup(void **state)
{
	struct txseen *s = malloc(sizeof(*s));

	if (s == NULL || txseen_init(s) != 0) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	txseen_free(*state);
	free(*state);
	return 0;
}

static void test_flags_add_up(void **state)
{
	struct txseen *s = *state;
	uint8_t a[HASH_SIZE], b[HASH_SIZE];

	id_of(1, a);
	id_of(2, b);
	assert_int_equal(txseen_flags(s, a), 0);
	txseen_note(s, a, TXSEEN_VERIFIED);
	assert_int_equal(txseen_flags(s, a), TXSEEN_VERIFIED);
	txseen_note(s, a, TXSEEN_COMMITTED);
	assert_int_equal(txseen_flags(s, a), TXSEEN_VERIFIED | TXSEEN_COMMITTED);
	assert_int_equal(txseen_flags(s, b), 0);
	/* Nothing to note adds no entry. */
	txseen_note(s, b, 0);
	assert_int_equal(txseen_flags(s, b), 0);
	assert_int_equal(s->gen[s->cur].count, 1);
}

static void test_ask_window(void **state)
{
	struct txseen *s = *state;
	uint8_t a[HASH_SIZE];

	id_of(7, a);
	assert_false(txseen_ask(s, a, 1000, 5000));
	assert_true(txseen_ask(s, a, 1001, 5000));
	assert_true(txseen_ask(s, a, 5999, 5000));
	assert_false(txseen_ask(s, a, 6000, 5000)); /* asked again now */
	assert_true(txseen_ask(s, a, 6001, 5000));
	txseen_note(s, a, TXSEEN_VERIFIED);
	assert_int_equal(txseen_flags(s, a), TXSEEN_ASKED | TXSEEN_VERIFIED);
}

/* Notes ids first..first+n-1 as verified. */
static void note_range(struct txseen *s, uint32_t first, uint32_t n)
{
	uint8_t id[HASH_SIZE];

	for (uint32_t i = 0; i < n; i++) {
		id_of(first + i, id);
		txseen_note(s, id, TXSEEN_VERIFIED);
	}
}

static bool known(const struct txseen *s, uint32_t n)
{
	uint8_t id[HASH_SIZE];

	id_of(n, id);
	return txseen_flags(s, id) != 0;
}

static void test_generations(void **state)
{
	struct txseen *s = *state;
	uint8_t id[HASH_SIZE];

	/* A full generation, then one more id: the other one becomes current
	 * and the first TXSEEN_GEN_MAX ids are still known from the old one. */
	note_range(s, 0, TXSEEN_GEN_MAX + 1);
	assert_int_equal(s->gen[s->cur].count, 1);
	for (uint32_t i = 0; i <= TXSEEN_GEN_MAX; i++)
		assert_true(known(s, i));
	/* An old id noted again moves to the current generation with its
	 * flags, and keeps them after the next turnover. */
	id_of(5, id);
	txseen_note(s, id, TXSEEN_COMMITTED);
	note_range(s, TXSEEN_GEN_MAX + 1, TXSEEN_GEN_MAX);
	assert_int_equal(txseen_flags(s, id), TXSEEN_VERIFIED | TXSEEN_COMMITTED);
	/* Two turnovers later the ids of the first generation are forgotten,
	 * the later ones still known. */
	assert_false(known(s, 0));
	assert_false(known(s, TXSEEN_GEN_MAX - 1));
	assert_true(known(s, TXSEEN_GEN_MAX));
	assert_true(known(s, 2 * TXSEEN_GEN_MAX));
	assert_false(known(s, 3 * TXSEEN_GEN_MAX + 10));
}

static void test_ask_survives_turnover(void **state)
{
	struct txseen *s = *state;
	uint8_t a[HASH_SIZE];

	id_of(0xfffffff0u, a);
	assert_false(txseen_ask(s, a, 100, 5000));
	note_range(s, 0, TXSEEN_GEN_MAX); /* a is now in the old generation */
	assert_true(txseen_ask(s, a, 200, 5000));
	assert_false(txseen_ask(s, a, 5100, 5000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_flags_add_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_generations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ask_survives_turnover, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
