/* test_metrics.c: unit tests of node/metrics.c: registration rules, updates
 * and the exact text exposition output. */
#include "node/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/test_util.h"

static char *render(struct metrics *m)
{
	char *text;
	size_t len;

	assert_int_equal(metrics_render(m, &text, &len), 0);
	assert_int_equal(strlen(text), len);
	return text;
}

static void test_metrics_render_counter_gauge_histogram_exactly(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const method[] = { "method" };
	static const double buckets[] = { 0.005, 0.1, 1 };
	const char *getblock[] = { "getblock" }, *help[] = { "help" };
	struct metric_family *calls, *height, *latency;
	char err[128], *text;

	assert_non_null(m);
	calls = metrics_register(m, METRIC_COUNTER, "hearth_rpc_calls_total", "RPC calls", method,
				 1, NULL, 0, err, sizeof(err));
	height = metrics_register(m, METRIC_GAUGE, "hearth_height", "chain height", NULL, 0, NULL,
				  0, err, sizeof(err));
	latency = metrics_register(m, METRIC_HISTOGRAM, "hearth_latency_seconds", "latency", NULL,
				   0, buckets, 3, err, sizeof(err));
	assert_non_null(calls);
	assert_non_null(height);
	assert_non_null(latency);
	assert_int_equal(metrics_counter_add(calls, getblock, 1), 0);
	assert_int_equal(metrics_counter_add(calls, help, 2), 0);
	assert_int_equal(metrics_counter_add(calls, getblock, 1), 0);
	assert_int_equal(metrics_gauge_set(height, NULL, 120), 0);
	assert_int_equal(metrics_gauge_add(height, NULL, -0.5), 0);
	assert_int_equal(metrics_histogram_observe(latency, NULL, 0.001), 0);
	assert_int_equal(metrics_histogram_observe(latency, NULL, 0.1), 0);
	assert_int_equal(metrics_histogram_observe(latency, NULL, 7), 0);
	text = render(m);
	assert_string_equal(text, "# HELP hearth_rpc_calls_total RPC calls\n"
				  "# TYPE hearth_rpc_calls_total counter\n"
				  "hearth_rpc_calls_total{method=\"getblock\"} 2\n"
				  "hearth_rpc_calls_total{method=\"help\"} 2\n"
				  "# HELP hearth_height chain height\n"
				  "# TYPE hearth_height gauge\n"
				  "hearth_height 119.5\n"
				  "# HELP hearth_latency_seconds latency\n"
				  "# TYPE hearth_latency_seconds histogram\n"
				  "hearth_latency_seconds_bucket{le=\"0.005\"} 1\n"
				  "hearth_latency_seconds_bucket{le=\"0.1\"} 2\n"
				  "hearth_latency_seconds_bucket{le=\"1\"} 2\n"
				  "hearth_latency_seconds_bucket{le=\"+Inf\"} 3\n"
				  "hearth_latency_seconds_sum 7.101\n"
				  "hearth_latency_seconds_count 3\n");
	free(text);
	metrics_free(m);
}

