/* txgen.c: signs one transaction for the functional tests (until hearth-cli
 * exists) and prints the encoded Tx in hex on standard output; also derives
 * the ids the market gives to what a tx creates.
 *   txgen transfer     SECRET CHAIN NONCE FEE TO_ADDRESS AMOUNT
 *   txgen bond         SECRET CHAIN NONCE FEE AMOUNT [--validator]
 *                      (--validator: also stand as a validator candidate)
 *   txgen unbond       SECRET CHAIN NONCE FEE AMOUNT
 *   txgen offer        SECRET CHAIN NONCE FEE CPU_MILLI MEM DISK SLOTS RUNTIMES
 *                      PRICE MAXDUR EXPIRY          (RUNTIMES: comma-separated)
 *   txgen bid          SECRET CHAIN NONCE FEE CPU_MILLI MEM DISK RUNTIME
 *                      MAXPRICE MAXDUR REPLICAS EXPIRY [OPTIONS] -- ARGV...
 *        options: --input FILE (inline input tar), --input-hash HEX, --input-url URL,
 *                 --result-key HEX (X25519), --env NAME=VALUE (repeatable),
 *                 --min-reputation N
 *   txgen cancel-offer SECRET CHAIN NONCE FEE OFFER_ID
 *   txgen cancel-bid   SECRET CHAIN NONCE FEE BID_ID
 *   txgen dispute      SECRET CHAIN NONCE FEE LEASE_ID REASON
 *   txgen receipt      SECRET CHAIN NONCE FEE LEASE_ID RESULT_HASH EXIT WALL_MS
 *                      CPU_MS PEAK_MEM
 *   txgen txid     TX_HEX        the tx id, which is the id of the offer or
 *                                bid the tx creates
 *   txgen lease-id BID_ID REPLICA
 *   txgen address  SECRET        the dev (dhth) address of the key
 *   txgen result-request SECRET LEASE_ID HEIGHT
 *                  BIP340 signature of H("hearth/result-request", lease id ||
 *                  height as u64 big-endian), getjobresult's proof
 *   txgen x25519-public SECRET   the X25519 public key of a 32-byte secret
 *   txgen unseal SECRET          opens a crypto_box_seal box (base64 on
 *                                standard input) with that X25519 secret
 * Ids and keys are hex. Exit 0, or 1 with one line on standard error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "consensus/crypto.h"
#include "consensus/tx.h"
#include "proto/hex.h"

#define TXGEN_MAX_INPUT (16u << 20)
#define TXGEN_MAX_LIST	64
#define TXGEN_MAX_ARGV	256

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;

	if (parse_u64(s, &v) != 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int fail(const char *msg)
{
	fprintf(stderr, "txgen: %s\n", msg);
	return 1;
}

static int print_hex(const uint8_t *bin, size_t len)
{
	char *hex = malloc(2 * len + 1);

	if (hex == NULL || hex_encode(bin, len, hex, 2 * len + 1) != 0) {
		free(hex);
		return fail("out of memory");
	}
	printf("%s\n", hex);
	free(hex);
	return 0;
}

/* What every signed tx shares: argv[2..5] = SECRET CHAIN NONCE FEE. */
struct txgen {
	struct signer s;
	Hearth__TxBody body;
	/* Storage the body points into. */
	Hearth__Resources res;
	Hearth__Offer offer;
	Hearth__Bid bid;
	Hearth__Job job;
	Hearth__CancelOffer cancel_offer;
	Hearth__CancelBid cancel_bid;
	Hearth__Dispute dispute;
	Hearth__Receipt receipt;
	Hearth__Outcome outcome;
	Hearth__Usage usage;
	Hearth__Transfer transfer;
	Hearth__Bond bond;
	Hearth__Unbond unbond;
	uint8_t id[HASH_SIZE], hash[HASH_SIZE], to[PUBKEY_SIZE];
	uint8_t result_key[32], input_hash[HASH_SIZE];
	char *list[TXGEN_MAX_LIST];
	Hearth__EnvVar env_store[TXGEN_MAX_LIST];
	Hearth__EnvVar *env[TXGEN_MAX_LIST];
	uint8_t *input;
	char *runtimes_copy;
};

