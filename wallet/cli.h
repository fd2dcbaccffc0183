/* cli.h: what hearth-cli's commands share: the context made from the global
 * options, the command table entry, and the helpers of cli_common.c (one-line
 * errors, aligned or JSON output, command options, key selection, the RPC
 * client made on first use). Each command group (cmd_keys.c, cmd_tx.c,
 * cmd_misc.c, cmd_market.c) exports a table; wallet/cli.c holds main and
 * dispatches. A command returns the process's exit status: 0, or 1 after
 * printing one line on stderr (CLI_EXIT_PENDING: a bid not in a block yet). */
#ifndef HEARTH_WALLET_CLI_H
#define HEARTH_WALLET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "consensus/crypto.h"
#include "consensus/tx.h"
#include "wallet/keystore.h"
#include "wallet/rpcclient.h"

struct cli_ctx {
	const char *datadir; /* -datadir, NULL: ~/.hearth */
	enum network net;    /* -dev, -testnet, else main */
	bool json;	     /* -json */
	bool from_stdin;     /* -stdin: passphrase on stdin's first line */
	const char *key;     /* -key=NAME */
	const char *keyfile; /* -keyfile=PATH */
	struct rpc_client_opts rpc_opts;
	struct rpc_client rpc;
	bool rpc_ready;
	char wallet_dir[KEYSTORE_PATH_MAX];
};

struct cli_command {
	const char *name;
	const char *usage;					/* arguments after the name */
	const char *summary;					/* one line for `help` */
	const char *help;					/* the rest of `help CMD` */
	int (*run)(struct cli_ctx *ctx, int argc, char **argv); /* args after the name */
};

/* The command groups' tables. */
extern const struct cli_command cmd_keys_table[];
extern const size_t cmd_keys_count;
extern const struct cli_command cmd_tx_table[];
extern const size_t cmd_tx_count;
extern const struct cli_command cmd_market_table[];
extern const size_t cmd_market_count;
extern const struct cli_command cmd_query_table[];
extern const size_t cmd_query_count;
extern const struct cli_command cmd_result_table[];
extern const size_t cmd_result_count;
extern const struct cli_command cmd_misc_table[];
extern const size_t cmd_misc_count;

/* Prints "hearth-cli: <message>" on stderr. Returns 1. */
__attribute__((format(printf, 1, 2))) int cli_fail(const char *fmt, ...);

/* Prints an RPC failure: "error code N: message" for a node's JSON-RPC
 * error, else "hearth-cli: message". Returns 1. */
int cli_fail_rpc(const struct rpc_error *e);

/* Prints obj (taken) as indented JSON on stdout. Returns 0, or 1 on no
 * memory (obj NULL counts as that). */
int cli_print_json(json_t *obj);

/* One line of human output: a label and its value, aligned by cli_print_rows. */
struct cli_row {
	const char *label;
	char value[160];
};

/* Prints rows as "label  value" with the labels padded to the longest. */
void cli_print_rows(const struct cli_row *rows, size_t n);

/* The values of a repeatable option (--attr k=v --attr k2=v2). */
#define CLI_LIST_MAX 16
struct cli_list {
	const char *items[CLI_LIST_MAX];
	size_t n;
};

/* A command's option: "--name VALUE", "--name=VALUE", or a flag "--name".
 * Exactly one of value, flag and list is set. */
struct cli_opt {
	const char *name;      /* without the dashes */
	const char **value;    /* an option with one value (the last given wins) */
	bool *flag;	       /* a flag */
	struct cli_list *list; /* a repeatable option */
};

/* Splits args into options of opts and positional arguments; "--" ends the
 * options (everything after is positional, kept in pos).
 * Out: pos[*npos] (pointers into argv). Returns 0, or 1 after printing what
 * is wrong (unknown option, missing value, more than max_pos positionals). */
int cli_parse_opts(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
		   char **pos, size_t max_pos, size_t *npos);

/* The name of the key to use: -key, else "default" when it exists, else the
 * only key. Out: name (points to static or argv memory, or into names).
 * Returns 0, or 1 after printing why (no key, several keys). */
int cli_key_name(struct cli_ctx *ctx, char *name, size_t size);

