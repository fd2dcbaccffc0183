/* codec.c: strict protobuf decoding over protobuf-c. protobuf-c parses the
 * bytes and checks required fields; this file walks the result through the
 * message descriptors to enforce Hearth's extra rules, then re-encodes once
 * to insist on the canonical form. */
#include "proto/codec.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *codec_strerror(enum codec_status status)
{
	switch (status) {
	case CODEC_OK:
		return "ok";
	case CODEC_TOO_LARGE:
		return "record too large";
	case CODEC_MALFORMED:
		return "malformed record or missing required field";
	case CODEC_UNKNOWN_FIELD:
		return "unknown field";
	case CODEC_ONEOF_UNSET:
		return "unknown or missing variant";
	case CODEC_BAD_ENUM:
		return "unknown enum value";
	case CODEC_NOT_CANONICAL:
		return "non-canonical encoding";
	case CODEC_NO_MEMORY:
		return "out of memory";
	}
	return "unknown codec error";
}

static enum codec_status fail(struct codec_error *err, enum codec_status st,
			      const ProtobufCMessageDescriptor *desc, const char *field)
{
	if (err != NULL) {
		err->status = st;
		snprintf(err->text, sizeof(err->text), "%s: %s%s%s", desc ? desc->name : "record",
			 codec_strerror(st), field ? " " : "", field ? field : "");
	}
	return st;
}

static const void *member_at(const ProtobufCMessage *msg, unsigned offset)
{
	return (const char *)msg + offset;
}

/* Number of values a field holds in msg: 0 or 1, or the repeated count. */
static size_t field_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
		const uint32_t *which = member_at(msg, f->quantifier_offset);

		return *which == f->id ? 1 : 0;
	}
	switch (f->label) {
	case PROTOBUF_C_LABEL_REQUIRED:
		return 1;
	case PROTOBUF_C_LABEL_REPEATED:
		return *(const size_t *)member_at(msg, f->quantifier_offset);
	case PROTOBUF_C_LABEL_OPTIONAL:
	case PROTOBUF_C_LABEL_NONE:
		if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_STRING)
			return *(void *const *)member_at(msg, f->offset) != NULL;
		if (f->quantifier_offset == 0)
			return 1;
		return *(const protobuf_c_boolean *)member_at(msg, f->quantifier_offset) ? 1 : 0;
	}
	return 0;
}

static enum codec_status check_field(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
				     struct codec_error *err)
{
	size_t n = field_count(msg, f);
	int repeated = f->label == PROTOBUF_C_LABEL_REPEATED;
	const void *base = member_at(msg, f->offset);

	if (n == 0)
		return CODEC_OK;
	/* An optional bool is written only when true: absent means false, so
	 * a present false would be a second encoding of the same record. */
	if (f->type == PROTOBUF_C_TYPE_BOOL && f->label == PROTOBUF_C_LABEL_OPTIONAL &&
	    !(f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) && !*(const protobuf_c_boolean *)base)
		return fail(err, CODEC_NOT_CANONICAL, msg->descriptor, f->name);
	if (repeated)
		base = *(void *const *)base;
	if (f->type == PROTOBUF_C_TYPE_ENUM) {
		const int *values = base;

		for (size_t i = 0; i < n; i++) {
			if (protobuf_c_enum_descriptor_get_value(f->descriptor, values[i]) == NULL)
				return fail(err, CODEC_BAD_ENUM, msg->descriptor, f->name);
		}
	} else if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
		for (size_t i = 0; i < n; i++) {
			const ProtobufCMessage *sub =
				repeated ? ((ProtobufCMessage *const *)base)[i]
					 : *(ProtobufCMessage *const *)member_at(msg, f->offset);
			enum codec_status st = codec_check(sub, err);

			if (st != CODEC_OK)
				return st;
		}
	}
	return CODEC_OK;
}

enum codec_status codec_check(const ProtobufCMessage *msg, struct codec_error *err)
{
	const ProtobufCMessageDescriptor *desc = msg->descriptor;

	if (msg->n_unknown_fields > 0)
		return fail(err, CODEC_UNKNOWN_FIELD, desc, NULL);
	for (unsigned i = 0; i < desc->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &desc->fields[i];
		enum codec_status st;

		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			const uint32_t *which = member_at(msg, f->quantifier_offset);

			if (*which == 0)
				return fail(err, CODEC_ONEOF_UNSET, desc, f->name);
		}
		st = check_field(msg, f, err);
		if (st != CODEC_OK)
			return st;
	}
	return CODEC_OK;
}

static enum codec_status check_canonical(const ProtobufCMessage *msg, const uint8_t *data,
					 size_t len, struct codec_error *err)
{
	size_t packed_len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf;
	int same;

	if (packed_len != len)
		return fail(err, CODEC_NOT_CANONICAL, msg->descriptor, NULL);
	buf = malloc(len > 0 ? len : 1);
	if (buf == NULL)
		return fail(err, CODEC_NO_MEMORY, msg->descriptor, NULL);
	same = protobuf_c_message_pack(msg, buf) == len && memcmp(buf, data, len) == 0;
	free(buf);
	if (!same)
		return fail(err, CODEC_NOT_CANONICAL, msg->descriptor, NULL);
	return CODEC_OK;
}

/* codec_decode, and its canonical check when canonical is set. */
static enum codec_status decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
				size_t len, size_t max_len, bool canonical, ProtobufCMessage **out,
				struct codec_error *err)
{
	ProtobufCMessage *msg;
	enum codec_status st;

	*out = NULL;
	if (err != NULL) {
		err->status = CODEC_OK;
		err->text[0] = '\0';
	}
	if (len > max_len)
		return fail(err, CODEC_TOO_LARGE, desc, NULL);
	msg = protobuf_c_message_unpack(desc, NULL, len, data);
	if (msg == NULL)
		return fail(err, CODEC_MALFORMED, desc, NULL);
	st = codec_check(msg, err);
	if (st == CODEC_OK && canonical)
		st = check_canonical(msg, data, len, err);
	if (st != CODEC_OK) {
		protobuf_c_message_free_unpacked(msg, NULL);
		return st;
	}
	*out = msg;
	return CODEC_OK;
}

enum codec_status codec_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
			       size_t len, size_t max_len, ProtobufCMessage **out,
			       struct codec_error *err)
{
	return decode(desc, data, len, max_len, true, out, err);
}

enum codec_status codec_decode_stored(const ProtobufCMessageDescriptor *desc, const uint8_t *data,
				      size_t len, size_t max_len, ProtobufCMessage **out,
				      struct codec_error *err)
{
	return decode(desc, data, len, max_len, false, out, err);
}

enum codec_status codec_encode(const ProtobufCMessage *msg, uint8_t **out, size_t *out_len)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len > 0 ? len : 1);

	*out = NULL;
	*out_len = 0;
	if (buf == NULL)
		return CODEC_NO_MEMORY;
	if (protobuf_c_message_pack(msg, buf) != len) {
		free(buf);
		return CODEC_NO_MEMORY;
	}
	*out = buf;
	*out_len = len;
	return CODEC_OK;
}

void codec_free(ProtobufCMessage *msg)
{
	if (msg != NULL)
		protobuf_c_message_free_unpacked(msg, NULL);
}
