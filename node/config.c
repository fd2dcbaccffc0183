/* config.c: the table of hearthd's settings and the parsers of the command
 * line and hearth.conf. doc/config.md documents every key of the table. */
#include "node/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define I64 INT64_MAX

static const struct config_key keys[] = {
	{ "help", CONFIG_BOOL, 0, 1, true, "print the options and exit" },
	{ "version", CONFIG_BOOL, 0, 1, true, "print the version and exit" },
	{ "verifychain", CONFIG_BOOL, 0, 1, true,
	  "replay the stored chain from genesis, check it against the store and exit" },
	{ "conf", CONFIG_STRING, 0, 0, true,
	  "configuration file (default: <datadir>/hearth.conf)" },
	{ "datadir", CONFIG_STRING, 0, 0, true, "data directory (default: ~/.hearth)" },
	{ "dev", CONFIG_BOOL, 0, 1, false,
	  "one-validator development network with a built-in genesis" },
	{ "testnet", CONFIG_BOOL, 0, 1, false, "the test network" },
	{ "daemon", CONFIG_BOOL, 0, 1, false, "run in the background and write a pid file" },
	{ "pid", CONFIG_STRING, 0, 0, false, "pid file (default: <datadir>/hearthd.pid)" },
	{ "printtoconsole", CONFIG_BOOL, 0, 1, false, "also write the log to standard error" },
	{ "debug", CONFIG_LIST, 0, 0, false,
	  "log debug lines of these categories (comma lists allowed; 'all' for every one)" },
	{ "port", CONFIG_INT, 1, 65535, false, "P2P port (default: 9740, dev 19740)" },
	{ "bind", CONFIG_STRING, 0, 0, false, "P2P listen address (default: 0.0.0.0)" },
	{ "listen", CONFIG_BOOL, 0, 1, false, "accept inbound P2P connections (default: 1)" },
	{ "connect", CONFIG_LIST, 0, 0, false, "connect only to these peers (host:port)" },
	{ "seednode", CONFIG_LIST, 0, 0, false, "connect to these peers to learn addresses" },
	{ "addnode", CONFIG_LIST, 0, 0, false,
	  "keep connected to these peers too (host:port; reconnect with backoff)" },
	{ "maxconnections", CONFIG_INT, 0, 1000, false, "maximum P2P peers (default: 40)" },
	{ "maxoutbound", CONFIG_INT, 0, 1000, false,
	  "maximum outbound P2P peers (default: min(8, maxconnections))" },
	{ "maxinbound", CONFIG_INT, 0, 1000, false,
	  "maximum inbound P2P peers (default: maxconnections - maxoutbound)" },
	{ "bantime", CONFIG_INT, 1, 31536000, false,
	  "seconds a misbehaving peer's IP is banned (default: 86400)" },
	{ "whitelist", CONFIG_LIST, 0, 0, false,
	  "never ban peers from this IP (e.g. 127.0.0.1 on a local network)" },
	{ "addrbook", CONFIG_BOOL, 0, 1, false,
	  "keep learned peer addresses in peers.dat and dial from them (default: 1)" },
	{ "printvalidatorkey", CONFIG_BOOL, 0, 1, true,
	  "create the validator key if missing, print its public key and address, exit" },
	{ "printdevgenesis", CONFIG_BOOL, 0, 1, true,
	  "print a dev genesis whose validators are the -genesisvalidator keys, exit" },
	{ "genesisvalidator", CONFIG_LIST, 0, 0, true,
	  "a validator public key (64 hex digits) for -printdevgenesis" },
	{ "rpcbind", CONFIG_LIST, 0, 0, false, "RPC listen address (default: 127.0.0.1)" },
	{ "rpcport", CONFIG_INT, 1, 65535, false, "RPC port (default: 9741, dev 19741)" },
	{ "rpcallowip", CONFIG_LIST, 0, 0, false, "allow RPC clients from this address or subnet" },
	{ "rpcauth", CONFIG_LIST, 0, 0, false, "RPC credentials user:salt$hmac (HMAC-SHA256)" },
	{ "rpcuser", CONFIG_STRING, 0, 0, false, "RPC user name (prefer rpcauth or the cookie)" },
	{ "rpcpassword", CONFIG_STRING, 0, 0, false,
	  "RPC password (prefer rpcauth or the cookie)" },
	{ "rpcpublic", CONFIG_BOOL, 0, 1, false,
	  "serve read-only RPC methods without authentication" },
	{ "rpcthreads", CONFIG_INT, 1, 64, false, "RPC worker threads (default: 4)" },
	{ "rpcmaxbody", CONFIG_INT, 1024, 256 * 1024 * 1024, false,
	  "largest RPC request body in bytes (default: 4194304)" },
	{ "rpcservertimeout", CONFIG_INT, 1, 3600, false,
	  "seconds an idle RPC connection is kept (default: 30)" },
	{ "rpcmaxconnections", CONFIG_INT, 1, 10000, false,
	  "most RPC connections at once (default: 128)" },
	{ "rpcmaxbatch", CONFIG_INT, 1, 100000, false,
	  "most requests in one JSON-RPC batch (default: 1000)" },
	{ "rpcmaxwaiters", CONFIG_INT, 1, 10000, false,
	  "most waiting RPC calls (waitforblock, ...) at once (default: 32)" },
	{ "emptyblockinterval", CONFIG_INT, 1, 3600000, false,
	  "dev network: at most this many ms between empty blocks (default: 1000)" },
	{ "timeoutcommit", CONFIG_INT, 0, 3600000, false,
	  "ms a validator waits after a decision for the precommits it lacks "
	  "(default: 100 on dev, 1000 otherwise)" },
	{ "mempoolmaxtxs", CONFIG_INT, 1, 10000000, false,
	  "most txs the mempool holds (default: 5000)" },
	{ "mempoolmaxbytes", CONFIG_INT, 1024, I64, false,
	  "most bytes of txs the mempool holds (default: 67108864)" },
	{ "mempoolmaxahead", CONFIG_INT, 0, 1000, false,
	  "how many nonces past its sender's next a tx may wait (default: 16)" },
	{ "provider", CONFIG_BOOL, 0, 1, false,
	  "run matched jobs with this node's provider key (<datadir>/provider_key)" },
	{ "providermaxjobs", CONFIG_INT, 1, 4096, false,
	  "most jobs the executor runs at once (default: 64)" },
	{ "cgroupparent", CONFIG_STRING, 0, 0, false,
	  "parent cgroup of job sandboxes (default: hearth)" },
	{ "resultretention", CONFIG_INT, 0, I64, false,
	  "seconds to keep job results (default: 604800)" },
	{ "testwrongresult", CONFIG_BOOL, 0, 1, true,
	  "TEST ONLY, dev/test networks: the executor reports wrong result hashes" },
	{ "maxinputsize", CONFIG_INT, 0, I64, false,
	  "largest job input stored by putjobinput or fetched by hash (default: 67108864)" },
	{ "maxinputstore", CONFIG_INT, 0, I64, false,
	  "most bytes of job inputs kept in <datadir>/inputs (default: 1073741824)" },
	{ "inputretention", CONFIG_INT, 0, I64, false,
	  "seconds a stored job input is kept, 0 for ever (default: 604800)" },
	{ NULL, CONFIG_BOOL, 0, 0, false, NULL },
};