static void test_metrics_labelled_histogram_and_escaping(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const names[] = { "path", "code" };
	static const double buckets[] = { 1 };
	const char *odd[] = { "a\"b\\c\nd", "200" };
	struct metric_family *h, *c;
	char err[128], *text;

	assert_non_null(m);
	h = metrics_register(m, METRIC_HISTOGRAM, "x_seconds", "help with \\ and\tword", names, 2,
			     buckets, 1, err, sizeof(err));
	assert_non_null(h);
	c = metrics_register(m, METRIC_COUNTER, "empty_total", "never touched", names, 2, NULL, 0,
			     err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(metrics_histogram_observe(h, odd, 0.25), 0);
	text = render(m);
	assert_string_equal(
		text, "# HELP x_seconds help with \\\\ and\tword\n"
		      "# TYPE x_seconds histogram\n"
		      "x_seconds_bucket{path=\"a\\\"b\\\\c\\nd\",code=\"200\",le=\"1\"} 1\n"
		      "x_seconds_bucket{path=\"a\\\"b\\\\c\\nd\",code=\"200\",le=\"+Inf\"} 1\n"
		      "x_seconds_sum{path=\"a\\\"b\\\\c\\nd\",code=\"200\"} 0.25\n"
		      "x_seconds_count{path=\"a\\\"b\\\\c\\nd\",code=\"200\"} 1\n"
		      "# HELP empty_total never touched\n"
		      "# TYPE empty_total counter\n");
	free(text);
	metrics_free(m);
}

static void test_metrics_register_rejects_bad_names_and_shapes(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const le[] = { "le" }, *const dunder[] = { "__x" };
	static const char *const twice[] = { "a", "a" }, *const five[] = { "a", "b", "c", "d",
									   "e" };
	static const double unsorted[] = { 1, 0.5 }, one[] = { 1 };
	double nan_bucket[] = { NAN };
	char err[128];

	assert_non_null(m);
	assert_null(metrics_register(m, METRIC_COUNTER, "no_suffix", "h", NULL, 0, NULL, 0, err,
				     sizeof(err)));
	assert_non_null(strstr(err, "invalid metric name"));
	assert_null(metrics_register(m, METRIC_GAUGE, "9starts_with_digit", "h", NULL, 0, NULL, 0,
				     err, sizeof(err)));
	assert_null(metrics_register(m, METRIC_GAUGE, "has-dash", "h", NULL, 0, NULL, 0, err,
				     sizeof(err)));
	assert_null(metrics_register(m, METRIC_GAUGE, "g", "two\nlines", NULL, 0, NULL, 0, err,
				     sizeof(err)));
	assert_null(
		metrics_register(m, METRIC_HISTOGRAM, "h", "h", le, 1, one, 1, err, sizeof(err)));
	assert_null(
		metrics_register(m, METRIC_GAUGE, "g", "h", dunder, 1, NULL, 0, err, sizeof(err)));
	assert_null(
		metrics_register(m, METRIC_GAUGE, "g", "h", twice, 2, NULL, 0, err, sizeof(err)));
	assert_null(
		metrics_register(m, METRIC_GAUGE, "g", "h", five, 5, NULL, 0, err, sizeof(err)));
	assert_null(metrics_register(m, METRIC_HISTOGRAM, "h", "h", NULL, 0, unsorted, 2, err,
				     sizeof(err)));
	assert_null(metrics_register(m, METRIC_HISTOGRAM, "h", "h", NULL, 0, nan_bucket, 1, err,
				     sizeof(err)));
	assert_null(metrics_register(m, METRIC_HISTOGRAM, "h", "h", NULL, 0, NULL, 0, err,
				     sizeof(err)));
	assert_null(metrics_register(m, METRIC_GAUGE, "g", "h", NULL, 0, one, 1, err, sizeof(err)));
	assert_non_null(
		metrics_register(m, METRIC_GAUGE, "g", "h", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_null(
		metrics_register(m, METRIC_GAUGE, "g", "h", NULL, 0, NULL, 0, err, sizeof(err)));
	assert_non_null(strstr(err, "registered twice"));
	metrics_free(m);
}

static void test_metrics_updates_of_wrong_type_or_value_change_nothing(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const names[] = { "k" };
	char long_value[METRICS_LABEL_VALUE_MAX + 1];
	const char *too_long[] = { long_value }, *ok[] = { "v" };
	struct metric_family *c, *g;
	char err[128], *text;

	assert_non_null(m);
	memset(long_value, 'x', sizeof(long_value) - 1);
	long_value[sizeof(long_value) - 1] = '\0';
	c = metrics_register(m, METRIC_COUNTER, "c_total", "c", names, 1, NULL, 0, err,
			     sizeof(err));
	g = metrics_register(m, METRIC_GAUGE, "g", "g", NULL, 0, NULL, 0, err, sizeof(err));
	assert_non_null(c);
	assert_non_null(g);
	assert_int_equal(metrics_counter_add(c, ok, -1), -1);
	assert_int_equal(metrics_counter_add(c, ok, NAN), -1);
	assert_int_equal(metrics_counter_add(c, too_long, 1), -1);
	assert_int_equal(metrics_counter_add(c, NULL, 1), -1);
	assert_int_equal(metrics_gauge_set(c, ok, 1), -1);
	assert_int_equal(metrics_histogram_observe(g, NULL, 1), -1);
	assert_int_equal(metrics_counter_add(g, NULL, 1), -1);
	text = render(m);
	assert_string_equal(text, "# HELP c_total c\n# TYPE c_total counter\n"
				  "# HELP g g\n# TYPE g gauge\ng 0\n");
	free(text);
	metrics_free(m);
}

static void test_metrics_series_per_family_are_capped(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const names[] = { "k" };
	struct metric_family *c;
	char err[128], value[32];
	const char *labels[] = { value };

	assert_non_null(m);
	c = metrics_register(m, METRIC_COUNTER, "c_total", "c", names, 1, NULL, 0, err,
			     sizeof(err));
	assert_non_null(c);
	for (int i = 0; i < METRICS_MAX_SERIES; i++) {
		snprintf(value, sizeof(value), "%d", i);
		assert_int_equal(metrics_counter_add(c, labels, 1), 0);
	}
	snprintf(value, sizeof(value), "one-more");
	assert_int_equal(metrics_counter_add(c, labels, 1), -1);
	snprintf(value, sizeof(value), "7");
	assert_int_equal(metrics_counter_add(c, labels, 1), 0);
	metrics_free(m);
}

struct adder {
	struct metric_family *c;
	int n;
};

static void *add_many(void *arg)
{
	struct adder *a = arg;
	const char *labels[] = { "same" };

	for (int i = 0; i < a->n; i++) {
		if (metrics_counter_add(a->c, labels, 1) != 0)
			return arg;
	}
	return NULL;
}

static void test_metrics_concurrent_adds_are_all_counted(void **state UNUSED)
{
	struct metrics *m = metrics_new();
	static const char *const names[] = { "k" };
	struct adder a;
	pthread_t threads[4];
	char err[128], *text;

	assert_non_null(m);
	a.c = metrics_register(m, METRIC_COUNTER, "c_total", "c", names, 1, NULL, 0, err,
			       sizeof(err));
	a.n = 5000;
	assert_non_null(a.c);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, add_many, &a), 0);
	for (int i = 0; i < 4; i++) {
		void *ret;

		assert_int_equal(pthread_join(threads[i], &ret), 0);
		assert_null(ret);
	}
	text = render(m);
	assert_non_null(strstr(text, "c_total{k=\"same\"} 20000\n"));
	free(text);
	metrics_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_render_counter_gauge_histogram_exactly),
		cmocka_unit_test(test_metrics_labelled_histogram_and_escaping),
		cmocka_unit_test(test_metrics_register_rejects_bad_names_and_shapes),
		cmocka_unit_test(test_metrics_updates_of_wrong_type_or_value_change_nothing),
		cmocka_unit_test(test_metrics_series_per_family_are_capped),
		cmocka_unit_test(test_metrics_concurrent_adds_are_all_counted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
