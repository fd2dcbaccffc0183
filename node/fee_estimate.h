/* fee_estimate.h: the fee rate a new tx should pay, from the chain's minimum
 * and what the mempool holds. When the pool is not under pressure (less than
 * half full by count and by bytes) the minimum is enough. Under pressure the
 * estimate is one base unit per byte above the lowest fee rate in the pool:
 * the tx a full pool would give up first, so a tx paying the estimate is
 * never the cheapest one waiting. Pure: reads the pool, no clock, no I/O. */
#ifndef HEARTH_NODE_FEE_ESTIMATE_H
#define HEARTH_NODE_FEE_ESTIMATE_H

#include <stdbool.h>
#include <stdint.h>

#include "node/mempool.h"

struct fee_estimate {
	uint64_t feerate;     /* base units per byte of the encoded Tx */
	uint64_t min_feerate; /* the chain's min_fee_per_byte */
	uint64_t lowest;      /* lowest fee rate in the pool (0 when empty) */
	bool pressure;	      /* the pool is at least half full */
};

/* Fee rate of one encoded Tx: floor(fee / len).
 * In:  tx[len], max_len: the chain's max_tx_bytes.
 * Out: *rate.
 * Returns 0, or -1 when the bytes do not decode as a Tx with a TxBody. */
__attribute__((warn_unused_result)) int fee_rate_of(const uint8_t *tx, size_t len, size_t max_len,
						    uint64_t *rate);

/* In:  mp (read only; owned by the caller's thread); min_fee_per_byte,
 *      max_tx_bytes: the chain's parameters.
 * Out: *est.
 * Returns 0, or -1 when a pooled tx does not decode (cannot happen for a
 * tx the pool admitted) or out of memory. */
__attribute__((warn_unused_result)) int fee_estimate(const struct mempool *mp,
						     uint64_t min_fee_per_byte, size_t max_tx_bytes,
						     struct fee_estimate *est);

#endif
