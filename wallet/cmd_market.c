/* cmd_market.c: hearth-cli's market transactions (doc/market.md): offer
 * create / cancel (providers), bid / bid cancel (consumers), dispute. Each
 * builds its record from the command line in the units of amount.h and
 * ends in cli_submit_tx; an offer's and a bid's id is the id of the tx that
 * made it, printed as offer_id / bid_id. The queries are in cmd_query.c
 * and cmd_result.c. */
#include "wallet/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/hex.h"
#include "wallet/amount.h"
#include "wallet/bid_input.h"

#define OFFER_EXPIRY_DEFAULT 100000 /* blocks */
#define BID_EXPIRY_DEFAULT   1000   /* blocks */
#define EXPIRY_MAX	     100000000ULL
#define REPUTATION_MAX	     100

/* Resource options shared by offer create and bid. */
struct resources_text {
	const char *cpu, *mem, *disk, *gpus;
};

static int parse_resources(const struct resources_text *t, Hearth__Resources *r)
{
	uint64_t gpus = 0;

	if (t->cpu == NULL || t->mem == NULL)
		return cli_fail("--cpu and --mem are required");
	if (amount_parse_cpu(t->cpu, &r->cpu_millicores) != 0)
		return cli_fail("bad --cpu '%s': millicores (2000m) or cores (2, 0.5)", t->cpu);
	if (amount_parse_bytes(t->mem, &r->memory_bytes) != 0)
		return cli_fail("bad --mem '%s': bytes with K, M, G, T (binary), e.g. 4G", t->mem);
	r->disk_bytes = 0;
	if (t->disk != NULL && amount_parse_bytes(t->disk, &r->disk_bytes) != 0)
		return cli_fail("bad --disk '%s': bytes with K, M, G, T (binary), e.g. 10G",
				t->disk);
	if (t->gpus != NULL && amount_parse_count(t->gpus, UINT32_MAX, &gpus) != 0)
		return cli_fail("bad --gpus '%s'", t->gpus);
	r->gpus = (uint32_t)gpus;
	return 0;
}

/* Splits each "key=value" of list into attrs (pointers into the text, which
 * is copied to storage). */
static int parse_attrs(const struct cli_list *list, Hearth__Attribute *attrs,
		       Hearth__Attribute **ptrs, char storage[][160])
{
	for (size_t i = 0; i < list->n; i++) {
		char *eq;

		if (snprintf(storage[i], 160, "%s", list->items[i]) >= 160 ||
		    (eq = strchr(storage[i], '=')) == NULL || eq == storage[i] || eq[1] == '\0')
			return cli_fail("bad --attr '%s': key=value", list->items[i]);
		*eq = '\0';
		hearth__attribute__init(&attrs[i]);
		attrs[i].key = storage[i];
		attrs[i].value = eq + 1;
		ptrs[i] = &attrs[i];
	}
	return 0;
}

/* Out: *height = the tip's height + the --expiry blocks (or the default). */
static int expiry_height(struct cli_ctx *ctx, const char *text, uint64_t def, uint64_t *height)
{
	uint64_t blocks = def, tip;
	json_t *res;
	int rc;

	if (text != NULL && (amount_parse_count(text, EXPIRY_MAX, &blocks) != 0 || blocks == 0))
		return cli_fail("bad --expiry '%s': a number of blocks, at least 1", text);
	if (cli_rpc(ctx, "getblockcount", NULL, &res) != 0)
		return 1;
	rc = cli_json_u64(res, "height", &tip);
	json_decref(res);
	if (rc == 0)
		*height = tip + blocks;
	return rc;
}

static int parse_id(const char *what, const char *text, uint8_t id[HASH_SIZE])
{
	if (strlen(text) != 2 * HASH_SIZE || hex_decode_exact(text, id, HASH_SIZE) != 0)
		return cli_fail("bad %s '%s': 64 hex digits", what, text);
	return 0;
}

