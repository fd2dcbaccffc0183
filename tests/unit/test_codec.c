/* test_codec.c: unit tests of proto/codec.c. Every message of hearth.proto is
 * filled through its descriptor (every field, every oneof variant), encoded,
 * decoded and re-encoded; then the decoder is fed truncated, oversized,
 * non-canonical and random bytes and must answer with a clean error. */
#include "proto/codec.h"

#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static const ProtobufCMessageDescriptor *const all_messages[] = {
	&hearth__tx__descriptor,
	&hearth__tx_body__descriptor,
	&hearth__transfer__descriptor,
	&hearth__bond__descriptor,
	&hearth__unbond__descriptor,
	&hearth__resources__descriptor,
	&hearth__attribute__descriptor,
	&hearth__offer__descriptor,
	&hearth__cancel_offer__descriptor,
	&hearth__env_var__descriptor,
	&hearth__job__descriptor,
	&hearth__bid__descriptor,
	&hearth__cancel_bid__descriptor,
	&hearth__usage__descriptor,
	&hearth__outcome__descriptor,
	&hearth__receipt__descriptor,
	&hearth__receipt_commit__descriptor,
	&hearth__receipt_reveal__descriptor,
	&hearth__dispute__descriptor,
	&hearth__block_header__descriptor,
	&hearth__block__descriptor,
	&hearth__vote__descriptor,
	&hearth__proposal__descriptor,
	&hearth__commit_sig__descriptor,
	&hearth__commit__descriptor,
	&hearth__duplicate_vote__descriptor,
	&hearth__signed_proposal__descriptor,
	&hearth__duplicate_proposal__descriptor,
	&hearth__evidence__descriptor,
	&hearth__handshake__descriptor,
	&hearth__ping__descriptor,
	&hearth__pong__descriptor,
	&hearth__status__descriptor,
	&hearth__get_blocks__descriptor,
	&hearth__block_with_commit__descriptor,
	&hearth__blocks__descriptor,
	&hearth__get_peers__descriptor,
	&hearth__peer_address__descriptor,
	&hearth__peers__descriptor,
	&hearth__tx_ids__descriptor,
	&hearth__round_state__descriptor,
	&hearth__p2_pmessage__descriptor,
	&hearth__account__descriptor,
	&hearth__validator__descriptor,
	&hearth__offer_record__descriptor,
	&hearth__bid_record__descriptor,
	&hearth__lease__descriptor,
	&hearth__receipt_record__descriptor,
	&hearth__params__descriptor,
	&hearth__supply__descriptor,
	&hearth__unbonding_entry__descriptor,
	&hearth__validator_set__descriptor,
	&hearth__market_state__descriptor,
	&hearth__reputation__descriptor,
	&hearth__dispute_record__descriptor,
	&hearth__tie_break_record__descriptor,
};
#define N_MESSAGES (sizeof(all_messages) / sizeof(all_messages[0]))

static ProtobufCMessage *fill_message(const ProtobufCMessageDescriptor *d, unsigned variant);

static size_t value_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_FLOAT:
		return 4;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* Writes a sample value of f's type at p; k varies the value. */
static void fill_value(const ProtobufCFieldDescriptor *f, void *p, unsigned k, unsigned variant)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		*(int32_t *)p = -3 - (int32_t)k;
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		*(uint32_t *)p = 300u + k;
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		*(float *)p = 1.5f;
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		*(int64_t *)p = -((int64_t)1 << 40) - k;
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		*(uint64_t *)p = UINT64_MAX - k;
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		*(double *)p = 2.5;
		break;
	case PROTOBUF_C_TYPE_BOOL:
		*(protobuf_c_boolean *)p = 1;
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = f->descriptor;

		*(int *)p = ed->values[k % ed->n_values].value;
		break;
	}
	case PROTOBUF_C_TYPE_STRING:
		*(char **)p = strdup(k ? "second" : "first");
		assert_non_null(*(char **)p);
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;

		b->len = 32;
		b->data = malloc(32);
		assert_non_null(b->data);
		memset(b->data, 0xa0 + (int)k, 32);
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **)p = fill_message(f->descriptor, variant);
		break;
	}
}

