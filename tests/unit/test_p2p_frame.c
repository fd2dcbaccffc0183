/* test_p2p_frame.c: unit tests of the encrypted P2P frames (node/p2p_frame.c):
 * round trips, tampering, replay, reordering, the cap checked before any
 * allocation, and streams split or coalesced at every byte. */
#include "node/p2p_frame.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

struct pair {
	struct p2p_frame_tx tx;
	struct p2p_frame_rx rx;
};

static void pair_init(struct pair *p, size_t max_plain)
{
	uint8_t key[P2P_FRAME_KEY_SIZE];

	randombytes_buf(key, sizeof(key));
	p2p_frame_tx_init(&p->tx, key, max_plain);
	p2p_frame_rx_init(&p->rx, key, max_plain);
}

static void pair_wipe(struct pair *p)
{
	p2p_frame_tx_wipe(&p->tx);
	p2p_frame_rx_wipe(&p->rx);
}

static uint8_t *seal(struct pair *p, const char *text, size_t *len)
{
	uint8_t *out;

	assert_int_equal(p2p_frame_seal(&p->tx, (const uint8_t *)text, strlen(text), &out, len),
			 P2P_FRAME_OK);
	assert_int_equal(*len, strlen(text) + P2P_FRAME_OVERHEAD);
	return out;
}

/* Feeds a whole buffer; returns the status of the last call and the frame. */
static enum p2p_frame_status open_all(struct p2p_frame_rx *rx, const uint8_t *data, size_t len,
				      uint8_t **plain, size_t *plain_len)
{
	size_t used;
	enum p2p_frame_status st = p2p_frame_open(rx, data, len, &used, plain, plain_len);

	if (st == P2P_FRAME_OK)
		assert_int_equal(used, len);
	return st;
}

static void test_frame_round_trip(void **state UNUSED)
{
	struct pair p;
	uint8_t *frame, *plain;
	size_t len, plain_len;

	pair_init(&p, 1024);
	for (int i = 0; i < 3; i++) {
		frame = seal(&p, "hello, peer", &len);
		assert_int_equal(open_all(&p.rx, frame, len, &plain, &plain_len), P2P_FRAME_OK);
		assert_int_equal(plain_len, 11);
		assert_memory_equal(plain, "hello, peer", 11);
		free(plain);
		free(frame);
	}
	/* An empty plaintext is a valid frame. */
	frame = seal(&p, "", &len);
	assert_int_equal(open_all(&p.rx, frame, len, &plain, &plain_len), P2P_FRAME_OK);
	assert_non_null(plain);
	assert_int_equal(plain_len, 0);
	free(plain);
	free(frame);
	pair_wipe(&p);
}

static void test_frame_tampered_byte_is_rejected(void **state UNUSED)
{
	uint8_t *frame, *plain;
	size_t len, plain_len;

	/* Every byte of body and tag, and the length bytes that keep the
	 * length legal, are covered by the tag. */
	for (size_t at = 3; at < 20 + 5; at++) {
		struct pair p;

		pair_init(&p, 1024);
		frame = seal(&p, "pay 5 to bob", &len);
		if (at < P2P_FRAME_HEADER_SIZE)
			frame[at] ^= 0x01; /* length 28 -> 29: one byte short, never completes */
		else
			frame[at] ^= 0x80;
		if (at < P2P_FRAME_HEADER_SIZE) {
			uint8_t extra = 0;
			size_t used;

			assert_int_equal(open_all(&p.rx, frame, len, &plain, &plain_len),
					 P2P_FRAME_NEED_MORE);
			assert_int_equal(
				p2p_frame_open(&p.rx, &extra, 1, &used, &plain, &plain_len),
				P2P_FRAME_BAD_AUTH);
		} else {
			assert_int_equal(open_all(&p.rx, frame, len, &plain, &plain_len),
					 P2P_FRAME_BAD_AUTH);
		}
		assert_null(plain);
		free(frame);
		pair_wipe(&p);
	}
}

static void test_frame_replay_and_reorder_are_rejected(void **state UNUSED)
{
	struct pair p;
	uint8_t *f1, *f2, *plain;
	size_t l1, l2, plain_len;

	pair_init(&p, 1024);
	f1 = seal(&p, "first", &l1);
	f2 = seal(&p, "second", &l2);
	assert_int_equal(open_all(&p.rx, f1, l1, &plain, &plain_len), P2P_FRAME_OK);
	free(plain);
	/* Replaying the first frame in the second's place fails, and the
	 * stream stays dead even for the genuine second frame. */
	assert_int_equal(open_all(&p.rx, f1, l1, &plain, &plain_len), P2P_FRAME_BAD_AUTH);
	assert_int_equal(open_all(&p.rx, f2, l2, &plain, &plain_len), P2P_FRAME_BAD_AUTH);
	pair_wipe(&p);

	/* Reordered: the second frame arrives first. */
	pair_init(&p, 1024);
	free(f1);
	free(f2);
	f1 = seal(&p, "first", &l1);
	f2 = seal(&p, "second", &l2);
	assert_int_equal(open_all(&p.rx, f2, l2, &plain, &plain_len), P2P_FRAME_BAD_AUTH);
	free(f1);
	free(f2);
	pair_wipe(&p);
}

static void test_frame_wrong_key_is_rejected(void **state UNUSED)
{
	struct pair a, b;
	uint8_t *frame, *plain;
	size_t len, plain_len;

	pair_init(&a, 1024);
	pair_init(&b, 1024);
	frame = seal(&a, "secret", &len);
	assert_int_equal(open_all(&b.rx, frame, len, &plain, &plain_len), P2P_FRAME_BAD_AUTH);
	free(frame);
	pair_wipe(&a);
	pair_wipe(&b);
}

