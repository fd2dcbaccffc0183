/* test_result_pick.c: unit tests of wallet/result_pick.c: `result` picks the
 * lease whose result hash most replicas revealed (or a tie-break's
 * verifier confirmed), skips faulty and missing
 * outcomes, reads one lease's own outcome, and maps timeouts and signals to the
 * status the result hash counts. */
#include "wallet/result_pick.h"

#include <string.h>

#include "tests/unit/test_util.h"

/* A getjob answer with leases "l0", "l1", ... of the given result hashes
 * (NULL: no outcome; a leading '!': a faulty reveal). */
static json_t *job_of(const char *const *hashes, size_t n)
{
	json_t *leases = json_array();

	for (size_t i = 0; i < n; i++) {
		char id[8];
		json_t *receipt = json_null();

		snprintf(id, sizeof(id), "l%zu", i);
		if (hashes[i] != NULL) {
			bool faulty = hashes[i][0] == '!';

			receipt = json_pack("{s:{s:s, s:i, s:b, s:b}, s:b}", "outcome",
					    "result_hash", hashes[i] + faulty, "exit_status", 0,
					    "timed_out", 0, "oom_killed", 0, "faulty", faulty);
		}
		json_array_append_new(leases,
				      json_pack("{s:s, s:o}", "id", id, "receipt", receipt));
	}
	return json_pack("{s:s, s:o}", "bid", "b", "leases", leases);
}

static const char *picked(const char *const *hashes, size_t n)
{
	static char id[8];
	json_t *job = job_of(hashes, n);
	const json_t *l = result_pick_lease(job);

	id[0] = '\0';
	if (l != NULL)
		snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(l, "id")));
	json_decref(job);
	return l != NULL ? id : NULL;
}

static void test_single_replica(void **state UNUSED)
{
	const char *one[] = { "aa" }, *none[] = { NULL };

	assert_string_equal(picked(one, 1), "l0");
	assert_null(picked(none, 1));
	assert_null(picked(none, 0));
}

static void test_majority_wins(void **state UNUSED)
{
	const char *three[] = { "bad", "good", "good" };
	const char *faulty[] = { "!x", "!x", "y" };
	const char *missing[] = { NULL, "z", NULL };

	assert_string_equal(picked(three, 3), "l1");
	assert_string_equal(picked(faulty, 3), "l2");
	assert_string_equal(picked(missing, 3), "l1");
}

static void test_tiebreak_verdict_wins(void **state UNUSED)
{
	const char *two[] = { "bad", "good" };
	json_t *job = job_of(two, 2);
	const json_t *l;

	assert_string_equal(picked(two, 2), "l0"); /* a tie: the first */
	assert_int_equal(json_object_set_new(job, "tiebreak",
					     json_pack("{s:s, s:s}", "outcome", "agreed",
						       "result_hash", "good")),
			 0);
	l = result_pick_lease(job);
	assert_non_null(l);
	assert_string_equal(json_string_value(json_object_get(l, "id")), "l1");
	json_decref(job);
}

/* `result LEASE_ID` reads one lease's own outcome (a verifier's too). */
static void test_one_lease_hash(void **state UNUSED)
{
	const char *three[] = { "good", "!bad", NULL };
	json_t *job = job_of(three, 3);
	const json_t *leases = json_object_get(job, "leases");

	assert_string_equal(result_pick_hash(json_array_get(leases, 0)), "good");
	assert_null(result_pick_hash(json_array_get(leases, 1))); /* faulty */
	assert_null(result_pick_hash(json_array_get(leases, 2))); /* no outcome */
	assert_null(result_pick_hash(NULL));
	json_decref(job);
}

static void test_status_mapping(void **state UNUSED)
{
	struct result_status st;
	json_t *lease =
		json_pack("{s:{s:{s:s, s:i, s:b, s:b}}}", "receipt", "outcome", "result_hash", "h",
			  "exit_status", 3, "timed_out", 0, "oom_killed", 0);
	json_t *o = json_object_get(json_object_get(lease, "receipt"), "outcome");

	assert_int_equal(result_pick_status(lease, &st), 3);
	assert_int_equal(st.kind, RESULT_EXITED);
	assert_int_equal(st.value, 3);
	json_object_set_new(o, "exit_status", json_integer(-15));
	assert_int_equal(result_pick_status(lease, &st), -15);
	assert_int_equal(st.kind, RESULT_SIGNALED);
	assert_int_equal(st.value, 15);
	json_object_set_new(o, "timed_out", json_true());
	result_pick_status(lease, &st);
	assert_int_equal(st.kind, RESULT_SIGNALED);
	assert_int_equal(st.value, 9);
	json_decref(lease);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_replica),	      cmocka_unit_test(test_majority_wins),
		cmocka_unit_test(test_tiebreak_verdict_wins), cmocka_unit_test(test_one_lease_hash),
		cmocka_unit_test(test_status_mapping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
