/* record.h: reading and writing protobuf records in the state. Every stored
 * value of the ledger is a record of proto/hearth.proto (or empty), decoded
 * with the strict codec so a corrupt value is an error, never a guess. */
#ifndef HEARTH_CONSENSUS_RECORD_H
#define HEARTH_CONSENSUS_RECORD_H

#include "consensus/keys.h"
#include "consensus/state.h"
#include "proto/codec.h"

/* Reads and decodes the record under key[key_len], rejecting a value longer
 * than max_len. Out: *msg (caller frees with codec_free; NULL unless
 * STATE_OK). Returns STATE_OK, STATE_NOT_FOUND, or STATE_ERROR (state
 * failure or a value that does not decode as desc). Modules with key types
 * of their own (market/) build on this pair. */
__attribute__((warn_unused_result)) enum state_status
record_get_bytes(const struct state *st, const uint8_t *key, size_t key_len,
		 const ProtobufCMessageDescriptor *desc, size_t max_len, ProtobufCMessage **msg);

/* Encodes msg and writes it under key[key_len]. Returns STATE_OK or
 * STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status record_put_bytes(const struct state *st,
								       const uint8_t *key,
								       size_t key_len,
								       const ProtobufCMessage *msg);

/* Reads and decodes the record under k.
 * Out: *msg (caller frees with codec_free; NULL unless STATE_OK).
 * Returns STATE_OK, STATE_NOT_FOUND, or STATE_ERROR (state failure or a
 * value that does not decode as desc). */
__attribute__((warn_unused_result)) enum state_status
record_get(const struct state *st, const struct key *k, const ProtobufCMessageDescriptor *desc,
	   ProtobufCMessage **msg);

/* Encodes msg and writes it under k. Returns STATE_OK or STATE_ERROR. */
__attribute__((warn_unused_result)) enum state_status
record_put(const struct state *st, const struct key *k, const ProtobufCMessage *msg);

#endif
