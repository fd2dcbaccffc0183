/* cmd_query.c: hearth-cli's market queries (doc/cli.md): offers, bids,
 * explain, job, jobs and wait, each one or a few read-only RPC calls
 * (listoffers, listbids, explainbid, getjob, waitforblock; doc/rpc.md)
 * printed as short aligned text or, with -json, as the node's JSON. */
#include "wallet/cli.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "wallet/amount.h"

#define LIST_LIMIT     1000
#define JOB_ROWS_MAX   (9 + 5 * 20)
#define WAIT_DEFAULT_S 3600
#define WAIT_MAX_S     (86400ULL * 30)
#define WAIT_POLL_MS   10000

static const char *jstr(const json_t *obj, const char *member)
{
	const char *s = json_string_value(json_object_get(obj, member));

	return s != NULL ? s : "-";
}

static long long jint(const json_t *obj, const char *member)
{
	return (long long)json_integer_value(json_object_get(obj, member));
}

/* Out: addr, the address of the selected key (no passphrase needed). */
static int my_address(struct cli_ctx *ctx, char *addr, size_t size)
{
	uint8_t pubkey[PUBKEY_SIZE];

	if (cli_key_pubkey(ctx, pubkey) != 0)
		return 1;
	cli_address(ctx, pubkey, addr, size);
	return 0;
}

/* Calls a listing method with [address or null, LIST_LIMIT]. */
static int call_list(struct cli_ctx *ctx, const char *method, bool mine, json_t **res)
{
	char addr[ADDRESS_MAX];

	if (mine && my_address(ctx, addr, sizeof(addr)) != 0)
		return 1;
	return cli_rpc(ctx, method,
		       json_pack("[o, i]", mine ? json_string(addr) : json_null(), LIST_LIMIT),
		       res);
}

/* "0.000007/s" from base units per second. */
static void price_text(const json_t *obj, const char *member, char *out, size_t size)
{
	char amount[AMOUNT_TEXT_MAX];

	if (amount_format((uint64_t)jint(obj, member), amount, sizeof(amount)) != 0)
		snprintf(amount, sizeof(amount), "?");
	snprintf(out, size, "%s/s", amount);
}

/* "4G", "256M", "512K" when exact, else bytes. */
static void bytes_text(long long bytes, char *out, size_t size)
{
	static const char units[] = "TGMK";

	for (int i = 0; i < 4; i++) {
		long long unit = 1LL << (10 * (4 - i));

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(out, size, "%lld%c", bytes / unit, units[i]);
			return;
		}
	}
	snprintf(out, size, "%lld", bytes);
}

static int list_args(const char *cmd, int argc, char **argv, bool *mine)
{
	const struct cli_opt opts[] = { { "mine", NULL, mine, NULL } };
	char *pos[1];
	size_t npos;

	*mine = false;
	return cli_parse_opts(cmd, argc, argv, opts, 1, pos, 0, &npos);
}

static void print_more(const json_t *res)
{
	if (json_is_true(json_object_get(res, "more")))
		printf("(more than %d: see 'hearth-cli rpc')\n", LIST_LIMIT);
}

static int run_offers(struct cli_ctx *ctx, int argc, char **argv)
{
	json_t *res, *offers, *o;
	size_t i;
	bool mine;

	if (list_args("offers", argc, argv, &mine) != 0 ||
	    call_list(ctx, "listoffers", mine, &res) != 0)
		return 1;
	if (ctx->json)
		return cli_print_json(res);
	offers = json_object_get(res, "offers");
	if (json_array_size(offers) == 0)
		printf("no offers\n");
	else
		printf("%-64s  %-14s  %-5s  %-6s  %-6s  %s\n", "OFFER", "PRICE", "FREE", "CPU",
		       "MEM", "RUNTIMES");
	json_array_foreach(offers, i, o)
	{
		const json_t *slot = json_object_get(o, "per_slot"), *r;
		char price[48], runtimes[64] = "", slots[24], cpu[24], mem[24];
		size_t j;

		price_text(o, "price_per_second", price, sizeof(price));
		snprintf(slots, sizeof(slots), "%lld/%lld", jint(o, "free_slots"),
			 jint(o, "slots"));
		json_array_foreach(json_object_get(o, "runtimes"), j, r)
		{
			size_t used = strlen(runtimes);

			snprintf(runtimes + used, sizeof(runtimes) - used, "%s%s", j ? "," : "",
				 json_string_value(r) != NULL ? json_string_value(r) : "?");
		}
		snprintf(cpu, sizeof(cpu), "%lldm", jint(slot, "cpu_millicores"));
		bytes_text(jint(slot, "memory_bytes"), mem, sizeof(mem));
		printf("%-64s  %-14s  %-5s  %-6s  %-6s  %s\n", jstr(o, "id"), price, slots, cpu,
		       mem, runtimes);
	}
	print_more(res);
	json_decref(res);
	return 0;
}

