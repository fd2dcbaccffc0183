/* metrics.c: the Prometheus registry of metrics.h: families, their series
 * found by label values under the registry's mutex, and the text rendering
 * (format 0.0.4, label values and help escaped as the format requires). */
#include "node/metrics.h"

#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct series {
	char labels[METRICS_MAX_LABELS][METRICS_LABEL_VALUE_MAX];
	double value; /* counter, gauge */
	double sum;   /* histogram */
	uint64_t count;
	uint64_t buckets[METRICS_MAX_BUCKETS]; /* not cumulative; +Inf is count */
};

struct metric_family {
	struct metrics *registry;
	enum metric_type type;
	char name[METRICS_NAME_MAX];
	char help[METRICS_HELP_MAX];
	size_t num_labels;
	char label_names[METRICS_MAX_LABELS][METRICS_NAME_MAX];
	size_t num_buckets;
	double bounds[METRICS_MAX_BUCKETS];
	size_t num_series, cap_series;
	struct series **series;
};

struct metrics {
	pthread_mutex_t lock;
	size_t num_families;
	struct metric_family *families[METRICS_MAX_FAMILIES];
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(&m->lock, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->num_families; i++) {
		struct metric_family *f = m->families[i];

		for (size_t j = 0; j < f->num_series; j++)
			free(f->series[j]);
		free(f->series);
		free(f);
	}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

static bool name_valid(const char *name, bool colon_ok)
{
	size_t len = strlen(name);

	if (len == 0 || len >= METRICS_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			     (colon_ok && c == ':');

		if (!alpha && !(i > 0 && c >= '0' && c <= '9'))
			return false;
	}
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Checks the labels and buckets of a family about to be registered. */
static int check_shape(enum metric_type type, const char *const *label_names, size_t num_labels,
		       const double *buckets, size_t num_buckets, char *err, size_t err_size)
{
	if (num_labels > METRICS_MAX_LABELS) {
		snprintf(err, err_size, "more than %d labels", METRICS_MAX_LABELS);
		return -1;
	}
	for (size_t i = 0; i < num_labels; i++) {
		const char *l = label_names[i];

		if (!name_valid(l, false) || strncmp(l, "__", 2) == 0 ||
		    (type == METRIC_HISTOGRAM && strcmp(l, "le") == 0)) {
			snprintf(err, err_size, "invalid label name '%s'", l);
			return -1;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(label_names[j], l) == 0) {
				snprintf(err, err_size, "label '%s' given twice", l);
				return -1;
			}
		}
	}
	if (type != METRIC_HISTOGRAM) {
		if (num_buckets != 0) {
			snprintf(err, err_size, "only histograms have buckets");
			return -1;
		}
		return 0;
	}
	if (num_buckets == 0 || num_buckets > METRICS_MAX_BUCKETS) {
		snprintf(err, err_size, "a histogram needs 1..%d buckets", METRICS_MAX_BUCKETS);
		return -1;
	}
	for (size_t i = 0; i < num_buckets; i++) {
		if (!isfinite(buckets[i]) || (i > 0 && buckets[i] <= buckets[i - 1])) {
			snprintf(err, err_size, "buckets must be finite and strictly increasing");
			return -1;
		}
	}
	return 0;
}

/* Adds a zeroed series with the given label values; f->registry->lock held. */
static struct series *series_add(struct metric_family *f, const char *const *label_values)
{
	struct series *s;

