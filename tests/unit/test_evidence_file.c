/* test_evidence_file.c: unit tests of evidence.dat's bytes
 * (node/evidence_file.c): a report (reported set, waiting and pending
 * evidence) survives the round trip, and a file
 * truncated, damaged, of another version or over the bounds is refused
 * without touching the report it was decoded into. */
#include "node/evidence_file.h"

#include <string.h>

#include <sodium.h>

#include "tests/unit/test_util.h"

/* A validator key whose bytes say which one it is. */
static void key_of(int who, uint8_t key[PUBKEY_SIZE])
{
	memset(key, 0x40 + who, PUBKEY_SIZE);
}

/* Two prevotes of validator who at (height, round) for different blocks. */
static struct evidence vote_evidence(int who, uint64_t height, uint32_t round)
{
	struct vote x, y;
	struct duplicate_vote dv;
	struct evidence ev;

	memset(&x, 0, sizeof(x));
	x.type = VOTE_TYPE_PREVOTE;
	x.height = height;
	x.round = round;
	x.has_block = true;
	key_of(who, x.validator);
	memset(x.block_id, 0xaa, HASH_SIZE);
	memset(x.sig, 0x11, SIG_SIZE);
	y = x;
	y.has_block = false; /* nil */
	memset(y.block_id, 0, HASH_SIZE);
	memset(y.sig, 0x22, SIG_SIZE);
	assert_int_equal(evidence_from_votes(&x, &y, &dv), 0);
	memset(&ev, 0, sizeof(ev));
	evidence_of_votes(&dv, &ev);
	return ev;
}

/* Two proposals of proposer who at (height, round) for different blocks. */
static struct evidence proposal_evidence(int who, uint64_t height, uint32_t round)
{
	struct evidence ev;
	struct proposal_header *a = &ev.u.proposal.a, *b = &ev.u.proposal.b;

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVIDENCE_KIND_DUPLICATE_PROPOSAL;
	a->height = height;
	a->round = round;
	a->pol_round = -1;
	memset(a->block_id, 0x01, HASH_SIZE);
	key_of(who, a->proposer);
	memset(a->sig, 0x33, SIG_SIZE);
	*b = *a;
	memset(b->block_id, 0x02, HASH_SIZE);
	memset(b->sig, 0x44, SIG_SIZE);
	return ev;
}

/* A report with a full (wrapped) reported ring, and full waiting and
 * pending lists of both kinds. */
static void full_report(struct evidence_report *r)
{
	uint8_t key[PUBKEY_SIZE], id[HASH_SIZE];

	evidence_report_init(r);
	for (int i = 0; i < EVIDENCE_REPORT_SEEN_MAX + 5; i++) {
		key_of(i % 7, key);
		assert_true(evidence_report_mark(r, key, 100 + (uint64_t)i));
	}
	assert_int_equal(r->next_seen, 5);
	for (int i = 0; i < EVIDENCE_REPORT_WAITING_MAX; i++) {
		struct evidence ev = i % 2 == 0 ? vote_evidence(i, 200 + (uint64_t)i, (uint32_t)i)
						: proposal_evidence(i, 200 + (uint64_t)i, 3);

		assert_true(evidence_report_wait(r, &ev));
	}
	for (int i = 0; i < EVIDENCE_REPORT_PENDING_MAX; i++) {
		struct evidence ev = i % 2 == 0 ? proposal_evidence(i, 50 + (uint64_t)i, 1)
						: vote_evidence(i, 50 + (uint64_t)i, 0);

		memset(id, 0x80 + i, HASH_SIZE);
		evidence_report_add_pending(r, id, &ev);
	}
}

/* Field by field (struct copies need not copy padding). */
static void assert_same_evidence(const struct evidence *x, const struct evidence *y)
{
	assert_int_equal(x->kind, y->kind);
	assert_int_equal(evidence_height(x), evidence_height(y));
	assert_int_equal(evidence_round(x), evidence_round(y));
	assert_memory_equal(evidence_offender(x), evidence_offender(y), PUBKEY_SIZE);
}

static void put_u32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the checksum of data[0..len) after an edit. */
static void reseal(uint8_t *data, size_t len)
{
	assert_int_equal(crypto_generichash(data + len - HASH_SIZE, HASH_SIZE, data,
					    len - HASH_SIZE, NULL, 0),
			 0);
}

/* Compares field by field (struct copies need not copy padding), then
 * the bytes both encode to. */