/* Index of f among the members of its oneof, and the oneof's size. */
static void oneof_position(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
			   unsigned *index, unsigned *size)
{
	*index = 0;
	*size = 0;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *g = &d->fields[i];

		if (!(g->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) ||
		    g->quantifier_offset != f->quantifier_offset)
			continue;
		if (g == f)
			*index = *size;
		(*size)++;
	}
}

static void fill_field(const ProtobufCMessageDescriptor *d, ProtobufCMessage *m,
		       const ProtobufCFieldDescriptor *f, unsigned variant)
{
	char *base = (char *)m;

	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		unsigned index, size;

		oneof_position(d, f, &index, &size);
		if (variant % size != index)
			return;
		*(uint32_t *)(base + f->quantifier_offset) = f->id;
		fill_value(f, base + f->offset, 0, variant);
		return;
	}
	if (f->label == PROTOBUF_C_LABEL_REPEATED) {
		size_t sz = value_size(f);
		char *arr = calloc(2, sz);

		assert_non_null(arr);
		for (unsigned k = 0; k < 2; k++)
			fill_value(f, arr + k * sz, k, variant);
		*(size_t *)(base + f->quantifier_offset) = 2;
		*(void **)(base + f->offset) = arr;
		return;
	}
	if (f->label == PROTOBUF_C_LABEL_OPTIONAL && f->quantifier_offset != 0)
		*(protobuf_c_boolean *)(base + f->quantifier_offset) = 1;
	fill_value(f, base + f->offset, 0, variant);
}

/* A message of type d with every field set; allocations are freed by
 * protobuf_c_message_free_unpacked. */
static ProtobufCMessage *fill_message(const ProtobufCMessageDescriptor *d, unsigned variant)
{
	ProtobufCMessage *m = calloc(1, d->sizeof_message);

	assert_non_null(m);
	protobuf_c_message_init(d, m);
	for (unsigned i = 0; i < d->n_fields; i++)
		fill_field(d, m, &d->fields[i], variant);
	return m;
}

/* Largest oneof of d: how many variants a round trip must try. */
static unsigned max_variants(const ProtobufCMessageDescriptor *d)
{
	unsigned most = 1;

	for (unsigned i = 0; i < d->n_fields; i++) {
		unsigned index, size;

		if (!(d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF))
			continue;
		oneof_position(d, &d->fields[i], &index, &size);
		if (size > most)
			most = size;
	}
	return most;
}

static void roundtrip(const ProtobufCMessageDescriptor *d, unsigned variant)
{
	ProtobufCMessage *m = fill_message(d, variant), *back = NULL;
	uint8_t *enc = NULL, *enc2 = NULL;
	size_t len, len2;
	struct codec_error err;

	assert_int_equal(codec_check(m, &err), CODEC_OK);
	assert_int_equal(codec_encode(m, &enc, &len), CODEC_OK);
	if (codec_decode(d, enc, len, len, &back, &err) != CODEC_OK)
		fail_msg("%s variant %u: %s", d->name, variant, err.text);
	assert_int_equal(codec_encode(back, &enc2, &len2), CODEC_OK);
	assert_int_equal(len, len2);
	assert_memory_equal(enc, enc2, len);
	/* One byte under the cap is too large. */
	codec_free(back);
	if (len > 0) {
		assert_int_equal(codec_decode(d, enc, len, len - 1, &back, NULL), CODEC_TOO_LARGE);
		assert_null(back);
	}
	free(enc);
	free(enc2);
	protobuf_c_message_free_unpacked(m, NULL);
}

static void test_codec_every_message_roundtrips(void **state UNUSED)
{
	for (size_t i = 0; i < N_MESSAGES; i++) {
		unsigned n = max_variants(all_messages[i]);

		for (unsigned v = 0; v < n; v++)
			roundtrip(all_messages[i], v);
	}
}

/* Guards the list above: every message of hearth.proto is in it. */
static void test_codec_list_covers_every_proto_message(void **state UNUSED)
{
	char path[4096], line[512];
	FILE *f;
	size_t count = 0;

	snprintf(path, sizeof(path), "%s/proto/hearth.proto", TEST_SRCDIR);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL)
		count += strncmp(line, "message ", 8) == 0;
	fclose(f);
	assert_int_equal(count, N_MESSAGES);
}

