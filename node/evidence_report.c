/* evidence_report.c: the reported set, the pending list and the evidence tx
 * (evidence_report.h). */
#include "node/evidence_report.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/tx.h"

/* The fee only grows the tx by a few varint bytes: a handful of rounds
 * settles it. */
#define FEE_ROUNDS_MAX 8

void evidence_report_init(struct evidence_report *r)
{
	memset(r, 0, sizeof(*r));
}

bool evidence_report_mark(struct evidence_report *r, const uint8_t validator[PUBKEY_SIZE],
			  uint64_t height)
{
	struct evidence_reported *slot;

	for (size_t i = 0; i < r->num_seen; i++)
		if (r->seen[i].height == height &&
		    memcmp(r->seen[i].validator, validator, PUBKEY_SIZE) == 0)
			return false;
	if (r->num_seen < EVIDENCE_REPORT_SEEN_MAX) {
		slot = &r->seen[r->num_seen++];
	} else {
		slot = &r->seen[r->next_seen];
		r->next_seen = (r->next_seen + 1) % EVIDENCE_REPORT_SEEN_MAX;
	}
	memcpy(slot->validator, validator, PUBKEY_SIZE);
	slot->height = height;
	return true;
}

bool evidence_report_wait(struct evidence_report *r, const struct evidence *ev)
{
	if (r->num_waiting == EVIDENCE_REPORT_WAITING_MAX)
		return false;
	r->waiting[r->num_waiting++] = *ev;
	return true;
}

void evidence_report_add_pending(struct evidence_report *r, const uint8_t id[HASH_SIZE],
				 const struct evidence *ev)
{
	if (r->num_pending == EVIDENCE_REPORT_PENDING_MAX)
		evidence_report_drop_pending(r, 0);
	memcpy(r->pending[r->num_pending], id, HASH_SIZE);
	r->pending_ev[r->num_pending++] = *ev;
}

void evidence_report_drop_pending(struct evidence_report *r, size_t i)
{
	if (i >= r->num_pending)
		return;
	memmove(r->pending[i], r->pending[i + 1], (r->num_pending - i - 1) * HASH_SIZE);
	memmove(&r->pending_ev[i], &r->pending_ev[i + 1],
		(r->num_pending - i - 1) * sizeof(r->pending_ev[0]));
	r->num_pending--;
}

/* Signs body with fee = feerate * (size of the signed tx). Returns 0 or -1. */
static int sign_at_rate(Hearth__TxBody *body, const struct signer *key, uint64_t feerate,
			uint8_t **tx, size_t *len)
{
	uint64_t want;

	body->fee = 0;
	for (int round = 0; round < FEE_ROUNDS_MAX; round++) {
		if (tx_sign(body, key, NULL, tx, len) != 0)
			return -1;
		if (__builtin_mul_overflow(feerate, (uint64_t)*len, &want)) {
			free(*tx);
			return -1;
		}
		if (want == body->fee)
			return 0;
		free(*tx);
		body->fee = want;
	}
	return -1;
}

int evidence_report_build_tx(const char *chain_id, const struct signer *key,
			     const struct evidence *ev, uint64_t nonce, uint64_t feerate,
			     uint8_t **tx, size_t *len)
{
	Hearth__TxBody body;
	struct evidence_proto evp;

	*tx = NULL;
	evidence_to_proto(ev, &evp);
	hearth__tx_body__init(&body);
	body.chain_id = (char *)chain_id;
	body.sender.data = (uint8_t *)key->pubkey;
	body.sender.len = PUBKEY_SIZE;
	body.nonce = nonce;
	body.kind_case = HEARTH__TX_BODY__KIND_EVIDENCE;
	body.evidence = &evp.msg;
	if (sign_at_rate(&body, key, feerate, tx, len) != 0) {
		*tx = NULL;
		return -1;
	}
	return 0;
}