static void assert_same_reports(const struct evidence_report *x, const struct evidence_report *y)
{
	uint8_t *dx, *dy;
	size_t lx, ly;

	assert_int_equal(x->num_seen, y->num_seen);
	assert_int_equal(x->next_seen, y->next_seen);
	assert_memory_equal(x->seen, y->seen, x->num_seen * sizeof(x->seen[0]));
	assert_int_equal(x->num_waiting, y->num_waiting);
	for (size_t i = 0; i < x->num_waiting; i++)
		assert_same_evidence(&x->waiting[i], &y->waiting[i]);
	assert_int_equal(x->num_pending, y->num_pending);
	assert_memory_equal(x->pending, y->pending, x->num_pending * HASH_SIZE);
	for (size_t i = 0; i < x->num_pending; i++)
		assert_same_evidence(&x->pending_ev[i], &y->pending_ev[i]);
	assert_int_equal(evidence_file_encode(x, &dx, &lx), 0);
	assert_int_equal(evidence_file_encode(y, &dy, &ly), 0);
	assert_int_equal(lx, ly);
	assert_memory_equal(dx, dy, lx);
	free(dx);
	free(dy);
}

/* Encodes a full report. Out: *len. */
static uint8_t *encode_full(size_t *len)
{
	struct evidence_report r;
	uint8_t *data;

	full_report(&r);
	assert_int_equal(evidence_file_encode(&r, &data, len), 0);
	assert_true(*len <= EVIDENCE_FILE_MAX);
	return data;
}

/* Decodes data into a report holding one marked pair, and checks that a
 * refusal leaves it so. Returns the status. */
static enum evidence_file_status decode_into_marked(const uint8_t *data, size_t len)
{
	struct evidence_report r, before;
	uint8_t key[PUBKEY_SIZE];
	enum evidence_file_status st;

	evidence_report_init(&r);
	key_of(9, key);
	assert_true(evidence_report_mark(&r, key, 7));
	before = r;
	st = evidence_file_decode(data, len, &r);
	if (st != EVIDENCE_FILE_OK)
		assert_memory_equal(&r, &before, sizeof(r));
	return st;
}

static void test_full_report_round_trips(void **state UNUSED)
{
	struct evidence_report r, back;
	uint8_t *data;
	size_t len;

	full_report(&r);
	assert_int_equal(evidence_file_encode(&r, &data, &len), 0);
	evidence_report_init(&back);
	back.submitted = 3;
	assert_int_equal(evidence_file_decode(data, len, &back), EVIDENCE_FILE_OK);
	assert_same_reports(&r, &back);
	assert_int_equal(back.submitted, 0);
	assert_int_equal(back.num_pending, EVIDENCE_REPORT_PENDING_MAX);
	/* The ring goes on where it stopped: the oldest pair is replaced. */
	assert_false(evidence_report_mark(&back, r.seen[4].validator, r.seen[4].height));
	assert_true(evidence_report_mark(&back, r.seen[5].validator, 999));
	assert_int_equal(back.next_seen, 6);
	free(data);
}

static void test_empty_and_partial_reports_round_trip(void **state UNUSED)
{
	struct evidence_report r, back;
	struct evidence ev = proposal_evidence(1, 42, 2);
	uint8_t key[PUBKEY_SIZE], *data;
	size_t len;

	evidence_report_init(&r);
	assert_int_equal(evidence_file_encode(&r, &data, &len), 0);
	assert_int_equal(len, EVIDENCE_FILE_HEADER + HASH_SIZE);
	assert_int_equal(evidence_file_decode(data, len, &back), EVIDENCE_FILE_OK);
	assert_same_reports(&r, &back);
	free(data);

	key_of(1, key);
	assert_true(evidence_report_mark(&r, key, 42));
	assert_true(evidence_report_wait(&r, &ev));
	assert_int_equal(evidence_file_encode(&r, &data, &len), 0);
	assert_int_equal(evidence_file_decode(data, len, &back), EVIDENCE_FILE_OK);
	assert_same_reports(&r, &back);
	assert_int_equal(evidence_height(&back.waiting[0]), 42);
	assert_memory_equal(evidence_offender(&back.waiting[0]), key, PUBKEY_SIZE);
	free(data);
}

static void test_truncated_file_is_rejected(void **state UNUSED)
{
	size_t len;
	uint8_t *data = encode_full(&len);

	for (size_t n = 0; n < len; n++)
		assert_int_not_equal(decode_into_marked(data, n), EVIDENCE_FILE_OK);
	assert_int_equal(decode_into_marked(data, len - 1), EVIDENCE_FILE_TRUNCATED);
	assert_int_equal(decode_into_marked(data, EVIDENCE_FILE_HEADER), EVIDENCE_FILE_TRUNCATED);
	free(data);
}

