/* invariant.c: supply conservation and staking index consistency. */
#include "consensus/invariant.h"

#include <stdio.h>
#include <string.h>

#include "consensus/account.h"
#include "consensus/keys.h"
#include "consensus/staking.h"
#include "consensus/supply.h"

typedef unsigned __int128 u128;

struct sums {
	const struct state *st;
	u128 balances;
	u128 bonded;
	u128 unbonding;
	u128 queued;
	size_t staked;	/* non-jailed candidates with bonded > 0 */
	size_t indexed; /* stake index entries */
	bool bad;
	char why[160];
};

static int sum_account(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct sums *s = arg;
	struct account acct;
	bool jailed;

	if (key_len != 1 + PUBKEY_SIZE || account_decode(val, val_len, &acct) != 0)
		return -1;
	s->balances += acct.balance;
	s->bonded += acct.bonded;
	s->unbonding += acct.unbonding;
	if (acct.validator && acct.bonded == 0 && !s->bad) {
		s->bad = true;
		snprintf(s->why, sizeof(s->why), "validator candidate with nothing bonded");
	}
	if (acct.validator && acct.bonded > 0) {
		if (staking_is_jailed(s->st, key + 1, &jailed) != STATE_OK)
			return -1;
		if (!jailed)
			s->staked++;
	}
	return 0;
}

static int sum_queue(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		     size_t val_len)
{
	struct sums *s = arg;
	ProtobufCMessage *msg;

	(void)key;
	if (key_len != 1 + 8 + PUBKEY_SIZE ||
	    codec_decode(&hearth__unbonding_entry__descriptor, val, val_len, val_len, &msg, NULL) !=
		    CODEC_OK)
		return -1;
	s->queued += ((const Hearth__UnbondingEntry *)msg)->amount;
	codec_free(msg);
	return 0;
}

static int check_index(void *arg, const uint8_t *key, size_t key_len, const uint8_t *val,
		       size_t val_len)
{
	struct sums *s = arg;
	struct account acct;
	bool jailed;
	uint64_t power;

	(void)val;
	if (key_len != 1 + 8 + PUBKEY_SIZE || val_len != 0)
		return -1;
	if (s->bad)
		return 1; /* keep the first broken rule */
	power = UINT64_MAX - key_get_u64(key + 1);
	if (account_load(s->st, key + 9, &acct) != STATE_OK ||
	    staking_is_jailed(s->st, key + 9, &jailed) != STATE_OK)
		return -1;
	if (jailed || !acct.validator || acct.bonded != power) {
		s->bad = true;
		snprintf(s->why, sizeof(s->why),
			 "stake index entry of power %llu for an account with %llu bonded%s",
			 (unsigned long long)power, (unsigned long long)acct.bonded,
			 jailed		   ? " (jailed)"
			 : !acct.validator ? " (not a validator candidate)"
					   : "");
		return 1;
	}
	s->indexed++;
	return 0;
}

static int modules_held(const struct ledger *l, const struct state *st, u128 *held)
{
	*held = 0;
	for (size_t i = 0; i < l->n_modules; i++) {
		uint64_t amount;

		if (l->modules[i].held == NULL)
			continue;
		if (l->modules[i].held(l->modules[i].arg, st, &amount) != 0)
			return -1;
		*held += amount;
	}
	return 0;
}

int invariant_check(const struct ledger *l, const struct state *st, char *why, size_t why_size)
{
	struct sums s;
	struct supply sup;
	uint8_t prefix;
	u128 expected, total, held;

	memset(&s, 0, sizeof(s));
	s.st = st;
	snprintf(why, why_size, "state error while checking");
	if (supply_load(st, &sup) != STATE_OK)
		return -1;
	prefix = KEY_ACCOUNT;
	if (state_iterate(st, &prefix, 1, NULL, 0, sum_account, &s) != STATE_OK)
		return -1;
	prefix = KEY_UNBONDING;
	if (state_iterate(st, &prefix, 1, NULL, 0, sum_queue, &s) != STATE_OK)
		return -1;
	prefix = KEY_STAKE_INDEX;
	if (state_iterate(st, &prefix, 1, NULL, 0, check_index, &s) != STATE_OK)
		return -1;
	if (modules_held(l, st, &held) != 0)
		return -1;
	if (s.bad) {
		snprintf(why, why_size, "%s", s.why);
		return -1;
	}
	expected = (u128)sup.genesis + sup.issued;
	total = s.balances + s.bonded + s.unbonding + held;
	if (expected < sup.burned || expected - sup.burned != total) {
		snprintf(why, why_size,
			 "supply %llu + issued %llu - burned %llu != holdings %llu "
			 "(balances %llu, bonded %llu, unbonding %llu, held %llu)",
			 (unsigned long long)sup.genesis, (unsigned long long)sup.issued,
			 (unsigned long long)sup.burned, (unsigned long long)total,
			 (unsigned long long)s.balances, (unsigned long long)s.bonded,
			 (unsigned long long)s.unbonding, (unsigned long long)held);
		return -1;
	}
	if (s.queued != s.unbonding) {
		snprintf(why, why_size, "unbonding queue holds %llu, accounts say %llu",
			 (unsigned long long)s.queued, (unsigned long long)s.unbonding);
		return -1;
	}
	if (s.indexed != s.staked) {
		snprintf(why, why_size, "stake index has %zu entries for %zu staked candidates",
			 s.indexed, s.staked);
		return -1;
	}
	snprintf(why, why_size, "ok");
	return 0;
}