const struct config_key *config_keys(void)
{
	return keys;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
}

static const struct config_key *find_key(const char *name, size_t len)
{
	for (const struct config_key *k = keys; k->name != NULL; k++) {
		if (strlen(k->name) == len && strncmp(k->name, name, len) == 0)
			return k;
	}
	return NULL;
}

static int check_value(const struct config_key *k, const char *value, char *why, size_t why_size)
{
	char *end;
	long long v;

	switch (k->type) {
	case CONFIG_BOOL:
		if (strcmp(value, "0") != 0 && strcmp(value, "1") != 0) {
			snprintf(why, why_size, "-%s takes 0 or 1, not '%s'", k->name, value);
			return -1;
		}
		return 0;
	case CONFIG_INT:
		errno = 0;
		v = strtoll(value, &end, 10);
		if (value[0] == '\0' || *end != '\0' || errno != 0 || v < k->min || v > k->max) {
			snprintf(why, why_size,
				 "-%s takes a whole number in [%lld, %lld], not '%s'", k->name,
				 (long long)k->min, (long long)k->max, value);
			return -1;
		}
		return 0;
	case CONFIG_STRING:
	case CONFIG_LIST:
		return 0;
	}
	return -1;
}

/* Adds name=value from source; why receives the reason of a failure. */
static int add_entry(struct config *cfg, const char *name, size_t name_len, const char *value,
		     enum config_source source, const char *section, char *why, size_t why_size)
{
	const struct config_key *k = find_key(name, name_len);
	struct config_entry *e;

