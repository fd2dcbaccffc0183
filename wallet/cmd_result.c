/* cmd_result.c: hearth-cli's `result`: fetches a lease's result from the
 * provider node (getjobresult, signed by the bid's consumer), opens it with
 * the bid's stored X25519 secret when sealed, unpacks it safely (untar.h)
 * into a temporary directory beside DIR, recomputes the canonical result
 * hash and compares it with the receipt on chain; only then renames the
 * directory to DIR. On any failure nothing is left behind. */
#include "wallet/cli.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "node/result_hash.h"
#include "proto/hex.h"
#include "wallet/bid_lookup.h"
#include "wallet/result_pick.h"
#include "wallet/untar.h"

#define RESULT_MAX_ENTRIES 100000
#define RESULT_MAX_BYTES   (1ULL << 30)

/* The lease chosen and what its receipt on chain says. */
struct chosen {
	char lease[2 * HASH_SIZE + 1];
	char bid[2 * HASH_SIZE + 1];
	char consumer[ADDRESS_MAX];
	uint8_t want[HASH_SIZE];
	char want_hex[2 * HASH_SIZE + 1];
	struct result_status st;
	long long exit_status;
};

/* In: bid, the lease's bid's id; lease, a getlease object (getjob's
 * leases are those too). */
static int fill_chosen(const char *bid, const json_t *lease, struct chosen *c)
{
	const char *id = json_string_value(json_object_get(lease, "id"));
	const char *consumer = json_string_value(json_object_get(lease, "consumer"));
	const char *hash = result_pick_hash(lease);

	if (id == NULL || bid == NULL || consumer == NULL || hash == NULL ||
	    strlen(id) != 2 * HASH_SIZE || strlen(bid) != 2 * HASH_SIZE ||
	    strlen(consumer) >= ADDRESS_MAX || cli_parse_id("result hash", hash, c->want) != 0)
		return cli_fail("the node's answer lacks the lease's id, consumer or result");
	snprintf(c->lease, sizeof(c->lease), "%s", id);
	snprintf(c->bid, sizeof(c->bid), "%s", bid);
	snprintf(c->consumer, sizeof(c->consumer), "%s", consumer);
	snprintf(c->want_hex, sizeof(c->want_hex), "%s", hash);
	c->exit_status = result_pick_status(lease, &c->st);
	return 0;
}

/* A bid's job: the lease whose result the replicas agree on. */
static int choose_of_job(const char *id, const json_t *job, struct chosen *c)
{
	const json_t *lease = result_pick_lease(job);
	const char *status = json_string_value(json_object_get(job, "status"));

	if (lease == NULL)
		return cli_fail("job %s has no result on chain yet (job status %s)", id,
				status != NULL ? status : "?");
	return fill_chosen(json_string_value(json_object_get(job, "bid")), lease, c);
}

/* A lease by its id: getlease answers for every lease, a replica or a
 * verifier's (a dispute's or a tie-break's, which getjob does not list). */
static int choose_lease(struct cli_ctx *ctx, const char *id, struct chosen *c)
{
	struct rpc_error e;
	const char *state;
	json_t *lease;
	int rc;

	if (cli_rpc_quiet(ctx, "getlease", json_pack("[s]", id), &lease, &e) != 0)
		return bid_lookup_not_found(&e) ? cli_fail("no bid or lease with id %s", id)
						: cli_fail_rpc(&e);
	state = json_string_value(json_object_get(lease, "state"));
	if (result_pick_hash(lease) == NULL)
		rc = cli_fail("lease %s has no result on chain yet (lease state %s)", id,
			      state != NULL ? state : "?");
	else
		rc = fill_chosen(json_string_value(json_object_get(lease, "bid")), lease, c);
	json_decref(lease);
	return rc;
}

/* ID is a bid id or a lease id: finds the lease to fetch and its receipt.
 * Returns 0, CLI_EXIT_PENDING for a bid whose tx is still in the mempool,
 * or 1 after printing why. */
static int choose(struct cli_ctx *ctx, const char *id, struct chosen *c)
{
	struct rpc_error e;
	json_t *job;
	int rc = cli_bid_rpc(ctx, "getjob", id, &job, &e);

	if (rc == CLI_EXIT_PENDING)
		return cli_fail_pending(id, "pending, not matched yet");
	if (rc == 0) {
		rc = choose_of_job(id, job, c);
		json_decref(job);
		return rc;
	}
	if (!bid_lookup_not_found(&e))
		return cli_fail_rpc(&e);
	return choose_lease(ctx, id, c);
}