static int offer_create(struct cli_ctx *ctx, int argc, char **argv)
{
	struct resources_text rt = { NULL, NULL, NULL, NULL };
	const char *slots = NULL, *price = NULL, *duration = NULL, *expiry = NULL, *fee = NULL;
	struct cli_list runtimes = { { NULL }, 0 }, attrs = { { NULL }, 0 };
	const struct cli_opt opts[] = {
		{ "cpu", &rt.cpu, NULL, NULL },	  { "mem", &rt.mem, NULL, NULL },
		{ "disk", &rt.disk, NULL, NULL }, { "gpus", &rt.gpus, NULL, NULL },
		{ "slots", &slots, NULL, NULL },  { "runtime", NULL, NULL, &runtimes },
		{ "price", &price, NULL, NULL },  { "max-duration", &duration, NULL, NULL },
		{ "attr", NULL, NULL, &attrs },	  { "expiry", &expiry, NULL, NULL },
		{ "fee", &fee, NULL, NULL },
	};
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Offer offer = HEARTH__OFFER__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Attribute attr[CLI_LIST_MAX], *attr_ptrs[CLI_LIST_MAX];
	char attr_text[CLI_LIST_MAX][160], *rt_names[CLI_LIST_MAX], *pos[1];
	uint64_t n_slots = 1;
	size_t npos;

	if (cli_parse_opts("offer create", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), pos, 0,
			   &npos) != 0 ||
	    parse_resources(&rt, &res) != 0 || parse_attrs(&attrs, attr, attr_ptrs, attr_text))
		return 1;
	if (price == NULL || amount_parse_price(price, &offer.price_per_second) != 0)
		return cli_fail("bad or missing --price: HTH per second, e.g. 0.01/s");
	if (duration == NULL || amount_parse_duration(duration, &offer.max_duration_seconds) != 0)
		return cli_fail("bad or missing --max-duration: e.g. 60s, 30m, 1h");
	if (slots != NULL && (amount_parse_count(slots, 65535, &n_slots) != 0 || n_slots == 0))
		return cli_fail("bad --slots '%s': 1..65535", slots);
	if (runtimes.n == 0)
		runtimes.items[runtimes.n++] = "posix";
	for (size_t i = 0; i < runtimes.n; i++)
		rt_names[i] = (char *)runtimes.items[i];
	offer.per_slot = &res;
	offer.slots = (uint32_t)n_slots;
	offer.n_runtimes = runtimes.n;
	offer.runtimes = rt_names;
	offer.n_attributes = attrs.n;
	offer.attributes = attr_ptrs;
	if (expiry_height(ctx, expiry, OFFER_EXPIRY_DEFAULT, &offer.expiry_height) != 0)
		return 1;
	body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	body.offer = &offer;
	return cli_submit_tx(ctx, &body, fee, "offer_id", NULL, 0);
}

static int offer_cancel(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *fee = NULL;
	const struct cli_opt opts[] = { { "fee", &fee, NULL, NULL } };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__CancelOffer cancel = HEARTH__CANCEL_OFFER__INIT;
	uint8_t id[HASH_SIZE];
	char *pos[1];
	size_t npos;

	if (cli_parse_opts("offer cancel", argc, argv, opts, 1, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1)
		return cli_fail("usage: hearth-cli offer cancel ID [--fee AMOUNT]");
	if (parse_id("offer id", pos[0], id) != 0)
		return 1;
	cancel.offer_id.data = id;
	cancel.offer_id.len = HASH_SIZE;
	body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_OFFER;
	body.cancel_offer = &cancel;
	return cli_submit_tx(ctx, &body, fee, NULL, NULL, 0);
}

static int run_offer(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "create") == 0)
		return offer_create(ctx, argc - 1, argv + 1);
	if (argc >= 1 && strcmp(argv[0], "cancel") == 0)
		return offer_cancel(ctx, argc - 1, argv + 1);
	return cli_fail("usage: hearth-cli offer create --cpu .. --mem .. --price .. "
			"--max-duration .. | offer cancel ID (see 'hearth-cli help offer')");
}