	if (k == NULL) {
		snprintf(why, why_size, "unknown option -%.*s", (int)name_len, name);
		return -1;
	}
	if (k->cli_only && source != CONFIG_FROM_COMMAND_LINE) {
		snprintf(why, why_size, "-%s is only allowed on the command line", k->name);
		return -1;
	}
	if (source == CONFIG_FROM_SECTION &&
	    (strcmp(k->name, "dev") == 0 || strcmp(k->name, "testnet") == 0)) {
		snprintf(why, why_size, "-%s cannot be set inside a network section", k->name);
		return -1;
	}
	if (strlen(value) >= CONFIG_VALUE_MAX) {
		snprintf(why, why_size, "value of -%s is longer than %d characters", k->name,
			 CONFIG_VALUE_MAX - 1);
		return -1;
	}
	if (check_value(k, value, why, why_size) != 0)
		return -1;
	if (cfg->count >= CONFIG_MAX_ENTRIES) {
		snprintf(why, why_size, "more than %d settings", CONFIG_MAX_ENTRIES);
		return -1;
	}
	e = &cfg->entries[cfg->count++];
	e->key = k;
	e->source = source;
	snprintf(e->section, sizeof(e->section), "%s", section ? section : "");
	snprintf(e->value, sizeof(e->value), "%s", value);
	return 0;
}

/* One command-line argument: -key, --key, -key=value, -nokey. */
static int parse_arg(struct config *cfg, const char *arg, char *why, size_t why_size)
{
	const char *name = arg, *eq;
	size_t name_len;

	if (name[0] != '-' || name[1] == '\0') {
		snprintf(why, why_size, "unexpected argument '%s' (options start with -)", arg);
		return -1;
	}
	name += name[1] == '-' ? 2 : 1;
	eq = strchr(name, '=');
	name_len = eq ? (size_t)(eq - name) : strlen(name);
	if (eq == NULL && name_len > 2 && strncmp(name, "no", 2) == 0) {
		const struct config_key *k = find_key(name + 2, name_len - 2);

		if (k != NULL && k->type == CONFIG_BOOL)
			return add_entry(cfg, name + 2, name_len - 2, "0", CONFIG_FROM_COMMAND_LINE,
					 NULL, why, why_size);
	}
	if (eq == NULL) {
		const struct config_key *k = find_key(name, name_len);

		if (k != NULL && k->type != CONFIG_BOOL) {
			snprintf(why, why_size, "-%s needs a value (-%s=...)", k->name, k->name);
			return -1;
		}
	}
	return add_entry(cfg, name, name_len, eq ? eq + 1 : "1", CONFIG_FROM_COMMAND_LINE, NULL,
			 why, why_size);
}