/* Signs the request with the consumer's key and calls getjobresult. */
static int fetch(struct cli_ctx *ctx, const struct chosen *c, json_t **res)
{
	uint8_t lease[HASH_SIZE], buf[HASH_SIZE + 8], digest[HASH_SIZE], sig[SIG_SIZE];
	char addr[ADDRESS_MAX], sig_hex[2 * SIG_SIZE + 1];
	struct signer s;
	uint64_t height;
	json_t *tip;
	int rc;

	if (cli_rpc(ctx, "getblockcount", NULL, &tip) != 0)
		return 1;
	rc = cli_json_u64(tip, "height", &height);
	json_decref(tip);
	if (rc != 0 || cli_key_signer(ctx, &s) != 0)
		return 1;
	cli_address(ctx, s.pubkey, addr, sizeof(addr));
	if (strcmp(addr, c->consumer) != 0) {
		signer_wipe(&s);
		return cli_fail("the key %s did not make this bid (its consumer is %s): choose it "
				"with -key=NAME",
				addr, c->consumer);
	}
	if (hex_decode_exact(c->lease, lease, HASH_SIZE) != 0) {
		signer_wipe(&s);
		return cli_fail("bad lease id from the node");
	}
	memcpy(buf, lease, HASH_SIZE);
	for (int i = 0; i < 8; i++)
		buf[HASH_SIZE + i] = (uint8_t)(height >> (56 - 8 * i));
	hash_tagged("hearth/result-request", buf, sizeof(buf), digest);
	rc = sig_sign(&s, digest, sig);
	signer_wipe(&s);
	if (rc != 0 || hex_encode(sig, SIG_SIZE, sig_hex, sizeof(sig_hex)) != 0)
		return cli_fail("cannot sign the result request");
	return cli_rpc(ctx, "getjobresult",
		       json_pack("[s, I, s]", c->lease, (json_int_t)height, sig_hex), res);
}

/* Out: *out (free()), *len: the base64 member of obj decoded. */
static int b64_member(const json_t *obj, const char *member, uint8_t **out, size_t *len)
{
	const char *text = json_string_value(json_object_get(obj, member));
	size_t tlen = text != NULL ? strlen(text) : 0;

	*out = NULL;
	if (text == NULL)
		return cli_fail("the result has no '%s'", member);
	*out = malloc(tlen / 4 * 3 + 3);
	if (*out == NULL)
		return cli_fail("out of memory");
	if (sodium_base642bin(*out, tlen / 4 * 3 + 3, text, tlen, NULL, len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(*out);
		*out = NULL;
		return cli_fail("the result's '%s' is not base64", member);
	}
	return 0;
}

/* Reads the X25519 secret stored for the bid's result key. */
static int load_result_secret(struct cli_ctx *ctx, const char *pub_hex,
			      uint8_t secret[crypto_box_SECRETKEYBYTES])
{
	char err[KEYSTORE_ERR_MAX], path[KEYSTORE_PATH_MAX + 100],
		text[2 * crypto_box_SECRETKEYBYTES + 2];
	size_t n;
	FILE *f;
	int rc;

	if (ctx->wallet_dir[0] == '\0' &&
	    keystore_dir(ctx->datadir, ctx->wallet_dir, sizeof(ctx->wallet_dir), err,
			 sizeof(err)) != 0)
		return cli_fail("%s", err);
	snprintf(path, sizeof(path), "%s/results/%s.x25519", ctx->wallet_dir, pub_hex);
	f = fopen(path, "r");
	if (f == NULL)
		return cli_fail("the result is encrypted and %s cannot be read: %s", path,
				strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n < 2 * crypto_box_SECRETKEYBYTES ? n : 2 * crypto_box_SECRETKEYBYTES] = '\0';
	rc = hex_decode_exact(text, secret, crypto_box_SECRETKEYBYTES) == 0
		     ? 0
		     : cli_fail("%s is not a result key file", path);
	sodium_memzero(text, sizeof(text));
	return rc;
}

/* A sealed answer: getbid's result_key names the stored secret that opens
 * it. Out: *files, the JSON object {stdout, archive, manifest}. */
static int unseal(struct cli_ctx *ctx, const struct chosen *c, const json_t *res, json_t **files)
{
	uint8_t pub[crypto_box_PUBLICKEYBYTES], secret[crypto_box_SECRETKEYBYTES], *box, *plain;
	const char *pub_hex;
	size_t len;
	json_t *bid;
	int rc;

	if (cli_rpc(ctx, "getbid", json_pack("[s]", c->bid), &bid) != 0)
		return 1;
	pub_hex = json_string_value(json_object_get(bid, "result_key"));
	rc = pub_hex == NULL || strlen(pub_hex) != 2 * sizeof(pub) ||
			     hex_decode_exact(pub_hex, pub, sizeof(pub)) != 0
		     ? cli_fail("the result is encrypted but the bid names no result key")
		     : load_result_secret(ctx, pub_hex, secret);
	json_decref(bid);
	if (rc != 0)
		return 1;
	if (b64_member(res, "sealed", &box, &len) != 0) {
		sodium_memzero(secret, sizeof(secret));
		return 1;
	}
	plain = len >= crypto_box_SEALBYTES ? malloc(len - crypto_box_SEALBYTES + 1) : NULL;
	rc = plain != NULL && crypto_box_seal_open(plain, box, len, pub, secret) == 0 ? 0 : -1;
	sodium_memzero(secret, sizeof(secret));
	free(box);
	*files = rc == 0 ? json_loadb((const char *)plain, len - crypto_box_SEALBYTES, 0, NULL)
			 : NULL;
	free(plain);
	if (*files == NULL)
		return cli_fail("cannot open the sealed result with the stored key (tampered?)");
	return 0;
}

static int write_all(int dirfd, const char *name, const uint8_t *data, size_t len)
{
	size_t done = 0;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0)
		return cli_fail("cannot create %s: %s", name, strerror(errno));
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);

		if (n <= 0) {
			close(fd);
			return cli_fail("cannot write %s", name);
		}
		done += (size_t)n;
	}
	return close(fd) == 0 ? 0 : cli_fail("cannot write %s", name);
}