static int parse_env(const struct cli_list *list, Hearth__EnvVar *vars, Hearth__EnvVar **ptrs,
		     char storage[][256])
{
	for (size_t i = 0; i < list->n; i++) {
		char *eq;

		if (snprintf(storage[i], 256, "%s", list->items[i]) >= 256 ||
		    (eq = strchr(storage[i], '=')) == NULL || eq == storage[i])
			return cli_fail("bad --env '%s': NAME=VALUE", list->items[i]);
		*eq = '\0';
		hearth__env_var__init(&vars[i]);
		vars[i].name = storage[i];
		vars[i].value = eq + 1;
		ptrs[i] = &vars[i];
	}
	return 0;
}

/* --encrypt: a fresh X25519 pair, the secret saved in the wallet.
 * Out: pub; row (where the secret went). */
static int result_key_make(struct cli_ctx *ctx, uint8_t pub[crypto_box_PUBLICKEYBYTES],
			   struct cli_row *row)
{
	uint8_t secret[crypto_box_SECRETKEYBYTES];
	char err[KEYSTORE_ERR_MAX];
	int rc;

	if (ctx->wallet_dir[0] == '\0' &&
	    keystore_dir(ctx->datadir, ctx->wallet_dir, sizeof(ctx->wallet_dir), err,
			 sizeof(err)) != 0)
		return cli_fail("%s", err);
	if (crypto_box_keypair(pub, secret) != 0)
		return cli_fail("cannot make a result key");
	row->label = "result_key_file";
	rc = keystore_save_result_key(ctx->wallet_dir, pub, secret, row->value, sizeof(row->value),
				      err, sizeof(err));
	sodium_memzero(secret, sizeof(secret));
	return rc == 0 ? 0 : cli_fail("%s", err);
}

struct bid_text {
	struct resources_text rt;
	const char *timeout, *price, *replicas, *runtime, *reputation, *expiry, *fee;
	struct cli_list attrs, env;
	bool encrypt;
	struct bid_input in;
};

static int bid_fill(const struct bid_text *t, Hearth__Bid *bid)
{
	uint64_t v;

	if (t->timeout == NULL || amount_parse_duration(t->timeout, &bid->max_duration_seconds))
		return cli_fail("bad or missing --timeout: the job's longest run, e.g. 60s, 1h");
	if (t->price == NULL || amount_parse_price(t->price, &bid->max_price_per_second) != 0)
		return cli_fail("bad or missing --max-price: HTH per second, e.g. 0.02/s");
	v = 1;
	if (t->replicas != NULL && (amount_parse_count(t->replicas, 16, &v) != 0 || v == 0))
		return cli_fail("bad --replicas '%s': 1..16", t->replicas);
	bid->replicas = (uint32_t)v;
	v = 0;
	if (t->reputation != NULL && amount_parse_count(t->reputation, REPUTATION_MAX, &v) != 0)
		return cli_fail("bad --min-reputation '%s': 0..100", t->reputation);
	bid->min_reputation = (uint32_t)v;
	bid->runtime = (char *)(t->runtime != NULL ? t->runtime : "posix");
	return 0;
}