static int txgen_common(struct txgen *g, char **argv)
{
	uint8_t secret[SECKEY_SIZE];
	int rc;

	if (hearth_crypto_init() != 0 || hex_decode_exact(argv[2], secret, sizeof(secret)) != 0)
		return fail("bad secret key");
	rc = signer_from_secret(&g->s, secret);
	secret_wipe(secret, sizeof(secret));
	if (rc != 0)
		return fail("bad secret key");
	g->body.chain_id = argv[3];
	g->body.sender.data = g->s.pubkey;
	g->body.sender.len = PUBKEY_SIZE;
	if (parse_u64(argv[4], &g->body.nonce) != 0 || parse_u64(argv[5], &g->body.fee) != 0)
		return fail("bad nonce or fee");
	return 0;
}

static int txgen_emit(struct txgen *g)
{
	uint8_t *tx;
	size_t len;
	int rc;

	if (tx_sign(&g->body, &g->s, NULL, &tx, &len) != 0)
		return fail("cannot sign");
	rc = print_hex(tx, len);
	free(tx);
	return rc;
}

static int build_transfer(struct txgen *g, int argc, char **argv)
{
	enum network net;

	if (argc != 8)
		return fail("usage: transfer SECRET CHAIN NONCE FEE TO AMOUNT");
	if (address_decode(argv[6], &net, g->to, NULL) != 0)
		return fail("bad address");
	if (parse_u64(argv[7], &g->transfer.amount) != 0)
		return fail("bad amount");
	g->transfer.to.data = g->to;
	g->transfer.to.len = PUBKEY_SIZE;
	g->body.kind_case = HEARTH__TX_BODY__KIND_TRANSFER;
	g->body.transfer = &g->transfer;
	return 0;
}

static int build_bond(struct txgen *g, int argc, char **argv, bool unbond)
{
	uint64_t amount;
	bool validator = !unbond && argc == 8 && strcmp(argv[7], "--validator") == 0;

	if (argc != 7 && !validator)
		return fail("usage: bond SECRET CHAIN NONCE FEE AMOUNT [--validator] | "
			    "unbond SECRET CHAIN NONCE FEE AMOUNT");
	if (parse_u64(argv[6], &amount) != 0)
		return fail("bad amount");
	if (unbond) {
		g->unbond.amount = amount;
		g->body.kind_case = HEARTH__TX_BODY__KIND_UNBOND;
		g->body.unbond = &g->unbond;
	} else {
		g->bond.amount = amount;
		g->bond.has_validator = validator; /* canonical: present only when true */
		g->bond.validator = validator;
		g->body.kind_case = HEARTH__TX_BODY__KIND_BOND;
		g->body.bond = &g->bond;
	}
	return 0;
}

/* argv[0..2] = CPU_MILLI MEM DISK into g->res. */
static int parse_resources(struct txgen *g, char **argv)
{
	if (parse_u64(argv[0], &g->res.cpu_millicores) != 0 ||
	    parse_u64(argv[1], &g->res.memory_bytes) != 0 ||
	    parse_u64(argv[2], &g->res.disk_bytes) != 0)
		return fail("bad resources");
	g->res.gpus = 0;
	return 0;
}

