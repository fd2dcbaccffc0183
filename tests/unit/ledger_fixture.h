/* ledger_fixture.h: a small chain for the ledger tests: deterministic keys,
 * a genesis document, a ledger over it, and helpers that sign txs and
 * build, apply and commit blocks (checking the supply invariant after each). */
#ifndef HEARTH_TEST_LEDGER_FIXTURE_H
#define HEARTH_TEST_LEDGER_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/account.h"
#include "consensus/genesis.h"
#include "consensus/ledger.h"
#include "consensus/overlay.h"
#include "consensus/state_mem.h"

#define FIX_KEYS    8
#define FIX_BALANCE 1000000000ull /* genesis balance of keys 0..5 */
#define FIX_BOND    1000000ull	  /* genesis bond of key 0 */
#define FIX_FEE	    10000ull	  /* above the minimum of any test tx */
#define FIX_CHAIN   "hearth-test"

/* One node's copy of the chain. With layered, blocks are committed into a
 * long-lived overlay over the memory state that is flushed every few blocks,
 * so two chains reach the same state through different paths. */
struct chain {
	struct state_mem mem;
	struct state mem_st;
	struct overlay layer;
	struct state layer_st;
	bool layered;
	unsigned unflushed;
	struct chain_tip tip;
	uint8_t last_block_id[HASH_SIZE];
};

struct fixture {
	struct signer signers[FIX_KEYS];
	struct genesis genesis;
	struct ledger ledger;
	struct chain chain;
	uint64_t aux; /* counter for deterministic signatures */
};

/* Writes the test genesis document into buf. */
void fix_genesis_text(const struct fixture *f, char *buf, size_t size);

/* Keys, genesis, ledger, and one chain at genesis. */
void fix_setup(struct fixture *f);
void fix_teardown(struct fixture *f);

/* A fresh chain at genesis (layered or not). */
void fix_chain_init(struct fixture *f, struct chain *c, bool layered);
void fix_chain_free(struct chain *c);
const struct state *fix_chain_state(const struct chain *c);

/* A TxBody of signer idx with chain id, nonce and fee filled in. */
void fix_body(struct fixture *f, Hearth__TxBody *body, int idx, uint64_t nonce, uint64_t fee);

/* Signs body with signer idx. Out: *len. Returns the tx (caller frees). */
uint8_t *fix_sign(struct fixture *f, const Hearth__TxBody *body, int idx, size_t *len);

uint8_t *fix_transfer(struct fixture *f, int from, uint64_t nonce, uint64_t fee,
		      const uint8_t to[PUBKEY_SIZE], uint64_t amount, size_t *len);
/* A plain bond: stake without validator candidacy. */
uint8_t *fix_bond(struct fixture *f, int from, uint64_t nonce, uint64_t fee, uint64_t amount,
		  size_t *len);
/* A bond with validator = true: the sender also stands as a candidate. */
uint8_t *fix_bond_validator(struct fixture *f, int from, uint64_t nonce, uint64_t fee,
			    uint64_t amount, size_t *len);
uint8_t *fix_unbond(struct fixture *f, int from, uint64_t nonce, uint64_t fee, uint64_t amount,
		    size_t *len);

/* Encodes a block of txs[n] on c's tip at time tip + 1 s, proposed by the
 * first validator of the height, with a (signature-less) last commit.
 * Out: *len. Returns the block (caller frees). */
uint8_t *fix_make_block(struct fixture *f, const struct chain *c, uint8_t *const *txs,
			const size_t *lens, size_t n, size_t *len);

/* Applies block bytes on c; on success commits the writes, moves the tip,
 * and asserts the supply invariant. Out: *app_hash (may be NULL).
 * Returns the ledger's reason. */
enum ledger_reason fix_apply(struct fixture *f, struct chain *c, const uint8_t *block, size_t len,
			     struct ledger_error *err, uint8_t *app_hash);

/* fix_make_block + fix_apply, then frees the txs. */
enum ledger_reason fix_block(struct fixture *f, struct chain *c, uint8_t **txs, const size_t *lens,
			     size_t n, struct ledger_error *err);

/* The account of signer idx on c. */
struct account fix_account(const struct fixture *f, const struct chain *c, int idx);

/* Asserts the invariants of c. */
void fix_assert_invariant(const struct fixture *f, const struct chain *c);

/* cmocka group helpers: a fresh fixture in *state, and its release. */
int fix_group_setup(void **state);
int fix_group_teardown(void **state);

/* Applies one tx (which it frees) as the mempool would, into a throwaway
 * overlay over the chain; asserts that a rejected tx wrote nothing.
 * Returns the ledger's verdict. */
enum ledger_reason fix_try_tx(struct fixture *f, uint8_t *tx, const size_t *lenp);

/* Commits one block holding tx (freed); fails the test when it is refused. */
void fix_block1(struct fixture *f, uint8_t *tx, const size_t *lenp);

/* Commits an empty block. */
void fix_empty_block(struct fixture *f);

/* Writes signer idx's account directly (beyond what genesis allows). */
void fix_force_account(struct fixture *f, int idx, const struct account *acct);

#endif