static int run_bids(struct cli_ctx *ctx, int argc, char **argv)
{
	json_t *res, *bids, *b;
	size_t i;
	bool mine;

	if (list_args("bids", argc, argv, &mine) != 0 || call_list(ctx, "listbids", mine, &res))
		return 1;
	if (ctx->json)
		return cli_print_json(res);
	bids = json_object_get(res, "bids");
	if (json_array_size(bids) == 0)
		printf("no bids\n");
	else
		printf("%-64s  %-9s  %-8s  %-14s  %s\n", "BID", "STATE", "REPLICAS", "MAX PRICE",
		       "REASON");
	json_array_foreach(bids, i, b)
	{
		char price[48];

		price_text(b, "max_price_per_second", price, sizeof(price));
		printf("%-64s  %-9s  %-8lld  %-14s  %s\n", jstr(b, "id"), jstr(b, "state"),
		       jint(b, "replicas"), price, jstr(b, "reason"));
	}
	print_more(res);
	json_decref(res);
	return 0;
}

/* The one positional ID of a command, checked. */
static int one_id(const char *cmd, int argc, char **argv, const struct cli_opt *opts, size_t nopts,
		  char **id)
{
	uint8_t raw[HASH_SIZE];
	size_t npos;

	if (cli_parse_opts(cmd, argc, argv, opts, nopts, id, 1, &npos) != 0)
		return 1;
	if (npos != 1)
		return cli_fail("usage: hearth-cli %s ID (see 'hearth-cli help %s')", cmd, cmd);
	return cli_parse_id("bid id", id[0], raw);
}

/* A replicated bid's tie-break in a few words: its outcome, the
 * verifier's lease and result. Returns false when the bid has none. */
static bool tiebreak_text(const json_t *obj, char *out, size_t size)
{
	const json_t *tb = json_object_get(obj, "tiebreak");
	const char *lease = json_string_value(json_object_get(tb, "verifier_lease"));
	const char *hash = json_string_value(json_object_get(tb, "result_hash"));

	if (!json_is_object(tb))
		return false;
	snprintf(out, size, "%s, verifier lease %.16s%s%s", jstr(tb, "outcome"),
		 lease != NULL ? lease : "none", hash != NULL ? ", result " : "",
		 hash != NULL ? hash : "");
	return true;
}

static int run_explain(struct cli_ctx *ctx, int argc, char **argv)
{
	struct cli_row rows[5] = { { "bid", "" },
				   { "state", "" },
				   { "reason", "" },
				   { "message", "" },
				   { "tiebreak", "" } };
	const char *members[4] = { "bid", "state", "reason", "message" };
	size_t n = 4;
	struct rpc_error e;
	char *id;
	json_t *res;
	int rc;

	if (one_id("explain", argc, argv, NULL, 0, &id) != 0)
		return 1;
	rc = cli_bid_rpc(ctx, "explainbid", id, &res, &e);
	if (rc == CLI_EXIT_PENDING)
		return cli_fail_pending(id, "pending, not matched yet");
	if (rc != 0)
		return cli_fail_rpc(&e);
	if (ctx->json)
		return cli_print_json(res);
	for (size_t i = 0; i < 4; i++)
		snprintf(rows[i].value, sizeof(rows[i].value), "%s", jstr(res, members[i]));
	if (tiebreak_text(res, rows[4].value, sizeof(rows[4].value)))
		n = 5;
	json_decref(res);
	cli_print_rows(rows, n);
	return 0;
}

/* A lease's receipt in a few words. */
static void receipt_text(const json_t *lease, char *out, size_t size)
{
	const json_t *receipt = json_object_get(lease, "receipt");
	const json_t *outcome = json_object_get(receipt, "outcome");

	if (!json_is_object(receipt))
		snprintf(out, size, "none");
	else if (json_is_object(outcome))
		snprintf(out, size, "%s exit %lld%s", jstr(outcome, "result_hash"),
			 jint(outcome, "exit_status"),
			 json_is_true(json_object_get(receipt, "faulty")) ? " (faulty)" : "");
	else
		snprintf(out, size, "commitment %s", jstr(receipt, "commitment"));
}

static size_t add_row(struct cli_row *rows, size_t n, const char *label, const char *value)
{
	rows[n].label = label;
	snprintf(rows[n].value, sizeof(rows[n].value), "%s", value);
	return n + 1;
}