static int split_runtimes(struct txgen *g, const char *text, size_t *n)
{
	char *save = NULL, *tok;

	g->runtimes_copy = strdup(text);
	if (g->runtimes_copy == NULL)
		return fail("out of memory");
	*n = 0;
	for (tok = strtok_r(g->runtimes_copy, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (*n == TXGEN_MAX_LIST)
			return fail("too many runtimes");
		g->list[(*n)++] = tok;
	}
	return 0;
}

static int build_offer(struct txgen *g, int argc, char **argv)
{
	size_t n;

	if (argc != 14)
		return fail("usage: offer SECRET CHAIN NONCE FEE CPU_MILLI MEM DISK SLOTS RUNTIMES "
			    "PRICE MAXDUR EXPIRY");
	if (parse_resources(g, argv + 6) != 0)
		return 1;
	if (parse_u32(argv[9], &g->offer.slots) != 0 ||
	    parse_u64(argv[11], &g->offer.price_per_second) != 0 ||
	    parse_u64(argv[12], &g->offer.max_duration_seconds) != 0 ||
	    parse_u64(argv[13], &g->offer.expiry_height) != 0)
		return fail("bad number");
	if (split_runtimes(g, argv[10], &n) != 0)
		return 1;
	g->offer.per_slot = &g->res;
	g->offer.n_runtimes = n;
	g->offer.runtimes = g->list;
	g->body.kind_case = HEARTH__TX_BODY__KIND_OFFER;
	g->body.offer = &g->offer;
	return 0;
}

static int read_input(struct txgen *g, const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t len;

	if (f == NULL)
		return fail("cannot open the input file");
	g->input = malloc(TXGEN_MAX_INPUT + 1);
	if (g->input == NULL) {
		fclose(f);
		return fail("out of memory");
	}
	len = fread(g->input, 1, TXGEN_MAX_INPUT + 1, f);
	if (ferror(f) || len > TXGEN_MAX_INPUT) {
		fclose(f);
		return fail("cannot read the input file (or it is over 16 MiB)");
	}
	fclose(f);
	g->job.has_inline_input = 1;
	g->job.inline_input.data = g->input;
	g->job.inline_input.len = len;
	return 0;
}

static int add_env(struct txgen *g, char *text)
{
	char *eq = strchr(text, '=');
	size_t i = g->job.n_env;

	if (eq == NULL || i == TXGEN_MAX_LIST)
		return fail("bad or too many --env");
	*eq = '\0';
	hearth__env_var__init(&g->env_store[i]);
	g->env_store[i].name = text;
	g->env_store[i].value = eq + 1;
	g->env[i] = &g->env_store[i];
	g->job.n_env = i + 1;
	return 0;
}

/* One bid option at argv[*i] (with its value at argv[*i + 1]). */
static int bid_option(struct txgen *g, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];
	char *val;

	if (*i + 1 >= argc)
		return fail("option without a value");
	val = argv[++*i];
	if (strcmp(opt, "--input") == 0)
		return read_input(g, val);
	if (strcmp(opt, "--env") == 0)
		return add_env(g, val);
	if (strcmp(opt, "--min-reputation") == 0)
		return parse_u32(val, &g->bid.min_reputation) != 0 ? fail("bad reputation") : 0;
	if (strcmp(opt, "--result-key") == 0) {
		if (hex_decode_exact(val, g->result_key, sizeof(g->result_key)) != 0)
			return fail("bad result key");
		g->bid.has_result_key = 1;
		g->bid.result_key.data = g->result_key;
		g->bid.result_key.len = sizeof(g->result_key);
		return 0;
	}
	if (strcmp(opt, "--input-hash") == 0) {
		if (hex_decode_exact(val, g->input_hash, sizeof(g->input_hash)) != 0)
			return fail("bad input hash");
		g->job.has_input_hash = 1;
		g->job.input_hash.data = g->input_hash;
		g->job.input_hash.len = sizeof(g->input_hash);
		return 0;
	}
	if (strcmp(opt, "--input-url") == 0) {
		g->job.input_url = val;
		return 0;
	}
	return fail("unknown bid option");
}

