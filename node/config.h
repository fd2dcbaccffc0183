/* config.h: hearthd's settings, bitcoind style. Options come from the
 * command line (-key, -key=value, --key=value, -nokey) and from hearth.conf
 * (key=value lines, '#' comments, [main]/[test]/[dev] sections whose keys
 * apply only on that network). The command line wins over the file, and a
 * network section wins over the file's top level. Every key is declared in
 * one table (config.c) with its type and help; an unknown key, a malformed
 * value or a value out of range is an error naming where it came from. */
#ifndef HEARTH_NODE_CONFIG_H
#define HEARTH_NODE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ENTRIES 512
#define CONFIG_VALUE_MAX   1024
#define CONFIG_ERROR_MAX   256

enum config_type {
	CONFIG_BOOL, /* "1"/"0"; a bare -key means 1, -nokey means 0 */
	CONFIG_INT,  /* decimal, within [min, max] */
	CONFIG_STRING,
	CONFIG_LIST, /* may be given several times; all values kept */
};

struct config_key {
	const char *name;
	enum config_type type;
	int64_t min, max; /* CONFIG_INT only */
	bool cli_only;	  /* -conf, -datadir: not allowed in the file */
	const char *help;
};

enum config_source {
	CONFIG_FROM_FILE,    /* top level of hearth.conf */
	CONFIG_FROM_SECTION, /* [main]/[test]/[dev] of hearth.conf */
	CONFIG_FROM_COMMAND_LINE,
};

struct config_entry {
	const struct config_key *key;
	enum config_source source;
	char section[8]; /* network of a section entry: "main", "test" or "dev" */
	char value[CONFIG_VALUE_MAX];
};

struct config {
	size_t count;
	struct config_entry entries[CONFIG_MAX_ENTRIES];
};

/* The table of every key, terminated by an entry with name NULL. */
const struct config_key *config_keys(void);

void config_init(struct config *cfg);

/* Parses argv[1..argc-1]. Anything that is not an option is an error.
 * Out: err (one line) on failure. Returns 0 or -1. */
__attribute__((warn_unused_result)) int
config_parse_args(struct config *cfg, int argc, char *const *argv, char *err, size_t err_size);

/* Parses the text of a hearth.conf; name is used in messages.
 * Out: err (one line with "name:line: ...") on failure. Returns 0 or -1. */
__attribute__((warn_unused_result)) int config_parse_file_text(struct config *cfg, const char *name,
							       const char *text, char *err,
							       size_t err_size);

/* Reads and parses the file at path; a missing file is not an error when
 * missing_ok. Returns 0 or -1 with err set. */
__attribute__((warn_unused_result)) int
config_read_file(struct config *cfg, const char *path, bool missing_ok, char *err, size_t err_size);

/* The network the settings select: "dev" with -dev, "test" with -testnet,
 * else "main". -dev and -testnet together is an error reported by
 * config_check. */
const char *config_network(const struct config *cfg);

/* Checks combinations (e.g. -dev with -testnet). Returns 0 or -1 with err. */
__attribute__((warn_unused_result)) int config_check(const struct config *cfg, char *err,
						     size_t err_size);

/* The value of a single-valued key for the selected network, following the
 * precedence above; NULL when unset. */
const char *config_get(const struct config *cfg, const char *name);

/* Typed lookups with a default for an unset key. */
bool config_get_bool(const struct config *cfg, const char *name, bool def);
int64_t config_get_int(const struct config *cfg, const char *name, int64_t def);

/* The values of a list key, from the source with the highest precedence that
 * sets it. Out: values[0..*count) point into cfg. Returns *count. */
size_t config_get_list(const struct config *cfg, const char *name, const char **values,
		       size_t max_values);

#endif