static void print_job(const json_t *job)
{
	struct cli_row rows[JOB_ROWS_MAX];
	char num[32], escrow[AMOUNT_TEXT_MAX + 8];
	const json_t *lease;
	size_t n = 0, i;

	n = add_row(rows, n, "bid", jstr(job, "bid"));
	n = add_row(rows, n, "status", jstr(job, "status"));
	n = add_row(rows, n, "bid_state", jstr(job, "bid_state"));
	snprintf(num, sizeof(num), "%lld", jint(job, "replicas"));
	n = add_row(rows, n, "replicas", num);
	if (amount_format((uint64_t)jint(job, "escrow"), escrow, AMOUNT_TEXT_MAX) == 0)
		n = add_row(rows, n, "escrow", strcat(escrow, " HTH"));
	if (strcmp(jstr(job, "status"), "queued") == 0)
		n = add_row(rows, n, "reason", jstr(job, "message"));
	snprintf(num, sizeof(num), "%lld", jint(job, "height"));
	n = add_row(rows, n, "height", num);
	if (tiebreak_text(job, rows[n].value, sizeof(rows[n].value)))
		rows[n++].label = "tiebreak";
	json_array_foreach(json_object_get(job, "leases"), i, lease)
	{
		if (n + 5 > JOB_ROWS_MAX)
			break;
		n = add_row(rows, n, "lease", jstr(lease, "id"));
		n = add_row(rows, n, "  provider", jstr(lease, "provider"));
		n = add_row(rows, n, "  state", jstr(lease, "state"));
		snprintf(num, sizeof(num), "%lld", jint(lease, "deadline_height"));
		n = add_row(rows, n, "  deadline", num);
		receipt_text(lease, rows[n].value, sizeof(rows[n].value));
		rows[n++].label = "  receipt";
	}
	cli_print_rows(rows, n);
}

static int run_job(struct cli_ctx *ctx, int argc, char **argv)
{
	struct rpc_error e;
	char *id;
	json_t *res;
	int rc;

	if (one_id("job", argc, argv, NULL, 0, &id) != 0)
		return 1;
	rc = cli_bid_rpc(ctx, "getjob", id, &res, &e);
	if (rc == CLI_EXIT_PENDING)
		return cli_fail_pending(id, "pending");
	if (rc != 0)
		return cli_fail_rpc(&e);
	if (ctx->json)
		return cli_print_json(res);
	print_job(res);
	json_decref(res);
	return 0;
}

static int run_jobs(struct cli_ctx *ctx, int argc, char **argv)
{
	json_t *res, *b, *out;
	char *pos[1];
	size_t i, npos;
	int rc = 0;

	if (cli_parse_opts("jobs", argc, argv, NULL, 0, pos, 0, &npos) != 0 ||
	    call_list(ctx, "listbids", true, &res))
		return 1;
	out = ctx->json ? json_array() : NULL;
	if (!ctx->json && json_array_size(json_object_get(res, "bids")) == 0)
		printf("no jobs\n");
	else if (!ctx->json)
		printf("%-64s  %-9s  %-9s  %s\n", "BID", "STATUS", "STATE", "REPLICAS");
	json_array_foreach(json_object_get(res, "bids"), i, b)
	{
		json_t *job;

		if (cli_rpc(ctx, "getjob", json_pack("[s]", jstr(b, "id")), &job) != 0) {
			rc = 1;
			break;
		}
		if (out != NULL)
			json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I}", "bid",
							     jstr(job, "bid"), "status",
							     jstr(job, "status"), "bid_state",
							     jstr(job, "bid_state"), "replicas",
							     (json_int_t)jint(job, "replicas")));
		else
			printf("%-64s  %-9s  %-9s  %lld\n", jstr(job, "bid"), jstr(job, "status"),
			       jstr(job, "bid_state"), jint(job, "replicas"));
		json_decref(job);
	}
	json_decref(res);
	if (out != NULL && rc == 0)
		return cli_print_json(json_pack("{s:o}", "jobs", out));
	json_decref(out);
	return rc;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The one line of a job that ended without settling. */
static int job_failed(const json_t *job)
{
	const char *state = jstr(job, "bid_state");

	if (strcmp(state, "expired") == 0 || strcmp(state, "cancelled") == 0)
		return cli_fail("job %s failed: the bid %s", jstr(job, "bid"), state);
	return cli_fail("job %s failed: no lease delivered a result", jstr(job, "bid"));
}

static void progress(const json_t *job, bool tty, char *last, size_t size)
{
	char line[96];

	snprintf(line, sizeof(line), "%-9s  height %lld", jstr(job, "status"), jint(job, "height"));
	if (tty) {
		printf("\r%s", line);
		fflush(stdout);
	} else if (strncmp(line, last, strcspn(line, " ")) != 0 || last[0] == '\0') {
		printf("%s\n", line);
		fflush(stdout);
	}
	snprintf(last, size, "%s", line);
}