/* Encodes a full TxBody with a transfer. Caller frees. */
static uint8_t *sample_body(size_t *len)
{
	ProtobufCMessage *m = fill_message(&hearth__tx_body__descriptor, 0);
	uint8_t *enc;

	assert_int_equal(codec_encode(m, &enc, len), CODEC_OK);
	protobuf_c_message_free_unpacked(m, NULL);
	return enc;
}

static void test_codec_rejects_every_truncation(void **state UNUSED)
{
	size_t len;
	uint8_t *enc = sample_body(&len);
	ProtobufCMessage *out;

	for (size_t cut = 0; cut < len; cut++) {
		struct codec_error err;
		enum codec_status st =
			codec_decode(&hearth__tx_body__descriptor, enc, cut, 1 << 20, &out, &err);

		assert_int_not_equal(st, CODEC_OK);
		assert_null(out);
		assert_true(strlen(err.text) > 0);
	}
	free(enc);
}

static void test_codec_rejects_oversized(void **state UNUSED)
{
	size_t len;
	uint8_t *enc = sample_body(&len);
	ProtobufCMessage *out;
	struct codec_error err;

	assert_int_equal(codec_decode(&hearth__tx_body__descriptor, enc, len, len - 1, &out, &err),
			 CODEC_TOO_LARGE);
	assert_null(out);
	assert_non_null(strstr(err.text, "hearth.TxBody"));
	free(enc);
}

static void test_codec_rejects_unknown_field(void **state UNUSED)
{
	/* Ping{nonce=1} followed by field 9 (varint 5). */
	static const uint8_t bytes[] = { 0x08, 0x01, 0x48, 0x05 };
	ProtobufCMessage *out;

	assert_int_equal(
		codec_decode(&hearth__ping__descriptor, bytes, sizeof(bytes), 64, &out, NULL),
		CODEC_UNKNOWN_FIELD);
	assert_int_equal(codec_decode(&hearth__ping__descriptor, bytes, 2, 64, &out, NULL),
			 CODEC_OK);
	codec_free(out);
}

static void test_codec_rejects_unset_and_unknown_oneof(void **state UNUSED)
{
	/* Evidence with no case, then with an unknown case (field 7, empty bytes). */
	static const uint8_t unknown[] = { 0x3a, 0x00 };
	ProtobufCMessage *out;

	assert_int_equal(codec_decode(&hearth__evidence__descriptor, unknown, 0, 64, &out, NULL),
			 CODEC_ONEOF_UNSET);
	assert_int_not_equal(codec_decode(&hearth__evidence__descriptor, unknown, sizeof(unknown),
					  64, &out, NULL),
			     CODEC_OK);
	assert_null(out);
}

static void test_codec_rejects_unknown_enum_value(void **state UNUSED)
{
	Hearth__Vote vote = HEARTH__VOTE__INIT;
	uint8_t id[32] = { 0 }, *enc;
	size_t len;
	ProtobufCMessage *out;
	struct codec_error err;

	vote.type = (Hearth__VoteType)7;
	vote.height = 1;
	vote.block_id.data = id;
	vote.block_id.len = 32;
	vote.validator = vote.block_id;
	vote.sig = vote.block_id;
	assert_int_equal(codec_encode(&vote.base, &enc, &len), CODEC_OK);
	assert_int_equal(codec_decode(&hearth__vote__descriptor, enc, len, 1024, &out, &err),
			 CODEC_BAD_ENUM);
	assert_non_null(strstr(err.text, "type"));
	free(enc);
}

static void test_codec_rejects_missing_required_field(void **state UNUSED)
{
	/* Transfer with only "amount" (field 2), "to" missing. */
	static const uint8_t bytes[] = { 0x10, 0x05 };
	ProtobufCMessage *out;

	assert_int_equal(
		codec_decode(&hearth__transfer__descriptor, bytes, sizeof(bytes), 64, &out, NULL),
		CODEC_MALFORMED);
}

