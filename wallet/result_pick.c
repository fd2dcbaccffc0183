/* result_pick.c: the choice of result_pick.h, over getjob's JSON. */
#include "wallet/result_pick.h"

#include <string.h>

static const json_t *lease_outcome(const json_t *lease)
{
	const json_t *receipt = json_object_get(lease, "receipt");
	const json_t *outcome = json_object_get(receipt, "outcome");

	if (json_is_true(json_object_get(receipt, "faulty")))
		return NULL;
	return json_is_object(outcome) ? outcome : NULL;
}

const char *result_pick_hash(const json_t *lease)
{
	return json_string_value(json_object_get(lease_outcome(lease), "result_hash"));
}

static size_t votes_for(const json_t *leases, const char *hash)
{
	const json_t *m;
	size_t j, votes = 0;

	json_array_foreach(leases, j, m)
	{
		const char *h = result_pick_hash(m);

		votes += h != NULL && strcmp(h, hash) == 0;
	}
	return votes;
}

const json_t *result_pick_lease(const json_t *job)
{
	const json_t *leases = json_object_get(job, "leases"), *l, *best = NULL;
	const char *verdict =
		json_string_value(json_object_get(json_object_get(job, "tiebreak"), "result_hash"));
	size_t i, best_votes = 0;

	json_array_foreach(leases, i, l)
	{
		const char *hash = result_pick_hash(l);
		size_t votes;

		if (hash == NULL)
			continue;
		votes = votes_for(leases, hash);
		/* a tie-break's verifier decided for this result */
		if (verdict != NULL && strcmp(hash, verdict) == 0)
			votes += json_array_size(leases) + 1;
		if (votes > best_votes) {
			best = l;
			best_votes = votes;
		}
	}
	return best;
}

long long result_pick_status(const json_t *lease, struct result_status *st)
{
	const json_t *o = lease_outcome(lease);
	long long exit_status = (long long)json_integer_value(json_object_get(o, "exit_status"));

	st->kind = RESULT_EXITED;
	st->value = (uint64_t)exit_status;
	if (json_is_true(json_object_get(o, "timed_out")) ||
	    json_is_true(json_object_get(o, "oom_killed"))) {
		st->kind = RESULT_SIGNALED;
		st->value = 9;
	} else if (exit_status < 0) {
		st->kind = RESULT_SIGNALED;
		st->value = (uint64_t)-exit_status;
	}
	return exit_status;
}