static int build_bid(struct txgen *g, int argc, char **argv)
{
	int i;

	if (argc < 16)
		return fail("usage: bid SECRET CHAIN NONCE FEE CPU_MILLI MEM DISK RUNTIME MAXPRICE "
			    "MAXDUR REPLICAS EXPIRY [OPTIONS] -- ARGV...");
	if (parse_resources(g, argv + 6) != 0)
		return 1;
	if (parse_u64(argv[10], &g->bid.max_price_per_second) != 0 ||
	    parse_u64(argv[11], &g->bid.max_duration_seconds) != 0 ||
	    parse_u32(argv[12], &g->bid.replicas) != 0 ||
	    parse_u64(argv[13], &g->bid.expiry_height) != 0)
		return fail("bad number");
	g->bid.runtime = argv[9];
	for (i = 14; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (bid_option(g, argc, argv, &i) != 0)
			return 1;
	}
	if (i >= argc || argc - i - 1 > TXGEN_MAX_ARGV)
		return fail("missing -- ARGV (or more than 256 arguments)");
	g->job.n_argv = (size_t)(argc - i - 1);
	g->job.argv = argv + i + 1;
	g->job.env = g->env;
	g->bid.resources = &g->res;
	g->bid.job = &g->job;
	g->body.kind_case = HEARTH__TX_BODY__KIND_BID;
	g->body.bid = &g->bid;
	return 0;
}

static int build_cancel(struct txgen *g, int argc, char **argv, bool offer)
{
	if (argc != 7)
		return fail("usage: cancel-offer|cancel-bid SECRET CHAIN NONCE FEE ID");
	if (hex_decode_exact(argv[6], g->id, sizeof(g->id)) != 0)
		return fail("bad id");
	if (offer) {
		g->cancel_offer.offer_id.data = g->id;
		g->cancel_offer.offer_id.len = HASH_SIZE;
		g->body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_OFFER;
		g->body.cancel_offer = &g->cancel_offer;
	} else {
		g->cancel_bid.bid_id.data = g->id;
		g->cancel_bid.bid_id.len = HASH_SIZE;
		g->body.kind_case = HEARTH__TX_BODY__KIND_CANCEL_BID;
		g->body.cancel_bid = &g->cancel_bid;
	}
	return 0;
}

static int build_dispute(struct txgen *g, int argc, char **argv)
{
	if (argc != 8)
		return fail("usage: dispute SECRET CHAIN NONCE FEE LEASE_ID REASON");
	if (hex_decode_exact(argv[6], g->id, sizeof(g->id)) != 0)
		return fail("bad lease id");
	g->dispute.lease_id.data = g->id;
	g->dispute.lease_id.len = HASH_SIZE;
	g->dispute.reason = argv[7];
	g->body.kind_case = HEARTH__TX_BODY__KIND_DISPUTE;
	g->body.dispute = &g->dispute;
	return 0;
}

static int build_receipt(struct txgen *g, int argc, char **argv)
{
	uint64_t exit_status;

	if (argc != 12)
		return fail(
			"usage: receipt SECRET CHAIN NONCE FEE LEASE_ID RESULT_HASH EXIT WALL_MS "
			"CPU_MS PEAK_MEM");
	if (hex_decode_exact(argv[6], g->id, sizeof(g->id)) != 0 ||
	    hex_decode_exact(argv[7], g->hash, sizeof(g->hash)) != 0)
		return fail("bad lease id or result hash");
	if (parse_u64(argv[8], &exit_status) != 0 || exit_status > 255 ||
	    parse_u64(argv[9], &g->usage.wall_ms) != 0 ||
	    parse_u64(argv[10], &g->usage.cpu_ms) != 0 ||
	    parse_u64(argv[11], &g->usage.peak_memory_bytes) != 0)
		return fail("bad number");
	g->outcome.result_hash.data = g->hash;
	g->outcome.result_hash.len = HASH_SIZE;
	g->outcome.exit_status = (int32_t)exit_status;
	g->outcome.usage = &g->usage;
	g->receipt.lease_id.data = g->id;
	g->receipt.lease_id.len = HASH_SIZE;
	g->receipt.outcome = &g->outcome;
	g->body.kind_case = HEARTH__TX_BODY__KIND_RECEIPT;
	g->body.receipt = &g->receipt;
	return 0;
}