static void test_codec_rejects_non_canonical_encodings(void **state UNUSED)
{
	/* Ping{nonce=1} with a redundant varint byte, then twice. */
	static const uint8_t padded[] = { 0x08, 0x81, 0x00 };
	static const uint8_t twice[] = { 0x08, 0x02, 0x08, 0x01 };
	/* Transfer with fields in reverse order. */
	static const uint8_t reversed[] = { 0x10, 0x05, 0x0a, 0x01, 0xaa };
	ProtobufCMessage *out;

	assert_int_equal(
		codec_decode(&hearth__ping__descriptor, padded, sizeof(padded), 64, &out, NULL),
		CODEC_NOT_CANONICAL);
	assert_int_equal(
		codec_decode(&hearth__ping__descriptor, twice, sizeof(twice), 64, &out, NULL),
		CODEC_NOT_CANONICAL);
	assert_int_equal(codec_decode(&hearth__transfer__descriptor, reversed, sizeof(reversed), 64,
				      &out, NULL),
			 CODEC_NOT_CANONICAL);
}

/* The decoding of stored records skips only the canonical check: the
 * non-canonical encodings above decode to the message their canonical
 * bytes give, and every other rule still rejects. */
static void test_codec_stored_skips_only_the_canonical_check(void **state UNUSED)
{
	static const uint8_t padded[] = { 0x08, 0x81, 0x00 };
	static const uint8_t unknown[] = { 0x08, 0x01, 0x48, 0x05 };
	static const uint8_t missing[] = { 0x10, 0x05 };
	ProtobufCMessage *out;

	assert_int_equal(codec_decode_stored(&hearth__ping__descriptor, padded, sizeof(padded), 64,
					     &out, NULL),
			 CODEC_OK);
	assert_int_equal(((Hearth__Ping *)out)->nonce, 1);
	codec_free(out);
	assert_int_equal(codec_decode_stored(&hearth__ping__descriptor, padded, sizeof(padded), 2,
					     &out, NULL),
			 CODEC_TOO_LARGE);
	assert_int_equal(codec_decode_stored(&hearth__ping__descriptor, unknown, sizeof(unknown),
					     64, &out, NULL),
			 CODEC_UNKNOWN_FIELD);
	assert_null(out);
	assert_int_equal(codec_decode_stored(&hearth__transfer__descriptor, missing,
					     sizeof(missing), 64, &out, NULL),
			 CODEC_MALFORMED);
	assert_null(out);
}

static void test_codec_optional_bool_is_present_only_when_true(void **state UNUSED)
{
	/* Bond{amount=1}, then with validator = true, false, and 2 */
	static const uint8_t plain[] = { 0x08, 0x01 };
	static const uint8_t yes[] = { 0x08, 0x01, 0x10, 0x01 };
	static const uint8_t no[] = { 0x08, 0x01, 0x10, 0x00 };
	static const uint8_t two[] = { 0x08, 0x01, 0x10, 0x02 };
	/* Account{0, 0, 0, 0} with validator = true, then false */
	static const uint8_t acct_yes[] = { 0x08, 0, 0x10, 0, 0x18, 0, 0x20, 0, 0x28, 0x01 };
	static const uint8_t acct_no[] = { 0x08, 0, 0x10, 0, 0x18, 0, 0x20, 0, 0x28, 0x00 };
	Hearth__Bond bond = HEARTH__BOND__INIT;
	ProtobufCMessage *out;
	uint8_t *enc;
	size_t len;

	assert_int_equal(
		codec_decode(&hearth__bond__descriptor, plain, sizeof(plain), 64, &out, NULL),
		CODEC_OK);
	assert_false(((Hearth__Bond *)out)->has_validator);
	codec_free(out);
	assert_int_equal(codec_decode(&hearth__bond__descriptor, yes, sizeof(yes), 64, &out, NULL),
			 CODEC_OK);
	assert_true(((Hearth__Bond *)out)->has_validator && ((Hearth__Bond *)out)->validator);
	assert_int_equal(codec_encode(out, &enc, &len), CODEC_OK);
	assert_int_equal(len, sizeof(yes));
	assert_memory_equal(enc, yes, len);
	free(enc);
	codec_free(out);
	assert_int_equal(codec_decode(&hearth__bond__descriptor, no, sizeof(no), 64, &out, NULL),
			 CODEC_NOT_CANONICAL);
	assert_int_equal(codec_decode(&hearth__bond__descriptor, two, sizeof(two), 64, &out, NULL),
			 CODEC_NOT_CANONICAL);
	assert_int_equal(codec_decode(&hearth__account__descriptor, acct_yes, sizeof(acct_yes), 64,
				      &out, NULL),
			 CODEC_OK);
	assert_true(((Hearth__Account *)out)->validator);
	codec_free(out);
	assert_int_equal(codec_decode(&hearth__account__descriptor, acct_no, sizeof(acct_no), 64,
				      &out, NULL),
			 CODEC_NOT_CANONICAL);
	/* encoders are told too */
	bond.amount = 1;
	bond.has_validator = 1;
	bond.validator = 0;
	assert_int_equal(codec_check(&bond.base, NULL), CODEC_NOT_CANONICAL);
	bond.validator = 1;
	assert_int_equal(codec_check(&bond.base, NULL), CODEC_OK);
}