	if (f->num_series == f->cap_series) {
		size_t cap = f->cap_series ? 2 * f->cap_series : 8;
		struct series **grown;

		if (cap > METRICS_MAX_SERIES)
			cap = METRICS_MAX_SERIES;
		if (cap == f->cap_series)
			return NULL;
		grown = realloc(f->series, cap * sizeof(*grown));
		if (grown == NULL)
			return NULL;
		f->series = grown;
		f->cap_series = cap;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return NULL;
	for (size_t i = 0; i < f->num_labels; i++)
		memcpy(s->labels[i], label_values[i], strlen(label_values[i]) + 1);
	f->series[f->num_series++] = s;
	return s;
}

struct metric_family *metrics_register(struct metrics *m, enum metric_type type, const char *name,
				       const char *help, const char *const *label_names,
				       size_t num_labels, const double *buckets, size_t num_buckets,
				       char *err, size_t err_size)
{
	struct metric_family *f;

	if (!name_valid(name, true) || (type == METRIC_COUNTER && !ends_with(name, "_total"))) {
		snprintf(err, err_size, "invalid metric name '%s'", name);
		return NULL;
	}
	if (strlen(help) >= METRICS_HELP_MAX || strchr(help, '\n') != NULL) {
		snprintf(err, err_size, "help of %s must be one line under %d characters", name,
			 METRICS_HELP_MAX);
		return NULL;
	}
	if (check_shape(type, label_names, num_labels, buckets, num_buckets, err, err_size) != 0)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		snprintf(err, err_size, "out of memory");
		return NULL;
	}
	f->registry = m;
	f->type = type;
	memcpy(f->name, name, strlen(name) + 1);
	memcpy(f->help, help, strlen(help) + 1);
	f->num_labels = num_labels;
	for (size_t i = 0; i < num_labels; i++)
		memcpy(f->label_names[i], label_names[i], strlen(label_names[i]) + 1);
	f->num_buckets = num_buckets;
	for (size_t i = 0; i < num_buckets; i++)
		f->bounds[i] = buckets[i];

	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->num_families; i++) {
		if (strcmp(m->families[i]->name, name) == 0) {
			pthread_mutex_unlock(&m->lock);
			snprintf(err, err_size, "metric %s registered twice", name);
			free(f);
			return NULL;
		}
	}
	if (m->num_families == METRICS_MAX_FAMILIES || (num_labels == 0 && !series_add(f, NULL))) {
		pthread_mutex_unlock(&m->lock);
		snprintf(err, err_size, "cannot register %s: registry full or out of memory", name);
		free(f->series);
		free(f);
		return NULL;
	}
	m->families[m->num_families++] = f;
	pthread_mutex_unlock(&m->lock);
	return f;
}

/* The series of f with these label values, created when new; lock held.
 * NULL for a label value too long or no room. */
static struct series *series_find(struct metric_family *f, const char *const *label_values)
{
	for (size_t i = 0; i < f->num_labels; i++) {
		if (label_values == NULL || label_values[i] == NULL ||
		    strlen(label_values[i]) >= METRICS_LABEL_VALUE_MAX)
			return NULL;
	}
	for (size_t i = 0; i < f->num_series; i++) {
		struct series *s = f->series[i];
		size_t j = 0;

		while (j < f->num_labels && strcmp(s->labels[j], label_values[j]) == 0)
			j++;
		if (j == f->num_labels)
			return s;
	}
	return series_add(f, label_values);
}

enum update_op {
	UPDATE_ADD,
	UPDATE_SET,
	UPDATE_OBSERVE,
};

static int update(struct metric_family *f, enum metric_type want, enum update_op op,
		  const char *const *label_values, double v)
{
	struct series *s;

	if (f->type != want || isnan(v) || (want == METRIC_COUNTER && v < 0))
		return -1;
	pthread_mutex_lock(&f->registry->lock);
	s = series_find(f, label_values);
	if (s == NULL) {
		pthread_mutex_unlock(&f->registry->lock);
		return -1;
	}
	switch (op) {
	case UPDATE_ADD:
		s->value += v;
		break;
	case UPDATE_SET:
		s->value = v;
		break;
	case UPDATE_OBSERVE:
		for (size_t i = 0; i < f->num_buckets; i++) {
			if (v <= f->bounds[i]) {
				s->buckets[i]++;
				break;
			}
		}
		s->count++;
		s->sum += v;
		break;
	}
	pthread_mutex_unlock(&f->registry->lock);
	return 0;
}

int metrics_counter_add(struct metric_family *f, const char *const *label_values, double v)
{
	return update(f, METRIC_COUNTER, UPDATE_ADD, label_values, v);
}

int metrics_gauge_set(struct metric_family *f, const char *const *label_values, double v)
{
	return update(f, METRIC_GAUGE, UPDATE_SET, label_values, v);
}