static int bid_create(struct cli_ctx *ctx, int argc, char **argv)
{
	struct bid_text t;
	const struct cli_opt opts[] = {
		{ "cpu", &t.rt.cpu, NULL, NULL },
		{ "mem", &t.rt.mem, NULL, NULL },
		{ "disk", &t.rt.disk, NULL, NULL },
		{ "gpus", &t.rt.gpus, NULL, NULL },
		{ "timeout", &t.timeout, NULL, NULL },
		{ "max-price", &t.price, NULL, NULL },
		{ "replicas", &t.replicas, NULL, NULL },
		{ "runtime", &t.runtime, NULL, NULL },
		{ "attr", NULL, NULL, &t.attrs },
		{ "env", NULL, NULL, &t.env },
		{ "input", &t.in.dir, NULL, NULL },
		{ "input-file", &t.in.file, NULL, NULL },
		{ "input-url", &t.in.url, NULL, NULL },
		{ "input-by-hash", NULL, &t.in.by_hash, NULL },
		{ "encrypt", NULL, &t.encrypt, NULL },
		{ "min-reputation", &t.reputation, NULL, NULL },
		{ "expiry", &t.expiry, NULL, NULL },
		{ "fee", &t.fee, NULL, NULL },
	};
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Bid bid = HEARTH__BID__INIT;
	Hearth__Job job = HEARTH__JOB__INIT;
	Hearth__Resources res = HEARTH__RESOURCES__INIT;
	Hearth__Attribute attr[CLI_LIST_MAX], *attr_ptrs[CLI_LIST_MAX];
	Hearth__EnvVar env[CLI_LIST_MAX], *env_ptrs[CLI_LIST_MAX];
	char attr_text[CLI_LIST_MAX][160], env_text[CLI_LIST_MAX][256];
	char *job_argv[256];
	uint8_t result_pub[crypto_box_PUBLICKEYBYTES];
	struct cli_row extra[2];
	size_t npos, nextra = 0;
	int rc;

	memset(&t, 0, sizeof(t));
	if (cli_parse_opts("bid", argc, argv, opts, sizeof(opts) / sizeof(opts[0]), job_argv,
			   sizeof(job_argv) / sizeof(job_argv[0]), &npos) != 0 ||
	    parse_resources(&t.rt, &res) != 0 || bid_fill(&t, &bid) != 0 ||
	    parse_attrs(&t.attrs, attr, attr_ptrs, attr_text) != 0 ||
	    parse_env(&t.env, env, env_ptrs, env_text) != 0)
		return 1;
	if (npos == 0)
		return cli_fail("bid: give the job's command after '--': bid ... -- CMD ARGS...");
	if (bid_input_prepare(ctx, &t.in, &job) != 0) {
		bid_input_free(&t.in);
		return 1;
	}
	if (job.has_input_hash &&
	    hex_encode(t.in.hash, HASH_SIZE, extra[0].value, sizeof(extra[0].value)) == 0)
		extra[nextra++].label = "input_hash";
	job.n_argv = npos;
	job.argv = job_argv;
	job.n_env = t.env.n;
	job.env = env_ptrs;
	bid.resources = &res;
	bid.n_required_attributes = t.attrs.n;
	bid.required_attributes = attr_ptrs;
	bid.job = &job;
	rc = expiry_height(ctx, t.expiry, BID_EXPIRY_DEFAULT, &bid.expiry_height);
	if (rc == 0 && t.encrypt) {
		rc = result_key_make(ctx, result_pub, &extra[nextra++]);
		bid.has_result_key = true;
		bid.result_key.data = result_pub;
		bid.result_key.len = sizeof(result_pub);
	}
	body.kind_case = HEARTH__TX_BODY__KIND_BID;
	body.bid = &bid;
	if (rc == 0)
		rc = cli_submit_tx(ctx, &body, t.fee, "bid_id", extra, nextra);
	bid_input_free(&t.in);
	return rc;
}

static int bid_cancel(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *fee = NULL;
	const struct cli_opt opts[] = { { "fee", &fee, NULL, NULL } };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__CancelBid cancel = HEARTH__CANCEL_BID__INIT;
	uint8_t id[HASH_SIZE];
	char *pos[1];
	size_t npos;

	if (cli_parse_opts("bid cancel", argc, argv, opts, 1, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1)
		return cli_fail("usage: hearth-cli bid cancel ID [--fee AMOUNT]");
	if (parse_id("bid id", pos[0], id) != 0)
		return 1;
	cancel.bid_id.data = id;
	cancel.bid_id.len = HASH_SIZE;
	body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_BID;
	body.cancel_bid = &cancel;
	return cli_submit_tx(ctx, &body, fee, NULL, NULL, 0);
}

static int run_bid(struct cli_ctx *ctx, int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "cancel") == 0)
		return bid_cancel(ctx, argc - 1, argv + 1);
	return bid_create(ctx, argc, argv);
}