static void test_bad_checksum_is_rejected(void **state UNUSED)
{
	size_t len;
	uint8_t *data = encode_full(&len);

	/* Every byte after the header's fixed fields, the checksum included. */
	for (size_t i = 12; i < len; i += 37) {
		data[i] ^= 0x01;
		assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_CHECKSUM);
		data[i] ^= 0x01;
	}
	data[len - 1] ^= 0x80;
	assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_CHECKSUM);
	free(data);
}

static void test_wrong_version_or_magic_is_rejected(void **state UNUSED)
{
	size_t len;
	uint8_t *data = encode_full(&len);

	put_u32(data + 4, EVIDENCE_FILE_VERSION + 1);
	reseal(data, len);
	assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_VERSION);
	put_u32(data + 4, 0);
	reseal(data, len);
	assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_VERSION);
	put_u32(data + 4, EVIDENCE_FILE_VERSION);
	data[0] = 'X';
	reseal(data, len);
	assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_MAGIC);
	free(data);
}

/* Sets the u32 at off of a copy of the full file, reseals it and decodes. */
static enum evidence_file_status decode_with_u32(size_t off, uint32_t v)
{
	size_t len;
	uint8_t *data = encode_full(&len);
	enum evidence_file_status st;

	put_u32(data + off, v);
	reseal(data, len);
	st = decode_into_marked(data, len);
	free(data);
	return st;
}

static void test_over_the_bounds_is_rejected(void **state UNUSED)
{
	size_t len,
		first_item = EVIDENCE_FILE_HEADER + EVIDENCE_REPORT_SEEN_MAX * EVIDENCE_FILE_PAIR;
	uint8_t *data = encode_full(&len), *big;

	assert_int_equal(decode_with_u32(12, EVIDENCE_REPORT_SEEN_MAX + 1),
			 EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(12, UINT32_MAX), EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(16, EVIDENCE_REPORT_SEEN_MAX), EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(20, EVIDENCE_REPORT_WAITING_MAX + 1),
			 EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(24, EVIDENCE_REPORT_PENDING_MAX + 1),
			 EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(first_item, EVIDENCE_FILE_ITEM_MAX + 1),
			 EVIDENCE_FILE_OVER_BOUNDS);
	assert_int_equal(decode_with_u32(8, EVIDENCE_FILE_MAX + 1), EVIDENCE_FILE_OVER_BOUNDS);
	/* A ring that is not full starts at 0. */
	assert_int_equal(decode_with_u32(12, EVIDENCE_REPORT_SEEN_MAX - 1),
			 EVIDENCE_FILE_OVER_BOUNDS);

	/* Bytes past the last entry, counted in the length. */
	big = malloc(len + 8);
	assert_non_null(big);
	memcpy(big, data, len - HASH_SIZE);
	memset(big + len - HASH_SIZE, 0, 8);
	put_u32(big + 8, (uint32_t)(len + 8));
	reseal(big, len + 8);
	assert_int_equal(decode_into_marked(big, len + 8), EVIDENCE_FILE_OVER_BOUNDS);
	free(big);
	free(data);
}

static void test_malformed_evidence_is_rejected(void **state UNUSED)
{
	size_t len,
		first_item = EVIDENCE_FILE_HEADER + EVIDENCE_REPORT_SEEN_MAX * EVIDENCE_FILE_PAIR;
	uint8_t *data = encode_full(&len);

	memset(data + first_item + 4, 0xff, 8);
	reseal(data, len);
	assert_int_equal(decode_into_marked(data, len), EVIDENCE_FILE_BAD_EVIDENCE);
	free(data);
}

static void test_encode_refuses_a_report_over_the_bounds(void **state UNUSED)
{
	struct evidence_report r;
	uint8_t *data;
	size_t len;

	evidence_report_init(&r);
	r.num_waiting = EVIDENCE_REPORT_WAITING_MAX + 1;
	assert_int_equal(evidence_file_encode(&r, &data, &len), -1);
	assert_null(data);
	evidence_report_init(&r);
	r.num_pending = EVIDENCE_REPORT_PENDING_MAX + 1;
	assert_int_equal(evidence_file_encode(&r, &data, &len), -1);
	assert_null(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_report_round_trips),
		cmocka_unit_test(test_empty_and_partial_reports_round_trip),
		cmocka_unit_test(test_truncated_file_is_rejected),
		cmocka_unit_test(test_bad_checksum_is_rejected),
		cmocka_unit_test(test_wrong_version_or_magic_is_rejected),
		cmocka_unit_test(test_over_the_bounds_is_rejected),
		cmocka_unit_test(test_malformed_evidence_is_rejected),
		cmocka_unit_test(test_encode_refuses_a_report_over_the_bounds),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
