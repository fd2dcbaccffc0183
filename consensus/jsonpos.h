/* jsonpos.h: where a value sits in a JSON text. jansson reports line and
 * column for syntax errors only; the genesis parser also wants them for
 * semantic errors (unknown key, wrong type, value out of range), so this
 * scanner walks the text (already accepted by jansson) to the value at a
 * path such as params.max_validators or balances[2].amount. Lines and
 * columns are 1-based; columns count bytes. */
#ifndef HEARTH_CONSENSUS_JSONPOS_H
#define HEARTH_CONSENSUS_JSONPOS_H

#include <stdbool.h>
#include <stddef.h>

/* One step of a path: an object key, or (key NULL) an array index. */
struct jsonpos_seg {
	const char *key;
	size_t index;
};

/* Finds the value at path[depth] in text[len] (depth 0: the root value).
 * In:  at_key: when the last step is a key, point at the key, not its value.
 * Out: *line, *column.
 * Returns 0, or -1 when the path is not in the text. */
__attribute__((warn_unused_result)) int jsonpos_locate(const char *text, size_t len,
						       const struct jsonpos_seg *path, size_t depth,
						       bool at_key, unsigned *line,
						       unsigned *column);

#endif
