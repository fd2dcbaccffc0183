/* provider.h: the executor's transactions. Builds the receipt (r = 1 and a
 * verifier's lease), the commitment and the reveal (r >= 2) of a lease from
 * its journal, signs them with the provider key and offers them to the
 * node's own mempool, with the next nonce counting the provider's txs that
 * are still pending (the mempool's check state) and the minimum fee for the
 * tx's size. Runs on the loop thread, which owns the mempool. */
#ifndef HEARTH_NODE_PROVIDER_H
#define HEARTH_NODE_PROVIDER_H

#include "consensus/crypto.h"
#include "consensus/ledger.h"
#include "node/journal.h"
#include "node/mempool.h"

struct provider {
	const struct signer *key; /* <datadir>/provider_key */
	const struct ledger *ledger;
	struct mempool *mempool;
};

enum provider_tx {
	PROVIDER_RECEIPT,
	PROVIDER_COMMIT,
	PROVIDER_REVEAL,
};

/* The tx the lease of e needs next: a receipt for r = 1 and verifier
 * leases, else a commitment until the lease is COMMITTED, then a reveal. */
enum provider_tx provider_next_tx(const struct journal_entry *e);

/* Builds, signs and submits one tx of kind for e (which has its outcome and,
 * for r >= 2, its salt).
 * Out: txid (when added); err (the ledger's reason when rejected).
 * Returns the mempool's answer (MEMPOOL_ERROR also when signing fails). */
__attribute__((warn_unused_result)) enum mempool_result
provider_submit(const struct provider *p, enum provider_tx kind, const struct journal_entry *e,
		uint8_t txid[HASH_SIZE], struct ledger_error *err);

/* Submits a bond tx of amount (the dev network's provider bonds itself at
 * start-up). Out: txid, err as provider_submit. */
__attribute__((warn_unused_result)) enum mempool_result
provider_submit_bond(const struct provider *p, uint64_t amount, uint8_t txid[HASH_SIZE],
		     struct ledger_error *err);

#endif
