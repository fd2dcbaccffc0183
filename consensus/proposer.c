/* proposer.c: CometBFT's proposer-priority arithmetic (see proposer.h). */
#include "consensus/proposer.h"

#include <string.h>

/* CometBFT's safeAddClip / safeSubClip. */
static int64_t add_clip(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t sub_clip(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : INT64_MIN;
	return r;
}

/* RescalePriorities(2 * total). */
static void rescale(struct validator_set *set)
{
	int64_t max = INT64_MIN, min = INT64_MAX;
	uint64_t diff, diff_max, ratio;

	if (set->count == 0)
		return;
	diff_max = 2 * set->total_power; /* total < 2^63, so no overflow */
	for (size_t i = 0; i < set->count; i++) {
		int64_t p = set->members[i].proposer_priority;

		if (p > max)
			max = p;
		if (p < min)
			min = p;
	}
	diff = (uint64_t)max - (uint64_t)min; /* two's complement: exact for max >= min */
	if (diff <= diff_max)
		return;
	/* CometBFT: ratio = (diff + diffMax - 1) / diffMax in int64 */
	ratio = diff / diff_max + (diff % diff_max != 0);
	for (size_t i = 0; i < set->count; i++)
		set->members[i].proposer_priority /= (int64_t)ratio;
}

/* shiftByAvgProposerPriority: the average uses Euclidean (floor, for a
 * positive divisor) division of the exact 128-bit sum. */
static void centre(struct validator_set *set)
{
	__int128 sum = 0, avg;
	__int128 n = (__int128)set->count;

	if (set->count == 0)
		return;
	for (size_t i = 0; i < set->count; i++)
		sum += set->members[i].proposer_priority;
	avg = sum / n;
	if (sum % n != 0 && sum < 0)
		avg -= 1;
	for (size_t i = 0; i < set->count; i++)
		set->members[i].proposer_priority =
			sub_clip(set->members[i].proposer_priority, (int64_t)avg);
}

/* getValWithMostPriority: ties go to the smaller key; members are sorted by
 * key, so the first maximum wins. */
static size_t most_priority(const struct validator_set *set)
{
	size_t best = 0;

	for (size_t i = 1; i < set->count; i++)
		if (set->members[i].proposer_priority > set->members[best].proposer_priority)
			best = i;
	return best;
}

size_t proposer_increment(struct validator_set *set, uint32_t times)
{
	size_t pick = 0;

	rescale(set);
	centre(set);
	for (uint32_t t = 0; t < times; t++) {
		for (size_t i = 0; i < set->count; i++)
			set->members[i].proposer_priority = add_clip(
				set->members[i].proposer_priority, (int64_t)set->members[i].power);
		pick = most_priority(set);
		set->members[pick].proposer_priority =
			sub_clip(set->members[pick].proposer_priority, (int64_t)set->total_power);
	}
	return pick;
}

size_t proposer_select(const struct validator_set *base, uint32_t round,
		       struct validator_set *scratch)
{
	size_t pick;

	scratch->count = base->count;
	scratch->total_power = base->total_power;
	memcpy(scratch->members, base->members, base->count * sizeof(base->members[0]));
	pick = proposer_increment(scratch, 1);
	if (round > 0)
		pick = proposer_increment(scratch, round);
	return pick;
}

int proposer_update(const struct validator_set *old, const struct validator *members, size_t n,
		    struct validator_set *out)
{
	uint64_t removed = 0;
	int64_t start;

	if (validators_set_init(out, members, n) != 0)
		return -1;
	/* Removed members still count in the total CometBFT uses for newcomers. */
	for (size_t i = 0; i < old->count; i++)
		if (validators_find(out, old->members[i].key) < 0 &&
		    __builtin_add_overflow(removed, old->members[i].power, &removed))
			return -1;
	{
		uint64_t t, c;

		if (__builtin_add_overflow(out->total_power, removed, &t) ||
		    __builtin_add_overflow(t, t >> 3, &c) || c > INT64_MAX)
			return -1;
		start = -(int64_t)c;
	}
	for (size_t i = 0; i < out->count; i++) {
		int j = validators_find(old, out->members[i].key);

		out->members[i].proposer_priority =
			j >= 0 ? old->members[j].proposer_priority : start;
	}
	rescale(out);
	centre(out);
	return 0;
}