static void test_codec_job_input_url_is_field_5_and_optional(void **state UNUSED)
{
	/* Job{argv=["x"]} as written before input_url existed, then with
	 * input_url = "http://h/" appended as field 5 (wire type 2). */
	static const uint8_t old[] = { 0x0a, 0x01, 'x' };
	static const uint8_t with_url[] = { 0x0a, 0x01, 'x', 0x2a, 0x09, 'h', 't',
					    't',  'p',	':', '/',  '/',	 'h', '/' };
	Hearth__Job job = HEARTH__JOB__INIT;
	char *argv[] = { "x" };
	ProtobufCMessage *out;
	uint8_t *enc;
	size_t len;

	assert_int_equal(codec_decode(&hearth__job__descriptor, old, sizeof(old), 64, &out, NULL),
			 CODEC_OK);
	assert_null(((Hearth__Job *)out)->input_url);
	assert_int_equal(codec_encode(out, &enc, &len), CODEC_OK);
	assert_int_equal(len, sizeof(old)); /* old bids keep their bytes */
	free(enc);
	codec_free(out);
	job.n_argv = 1;
	job.argv = argv;
	job.input_url = "http://h/";
	assert_int_equal(codec_encode(&job.base, &enc, &len), CODEC_OK);
	assert_int_equal(len, sizeof(with_url));
	assert_memory_equal(enc, with_url, len);
	free(enc);
	assert_int_equal(
		codec_decode(&hearth__job__descriptor, with_url, sizeof(with_url), 64, &out, NULL),
		CODEC_OK);
	assert_string_equal(((Hearth__Job *)out)->input_url, "http://h/");
	codec_free(out);
}

static void test_codec_random_bytes_never_crash(void **state UNUSED)
{
	uint8_t buf[256];
	uint64_t x = 0x9e3779b97f4a7c15ull;
	size_t accepted = 0;

	for (int iter = 0; iter < 20000; iter++) {
		const ProtobufCMessageDescriptor *d = all_messages[iter % N_MESSAGES];
		size_t len = (size_t)(iter % (int)sizeof(buf));
		ProtobufCMessage *out;

		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[i] = (uint8_t)x;
		}
		if (codec_decode(d, buf, len, sizeof(buf), &out, NULL) == CODEC_OK) {
			uint8_t *enc;
			size_t enc_len;

			accepted++;
			assert_int_equal(codec_encode(out, &enc, &enc_len), CODEC_OK);
			assert_int_equal(enc_len, len);
			assert_memory_equal(enc, buf, len);
			free(enc);
			codec_free(out);
		} else {
			assert_null(out);
		}
	}
	/* Random bytes are almost never a canonical record of these types. */
	assert_true(accepted < 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codec_every_message_roundtrips),
		cmocka_unit_test(test_codec_list_covers_every_proto_message),
		cmocka_unit_test(test_codec_rejects_every_truncation),
		cmocka_unit_test(test_codec_rejects_oversized),
		cmocka_unit_test(test_codec_rejects_unknown_field),
		cmocka_unit_test(test_codec_rejects_unset_and_unknown_oneof),
		cmocka_unit_test(test_codec_rejects_unknown_enum_value),
		cmocka_unit_test(test_codec_rejects_missing_required_field),
		cmocka_unit_test(test_codec_rejects_non_canonical_encodings),
		cmocka_unit_test(test_codec_optional_bool_is_present_only_when_true),
		cmocka_unit_test(test_codec_stored_skips_only_the_canonical_check),
		cmocka_unit_test(test_codec_job_input_url_is_field_5_and_optional),
		cmocka_unit_test(test_codec_random_bytes_never_crash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
