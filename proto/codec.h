/* codec.h: the one way Hearth decodes and encodes protobuf records. Decoding
 * is strict: a size cap, all required fields, every oneof set, known enum
 * values only, no unknown fields, and canonical bytes (the input must be what
 * encoding the decoded message gives back, and an optional bool is present
 * only when true, so no record has two encodings and no id is malleable). */
#ifndef HEARTH_PROTO_CODEC_H
#define HEARTH_PROTO_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "proto/hearth.pb-c.h"

enum codec_status {
	CODEC_OK = 0,
	CODEC_TOO_LARGE,     /* input longer than the caller's cap */
	CODEC_MALFORMED,     /* not a valid encoding, or a required field missing */
	CODEC_UNKNOWN_FIELD, /* a field number the schema does not know */
	CODEC_ONEOF_UNSET,   /* a mandatory oneof with no (known) case */
	CODEC_BAD_ENUM,	     /* an enum value the schema does not know */
	CODEC_NOT_CANONICAL, /* valid, but not the canonical encoding (or a false optional bool) */
	CODEC_NO_MEMORY,
};

struct codec_error {
	enum codec_status status;
	char text[160]; /* one line naming the message and field */
};

/* Decodes one message of type desc.
 * In:  desc; data, len: the encoding; max_len: reject anything longer.
 * Out: *out: the message, freed by the caller with codec_free (NULL on error);
 *      err (may be NULL): status and a one-line reason.
 * Returns CODEC_OK or the reason of the rejection. */
__attribute__((warn_unused_result)) enum codec_status
codec_decode(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
	     size_t max_len, ProtobufCMessage **out, struct codec_error *err);

/* As codec_decode, without the canonical check (the re-encoding and
 * comparison of the bytes): for records the node wrote itself with
 * codec_encode and reads back from its own state, which are canonical by
 * construction and covered by the app hash (doc/state.md, "Decoding
 * stored records"). Never for anything received. Every other rule holds. */
__attribute__((warn_unused_result)) enum codec_status
codec_decode_stored(const ProtobufCMessageDescriptor *desc, const uint8_t *data, size_t len,
		    size_t max_len, ProtobufCMessage **out, struct codec_error *err);

/* Encodes msg into a fresh buffer.
 * Out: *out (caller frees with free()), *out_len.
 * Returns CODEC_OK or CODEC_NO_MEMORY. */
__attribute__((warn_unused_result)) enum codec_status codec_encode(const ProtobufCMessage *msg,
								   uint8_t **out, size_t *out_len);

/* Checks the rules of codec_decode that concern an already-built message
 * (unknown fields, oneofs, enum values, recursively). Used by codec_decode and
 * by encoders that want to refuse to emit an invalid record. */
__attribute__((warn_unused_result)) enum codec_status codec_check(const ProtobufCMessage *msg,
								  struct codec_error *err);

/* Frees a message from codec_decode. NULL is allowed. */
void codec_free(ProtobufCMessage *msg);

/* A one-line description of status. Never NULL. */
const char *codec_strerror(enum codec_status status);

#endif
