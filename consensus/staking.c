/* staking.c: bond, unbond, the unbonding queue, slashing and jailing, and the
 * validator set chosen from stake (see staking.h for the stored layout). */
#include "consensus/staking.h"

#include <stdlib.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/keys.h"
#include "consensus/ledger.h"
#include "consensus/record.h"
#include "consensus/supply.h"

/* ------------------------------------------------------------ validator sets */

struct first_value {
	uint8_t *val;
	size_t len;
	bool found;
	bool oom;
};

static int take_first(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		      size_t val_len)
{
	struct first_value *f = arg;

	(void)key;
	(void)key_len;
	f->found = true;
	f->len = val_len;
	f->val = malloc(val_len > 0 ? val_len : 1);
	if (f->val == NULL) {
		f->oom = true;
		return -1;
	}
	if (val_len > 0)
		memcpy(f->val, val, val_len);
	return 1;
}

enum state_status staking_load_set(const struct state *st, uint64_t height,
				   struct validator_set *set)
{
	struct validator members[VALIDATORS_MAX];
	struct first_value f = { 0 };
	ProtobufCMessage *msg;
	const Hearth__ValidatorSet *rec;
	uint8_t prefix = KEY_VALIDATOR_SET;
	struct key start;
	enum state_status rc;
	int ok = 0;

	memset(set, 0, sizeof(*set));
	key_make_u64(&start, KEY_VALIDATOR_SET, UINT64_MAX - height);
	rc = state_iterate(st, &prefix, 1, start.bytes, start.len, take_first, &f);
	if (rc != STATE_OK || !f.found) {
		free(f.val);
		return rc != STATE_OK ? rc : STATE_NOT_FOUND;
	}
	rc = codec_decode(&hearth__validator_set__descriptor, f.val, f.len, STATE_VALUE_MAX, &msg,
			  NULL) == CODEC_OK
		     ? STATE_OK
		     : STATE_ERROR;
	free(f.val);
	if (rc != STATE_OK)
		return rc;
	rec = (const Hearth__ValidatorSet *)msg;
	if (rec->n_members <= VALIDATORS_MAX) {
		ok = 1;
		for (size_t i = 0; i < rec->n_members; i++) {
			if (rec->members[i]->key.len != PUBKEY_SIZE) {
				ok = 0;
				break;
			}
			memcpy(members[i].key, rec->members[i]->key.data, PUBKEY_SIZE);
			members[i].power = rec->members[i]->power;
			members[i].proposer_priority = rec->members[i]->proposer_priority;
		}
		if (ok)
			ok = validators_set_init(set, members, rec->n_members) == 0;
	}
	codec_free(msg);
	return ok ? STATE_OK : STATE_ERROR;
}

enum state_status staking_store_set(const struct state *st, uint64_t height,
				    const struct validator_set *set)
{
	Hearth__ValidatorSet rec = HEARTH__VALIDATOR_SET__INIT;
	Hearth__Validator items[VALIDATORS_MAX];
	Hearth__Validator *ptrs[VALIDATORS_MAX];
	struct key k;

	for (size_t i = 0; i < set->count; i++) {
		hearth__validator__init(&items[i]);
		items[i].key.data = (uint8_t *)set->members[i].key;
		items[i].key.len = PUBKEY_SIZE;
		items[i].power = set->members[i].power;
		items[i].proposer_priority = 0;
		items[i].jailed = 0;
		ptrs[i] = &items[i];
	}
	rec.n_members = set->count;
	rec.members = ptrs;
	key_make_u64(&k, KEY_VALIDATOR_SET, UINT64_MAX - height);
	return record_put(st, &k, &rec.base);
}

struct ranking {
	struct validator members[VALIDATORS_MAX];
	size_t count;
	size_t max;
};