/* Fills the directory dirfd: stdout, status, and out/ from the archive. */
static int fill_dir(int dirfd, const struct chosen *c, const json_t *files)
{
	const struct untar_limits lim = { RESULT_MAX_ENTRIES, RESULT_MAX_BYTES };
	uint8_t *out = NULL, *tar = NULL;
	size_t out_len = 0, tar_len = 0;
	char status[32], err[UNTAR_ERR_MAX];
	int outfd, rc;

	snprintf(status, sizeof(status), "%s %llu\n",
		 c->st.kind == RESULT_EXITED ? "exit" : "signal", (unsigned long long)c->st.value);
	rc = b64_member(files, "stdout", &out, &out_len) != 0 ||
	     b64_member(files, "archive", &tar, &tar_len) != 0 ||
	     write_all(dirfd, "stdout", out, out_len) != 0 ||
	     write_all(dirfd, "status", (const uint8_t *)status, strlen(status)) != 0;
	if (rc == 0 && mkdirat(dirfd, "out", 0755) != 0)
		rc = cli_fail("cannot make out/: %s", strerror(errno));
	if (rc == 0) {
		outfd = openat(dirfd, "out", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (outfd < 0)
			rc = cli_fail("cannot open out/: %s", strerror(errno));
		else if (untar_extract(tar, tar_len, outfd, &lim, err, sizeof(err)) != 0)
			rc = cli_fail("unsafe or broken result archive: %s: nothing written", err);
		if (outfd >= 0)
			close(outfd);
	}
	free(out);
	free(tar);
	return rc;
}

/* DIR must not exist, or be an empty directory. */
static int check_target(const char *dir)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : cli_fail("-o %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
			rc = cli_fail("-o %s: the directory is not empty", dir);
			break;
		}
	}
	closedir(d);
	return rc;
}

/* Unpacks and checks files in a temporary directory beside dir, then
 * renames it to dir. Out: got (the recomputed hash). */