/* The public key of the selected key (-keyfile, or the keystore's key,
 * which needs no passphrase). Returns 0 or 1 after printing why. */
int cli_key_pubkey(struct cli_ctx *ctx, uint8_t pubkey[PUBKEY_SIZE]);

/* The signer of the selected key: -keyfile, or the keystore's key opened
 * with the passphrase (passphrase.h). Out: s (signer_wipe it).
 * Returns 0 or 1 after printing why. */
int cli_key_signer(struct cli_ctx *ctx, struct signer *s);

/* Out: out, the address of pubkey on ctx's network. */
void cli_address(const struct cli_ctx *ctx, const uint8_t pubkey[PUBKEY_SIZE], char *out,
		 size_t size);

/* Parses an address and checks it is of ctx's network.
 * Returns 0, or 1 after printing "bad address ...". */
int cli_parse_address(const struct cli_ctx *ctx, const char *text, uint8_t pubkey[PUBKEY_SIZE]);

/* The network's name as the node reports it ("main", "test", "dev"). */
const char *cli_network_name(enum network net);

/* Calls method on the node (the client is made on first use).
 * In:  params (a JSON array or object, or NULL), taken: freed here.
 * Out: *result (json_decref it). Returns 0, or 1 after printing the error. */
int cli_rpc(struct cli_ctx *ctx, const char *method, json_t *params, json_t **result);

/* Like cli_rpc, but leaves the error in e without printing it. */
int cli_rpc_quiet(struct cli_ctx *ctx, const char *method, json_t *params, json_t **result,
		  struct rpc_error *e);

/* The exit status of explain, job and result for a bid whose tx still
 * waits in the node's mempool (doc/cli.md, "Exit status"); every error,
 * an unknown id included, exits 1. */
#define CLI_EXIT_PENDING 2

/* Calls method [id] for a bid id (getjob, explainbid). A bid's id is the
 * id of its tx: when the node knows no such bid (-5), gettransaction says
 * where the tx is (bid_lookup.h): in the mempool, the bid is pending; just
 * committed, the call is made once more.
 * Out: *result (json_decref it) when 0; e when 1.
 * Returns 0, CLI_EXIT_PENDING, or 1 (the node's error in e). Prints nothing. */
int cli_bid_rpc(struct cli_ctx *ctx, const char *method, const char *id, json_t **result,
		struct rpc_error *e);

/* Prints "bid ID is WHAT: its tx is in the node's mempool, not in a block
 * yet". Returns CLI_EXIT_PENDING. */
int cli_fail_pending(const char *id, const char *what);

/* Signs body (its kind set) with the selected key and sends it: chain id
 * from getblockchaininfo (checked to be ctx's network), nonce from getnonce,
 * fee from fee_text (--fee, HTH) or estimatefee's rate times the size.
 * Prints the txid, fee and nonce, the same id under id_label when not NULL
 * (an offer's or a bid's id is the id of the tx that made it), then the
 * extra rows (at most CLI_EXTRA_MAX; JSON: string members).
 * Returns 0, or 1 after printing the error. */
#define CLI_EXTRA_MAX 4
int cli_submit_tx(struct cli_ctx *ctx, Hearth__TxBody *body, const char *fee_text,
		  const char *id_label, const struct cli_row *extra, size_t nextra);

/* Parses an id (offer, bid, lease: 64 hex digits); what names it.
 * Returns 0, or 1 after printing "bad <what> '...': 64 hex digits". */
int cli_parse_id(const char *what, const char *text, uint8_t id[HASH_SIZE]);

struct result_status;

/* Out: out, the canonical result hash (doc/result-hash.md) of the result
 * kept in the directory dirfd: stdout, out/ (either may be missing) and st.
 * Returns 0, or 1 after printing why (out/ holds a device, I/O). */
int cli_result_hash(int dirfd, const struct result_status *st, uint8_t out[HASH_SIZE]);

/* Reads an unsigned integer member of a JSON object.
 * Returns 0, or 1 after printing that the node's answer lacks it. */
int cli_json_u64(const json_t *obj, const char *member, uint64_t *out);

#endif
