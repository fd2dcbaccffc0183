/* jsonpos.c: a small scanner over well-formed JSON that tracks line and
 * column and descends along a path. */
#include "consensus/jsonpos.h"

#include <string.h>

struct cursor {
	const char *p;
	const char *end;
	unsigned line;
	unsigned column;
};

static void step(struct cursor *c)
{
	if (c->p >= c->end)
		return;
	if (*c->p == '\n') {
		c->line++;
		c->column = 1;
	} else {
		c->column++;
	}
	c->p++;
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && strchr(" \t\r\n", *c->p) != NULL && *c->p != '\0')
		step(c);
}

/* At a '"': moves past the string. Out: the raw bytes between the quotes. */
static int skip_string(struct cursor *c, const char **raw, size_t *raw_len)
{
	if (c->p >= c->end || *c->p != '"')
		return -1;
	step(c);
	*raw = c->p;
	while (c->p < c->end && *c->p != '"') {
		if (*c->p == '\\')
			step(c);
		step(c);
	}
	if (c->p >= c->end)
		return -1;
	*raw_len = (size_t)(c->p - *raw);
	step(c);
	return 0;
}

static int skip_value(struct cursor *c, int depth);

/* At '{' or '[': moves past the container. */
static int skip_container(struct cursor *c, int depth)
{
	char close = *c->p == '{' ? '}' : ']';
	bool object = close == '}';
	const char *raw;
	size_t raw_len;

	step(c);
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		step(c);
		return 0;
	}
	for (;;) {
		if (object) {
			skip_ws(c);
			if (skip_string(c, &raw, &raw_len) != 0)
				return -1;
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			step(c);
		}
		if (skip_value(c, depth + 1) != 0)
			return -1;
		skip_ws(c);
		if (c->p >= c->end)
			return -1;
		if (*c->p == close) {
			step(c);
			return 0;
		}
		if (*c->p != ',')
			return -1;
		step(c);
	}
}

static int skip_value(struct cursor *c, int depth)
{
	const char *raw;
	size_t raw_len;

	if (depth > 64)
		return -1;
	skip_ws(c);
	if (c->p >= c->end)
		return -1;
	if (*c->p == '{' || *c->p == '[')
		return skip_container(c, depth);
	if (*c->p == '"')
		return skip_string(c, &raw, &raw_len);
	while (c->p < c->end && strchr(",]} \t\r\n", *c->p) == NULL)
		step(c);
	return 0;
}

/* At a container: moves to the value (or key) of seg. */
static int descend(struct cursor *c, const struct jsonpos_seg *seg, bool at_key)
{
	bool object = *c->p == '{';
	size_t index = 0;
	const char *raw;
	size_t raw_len;

	if (object != (seg->key != NULL))
		return -1;
	step(c);
	for (;;) {
		skip_ws(c);
		if (c->p >= c->end || *c->p == '}' || *c->p == ']')
			return -1;
		if (object) {
			struct cursor key_at = *c;

			if (skip_string(c, &raw, &raw_len) != 0)
				return -1;
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			step(c);
			skip_ws(c);
			if (raw_len == strlen(seg->key) && memcmp(raw, seg->key, raw_len) == 0) {
				if (at_key)
					*c = key_at;
				return 0;
			}
		} else if (index++ == seg->index) {
			return 0;
		}
		if (skip_value(c, 1) != 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',')
			step(c);
	}
}

int jsonpos_locate(const char *text, size_t len, const struct jsonpos_seg *path, size_t depth,
		   bool at_key, unsigned *line, unsigned *column)
{
	struct cursor c = { .p = text, .end = text + len, .line = 1, .column = 1 };

	skip_ws(&c);
	for (size_t i = 0; i < depth; i++) {
		if (c.p >= c.end || (*c.p != '{' && *c.p != '['))
			return -1;
		if (descend(&c, &path[i], at_key && i + 1 == depth) != 0)
			return -1;
	}
	if (c.p >= c.end)
		return -1;
	*line = c.line;
	*column = c.column;
	return 0;
}
