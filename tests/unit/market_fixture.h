/* market_fixture.h: the test chain of ledger_fixture.h with the market
 * registered: offer and bid specs with defaults, tx builders, one-tx
 * blocks, rejection checks by market reason, and a consistency check of
 * the market's records against its indexes and escrow (run after blocks on
 * top of the supply invariant). Keys 0..3 are bonded providers, 4 and 5
 * consumers. Providers 1..3 bond plainly, so key 0 (the genesis validator)
 * stays the only validator and proposes every block. */
#ifndef HEARTH_TEST_MARKET_FIXTURE_H
#define HEARTH_TEST_MARKET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "market/market.h"
#include "tests/unit/ledger_fixture.h"

#define MF_PROVIDERS 4
#define MF_BOND	     100000ull /* bonded by providers 1..3 (0 has FIX_BOND) */

struct offer_spec {
	uint64_t cpu, memory, disk;
	uint32_t gpus, slots;
	const char *runtimes[4];
	size_t n_runtimes;
	const char *attr_keys[4], *attr_values[4];
	size_t n_attrs;
	uint64_t price, max_duration, expiry;
};

struct bid_spec {
	uint64_t cpu, memory, disk;
	uint32_t gpus;
	const char *runtime;
	const char *attr_keys[4], *attr_values[4];
	size_t n_attrs;
	uint32_t min_reputation, replicas;
	uint64_t max_price, max_duration, expiry;
	size_t n_argv;
	const uint8_t *inline_input;
	size_t inline_len;
	const uint8_t *input_hash;
	size_t input_hash_len;
	const uint8_t *result_key;
	size_t result_key_len;
	const char *input_url; /* NULL: none */
};

/* fix_setup, market_register, and bonds MF_BOND for providers 1..3. */
void mf_setup(struct fixture *f);

/* Defaults, relative to the chain's tip. */
struct offer_spec mf_offer_spec(const struct fixture *f);
struct bid_spec mf_bid_spec(const struct fixture *f);

/* The next nonce of signer idx on the main chain. */
uint64_t mf_nonce(const struct fixture *f, int idx);

/* Signed txs (caller frees). Out: *len; id (may be NULL) = the tx id, which
 * is the offer or bid id. */
uint8_t *mf_offer_tx(struct fixture *f, int idx, uint64_t nonce, const struct offer_spec *s,
		     size_t *len, uint8_t *id);
uint8_t *mf_bid_tx(struct fixture *f, int idx, uint64_t nonce, const struct bid_spec *s,
		   size_t *len, uint8_t *id);
uint8_t *mf_cancel_offer_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *id,
			    size_t id_len, size_t *len);
uint8_t *mf_cancel_bid_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *id,
			  size_t id_len, size_t *len);

/* A receipt of lease_id by provider idx: a result hash of hash_len bytes
 * (HASH_SIZE is valid), exit status 0, wall_ms. */
uint8_t *mf_receipt_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		       size_t lease_id_len, uint64_t wall_ms, size_t hash_len, size_t *len);

/* A receipt whose result hash is 32 bytes of value hash_byte. */
uint8_t *mf_receipt_hash_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
			    uint64_t wall_ms, uint8_t hash_byte, size_t *len);

/* receipt_commit of lease_id with commitment[commitment_len]. */
uint8_t *mf_commit_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		      size_t lease_id_len, const uint8_t *commitment, size_t commitment_len,
		      size_t *len);

/* The commitment of provider idx to a result hash of 32 bytes hash_byte
 * with salt[salt_len]. */
void mf_commitment(const struct fixture *f, int idx, uint8_t hash_byte, const uint8_t *salt,
		   size_t salt_len, uint8_t out[HASH_SIZE]);

/* receipt_reveal of lease_id: result hash of 32 bytes hash_byte (or
 * hash_len bytes), salt[salt_len], wall_ms. */
uint8_t *mf_reveal_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		      uint8_t hash_byte, size_t hash_len, const uint8_t *salt, size_t salt_len,
		      uint64_t wall_ms, size_t *len);

/* dispute of lease_id by idx with a reason. */
uint8_t *mf_dispute_tx(struct fixture *f, int idx, uint64_t nonce, const uint8_t *lease_id,
		       size_t lease_id_len, const char *reason, size_t *len);

/* Applies a block of one tx (freed) on the main chain; asserts it is
 * accepted, then the invariants. */
void mf_block1(struct fixture *f, uint8_t *tx, size_t len);

/* An empty block on the main chain. */
void mf_empty_block(struct fixture *f);

/* Offers (or bids) from signer idx in their own block. Out: id. */
void mf_offer(struct fixture *f, int idx, const struct offer_spec *s, uint8_t *id);
void mf_bid(struct fixture *f, int idx, const struct bid_spec *s, uint8_t *id);

/* Checks tx (freed) against the tip as the mempool would; asserts the market
 * refuses it with code and that a block holding it is refused too. */
void mf_assert_rejected(struct fixture *f, uint8_t *tx, size_t len, enum market_reason code);

/* Record getters on the main chain; assert the record exists. The caller
 * frees with codec_free. */
Hearth__BidRecord *mf_bid_record(const struct fixture *f, const uint8_t *id);
Hearth__OfferRecord *mf_offer_record(const struct fixture *f, const uint8_t *id);
Hearth__Lease *mf_lease_record(const struct fixture *f, const uint8_t *bid_id, uint32_t replica);
bool mf_offer_exists(const struct fixture *f, const uint8_t *id);
bool mf_lease_exists(const struct fixture *f, const uint8_t *bid_id, uint32_t replica);

/* The bid's state and last unmatched reason. */
void mf_assert_bid(const struct fixture *f, const uint8_t *id, Hearth__BidState state,
		   enum market_reason reason);

/* Escrow held by the market. */
uint64_t mf_escrow(const struct chain *c);

/* Asserts the market's records and indexes agree on c: the escrow total is
 * the sum of bid escrows, the queue and bid expiry index hold exactly the
 * queued bids, the book exactly the open offers with a free slot, the
 * deadline index exactly the active leases, the settlement queue exactly
 * the receipted single-replica ones (each with its receipt); a lease still
 * open belongs to a matched bid, a settled bid holds nothing; escrow also
 * holds the bonds of pending disputes; a pending tie-break has an active
 * verifier lease and a matched bid, a decided one a settled bid. */
void mf_assert_consistent(const struct chain *c);

#endif