static int build(struct txgen *g, int argc, char **argv)
{
	const char *cmd = argv[1];

	if (strcmp(cmd, "transfer") == 0)
		return build_transfer(g, argc, argv);
	if (strcmp(cmd, "bond") == 0 || strcmp(cmd, "unbond") == 0)
		return build_bond(g, argc, argv, cmd[0] == 'u');
	if (strcmp(cmd, "offer") == 0)
		return build_offer(g, argc, argv);
	if (strcmp(cmd, "bid") == 0)
		return build_bid(g, argc, argv);
	if (strcmp(cmd, "cancel-offer") == 0 || strcmp(cmd, "cancel-bid") == 0)
		return build_cancel(g, argc, argv, strcmp(cmd, "cancel-offer") == 0);
	if (strcmp(cmd, "dispute") == 0)
		return build_dispute(g, argc, argv);
	if (strcmp(cmd, "receipt") == 0)
		return build_receipt(g, argc, argv);
	return fail("unknown command");
}

static void txgen_init(struct txgen *g)
{
	memset(g, 0, sizeof(*g));
	hearth__tx_body__init(&g->body);
	hearth__resources__init(&g->res);
	hearth__offer__init(&g->offer);
	hearth__bid__init(&g->bid);
	hearth__job__init(&g->job);
	hearth__cancel_offer__init(&g->cancel_offer);
	hearth__cancel_bid__init(&g->cancel_bid);
	hearth__dispute__init(&g->dispute);
	hearth__receipt__init(&g->receipt);
	hearth__outcome__init(&g->outcome);
	hearth__usage__init(&g->usage);
	hearth__transfer__init(&g->transfer);
	hearth__bond__init(&g->bond);
	hearth__unbond__init(&g->unbond);
}

static int sign_one(int argc, char **argv)
{
	struct txgen *g = malloc(sizeof(*g));
	int rc;

	if (g == NULL)
		return fail("out of memory");
	txgen_init(g);
	rc = txgen_common(g, argv);
	if (rc == 0)
		rc = build(g, argc, argv);
	if (rc == 0)
		rc = txgen_emit(g);
	signer_wipe(&g->s);
	free(g->input);
	free(g->runtimes_copy);
	free(g);
	return rc;
}

static int print_txid(const char *hex)
{
	size_t cap = strlen(hex) / 2 + 1, len;
	uint8_t *tx = malloc(cap), id[HASH_SIZE];

	if (tx == NULL || hex_decode(hex, tx, cap, &len) != 0) {
		free(tx);
		return fail("bad tx hex");
	}
	tx_id(tx, len, id);
	free(tx);
	return print_hex(id, sizeof(id));
}

static int print_lease_id(const char *bid_hex, const char *replica_text)
{
	uint8_t buf[HASH_SIZE + 4], id[HASH_SIZE];
	uint32_t replica;

	if (hex_decode_exact(bid_hex, buf, HASH_SIZE) != 0 ||
	    parse_u32(replica_text, &replica) != 0)
		return fail("usage: lease-id BID_ID REPLICA");
	buf[HASH_SIZE] = (uint8_t)(replica >> 24);
	buf[HASH_SIZE + 1] = (uint8_t)(replica >> 16);
	buf[HASH_SIZE + 2] = (uint8_t)(replica >> 8);
	buf[HASH_SIZE + 3] = (uint8_t)replica;
	hash_tagged("hearth/lease", buf, sizeof(buf), id);
	return print_hex(id, sizeof(id));
}

static int print_address(const char *secret_hex)
{
	uint8_t secret[SECKEY_SIZE];
	struct signer s;
	char addr[ADDRESS_MAX];
	int rc;

	if (hearth_crypto_init() != 0 || hex_decode_exact(secret_hex, secret, sizeof(secret)) != 0)
		return fail("bad secret key");
	rc = signer_from_secret(&s, secret);
	secret_wipe(secret, sizeof(secret));
	if (rc != 0)
		return fail("bad secret key");
	rc = address_encode(NETWORK_DEV, s.pubkey, addr, sizeof(addr));
	signer_wipe(&s);
	if (rc != 0)
		return fail("cannot encode the address");
	printf("%s\n", addr);
	return 0;
}

