/* units.h: the quantities operators type on the command line: CPU in
 * millicores ("500m", "2", "1.5"), bytes ("256M", "1G", "4096"; binary
 * multiples), durations ("10s", "500ms", "2m", "1h"; a bare number is
 * seconds). */
#ifndef HEARTH_NODE_UNITS_H
#define HEARTH_NODE_UNITS_H

#include <stdint.h>

/* Each returns 0 and *out, or -1 for text that is not a positive quantity
 * in range. */
__attribute__((warn_unused_result)) int units_parse_millicores(const char *s, uint64_t *out);
__attribute__((warn_unused_result)) int units_parse_bytes(const char *s, uint64_t *out);
__attribute__((warn_unused_result)) int units_parse_ms(const char *s, uint64_t *out);
__attribute__((warn_unused_result)) int units_parse_count(const char *s, uint64_t *out);

#endif
