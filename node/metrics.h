/* metrics.h: a small Prometheus registry. The node creates one registry,
 * every part of it registers its metric families (counters, gauges,
 * histograms with fixed buckets, each with up to METRICS_MAX_LABELS label
 * names) at start-up, then updates series from any thread; GET /metrics
 * renders the registry in the text exposition format 0.0.4 (# HELP and
 * # TYPE lines, families in registration order, series in the order they
 * were first touched). One mutex per registry guards every update and the
 * rendering, so a scrape sees each series whole.
 *
 * Names follow Prometheus's conventions: base units, counters end in
 * "_total". Series of a family without labels exist from registration (and
 * render as 0); a labelled series appears on its first update. Every size is
 * bounded: families, series per family, label value length. */
#ifndef HEARTH_NODE_METRICS_H
#define HEARTH_NODE_METRICS_H

#include <stddef.h>

#define METRICS_MAX_FAMILIES	128
#define METRICS_MAX_SERIES	1024 /* per family */
#define METRICS_MAX_LABELS	4
#define METRICS_MAX_BUCKETS	24
#define METRICS_NAME_MAX	96
#define METRICS_HELP_MAX	256
#define METRICS_LABEL_VALUE_MAX 96

enum metric_type {
	METRIC_COUNTER,
	METRIC_GAUGE,
	METRIC_HISTOGRAM,
};

struct metrics;
struct metric_family;

/* Returns a new empty registry (free with metrics_free), or NULL when out of
 * memory. */
struct metrics *metrics_new(void);

/* Frees the registry and every family in it. NULL is allowed. */
void metrics_free(struct metrics *m);

/* Registers a family.
 * In:  type; name ([a-zA-Z_:][a-zA-Z0-9_:]*, counters end in "_total");
 *      help (one line, < METRICS_HELP_MAX); label_names[0..num_labels)
 *      ([a-zA-Z_][a-zA-Z0-9_]*, not "__"-prefixed, not "le" for a
 *      histogram); buckets[0..num_buckets): upper bounds, finite and strictly
 *      increasing, histograms only (+Inf is implied), else NULL and 0.
 * Out: err (one line) on failure.
 * Returns the family, owned by the registry, or NULL for an invalid or
 * duplicate name, a bad label or bucket list, a full registry or no memory. */
__attribute__((warn_unused_result)) struct metric_family *
metrics_register(struct metrics *m, enum metric_type type, const char *name, const char *help,
		 const char *const *label_names, size_t num_labels, const double *buckets,
		 size_t num_buckets, char *err, size_t err_size);

/* Updates one series of f, selected by label_values[0..num_labels) (NULL
 * when the family has no labels; each value < METRICS_LABEL_VALUE_MAX).
 * metrics_counter_add needs a counter and v >= 0; metrics_gauge_set and
 * metrics_gauge_add a gauge; metrics_histogram_observe a histogram.
 * Returns 0, or -1 (nothing changed) for the wrong type, a bad value, a
 * label value too long, or a family that already holds METRICS_MAX_SERIES. */
__attribute__((warn_unused_result)) int
metrics_counter_add(struct metric_family *f, const char *const *label_values, double v);
__attribute__((warn_unused_result)) int
metrics_gauge_set(struct metric_family *f, const char *const *label_values, double v);
__attribute__((warn_unused_result)) int
metrics_gauge_add(struct metric_family *f, const char *const *label_values, double v);
__attribute__((warn_unused_result)) int
metrics_histogram_observe(struct metric_family *f, const char *const *label_values, double v);

/* Renders every family in the text exposition format 0.0.4.
 * Out: *out (malloc'd, NUL-terminated, caller frees), *len (without NUL).
 * Returns 0, or -1 when out of memory. */
__attribute__((warn_unused_result)) int metrics_render(struct metrics *m, char **out, size_t *len);

/* The Content-Type of metrics_render's output. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

#endif