static int sign_result_request(const char *secret_hex, const char *lease_hex,
			       const char *height_text)
{
	uint8_t secret[SECKEY_SIZE], buf[HASH_SIZE + 8], digest[HASH_SIZE], sig[SIG_SIZE];
	uint64_t height;
	struct signer s;
	int rc;

	if (hearth_crypto_init() != 0 ||
	    hex_decode_exact(secret_hex, secret, sizeof(secret)) != 0 ||
	    hex_decode_exact(lease_hex, buf, HASH_SIZE) != 0 ||
	    parse_u64(height_text, &height) != 0)
		return fail("usage: result-request SECRET LEASE_ID HEIGHT");
	rc = signer_from_secret(&s, secret);
	secret_wipe(secret, sizeof(secret));
	if (rc != 0)
		return fail("bad secret key");
	for (int i = 0; i < 8; i++)
		buf[HASH_SIZE + i] = (uint8_t)(height >> (56 - 8 * i));
	hash_tagged("hearth/result-request", buf, sizeof(buf), digest);
	rc = sig_sign(&s, digest, sig);
	signer_wipe(&s);
	if (rc != 0)
		return fail("cannot sign");
	return print_hex(sig, sizeof(sig));
}

static int x25519_public(const char *secret_hex)
{
	uint8_t sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];

	if (sodium_init() < 0 || hex_decode_exact(secret_hex, sk, sizeof(sk)) != 0 ||
	    crypto_scalarmult_base(pk, sk) != 0)
		return fail("bad X25519 secret");
	sodium_memzero(sk, sizeof(sk));
	return print_hex(pk, sizeof(pk));
}

static int unseal(const char *secret_hex)
{
	uint8_t sk[crypto_box_SECRETKEYBYTES], pk[crypto_box_PUBLICKEYBYTES];
	size_t cap = 96u << 20, text_len, box_len;
	char *text = malloc(cap + 1);
	uint8_t *box = malloc(cap), *plain = malloc(cap);
	int rc = 1;

	if (text == NULL || box == NULL || plain == NULL || sodium_init() < 0 ||
	    hex_decode_exact(secret_hex, sk, sizeof(sk)) != 0 ||
	    crypto_scalarmult_base(pk, sk) != 0) {
		fail("bad X25519 secret or out of memory");
		goto out;
	}
	text_len = fread(text, 1, cap, stdin);
	while (text_len > 0 && (text[text_len - 1] == '\n' || text[text_len - 1] == '\r'))
		text_len--;
	if (sodium_base642bin(box, cap, text, text_len, NULL, &box_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    box_len < crypto_box_SEALBYTES ||
	    crypto_box_seal_open(plain, box, box_len, pk, sk) != 0) {
		fail("cannot open the box");
		goto out;
	}
	rc = fwrite(plain, 1, box_len - crypto_box_SEALBYTES, stdout) ==
			     box_len - crypto_box_SEALBYTES
		     ? 0
		     : 1;
out:
	sodium_memzero(sk, sizeof(sk));
	free(text);
	free(box);
	free(plain);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "result-request") == 0)
		return sign_result_request(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "x25519-public") == 0)
		return x25519_public(argv[2]);
	if (argc == 3 && strcmp(argv[1], "unseal") == 0)
		return unseal(argv[2]);
	if (argc == 3 && strcmp(argv[1], "txid") == 0)
		return print_txid(argv[2]);
	if (argc == 4 && strcmp(argv[1], "lease-id") == 0)
		return print_lease_id(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "address") == 0)
		return print_address(argv[2]);
	if (argc < 6)
		return fail("usage: see the comment at the top of tests/functional/txgen.c");
	return sign_one(argc, argv);
}