static int run_dispute(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *fee = NULL, *reason = NULL;
	const struct cli_opt opts[] = { { "fee", &fee, NULL, NULL },
					{ "reason", &reason, NULL, NULL } };
	Hearth__TxBody body = HEARTH__TX_BODY__INIT;
	Hearth__Dispute dispute = HEARTH__DISPUTE__INIT;
	uint8_t id[HASH_SIZE];
	char *pos[1];
	size_t npos;

	if (cli_parse_opts("dispute", argc, argv, opts, 2, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1 || reason == NULL)
		return cli_fail("usage: hearth-cli dispute LEASE_ID --reason TEXT [--fee AMOUNT]");
	if (parse_id("lease id", pos[0], id) != 0)
		return 1;
	if (strlen(reason) > 256)
		return cli_fail("bad --reason: at most 256 bytes");
	dispute.lease_id.data = id;
	dispute.lease_id.len = HASH_SIZE;
	dispute.reason = (char *)reason;
	body.kind_case = HEARTH__TX_BODY__KIND_DISPUTE;
	body.dispute = &dispute;
	return cli_submit_tx(ctx, &body, fee, NULL, NULL, 0);
}

const struct cli_command cmd_market_table[] = {
	{ "offer",
	  "create --cpu C --mem M --price P/s --max-duration D [--disk B] [--slots N]\n"
	  "       [--runtime R]... [--attr K=V]... [--gpus N] [--expiry BLOCKS] [--fee AMOUNT]\n"
	  "       | cancel ID [--fee AMOUNT]",
	  "offer compute as a provider, or cancel an offer",
	  "offer create: advertises --slots (default 1) slots of --cpu (2000m or 2),\n"
	  "--mem and --disk (4G, 256M, 512Ki: binary units) each, for the runtimes\n"
	  "given (default posix), at --price HTH per second of a slot (0.01/s,\n"
	  "36/h), for jobs up to --max-duration (60s, 1h), with attributes such as\n"
	  "--attr region=eu, until --expiry blocks from now (default 100000).\n"
	  "Needs min_provider_bond bonded (hearth-cli bond). Prints the offer id.\n"
	  "offer cancel ID: withdraws an offer with no active lease.",
	  run_offer },
	{ "bid",
	  "--cpu C --mem M --timeout D --max-price P/s [--replicas N] [--disk B]\n"
	  "       [--runtime R] [--attr K=V]... [--env K=V]... [--input DIR | --input-file F]\n"
	  "       [--input-by-hash [--input-url URL]] [--encrypt]\n"
	  "       [--min-reputation N] [--expiry BLOCKS] [--fee AMOUNT] -- CMD ARGS...\n"
	  "       | cancel ID [--fee AMOUNT]",
	  "bid for compute to run a job, or cancel a bid",
	  "bid: asks for --replicas (default 1) independent providers to run CMD\n"
	  "ARGS with --cpu and --mem (and --disk), for at most --timeout, paying at\n"
	  "most --max-price per second. max-price x timeout x replicas is locked in\n"
	  "escrow until the bid settles; with 2 replicas or more, one max-price x\n"
	  "timeout more, the tie-break reserve, back when the bid settles unless a\n"
	  "tie-break verifier needed it. --input DIR is packed as a ustar archive\n"
	  "into the bid (doc/cli.md), --input-file F (a tar archive) goes as it is;\n"
	  "--input-by-hash stores it on the node instead (putjobinput) and puts\n"
	  "its hash and --input-url (default http://<node>/input/<hash>) in the\n"
	  "bid, for providers to fetch; --encrypt makes an X25519 key pair, keeps the\n"
	  "secret in the wallet directory (results/) and asks the provider to\n"
	  "encrypt the result to it. --attr filters offers by attribute,\n"
	  "--min-reputation by the provider's reputation (0..100). The bid expires\n"
	  "--expiry blocks from now (default 1000). Prints the bid id.\n"
	  "bid cancel ID: cancels a bid that is still queued and refunds its escrow.",
	  run_bid },
	{ "dispute", "LEASE_ID --reason TEXT [--fee AMOUNT]", "dispute a lease's result",
	  "Disputes the receipt of a single-replica lease before it settles; the\n"
	  "chain's dispute_bond is locked, and a verifier provider re-runs the job.",
	  run_dispute },
};
const size_t cmd_market_count = sizeof(cmd_market_table) / sizeof(cmd_market_table[0]);
