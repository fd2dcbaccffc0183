/* p2ppeer.c: a misbehaving P2P peer for the functional tests. It connects to
 * a hearthd P2P port as a real peer, runs the handshake of node/p2p_handshake.c
 * with a fresh random node key and the chain id and genesis hash it is given,
 * then (optionally) misbehaves, and reads until the node closes.
 *   p2ppeer --port N --chain-id X --genesis-hash HEX
 *           [--oversize | --tampered | --undecodable | --double-vote KEYFILE |
 *            --double-propose KEYFILE --members KEY:POWER,...]
 *           [--cap N] [--timeout S]
 * --oversize sends one frame header declaring a plaintext of cap + 1 bytes
 * (cap defaults to P2P_FRAME_LIMIT), --tampered a frame whose ciphertext has
 * one bit flipped, --undecodable a valid frame whose plaintext is not a
 * P2PMessage. --double-vote plays a validator that signs twice: it says
 * where its engine is (round_state at the height after the node's tip, as
 * a node does; vote gossip sends nothing to a peer that has not), waits for
 * the first vote the node sends, then sends two prevotes for that height
 * and round,
 * for two different made-up blocks, signed with the secret key in KEYFILE
 * (a datadir's validator_key: 64 hex digits), and stays 2 s for the node to
 * take them. Prints one line saying what happened; with --double-vote
 * "sent double vote height=H round=R" and exit 0 once both went out.
 * --double-propose plays the validator of KEYFILE as a proposer that signs
 * two different blocks: like --double-vote it waits for the node's first
 * vote (height H), then, for H and H + 1 (the node takes proposals of the
 * height after its tip only, and that vote may be of the tip), finds the
 * first round in which that validator is the proposer and sends two
 * proposals for it, of two made-up blocks (an empty block each, with
 * different times: decodable, but invalid for the chain). The proposer of a
 * round is computed as the node does (consensus/proposer.h) from --members,
 * the validator set (hex key and power of each member), which must not
 * have changed since genesis. Prints "sent double proposal height=H
 * round=R" for each height and exits 0 once all went out.
 * Exit 0: the node closed the connection; 2: it kept it open until the
 * timeout; 1: error (one line on standard error). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "consensus/bft.h"
#include "consensus/block.h"
#include "consensus/crypto.h"
#include "consensus/proposer.h"
#include "consensus/vote.h"
#include "node/p2p_frame.h"
#include "node/p2p_handshake.h"
#include "proto/codec.h"
#include "proto/hex.h"

enum peer_mode {
	MODE_HANDSHAKE, /* handshake only */
	MODE_OVERSIZE,
	MODE_TAMPERED,
	MODE_UNDECODABLE,
	MODE_DOUBLE_VOTE,
	MODE_DOUBLE_PROPOSE,
};

struct peer_opts {
	unsigned port;
	const char *chain_id;
	uint8_t genesis[HASH_SIZE];
	bool have_genesis;
	enum peer_mode mode;
	unsigned long long cap;
	unsigned timeout_s;
	const char *key_file; /* --double-vote, --double-propose */
	const char *members;  /* --members */
};

/* What one read returned. */
enum read_result {
	READ_DATA,
	READ_CLOSED,  /* EOF or reset */
	READ_TIMEOUT, /* nothing within the timeout */
	READ_ERROR,
};

static int fail(const char *msg)
{
	fprintf(stderr, "p2ppeer: %s\n", msg);
	return 1;
}