static int take_ranked(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct ranking *r = arg;
	struct validator *v;

	(void)val;
	(void)val_len;
	if (key_len != 1 + 8 + PUBKEY_SIZE)
		return -1;
	v = &r->members[r->count++];
	memset(v, 0, sizeof(*v));
	v->power = UINT64_MAX - key_get_u64(key + 1);
	memcpy(v->key, key + 9, PUBKEY_SIZE);
	return r->count >= r->max ? 1 : 0;
}

enum state_status staking_select(const struct state *st, uint32_t max_validators,
				 struct validator_set *set)
{
	struct ranking r;
	uint8_t prefix = KEY_STAKE_INDEX;
	enum state_status rc;

	memset(set, 0, sizeof(*set));
	r.count = 0;
	r.max = max_validators < VALIDATORS_MAX ? max_validators : VALIDATORS_MAX;
	if (r.max == 0)
		return STATE_ERROR;
	rc = state_iterate(st, &prefix, 1, NULL, 0, take_ranked, &r);
	if (rc != STATE_OK)
		return rc;
	if (r.count == 0)
		return STATE_OK;
	return validators_set_init(set, r.members, r.count) == 0 ? STATE_OK : STATE_ERROR;
}

/* True when a and b have the same members and powers. */
static bool sets_equal(const struct validator_set *a, const struct validator_set *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++) {
		if (memcmp(a->members[i].key, b->members[i].key, PUBKEY_SIZE) != 0 ||
		    a->members[i].power != b->members[i].power)
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ index, jail */

/* The power an account's stake index entry holds: its bonded stake if it is
 * a non-jailed validator candidate, else 0 (no entry). */
static uint64_t index_power(const struct account *acct, bool jailed)
{
	return acct->validator && !jailed ? acct->bonded : 0;
}

/* Takes amount (at most bonded) out of acct's bonded stake; an account left
 * with nothing bonded is no longer a validator candidate. */
static void bonded_take(struct account *acct, uint64_t amount)
{
	acct->bonded -= amount;
	if (acct->bonded == 0)
		acct->validator = false;
}

enum state_status staking_reindex(const struct state *st, const uint8_t key[PUBKEY_SIZE],
				  uint64_t old_bonded, uint64_t new_bonded)
{
	struct key k;
	enum state_status rc;

	if (old_bonded == new_bonded)
		return STATE_OK;
	if (old_bonded > 0) {
		key_make_u64_pubkey(&k, KEY_STAKE_INDEX, UINT64_MAX - old_bonded, key);
		rc = state_del(st, k.bytes, k.len);
		if (rc != STATE_OK)
			return rc;
	}
	if (new_bonded > 0) {
		key_make_u64_pubkey(&k, KEY_STAKE_INDEX, UINT64_MAX - new_bonded, key);
		return state_put(st, k.bytes, k.len, NULL, 0);
	}
	return STATE_OK;
}

enum state_status staking_is_jailed(const struct state *st, const uint8_t key[PUBKEY_SIZE],
				    bool *jailed)
{
	struct key k;
	uint8_t *val;
	size_t len;
	enum state_status rc;

	key_make_pubkey(&k, KEY_JAILED, key);
	rc = state_get(st, k.bytes, k.len, &val, &len);
	free(val);
	*jailed = rc == STATE_OK;
	return rc == STATE_ERROR ? STATE_ERROR : STATE_OK;
}

/* ------------------------------------------------------------ unbonding */

static enum state_status queue_add(const struct state *st, uint64_t release,
				   const uint8_t key[PUBKEY_SIZE], uint64_t amount)
{
	Hearth__UnbondingEntry rec = HEARTH__UNBONDING_ENTRY__INIT;
	ProtobufCMessage *msg;
	struct key k;
	enum state_status rc;

	key_make_u64_pubkey(&k, KEY_UNBONDING, release, key);
	rc = record_get(st, &k, &hearth__unbonding_entry__descriptor, &msg);
	if (rc == STATE_ERROR)
		return rc;
	rec.amount = amount;
	if (rc == STATE_OK) {
		bool over = __builtin_add_overflow(
			rec.amount, ((const Hearth__UnbondingEntry *)msg)->amount, &rec.amount);

		codec_free(msg);
		if (over)
			return STATE_ERROR;
	}
	return record_put(st, &k, &rec.base);
}

struct release {
	uint8_t key[PUBKEY_SIZE];
	uint64_t height;
	uint64_t amount;
};

struct release_list {
	struct release *items;
	size_t count;
	size_t cap;
};

static int collect_release(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
			   size_t val_len)
{
	struct release_list *list = arg;
	ProtobufCMessage *msg;

	if (key_len != 1 + 8 + PUBKEY_SIZE)
		return -1;
	if (list->count == list->cap) {
		size_t cap = list->cap ? list->cap * 2 : 16;
		struct release *items = realloc(list->items, cap * sizeof(*items));

		if (items == NULL)
			return -1;
		list->items = items;
		list->cap = cap;
	}
	if (codec_decode(&hearth__unbonding_entry__descriptor, val, val_len, val_len, &msg, NULL) !=
	    CODEC_OK)
		return -1;
	memcpy(list->items[list->count].key, key + 9, PUBKEY_SIZE);
	list->items[list->count].height = key_get_u64(key + 1);
	list->items[list->count].amount = ((const Hearth__UnbondingEntry *)msg)->amount;
	list->count++;
	codec_free(msg);
	return 0;
}

/* Returns every entry released at height to its account. */
static enum ledger_reason release_matured(const struct state *st, uint64_t height,
					  struct ledger_error *err)
{
	struct release_list list = { 0 };
	struct key prefix;
	enum ledger_reason r = LEDGER_OK;

	/* Collect first: a state may not be written while it is iterated. */
	key_make_u64(&prefix, KEY_UNBONDING, height);
	if (state_iterate(st, prefix.bytes, prefix.len, NULL, 0, collect_release, &list) !=
	    STATE_OK)
		r = ledger_fail(err, LEDGER_INTERNAL, "reading the unbonding queue");
	for (size_t i = 0; r == LEDGER_OK && i < list.count; i++) {
		const struct release *e = &list.items[i];
		struct account acct;
		struct key k;

		if (account_load(st, e->key, &acct) != STATE_OK || acct.unbonding < e->amount ||
		    __builtin_add_overflow(acct.balance, e->amount, &acct.balance)) {
			r = ledger_fail(err, LEDGER_INTERNAL, "releasing unbonded stake");
			break;
		}
		acct.unbonding -= e->amount;
		key_make_u64_pubkey(&k, KEY_UNBONDING, height, e->key);
		if (account_store(st, e->key, &acct) != STATE_OK ||
		    state_del(st, k.bytes, k.len) != STATE_OK)
			r = ledger_fail(err, LEDGER_INTERNAL, "releasing unbonded stake");
	}
	free(list.items);
	return r;
}

/* floor(amount * fraction_ppm / 10^6), without overflow. */
static uint64_t fraction_of(uint64_t amount, uint32_t fraction_ppm)
{
	return (uint64_t)((unsigned __int128)amount * fraction_ppm / PARAMS_PPM);
}

/* Burns the fraction of key's queue entries released at or after from,
 * taking it from acct->unbonding. Out: *burned (added to). Returns 0 or -1. */
static int slash_unbonding(const struct state *st, const uint8_t key[PUBKEY_SIZE],
			   uint32_t fraction_ppm, uint64_t from, struct account *acct,
			   uint64_t *burned)
{
	struct release_list list = { 0 };
	uint8_t prefix = KEY_UNBONDING;
	int rc = 0;

	if (from == UINT64_MAX || acct->unbonding == 0)
		return 0;
	/* Collect first: a state may not be written while it is iterated. */
	if (state_iterate(st, &prefix, 1, NULL, 0, collect_release, &list) != STATE_OK)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < list.count; i++) {
		const struct release *e = &list.items[i];
		Hearth__UnbondingEntry rec = HEARTH__UNBONDING_ENTRY__INIT;
		uint64_t cut = fraction_of(e->amount, fraction_ppm);
		struct key k;

		if (e->height < from || memcmp(e->key, key, PUBKEY_SIZE) != 0 || cut == 0)
			continue;
		if (acct->unbonding < cut) {
			rc = -1;
			break;
		}
		acct->unbonding -= cut;
		*burned += cut;
		rec.amount = e->amount - cut;
		key_make_u64_pubkey(&k, KEY_UNBONDING, e->height, key);
		if ((rec.amount == 0 ? state_del(st, k.bytes, k.len)
				     : record_put(st, &k, &rec.base)) != STATE_OK)
			rc = -1;
	}
	free(list.items);
	return rc;
}