static void test_frame_oversize_length_is_rejected_before_allocation(void **state UNUSED)
{
	struct pair p;
	uint8_t header[4] = { 0xff, 0xff, 0xff, 0xff };
	uint8_t *plain;
	size_t used, plain_len;

	pair_init(&p, 1024);
	/* 4 GiB declared: rejected from the header alone, nothing allocated. */
	assert_int_equal(p2p_frame_open(&p.rx, header, 4, &used, &plain, &plain_len),
			 P2P_FRAME_TOO_LARGE);
	assert_int_equal(used, 4);
	assert_null(p.rx.body);
	pair_wipe(&p);

	/* One byte above the cap. */
	pair_init(&p, 1024);
	header[0] = 0;
	header[1] = 0;
	header[2] = (1024 + 16 + 1) >> 8;
	header[3] = (1024 + 16 + 1) & 0xff;
	assert_int_equal(p2p_frame_open(&p.rx, header, 4, &used, &plain, &plain_len),
			 P2P_FRAME_TOO_LARGE);
	assert_null(p.rx.body);
	pair_wipe(&p);

	/* Shorter than a tag. */
	pair_init(&p, 1024);
	header[2] = 0;
	header[3] = 15;
	assert_int_equal(p2p_frame_open(&p.rx, header, 4, &used, &plain, &plain_len),
			 P2P_FRAME_TOO_SHORT);
	pair_wipe(&p);
}

static void test_frame_seal_refuses_above_cap(void **state UNUSED)
{
	struct pair p;
	uint8_t big[65] = { 0 };
	uint8_t *out;
	size_t out_len;

	pair_init(&p, 64);
	assert_int_equal(p2p_frame_seal(&p.tx, big, sizeof(big), &out, &out_len),
			 P2P_FRAME_TOO_LARGE);
	assert_null(out);
	assert_int_equal(p2p_frame_seal(&p.tx, big, 64, &out, &out_len), P2P_FRAME_OK);
	free(out);
	pair_wipe(&p);
}

static void test_frame_split_reads_byte_by_byte(void **state UNUSED)
{
	struct pair p;
	uint8_t *frame, *plain;
	size_t len, used, plain_len;

	pair_init(&p, 1024);
	frame = seal(&p, "split across many reads", &len);
	for (size_t i = 0; i < len; i++) {
		enum p2p_frame_status st =
			p2p_frame_open(&p.rx, frame + i, 1, &used, &plain, &plain_len);

		assert_int_equal(used, 1);
		assert_true(p2p_frame_rx_partial(&p.rx) || i == len - 1);
		if (i < len - 1) {
			assert_int_equal(st, P2P_FRAME_NEED_MORE);
		} else {
			assert_int_equal(st, P2P_FRAME_OK);
			assert_int_equal(plain_len, 23);
			assert_memory_equal(plain, "split across many reads", 23);
			free(plain);
		}
	}
	assert_false(p2p_frame_rx_partial(&p.rx));
	free(frame);
	pair_wipe(&p);
}

static void test_frame_coalesced_reads(void **state UNUSED)
{
	static const char *texts[] = { "one", "", "three three", "four" };
	struct pair p;
	uint8_t stream[256];
	size_t stream_len = 0, pos = 0, used, plain_len;
	uint8_t *plain;
	int got = 0;

	pair_init(&p, 1024);
	for (int i = 0; i < 4; i++) {
		size_t len;
		uint8_t *frame = seal(&p, texts[i], &len);

		memcpy(stream + stream_len, frame, len);
		stream_len += len;
		free(frame);
	}
	/* All four frames plus half of nothing: one call per frame. */
	while (pos < stream_len) {
		assert_int_equal(p2p_frame_open(&p.rx, stream + pos, stream_len - pos, &used,
						&plain, &plain_len),
				 P2P_FRAME_OK);
		assert_int_equal(plain_len, strlen(texts[got]));
		assert_memory_equal(plain, texts[got], plain_len);
		free(plain);
		pos += used;
		got++;
	}
	assert_int_equal(got, 4);
	pair_wipe(&p);
}

static void test_frame_truncated_stream_is_partial(void **state UNUSED)
{
	struct pair p;
	uint8_t *frame, *plain;
	size_t len, used, plain_len;

	pair_init(&p, 1024);
	frame = seal(&p, "cut short", &len);
	assert_int_equal(p2p_frame_open(&p.rx, frame, len - 1, &used, &plain, &plain_len),
			 P2P_FRAME_NEED_MORE);
	assert_int_equal(used, len - 1);
	/* The connection ends here: the transport sees a partial frame. */
	assert_true(p2p_frame_rx_partial(&p.rx));
	free(frame);
	pair_wipe(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_round_trip),
		cmocka_unit_test(test_frame_tampered_byte_is_rejected),
		cmocka_unit_test(test_frame_replay_and_reorder_are_rejected),
		cmocka_unit_test(test_frame_wrong_key_is_rejected),
		cmocka_unit_test(test_frame_oversize_length_is_rejected_before_allocation),
		cmocka_unit_test(test_frame_seal_refuses_above_cap),
		cmocka_unit_test(test_frame_split_reads_byte_by_byte),
		cmocka_unit_test(test_frame_coalesced_reads),
		cmocka_unit_test(test_frame_truncated_stream_is_partial),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