static int run_wait(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *timeout_text = NULL;
	const struct cli_opt opts[] = { { "timeout", &timeout_text, NULL, NULL } };
	uint64_t timeout = WAIT_DEFAULT_S;
	bool tty = !ctx->json && isatty(STDOUT_FILENO);
	char last[96] = "", *id;
	double deadline;

	if (one_id("wait", argc, argv, opts, 1, &id) != 0)
		return 1;
	if (timeout_text != NULL &&
	    (amount_parse_duration(timeout_text, &timeout) != 0 || timeout > WAIT_MAX_S))
		return cli_fail("bad --timeout '%s': e.g. 90, 60s, 10m", timeout_text);
	deadline = now_s() + (double)timeout;
	for (;;) {
		json_t *job, *tip;
		struct rpc_error e;
		const char *status;
		double left;
		int got = cli_bid_rpc(ctx, "getjob", id, &job, &e);

		if (got == 1)
			return cli_fail_rpc(&e);
		if (got == CLI_EXIT_PENDING) {
			const struct timespec pause = { 0, 200 * 1000 * 1000 };

			if (now_s() >= deadline)
				return cli_fail(
					"timed out after %llus: bid %s is still not in a block",
					(unsigned long long)timeout, id);
			nanosleep(&pause, NULL);
			continue;
		}
		status = jstr(job, "status");
		if (!ctx->json)
			progress(job, tty, last, sizeof(last));
		if (tty && (strcmp(status, "settled") == 0 || strcmp(status, "failed") == 0))
			printf("\n");
		if (strcmp(status, "settled") == 0)
			return ctx->json ? cli_print_json(job) : (json_decref(job), 0);
		if (strcmp(status, "failed") == 0) {
			int rc = job_failed(job);

			json_decref(job);
			return rc;
		}
		left = deadline - now_s();
		if (left <= 0) {
			if (tty)
				printf("\n");
			cli_fail("timed out after %llus waiting for job %s (status %s)",
				 (unsigned long long)timeout, id, status);
			json_decref(job);
			return 1;
		}
		left = left * 1000 < WAIT_POLL_MS ? left * 1000 : WAIT_POLL_MS;
		if (cli_rpc(ctx, "waitforblock",
			    json_pack("[I, I]", (json_int_t)jint(job, "height") + 1,
				      (json_int_t)left + 1),
			    &tip) != 0) {
			json_decref(job);
			return 1;
		}
		json_decref(tip);
		json_decref(job);
	}
}

const struct cli_command cmd_query_table[] = {
	{ "offers", "[--mine]", "list the offers on the book, or your own",
	  "Lists the open offers with a free slot, cheapest first (listoffers);\n"
	  "--mine: the selected key's own offers as a provider, full or not.\n"
	  "Columns: id, price per slot-second, free/total slots, cpu and memory\n"
	  "per slot, runtimes.",
	  run_offers },
	{ "bids", "[--mine]", "list the queued bids, or your own",
	  "Lists the queued bids in the order matching tries them (listbids);\n"
	  "--mine: every bid of the selected key, whatever its state.",
	  run_bids },
	{ "explain", "BID_ID", "why a bid is not matched yet",
	  "Prints the bid's state and its last matching attempt's reason: the\n"
	  "code's name (MARKET_UNMATCHED_PRICE, ...; doc/market.md) and message;\n"
	  "for a replicated bid whose reveals had no majority, its tie-break\n"
	  "(outcome, verifier lease, verifier's result). Exit 2 when the bid is\n"
	  "pending: its tx is in the node's mempool, not in a block yet.",
	  run_explain },
	{ "job", "BID_ID", "a job's status, leases and receipts",
	  "Prints the job's status (queued, running, committed, revealed, settled,\n"
	  "disputed, verifying, failed), its tie-break if any, and for each lease\n"
	  "its provider, state, deadline height and receipt (result hash and exit\n"
	  "status, or commitment). Exit 2 when the bid is pending: its tx is in\n"
	  "the node's mempool, not in a block yet.",
	  run_job },
	{ "jobs", "", "your bids with their job status",
	  "Lists every bid of the selected key with its job status (getjob).", run_jobs },
	{ "wait", "BID_ID [--timeout S]", "wait until a job settles",
	  "Waits block by block (waitforblock) until the job is settled (exit 0)\n"
	  "or failed, printing a progress line (status and height). Exit 1 with one\n"
	  "line when the job failed, its bid expired or was cancelled, or after\n"
	  "--timeout (default 1h; 90, 60s, 10m).",
	  run_wait },
};
const size_t cmd_query_count = sizeof(cmd_query_table) / sizeof(cmd_query_table[0]);