int metrics_gauge_add(struct metric_family *f, const char *const *label_values, double v)
{
	return update(f, METRIC_GAUGE, UPDATE_ADD, label_values, v);
}

int metrics_histogram_observe(struct metric_family *f, const char *const *label_values, double v)
{
	return update(f, METRIC_HISTOGRAM, UPDATE_OBSERVE, label_values, v);
}

/* A growing output buffer; failed sticks after the first allocation error. */
struct out {
	char *p;
	size_t len, cap;
	bool failed;
};

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->failed = true;
		return;
	}
	if ((size_t)n >= o->cap - o->len) {
		size_t cap = o->cap * 2 + (size_t)n;
		char *grown = realloc(o->p, cap);

		if (grown == NULL) {
			o->failed = true;
			return;
		}
		o->p = grown;
		o->cap = cap;
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0 || (size_t)n >= o->cap - o->len) {
			o->failed = true;
			return;
		}
	}
	o->len += (size_t)n;
}

/* Writes s escaped: backslash and newline always, double quote in label
 * values only (the format's rules). */
static void out_escaped(struct out *o, const char *s, bool quote)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			out_printf(o, "\\\\");
		else if (*s == '\n')
			out_printf(o, "\\n");
		else if (quote && *s == '"')
			out_printf(o, "\\\"");
		else
			out_printf(o, "%c", *s);
	}
}

/* Formats v as Prometheus reads it: integers without a fraction, others
 * with the fewest digits that read back exactly. */
static void format_value(char *buf, size_t size, double v)
{
	if (isnan(v)) {
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(v)) {
		snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, size, "%.0f", v);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* name{labels[,le="bound"]} value */
static void out_sample(struct out *o, const struct metric_family *f, const struct series *s,
		       const char *suffix, const char *le, double v)
{
	char num[64];
	bool any = f->num_labels > 0 || le != NULL;

	out_printf(o, "%s%s%s", f->name, suffix, any ? "{" : "");
	for (size_t i = 0; i < f->num_labels; i++) {
		out_printf(o, "%s%s=\"", i ? "," : "", f->label_names[i]);
		out_escaped(o, s->labels[i], true);
		out_printf(o, "\"");
	}
	if (le != NULL)
		out_printf(o, "%sle=\"%s\"", f->num_labels ? "," : "", le);
	format_value(num, sizeof(num), v);
	out_printf(o, "%s %s\n", any ? "}" : "", num);
}

static void out_family(struct out *o, const struct metric_family *f)
{
	static const char *const type_names[] = { "counter", "gauge", "histogram" };

	out_printf(o, "# HELP %s ", f->name);
	out_escaped(o, f->help, false);
	out_printf(o, "\n# TYPE %s %s\n", f->name, type_names[f->type]);
	for (size_t i = 0; i < f->num_series; i++) {
		const struct series *s = f->series[i];
		uint64_t cumulative = 0;
		char le[64];

		switch (f->type) {
		case METRIC_COUNTER:
		case METRIC_GAUGE:
			out_sample(o, f, s, "", NULL, s->value);
			break;
		case METRIC_HISTOGRAM:
			for (size_t b = 0; b < f->num_buckets; b++) {
				cumulative += s->buckets[b];
				format_value(le, sizeof(le), f->bounds[b]);
				out_sample(o, f, s, "_bucket", le, (double)cumulative);
			}
			out_sample(o, f, s, "_bucket", "+Inf", (double)s->count);
			out_sample(o, f, s, "_sum", NULL, s->sum);
			out_sample(o, f, s, "_count", NULL, (double)s->count);
			break;
		}
	}
}

int metrics_render(struct metrics *m, char **out, size_t *len)
{
	struct out o = { .p = malloc(4096), .len = 0, .cap = 4096, .failed = false };

	if (o.p == NULL)
		return -1;
	o.p[0] = '\0';
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->num_families; i++)
		out_family(&o, m->families[i]);
	pthread_mutex_unlock(&m->lock);
	if (o.failed) {
		free(o.p);
		return -1;
	}
	*out = o.p;
	*len = o.len;
	return 0;
}