int config_parse_args(struct config *cfg, int argc, char *const *argv, char *err, size_t err_size)
{
	for (int i = 1; i < argc; i++) {
		if (parse_arg(cfg, argv[i], err, err_size) != 0)
			return -1;
	}
	return 0;
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* One line of hearth.conf; *section is the current network section. */
static int parse_line(struct config *cfg, char *line, char *section, size_t section_size, char *why,
		      size_t why_size)
{
	char *s = trim(line), *eq;

	if (*s == '\0' || *s == '#')
		return 0;
	if (*s == '[') {
		size_t len = strlen(s);

		if (s[len - 1] != ']') {
			snprintf(why, why_size, "malformed section header '%s'", s);
			return -1;
		}
		s[len - 1] = '\0';
		s = trim(s + 1);
		if (strcmp(s, "main") != 0 && strcmp(s, "test") != 0 && strcmp(s, "dev") != 0) {
			snprintf(why, why_size, "unknown section [%s] (want main, test or dev)", s);
			return -1;
		}
		snprintf(section, section_size, "%s", s);
		return 0;
	}
	eq = strchr(s, '=');
	if (eq == NULL) {
		snprintf(why, why_size, "expected key=value, got '%s'", s);
		return -1;
	}
	*eq = '\0';
	{
		char *name = trim(s), *value = trim(eq + 1);

		return add_entry(cfg, name, strlen(name), value,
				 section[0] ? CONFIG_FROM_SECTION : CONFIG_FROM_FILE, section, why,
				 why_size);
	}
}

int config_parse_file_text(struct config *cfg, const char *name, const char *text, char *err,
			   size_t err_size)
{
	char section[8] = "";
	char line[CONFIG_VALUE_MAX + 256];
	unsigned lineno = 0;
	const char *p = text;

	while (*p != '\0') {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char why[CONFIG_ERROR_MAX];

		lineno++;
		if (len >= sizeof(line)) {
			snprintf(err, err_size, "%s:%u: line too long", name, lineno);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		if (parse_line(cfg, line, section, sizeof(section), why, sizeof(why)) != 0) {
			snprintf(err, err_size, "%s:%u: %s", name, lineno, why);
			return -1;
		}
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

int config_read_file(struct config *cfg, const char *path, bool missing_ok, char *err,
		     size_t err_size)
{
	FILE *f = fopen(path, "r");
	char *text;
	long size;
	int rc;

	if (f == NULL) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    size > (long)(CONFIG_MAX_ENTRIES * (CONFIG_VALUE_MAX + 64))) {
		snprintf(err, err_size, "cannot read %s: not a regular file or too large", path);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)size + 1);
	if (text == NULL || fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, err_size, "cannot read %s", path);
		free(text);
		fclose(f);
		return -1;
	}
	fclose(f);
	text[size] = '\0';
	if (strlen(text) != (size_t)size) {
		snprintf(err, err_size, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rc = config_parse_file_text(cfg, path, text, err, err_size);
	free(text);
	return rc;
}

/* The value of name ignoring sections: command line first, then file. */
static const char *get_unsectioned(const struct config *cfg, const char *name)
{
	const char *file = NULL, *cli = NULL;

	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (strcmp(e->key->name, name) != 0)
			continue;
		if (e->source == CONFIG_FROM_COMMAND_LINE)
			cli = e->value;
		else if (e->source == CONFIG_FROM_FILE)
			file = e->value;
	}
	return cli ? cli : file;
}

const char *config_network(const struct config *cfg)
{
	const char *dev = get_unsectioned(cfg, "dev");
	const char *test = get_unsectioned(cfg, "testnet");

	if (dev != NULL && strcmp(dev, "1") == 0)
		return "dev";
	if (test != NULL && strcmp(test, "1") == 0)
		return "test";
	return "main";
}

int config_check(const struct config *cfg, char *err, size_t err_size)
{
	const char *dev = get_unsectioned(cfg, "dev");
	const char *test = get_unsectioned(cfg, "testnet");

	if (dev && test && strcmp(dev, "1") == 0 && strcmp(test, "1") == 0) {
		snprintf(err, err_size, "-dev and -testnet cannot be used together");
		return -1;
	}
	return 0;
}

/* Precedence rank of an entry for the selected network, 0 = does not apply. */
static int rank(const struct config_entry *e, const char *network)
{
	switch (e->source) {
	case CONFIG_FROM_COMMAND_LINE:
		return 3;
	case CONFIG_FROM_SECTION:
		return strcmp(e->section, network) == 0 ? 2 : 0;
	case CONFIG_FROM_FILE:
		return 1;
	}
	return 0;
}

const char *config_get(const struct config *cfg, const char *name)
{
	const char *network = config_network(cfg), *best = NULL;
	int best_rank = 0;

	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];
		int r = rank(e, network);

		/* Later entries of the same rank win, like bitcoind. */
		if (strcmp(e->key->name, name) == 0 && r > 0 && r >= best_rank) {
			best = e->value;
			best_rank = r;
		}
	}
	return best;
}

bool config_get_bool(const struct config *cfg, const char *name, bool def)
{
	const char *v = config_get(cfg, name);

	return v ? strcmp(v, "1") == 0 : def;
}

int64_t config_get_int(const struct config *cfg, const char *name, int64_t def)
{
	const char *v = config_get(cfg, name);

	/* Values were range-checked when parsed. */
	return v ? (int64_t)strtoll(v, NULL, 10) : def;
}

size_t config_get_list(const struct config *cfg, const char *name, const char **values,
		       size_t max_values)
{
	const char *network = config_network(cfg);
	int best_rank = 0;
	size_t n = 0;

	for (size_t i = 0; i < cfg->count; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (strcmp(e->key->name, name) == 0 && rank(e, network) > best_rank)
			best_rank = rank(e, network);
	}
	for (size_t i = 0; i < cfg->count && best_rank > 0; i++) {
		const struct config_entry *e = &cfg->entries[i];

		if (strcmp(e->key->name, name) == 0 && rank(e, network) == best_rank &&
		    n < max_values)
			values[n++] = e->value;
	}
	return n;
}