enum ledger_reason staking_slash_and_jail(const struct state *st, const uint8_t key[PUBKEY_SIZE],
					  uint32_t fraction_ppm, uint64_t unbonding_from,
					  uint64_t *slashed, struct ledger_error *err)
{
	struct account acct;
	struct key k;
	bool jailed;
	uint64_t burn;

	if (slashed != NULL)
		*slashed = 0;
	if (fraction_ppm > PARAMS_PPM)
		return ledger_fail(err, LEDGER_INTERNAL, "slash fraction above 1");
	if (staking_is_jailed(st, key, &jailed) != STATE_OK ||
	    account_load(st, key, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the offender");
	if (jailed)
		return ledger_fail(err, LEDGER_EVIDENCE_ALREADY_JAILED, NULL);
	if (acct.bonded == 0 && (acct.unbonding == 0 || unbonding_from == UINT64_MAX))
		return ledger_fail(err, LEDGER_EVIDENCE_NO_STAKE, NULL);
	burn = fraction_of(acct.bonded, fraction_ppm);
	if (staking_reindex(st, key, index_power(&acct, false), 0) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "stake index");
	bonded_take(&acct, burn);
	if (slash_unbonding(st, key, fraction_ppm, unbonding_from, &acct, &burn) != 0)
		return ledger_fail(err, LEDGER_INTERNAL, "slashing unbonding stake");
	key_make_pubkey(&k, KEY_JAILED, key);
	if (account_store(st, key, &acct) != STATE_OK ||
	    state_put(st, k.bytes, k.len, NULL, 0) != STATE_OK || supply_add_burned(st, burn) != 0)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the slash");
	if (slashed != NULL)
		*slashed = burn;
	return LEDGER_OK;
}

enum ledger_reason staking_slash(const struct state *st, const uint8_t key[PUBKEY_SIZE],
				 uint32_t fraction_ppm, uint64_t unbonding_from,
				 const uint8_t *reward_to, uint64_t reward_max, uint64_t *slashed,
				 uint64_t *rewarded, struct ledger_error *err)
{
	struct account acct;
	bool jailed;
	uint64_t cut, burn, reward, old_power;

	if (slashed != NULL)
		*slashed = 0;
	if (rewarded != NULL)
		*rewarded = 0;
	if (fraction_ppm > PARAMS_PPM)
		return ledger_fail(err, LEDGER_INTERNAL, "slash fraction above 1");
	if (staking_is_jailed(st, key, &jailed) != STATE_OK ||
	    account_load(st, key, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the offender");
	cut = fraction_of(acct.bonded, fraction_ppm);
	old_power = index_power(&acct, jailed);
	bonded_take(&acct, cut);
	if (staking_reindex(st, key, old_power, index_power(&acct, jailed)) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "stake index");
	burn = cut;
	if (slash_unbonding(st, key, fraction_ppm, unbonding_from, &acct, &burn) != 0)
		return ledger_fail(err, LEDGER_INTERNAL, "slashing unbonding stake");
	if (burn == 0)
		return LEDGER_OK;
	reward = reward_to == NULL ? 0 : burn < reward_max ? burn : reward_max;
	if (account_store(st, key, &acct) != STATE_OK ||
	    supply_add_burned(st, burn - reward) != 0 ||
	    (reward > 0 && account_credit(st, reward_to, reward) != 0))
		return ledger_fail(err, LEDGER_INTERNAL, "writing the slash");
	if (slashed != NULL)
		*slashed = burn;
	if (rewarded != NULL)
		*rewarded = reward;
	return LEDGER_OK;
}

enum ledger_reason staking_end_block(const struct state *st, const struct params *p,
				     uint64_t height, struct ledger_error *err)
{
	struct validator_set *next, *chosen;
	enum ledger_reason r;
	enum state_status rc;

	r = release_matured(st, height, err);
	if (r != LEDGER_OK)
		return r;
	if (height > UINT64_MAX - 2)
		return ledger_fail(err, LEDGER_INTERNAL, "height exhausted");
	next = malloc(sizeof(*next));
	chosen = malloc(sizeof(*chosen));
	if (next == NULL || chosen == NULL) {
		free(next);
		free(chosen);
		return ledger_fail(err, LEDGER_INTERNAL, "no memory");
	}
	rc = staking_load_set(st, height + 1, next);
	if (rc == STATE_OK)
		rc = staking_select(st, p->max_validators, chosen);
	if (rc == STATE_OK && chosen->count > 0 && !sets_equal(next, chosen))
		rc = staking_store_set(st, height + 2, chosen);
	free(next);
	free(chosen);
	if (rc != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "choosing the validator set");
	return LEDGER_OK;
}

/* ------------------------------------------------------------ the module */

static enum ledger_reason check_bond(const struct state *st, const struct tx *tx,
				     struct ledger_error *err)
{
	uint64_t amount = tx->body->bond->amount, sum;
	struct account acct;
	bool jailed;

	if (amount == 0)
		return ledger_fail(err, LEDGER_BOND_ZERO_AMOUNT, NULL);
	if (account_load(st, tx->sender, &acct) != STATE_OK ||
	    staking_is_jailed(st, tx->sender, &jailed) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	if (jailed)
		return ledger_fail(err, LEDGER_BOND_JAILED, NULL);
	if (acct.balance < amount)
		return ledger_fail(err, LEDGER_BOND_INSUFFICIENT_BALANCE, "%llu after fee < %llu",
				   (unsigned long long)acct.balance, (unsigned long long)amount);
	if (__builtin_add_overflow(acct.bonded, amount, &sum))
		return ledger_fail(err, LEDGER_BOND_OVERFLOW, NULL);
	return LEDGER_OK;
}

/* check_bond refused a jailed sender, so its index entry is index_power(acct,
 * false) before and after. A candidate stays one whatever later bonds say. */
static enum ledger_reason apply_bond(const struct state *st, const struct tx *tx,
				     struct ledger_error *err)
{
	const Hearth__Bond *bond = tx->body->bond;
	uint64_t amount = bond->amount, old_power;
	struct account acct;

	if (account_load(st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	old_power = index_power(&acct, false);
	if (acct.balance < amount || __builtin_add_overflow(acct.bonded, amount, &acct.bonded))
		return ledger_fail(err, LEDGER_INTERNAL, "bond changed after check");
	acct.balance -= amount;
	if (bond->has_validator && bond->validator)
		acct.validator = true;
	if (account_store(st, tx->sender, &acct) != STATE_OK ||
	    staking_reindex(st, tx->sender, old_power, index_power(&acct, false)) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the bond");
	return LEDGER_OK;
}

static enum ledger_reason check_unbond(const struct state *st, const struct params *p,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	uint64_t amount = tx->body->unbond->amount, sum;
	struct account acct;

	if (amount == 0)
		return ledger_fail(err, LEDGER_UNBOND_ZERO_AMOUNT, NULL);
	if (account_load(st, tx->sender, &acct) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	if (amount > acct.bonded)
		return ledger_fail(err, LEDGER_UNBOND_EXCEEDS_BONDED, "%llu > %llu bonded",
				   (unsigned long long)amount, (unsigned long long)acct.bonded);
	if (__builtin_add_overflow(acct.unbonding, amount, &sum) ||
	    __builtin_add_overflow(blk->height, p->unbonding_blocks, &sum))
		return ledger_fail(err, LEDGER_UNBOND_OVERFLOW, NULL);
	return LEDGER_OK;
}

static enum ledger_reason apply_unbond(const struct state *st, const struct params *p,
				       const struct ledger_block_ctx *blk, const struct tx *tx,
				       struct ledger_error *err)
{
	uint64_t amount = tx->body->unbond->amount, old_power, release;
	struct account acct;
	bool jailed;

	if (account_load(st, tx->sender, &acct) != STATE_OK ||
	    staking_is_jailed(st, tx->sender, &jailed) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "reading the sender");
	old_power = index_power(&acct, jailed);
	if (amount > acct.bonded ||
	    __builtin_add_overflow(acct.unbonding, amount, &acct.unbonding) ||
	    __builtin_add_overflow(blk->height, p->unbonding_blocks, &release))
		return ledger_fail(err, LEDGER_INTERNAL, "unbond changed after check");
	bonded_take(&acct, amount);
	if (account_store(st, tx->sender, &acct) != STATE_OK ||
	    staking_reindex(st, tx->sender, old_power, index_power(&acct, jailed)) != STATE_OK ||
	    queue_add(st, release, tx->sender, amount) != STATE_OK)
		return ledger_fail(err, LEDGER_INTERNAL, "writing the unbond");
	return LEDGER_OK;
}

/* Height of the misbehaviour a piece of evidence shows. */
static uint64_t evidence_height(const Hearth__Evidence *ev)
{
	switch (ev->kind_case) {
	case HEARTH__EVIDENCE__KIND_DUPLICATE_VOTE:
		return ev->duplicate_vote->a->height;
	case HEARTH__EVIDENCE__KIND_DUPLICATE_PROPOSAL:
		return ev->duplicate_proposal->a->height;
	case HEARTH__EVIDENCE__KIND__NOT_SET:
	case _HEARTH__EVIDENCE__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return UINT64_MAX; /* the codec never lets an unset kind through */
}

static enum ledger_reason check_evidence(const struct ledger *l, const struct ledger_block_ctx *blk,
					 const struct tx *tx, struct ledger_error *err)
{
	uint64_t height = evidence_height(tx->body->evidence);

	if (l->cfg.evidence_verify == NULL)
		return ledger_fail(err, LEDGER_EVIDENCE_NO_VERIFIER, NULL);
	if (height >= blk->height)
		return ledger_fail(err, LEDGER_EVIDENCE_FUTURE, "height %llu in block %llu",
				   (unsigned long long)height, (unsigned long long)blk->height);
	if (blk->height - height > l->cfg.params.unbonding_blocks)
		return ledger_fail(err, LEDGER_EVIDENCE_TOO_OLD, "height %llu in block %llu",
				   (unsigned long long)height, (unsigned long long)blk->height);
	return LEDGER_OK;
}

static enum ledger_reason apply_evidence(const struct ledger *l, const struct state *st,
					 const struct tx *tx, struct ledger_error *err)
{
	const struct params *p = &l->cfg.params;
	uint8_t offender[PUBKEY_SIZE];
	uint64_t from;

	if (l->cfg.evidence_verify(l->cfg.evidence_arg, l->cfg.chain_id, st, tx->body->evidence,
				   offender) != 0)
		return ledger_fail(err, LEDGER_EVIDENCE_INVALID, NULL);
	/* Stake that started unbonding at or after the misbehaviour (release
	 * height >= its height + unbonding_blocks) was at stake then: it is
	 * slashed too, so unbonding fast does not escape the evidence. */
	if (__builtin_add_overflow(evidence_height(tx->body->evidence), p->unbonding_blocks, &from))
		from = UINT64_MAX;
	return staking_slash_and_jail(st, offender, p->slash_fraction_ppm, from, NULL, err);
}

static enum ledger_reason staking_check(void *arg, const struct ledger *l, const struct state *st,
					const struct ledger_block_ctx *blk, const struct tx *tx,
					struct ledger_error *err)
{
	(void)arg;
	switch (tx->body->kind_case) {
	case HEARTH__TX_BODY__KIND_BOND:
		return check_bond(st, tx, err);
	case HEARTH__TX_BODY__KIND_UNBOND:
		return check_unbond(st, &l->cfg.params, blk, tx, err);
	case HEARTH__TX_BODY__KIND_EVIDENCE:
		return check_evidence(l, blk, tx, err);
	case HEARTH__TX_BODY__KIND__NOT_SET:
	case HEARTH__TX_BODY__KIND_TRANSFER:
	case HEARTH__TX_BODY__KIND_OFFER:
	case HEARTH__TX_BODY__KIND_CANCEL_OFFER:
	case HEARTH__TX_BODY__KIND_BID:
	case HEARTH__TX_BODY__KIND_CANCEL_BID:
	case HEARTH__TX_BODY__KIND_RECEIPT_COMMIT:
	case HEARTH__TX_BODY__KIND_RECEIPT_REVEAL:
	case HEARTH__TX_BODY__KIND_RECEIPT:
	case HEARTH__TX_BODY__KIND_DISPUTE:
	case _HEARTH__TX_BODY__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return ledger_fail(err, LEDGER_TX_KIND_UNHANDLED, "routed to staking");
}

static enum ledger_reason staking_apply(void *arg, const struct ledger *l, const struct state *st,
					const struct ledger_block_ctx *blk, const struct tx *tx,
					struct ledger_error *err)
{
	(void)arg;
	switch (tx->body->kind_case) {
	case HEARTH__TX_BODY__KIND_BOND:
		return apply_bond(st, tx, err);
	case HEARTH__TX_BODY__KIND_UNBOND:
		return apply_unbond(st, &l->cfg.params, blk, tx, err);
	case HEARTH__TX_BODY__KIND_EVIDENCE:
		return apply_evidence(l, st, tx, err);
	case HEARTH__TX_BODY__KIND__NOT_SET:
	case HEARTH__TX_BODY__KIND_TRANSFER:
	case HEARTH__TX_BODY__KIND_OFFER:
	case HEARTH__TX_BODY__KIND_CANCEL_OFFER:
	case HEARTH__TX_BODY__KIND_BID:
	case HEARTH__TX_BODY__KIND_CANCEL_BID:
	case HEARTH__TX_BODY__KIND_RECEIPT_COMMIT:
	case HEARTH__TX_BODY__KIND_RECEIPT_REVEAL:
	case HEARTH__TX_BODY__KIND_RECEIPT:
	case HEARTH__TX_BODY__KIND_DISPUTE:
	case _HEARTH__TX_BODY__KIND__CASE_IS_INT_SIZE:
		break;
	}
	return ledger_fail(err, LEDGER_TX_KIND_UNHANDLED, "routed to staking");
}

static enum ledger_reason staking_module_end_block(void *arg, const struct ledger *l,
						   const struct state *st,
						   const struct ledger_block_ctx *blk,
						   struct ledger_error *err)
{
	(void)arg;
	return staking_end_block(st, &l->cfg.params, blk->height, err);
}

static const Hearth__TxBody__KindCase staking_kinds[] = {
	HEARTH__TX_BODY__KIND_BOND,
	HEARTH__TX_BODY__KIND_UNBOND,
	HEARTH__TX_BODY__KIND_EVIDENCE,
};

const struct ledger_module staking_module = {
	.name = "staking",
	.kinds = staking_kinds,
	.n_kinds = sizeof(staking_kinds) / sizeof(staking_kinds[0]),
	.check = staking_check,
	.apply = staking_apply,
	.end_block = staking_module_end_block,
	.held = NULL,
	.arg = NULL,
};