static int unpack_checked(const char *dir, const struct chosen *c, const json_t *files,
			  uint8_t got[HASH_SIZE])
{
	char tmp[4200], parent[4096], got_hex[2 * HASH_SIZE + 1];
	mode_t mask;
	int fd, rc;

	if (snprintf(parent, sizeof(parent), "%s", dir) >= (int)sizeof(parent))
		return cli_fail("-o: path too long");
	snprintf(tmp, sizeof(tmp), "%s/.hearth-result-XXXXXX", dirname(parent));
	if (mkdtemp(tmp) == NULL)
		return cli_fail("cannot make a directory beside %s: %s", dir, strerror(errno));
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd < 0 ? cli_fail("cannot open %s", tmp) : fill_dir(fd, c, files);
	if (rc == 0)
		rc = cli_result_hash(fd, &c->st, got);
	if (fd >= 0)
		close(fd);
	if (rc == 0 && !ct_equal(got, c->want, HASH_SIZE)) {
		if (hex_encode(got, HASH_SIZE, got_hex, sizeof(got_hex)) != 0)
			got_hex[0] = '\0';
		rc = cli_fail("result of lease %s does not match its receipt on chain (hash %s, "
			      "chain %s): nothing written",
			      c->lease, got_hex, c->want_hex);
	}
	mask = umask(0);
	umask(mask);
	if (rc == 0 && (chmod(tmp, 0777 & ~mask) != 0 || rename(tmp, dir) != 0))
		rc = cli_fail("cannot move the result to %s: %s", dir, strerror(errno));
	if (rc != 0)
		untar_remove_tree(tmp);
	return rc;
}

static int run_result(struct cli_ctx *ctx, int argc, char **argv)
{
	const char *dir = NULL;
	const struct cli_opt opts[] = { { "o", &dir, NULL, NULL }, { "out", &dir, NULL, NULL } };
	struct cli_row rows[5] = { { "lease", "" },
				   { "result_hash", "" },
				   { "exit_status", "" },
				   { "encrypted", "" },
				   { "dir", "" } };
	uint8_t raw[HASH_SIZE], got[HASH_SIZE];
	json_t *res = NULL, *files = NULL;
	struct chosen c;
	bool sealed;
	char *pos[1];
	size_t npos;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0)
			argv[i] = "--o";
	}
	if (cli_parse_opts("result", argc, argv, opts, 2, pos, 1, &npos) != 0)
		return 1;
	if (npos != 1 || dir == NULL || dir[0] == '\0')
		return cli_fail("usage: hearth-cli result ID -o DIR");
	if (cli_parse_id("bid or lease id", pos[0], raw) != 0 || check_target(dir) != 0)
		return 1;
	rc = choose(ctx, pos[0], &c);
	if (rc != 0)
		return rc;
	if (fetch(ctx, &c, &res) != 0)
		return 1;
	sealed = json_is_true(json_object_get(res, "encrypted"));
	rc = sealed ? unseal(ctx, &c, res, &files) : 0;
	if (rc == 0)
		rc = unpack_checked(dir, &c, sealed ? files : res, got);
	json_decref(files);
	json_decref(res);
	if (rc != 0)
		return 1;
	if (ctx->json)
		return cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:b, s:s}", "lease", c.lease,
						"bid", c.bid, "result_hash", c.want_hex,
						"exit_status", (json_int_t)c.exit_status,
						"encrypted", sealed, "dir", dir));
	snprintf(rows[0].value, sizeof(rows[0].value), "%s", c.lease);
	snprintf(rows[1].value, sizeof(rows[1].value), "%s (matches the receipt)", c.want_hex);
	snprintf(rows[2].value, sizeof(rows[2].value), "%lld", c.exit_status);
	snprintf(rows[3].value, sizeof(rows[3].value), "%s", sealed ? "yes" : "no");
	snprintf(rows[4].value, sizeof(rows[4].value), "%s", dir);
	cli_print_rows(rows, 5);
	return 0;
}

const struct cli_command cmd_result_table[] = {
	{ "result", "ID -o DIR", "fetch a job's result, check it, write it to DIR",
	  "ID is a bid id or a lease id (a replica's, or a dispute's or tie-break's\n"
	  "verifier lease). For a bid, picks the lease whose receipt\n"
	  "holds the result most replicas reported. Asks the provider node\n"
	  "(getjobresult) with a request signed by the key that made the bid,\n"
	  "decrypts it with the stored result key (bid --encrypt), unpacks it\n"
	  "safely (no absolute paths, '..', links leaving DIR, devices), recomputes\n"
	  "the canonical result hash and compares it with the receipt on chain;\n"
	  "only when it matches is DIR (absent or empty) filled: DIR/stdout,\n"
	  "DIR/out/, DIR/status, ready for 'hearth-cli verify'. On a mismatch\n"
	  "nothing is written and the exit status is 1; 2 when the bid is pending\n"
	  "(its tx is in the node's mempool, not in a block yet).",
	  run_result },
};
const size_t cmd_result_count = sizeof(cmd_result_table) / sizeof(cmd_result_table[0]);