static int parse_ull(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (s[0] == '\0' || s[0] == '-' || *end != '\0' || errno != 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Parses one option with its value at argv[*i + 1]. Returns 0 or -1. */
static int parse_valued(struct peer_opts *o, int argc, char **argv, int *i)
{
	unsigned long long v;
	const char *name = argv[*i];

	if (*i + 1 >= argc)
		return -1;
	const char *val = argv[++*i];
	if (strcmp(name, "--port") == 0) {
		if (parse_ull(val, 65535, &v) != 0 || v == 0)
			return -1;
		o->port = (unsigned)v;
	} else if (strcmp(name, "--chain-id") == 0) {
		if (val[0] == '\0' || strlen(val) > P2P_CHAIN_ID_MAX)
			return -1;
		o->chain_id = val;
	} else if (strcmp(name, "--genesis-hash") == 0) {
		if (hex_decode_exact(val, o->genesis, HASH_SIZE) != 0)
			return -1;
		o->have_genesis = true;
	} else if (strcmp(name, "--cap") == 0) {
		if (parse_ull(val, P2P_FRAME_LIMIT, &v) != 0)
			return -1;
		o->cap = v;
	} else if (strcmp(name, "--double-vote") == 0) {
		o->mode = MODE_DOUBLE_VOTE;
		o->key_file = val;
	} else if (strcmp(name, "--double-propose") == 0) {
		o->mode = MODE_DOUBLE_PROPOSE;
		o->key_file = val;
	} else if (strcmp(name, "--members") == 0) {
		o->members = val;
	} else if (strcmp(name, "--timeout") == 0) {
		if (parse_ull(val, 3600, &v) != 0 || v == 0)
			return -1;
		o->timeout_s = (unsigned)v;
	} else {
		return -1;
	}
	return 0;
}

/* Returns 0, or -1 for a bad command line. */
static int parse_args(struct peer_opts *o, int argc, char **argv)
{
	memset(o, 0, sizeof(*o));
	o->mode = MODE_HANDSHAKE;
	o->cap = P2P_FRAME_LIMIT;
	o->timeout_s = 10;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--oversize") == 0)
			o->mode = MODE_OVERSIZE;
		else if (strcmp(argv[i], "--tampered") == 0)
			o->mode = MODE_TAMPERED;
		else if (strcmp(argv[i], "--undecodable") == 0)
			o->mode = MODE_UNDECODABLE;
		else if (parse_valued(o, argc, argv, &i) != 0)
			return -1;
	}
	if (o->mode == MODE_DOUBLE_PROPOSE && o->members == NULL)
		return -1;
	return o->port != 0 && o->chain_id != NULL && o->have_genesis ? 0 : -1;
}

static int peer_connect(const struct peer_opts *o)
{
	struct sockaddr_in sa;
	struct timeval tv = { .tv_sec = (time_t)o->timeout_s, .tv_usec = 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* Writes all of buf. Returns 0, or -1 (the node closed, or an error). */
static int peer_write(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static enum read_result peer_read(int fd, uint8_t *buf, size_t size, size_t *got)
{
	ssize_t n;

	do
		n = recv(fd, buf, size, 0);
	while (n < 0 && errno == EINTR);
	if (n > 0) {
		*got = (size_t)n;
		return READ_DATA;
	}
	if (n == 0 || errno == ECONNRESET || errno == EPIPE)
		return READ_CLOSED;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return READ_TIMEOUT;
	return READ_ERROR;
}

static double now_s(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads and drops everything until the node closes or timeout_s pass (the
 * node may keep sending). Returns the exit code. */
static int drain_until_closed(int fd, const char *when, unsigned timeout_s)
{
	uint8_t buf[4096];
	size_t got;
	double deadline = now_s() + timeout_s;

	for (;;) {
		if (now_s() > deadline) {
			printf("still open %s (timeout)\n", when);
			return 2;
		}
		switch (peer_read(fd, buf, sizeof(buf), &got)) {
		case READ_DATA:
			continue;
		case READ_CLOSED:
			printf("closed %s\n", when);
			return 0;
		case READ_TIMEOUT:
			printf("still open %s (timeout)\n", when);
			return 2;
		case READ_ERROR:
			return fail("read failed");
		}
	}
}

/* The bytes that came in one read with the end of the handshake: the
 * node's first frames, which belong to the frame layer. */
struct peer_rest {
	uint8_t data[4096];
	size_t len;
	uint64_t node_height; /* the best height the node gave in its handshake */
};

/* Runs the handshake. Returns 0 when it is done (rx/tx set, rest holds the
 * frame bytes read with it), 1 when the node closed or the handshake failed
 * (*code is the exit code), -1 on error. */
static int run_handshake(int fd, const struct p2p_hs_params *params, struct p2p_frame_rx *rx,
			 struct p2p_frame_tx *tx, unsigned timeout_s, int *code,
			 struct peer_rest *rest)
{
	struct p2p_handshake hs;
	struct p2p_hs_peer peer;
	uint8_t hello[P2P_HELLO_SIZE], buf[4096];
	size_t got, used;
	int ret = -1;

	if (p2p_handshake_init(&hs, params, P2P_HS_INITIATOR, hello) != 0)
		return -1;
	if (peer_write(fd, hello, sizeof(hello)) != 0) {
		printf("refused in handshake (closed before our hello)\n");
		*code = 0;
		p2p_handshake_wipe(&hs);
		return 1;
	}
	for (;;) {
		enum read_result rr = peer_read(fd, buf, sizeof(buf), &got);
		if (rr != READ_DATA) {
			*code = rr == READ_CLOSED ? 0 : 2;
			ret = rr == READ_ERROR ? -1 : 1;
			printf("%s in handshake\n", rr == READ_CLOSED ? "refused" : "stalled");
			break;
		}
		uint8_t *out = NULL;
		size_t out_len = 0;
		enum p2p_hs_status st = p2p_handshake_feed(&hs, buf, got, &used, &out, &out_len);
		int wr = out != NULL ? peer_write(fd, out, out_len) : 0;
		free(out);
		if (st == P2P_HS_DONE) {
			rest->len = used < got ? got - used : 0;
			memcpy(rest->data, buf + used, rest->len);
			p2p_handshake_finish(&hs, P2P_FRAME_LIMIT, rx, tx, &peer);
			rest->node_height = peer.best_height;
			printf("handshake done\n");
			ret = 0;
			break;
		}
		if (st == P2P_HS_FAILED || wr != 0) {
			/* We saw it too (another chain): the node must still close. */
			printf("handshake failed on our side: %s\n", hs.why);
			*code = drain_until_closed(fd, "in handshake", timeout_s);
			ret = 1;
			break;
		}
	}
	p2p_handshake_wipe(&hs);
	return ret;
}

/* Misbehaves as the mode says. Returns 0 or -1. */
static int misbehave(int fd, const struct peer_opts *o, struct p2p_frame_tx *tx)
{
	static const uint8_t junk[8] = { 0xde, 0xad, 0xbe, 0xef, 0xff, 0xff, 0xff, 0xff };
	uint8_t header[P2P_FRAME_HEADER_SIZE + 64];
	uint8_t *frame = NULL;
	size_t len = 0;
	uint64_t declared = o->cap + 1 + P2P_FRAME_TAG_SIZE;
	int rc;

	switch (o->mode) {
	case MODE_HANDSHAKE:
		return 0;
	case MODE_OVERSIZE:
		memset(header, 0xab, sizeof(header));
		for (int i = 0; i < P2P_FRAME_HEADER_SIZE; i++)
			header[i] = (uint8_t)(declared >> (8 * (P2P_FRAME_HEADER_SIZE - 1 - i)));
		return peer_write(fd, header, sizeof(header));
	case MODE_DOUBLE_VOTE:
	case MODE_DOUBLE_PROPOSE:
		return -1; /* run_double_vote, run_double_propose */
	case MODE_TAMPERED:
	case MODE_UNDECODABLE:
		if (p2p_frame_seal(tx, junk, sizeof(junk), &frame, &len) != P2P_FRAME_OK)
			return -1;
		if (o->mode == MODE_TAMPERED)
			frame[P2P_FRAME_HEADER_SIZE] ^= 0x01; /* first ciphertext byte */
		rc = peer_write(fd, frame, len);
		free(frame);
		return rc;
	}
	return -1;
}

/* ------------------------------------------------------------ double vote */

/* Loads the validator key in path (64 hex digits). Returns 0 or -1. */
static int load_key(const char *path, struct signer *key)
{
	char text[2 * SECKEY_SIZE + 2] = "";
	uint8_t secret[SECKEY_SIZE];
	FILE *f = fopen(path, "r");
	int rc = -1;

	if (f == NULL)
		return -1;
	if (fgets(text, sizeof(text), f) != NULL) {
		text[strcspn(text, "\n")] = '\0';
		if (hex_decode_exact(text, secret, sizeof(secret)) == 0 &&
		    signer_from_secret(key, secret) == 0)
			rc = 0;
	}
	(void)fclose(f);
	secret_wipe(secret, sizeof(secret));
	secret_wipe(text, sizeof(text));
	return rc;
}

/* One opened frame: sets *height and *round when it is a vote.
 * Returns 1 for a vote, 0 for another message, -1 when it does not decode. */
static int frame_vote(const uint8_t *plain, size_t len, uint64_t *height, uint32_t *round)
{
	ProtobufCMessage *decoded;
	const Hearth__P2PMessage *msg;
	int rc = 0;

	if (codec_decode(&hearth__p2_pmessage__descriptor, plain, len, P2P_FRAME_LIMIT, &decoded,
			 NULL) != CODEC_OK)
		return -1;
	msg = (const Hearth__P2PMessage *)decoded;
	if (msg->msg_case == HEARTH__P2_PMESSAGE__MSG_VOTE) {
		*height = msg->vote->height;
		*round = msg->vote->round;
		rc = 1;
	}
	codec_free(decoded);
	return rc;
}

/* Opens the frames in data[len]. Out: *height, *round of the first vote.
 * Returns 1 for a vote, 0 when none was there yet, -1 for a bad frame. */
static int scan_frames(struct p2p_frame_rx *rx, const uint8_t *data, size_t len, uint64_t *height,
		       uint32_t *round)
{
	for (size_t off = 0; off < len;) {
		uint8_t *plain = NULL;
		size_t used, plain_len;
		enum p2p_frame_status st =
			p2p_frame_open(rx, data + off, len - off, &used, &plain, &plain_len);
		int vote = 0;

		if (st == P2P_FRAME_OK)
			vote = frame_vote(plain, plain_len, height, round);
		free(plain);
		if ((st != P2P_FRAME_OK && st != P2P_FRAME_NEED_MORE) || vote != 0)
			return vote == 1 ? 1 : -1;
		off += used;
	}
	return 0;
}

/* Encodes, seals and writes msg. Returns 0 or -1. */
static int send_message(int fd, struct p2p_frame_tx *tx, const Hearth__P2PMessage *msg)
{
	uint8_t *plain = NULL, *frame = NULL;
	size_t plain_len, frame_len;
	int rc = -1;

	if (codec_encode(&msg->base, &plain, &plain_len) == CODEC_OK &&
	    p2p_frame_seal(tx, plain, plain_len, &frame, &frame_len) == P2P_FRAME_OK)
		rc = peer_write(fd, frame, frame_len);
	free(plain);
	free(frame);
	return rc;
}

/* Says where this peer's engine is, as a node does after the handshake:
 * at the height after the node's tip, round 0. The node's vote gossip then
 * sends it the votes of that height (it sends nothing to a peer that has
 * not said where it is). Returns 0 or -1. */
static int send_round_state(int fd, struct p2p_frame_tx *tx, uint64_t height)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__RoundState rs = HEARTH__ROUND_STATE__INIT;

	rs.height = height;
	rs.round = 0;
	rs.step = HEARTH__ROUND_STEP__STEP_PROPOSE;
	rs.pol_round = -1;
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_ROUND_STATE;
	msg.round_state = &rs;
	return send_message(fd, tx, &msg);
}

/* Announces its position, then reads frames (the rest of the handshake's
 * read first) until the node sends a vote. Out: *height, *round. Returns
 * 0, or -1 (closed, timeout, bad frame). */
static int wait_for_vote(int fd, struct p2p_frame_rx *rx, struct p2p_frame_tx *tx,
			 const struct peer_rest *rest, uint64_t *height, uint32_t *round)
{
	uint8_t buf[4096];
	size_t got;
	int rc;

	if (send_round_state(fd, tx, rest->node_height + 1) != 0)
		return -1;
	rc = scan_frames(rx, rest->data, rest->len, height, round);

	while (rc == 0) {
		if (peer_read(fd, buf, sizeof(buf), &got) != READ_DATA)
			return -1;
		rc = scan_frames(rx, buf, got, height, round);
	}
	return rc == 1 ? 0 : -1;
}

/* Signs and sends a prevote of key at (height, round) for block id.
 * Returns 0 or -1. */
static int send_prevote(int fd, struct p2p_frame_tx *tx, const char *chain_id,
			const struct signer *key, uint64_t height, uint32_t round,
			const uint8_t id[HASH_SIZE])
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Vote vm;
	struct vote v;
	uint8_t digest[HASH_SIZE];

	memset(&v, 0, sizeof(v));
	v.type = VOTE_TYPE_PREVOTE;
	v.height = height;
	v.round = round;
	v.has_block = true;
	memcpy(v.block_id, id, HASH_SIZE);
	memcpy(v.validator, key->pubkey, PUBKEY_SIZE);
	vote_digest(chain_id, &v, digest);
	if (sig_sign(key, digest, v.sig) != 0)
		return -1;
	vote_to_proto(&v, &vm);
	msg.msg_case = HEARTH__P2_PMESSAGE__MSG_VOTE;
	msg.vote = &vm;
	return send_message(fd, tx, &msg);
}

/* --double-vote. Returns the exit code. */
static int run_double_vote(int fd, const struct peer_opts *o, struct p2p_frame_rx *rx,
			   struct p2p_frame_tx *tx, const struct peer_rest *rest)
{
	struct signer key;
	uint8_t id_a[HASH_SIZE], id_b[HASH_SIZE];
	uint64_t height;
	uint32_t round;
	int rc;

	if (load_key(o->key_file, &key) != 0)
		return fail("cannot load the validator key");
	randombytes_buf(id_a, sizeof(id_a));
	randombytes_buf(id_b, sizeof(id_b));
	if (wait_for_vote(fd, rx, tx, rest, &height, &round) != 0) {
		signer_wipe(&key);
		return fail("no vote from the node");
	}
	rc = send_prevote(fd, tx, o->chain_id, &key, height, round, id_a) == 0 &&
			     send_prevote(fd, tx, o->chain_id, &key, height, round, id_b) == 0
		     ? 0
		     : -1;
	signer_wipe(&key);
	if (rc != 0)
		return fail("cannot send the votes");
	printf("sent double vote height=%llu round=%u\n", (unsigned long long)height, round);
	(void)drain_until_closed(fd, "after the double vote", 2);
	return 0;
}

/* ------------------------------------------------------------ double proposal */

/* Parses --members (KEY:POWER,... with 64-hex-digit keys) into a set with
 * zero priorities. Returns 0 or -1. */
static int parse_members(const char *text, struct validator_set *set)
{
	struct validator *m = calloc(VALIDATORS_MAX, sizeof(*m));
	char hex[2 * PUBKEY_SIZE + 1];
	size_t n = 0;
	int rc = -1;

	if (m == NULL)
		return -1;
	for (const char *p = text; *p != '\0'; n++) {
		const char *colon = strchr(p, ':');
		char *end;
		unsigned long long power;

		if (n == VALIDATORS_MAX || colon == NULL || colon - p != 2 * PUBKEY_SIZE)
			goto out;
		memcpy(hex, p, 2 * PUBKEY_SIZE);
		hex[2 * PUBKEY_SIZE] = '\0';
		errno = 0;
		power = strtoull(colon + 1, &end, 10);
		if (hex_decode_exact(hex, m[n].key, PUBKEY_SIZE) != 0 || errno != 0 ||
		    end == colon + 1 || power == 0 || (*end != ',' && *end != '\0'))
			goto out;
		m[n].power = power;
		p = *end == ',' ? end + 1 : end;
	}
	rc = validators_set_init(set, m, n);
out:
	free(m);
	return rc;
}

/* The set of height with its proposer priorities, replayed from genesis as
 * the node does (node/consensus.c), for a membership that never changed.
 * Out: out. Returns 0 or -1. */
static int set_of_height(const struct validator_set *members, uint64_t height,
			 struct validator_set *out)
{
	struct validator_set *prev = calloc(1, sizeof(*prev));
	int rc;

	if (prev == NULL)
		return -1;
	rc = proposer_update(prev, members->members, members->count, out);
	for (uint64_t h = 2; rc == 0 && h <= height; h++) {
		*prev = *out;
		(void)proposer_increment(prev, 1);
		rc = proposer_update(prev, members->members, members->count, out);
	}
	free(prev);
	return rc;
}

/* The first round of height whose proposer is key (within the rounds the
 * node looks at ahead). Out: *round. Returns 0, or -1 when there is none. */
static int round_of_proposer(const struct validator_set *members, uint64_t height,
			     const uint8_t key[PUBKEY_SIZE], uint32_t *round)
{
	struct validator_set *set = malloc(2 * sizeof(*set));
	int me = validators_find(members, key), rc = -1;

	if (set == NULL)
		return -1;
	if (me >= 0 && set_of_height(members, height, &set[0]) == 0) {
		for (uint32_t r = 0; r < BFT_ROUND_SLOTS && rc != 0; r++) {
			if (proposer_select(&set[0], r, &set[1]) == (size_t)me) {
				*round = r;
				rc = 0;
			}
		}
	}
	free(set);
	return rc;
}

/* Signs and sends key's proposal of an empty block at (height, round); salt
 * makes the block differ. Returns 0 or -1. */
static int send_proposal(int fd, struct p2p_frame_tx *tx, const char *chain_id,
			 const struct signer *key, uint64_t height, uint32_t round, uint64_t salt)
{
	Hearth__P2PMessage msg = HEARTH__P2_PMESSAGE__INIT;
	Hearth__Proposal prop = HEARTH__PROPOSAL__INIT;
	Hearth__Block block = HEARTH__BLOCK__INIT;
	struct block_header h;
	struct proposal_header p;
	uint8_t digest[HASH_SIZE], *header = NULL;
	size_t header_len;
	int rc = -1;

	memset(&h, 0, sizeof(h));
	memset(&p, 0, sizeof(p));
	snprintf(h.chain_id, sizeof(h.chain_id), "%s", chain_id);
	h.height = height;
	h.time_ms = salt;
	memcpy(h.proposer, key->pubkey, PUBKEY_SIZE);
	if (block_header_encode(&h, &header, &header_len) != 0)
		return -1;
	p.height = height;
	p.round = round;
	p.pol_round = -1;
	block_id(header, header_len, p.block_id);
	memcpy(p.proposer, key->pubkey, PUBKEY_SIZE);
	proposal_digest(chain_id, &p, digest);
	if (sig_sign(key, digest, p.sig) == 0) {
		block.header.data = header;
		block.header.len = header_len;
		prop.height = height;
		prop.round = round;
		prop.pol_round = -1;
		prop.block = &block;
		prop.proposer.data = p.proposer;
		prop.proposer.len = PUBKEY_SIZE;
		prop.sig.data = p.sig;
		prop.sig.len = SIG_SIZE;
		msg.msg_case = HEARTH__P2_PMESSAGE__MSG_PROPOSAL;
		msg.proposal = &prop;
		rc = send_message(fd, tx, &msg);
	}
	free(header);
	return rc;
}

/* Two conflicting proposals of key at height, in its first round as
 * proposer. Returns 0, or -1 (not a proposer there, send failure). */
static int double_propose_at(int fd, struct p2p_frame_tx *tx, const char *chain_id,
			     const struct signer *key, const struct validator_set *members,
			     uint64_t height)
{
	uint64_t salt = 1700000000000ull + randombytes_uniform(1000000);
	uint32_t round;

	if (round_of_proposer(members, height, key->pubkey, &round) != 0)
		return -1;
	if (send_proposal(fd, tx, chain_id, key, height, round, salt) != 0 ||
	    send_proposal(fd, tx, chain_id, key, height, round, salt + 1) != 0)
		return -1;
	printf("sent double proposal height=%llu round=%u\n", (unsigned long long)height, round);
	return 0;
}

/* --double-propose. Returns the exit code. */
static int run_double_propose(int fd, const struct peer_opts *o, struct p2p_frame_rx *rx,
			      struct p2p_frame_tx *tx, const struct peer_rest *rest)
{
	struct validator_set *members = malloc(sizeof(*members));
	struct signer key;
	uint64_t height;
	uint32_t round;
	int rc = -1;

	if (members == NULL || parse_members(o->members, members) != 0) {
		free(members);
		return fail("bad --members");
	}
	if (load_key(o->key_file, &key) != 0) {
		free(members);
		return fail("cannot load the validator key");
	}
	if (wait_for_vote(fd, rx, tx, rest, &height, &round) == 0 && height < UINT64_MAX)
		rc = double_propose_at(fd, tx, o->chain_id, &key, members, height) == 0 &&
				     double_propose_at(fd, tx, o->chain_id, &key, members,
						       height + 1) == 0
			     ? 0
			     : -1;
	signer_wipe(&key);
	free(members);
	if (rc != 0)
		return fail("no vote from the node, or cannot send the proposals");
	(void)drain_until_closed(fd, "after the double proposal", 2);
	return 0;
}

int main(int argc, char **argv)
{
	static const char *const names[] = { "nothing",		 "an oversize frame",
					     "a tampered frame", "an undecodable frame",
					     "a double vote",	 "a double proposal" };
	struct peer_opts o;
	struct signer key;
	struct p2p_hs_params params;
	struct p2p_frame_rx rx;
	struct p2p_frame_tx tx;
	struct peer_rest rest;
	int fd, code = 1, hs;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(&o, argc, argv) != 0)
		return fail("usage: p2ppeer --port N --chain-id X --genesis-hash HEX "
			    "[--oversize|--tampered|--undecodable|--double-vote KEYFILE|"
			    "--double-propose KEYFILE --members KEY:POWER,...] [--cap N] "
			    "[--timeout S]");
	if (signer_generate(&key) != 0)
		return fail("cannot make a node key");
	memset(&params, 0, sizeof(params));
	memset(&rx, 0, sizeof(rx));
	memset(&tx, 0, sizeof(tx));
	params.chain_id = o.chain_id;
	memcpy(params.genesis_hash, o.genesis, HASH_SIZE);
	params.node_key = &key;
	params.user_agent = "p2ppeer";
	fd = peer_connect(&o);
	if (fd < 0) {
		signer_wipe(&key);
		return fail("cannot connect");
	}
	hs = run_handshake(fd, &params, &rx, &tx, o.timeout_s, &code, &rest);
	if (hs < 0) {
		code = fail("handshake error");
	} else if (hs == 0) {
		printf("sending %s\n", names[o.mode]);
		if (o.mode == MODE_DOUBLE_VOTE) {
			code = run_double_vote(fd, &o, &rx, &tx, &rest);
		} else if (o.mode == MODE_DOUBLE_PROPOSE) {
			code = run_double_propose(fd, &o, &rx, &tx, &rest);
		} else if (misbehave(fd, &o, &tx) != 0) {
			printf("closed after handshake (while sending)\n");
			code = 0;
		} else {
			code = drain_until_closed(fd, "after handshake", o.timeout_s);
		}
	}
	p2p_frame_rx_wipe(&rx);
	p2p_frame_tx_wipe(&tx);
	signer_wipe(&key);
	(void)close(fd);
	return code;
}
