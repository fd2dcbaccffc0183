/* sigcache.c: the ledger's verified-signature cache over the mempool and
 * the node's txseen (sigcache.h). */
#include "node/sigcache.h"

#include "consensus/tx.h"
#include "node/node.h"

bool sigcache_has_id(const struct node *node, const uint8_t id[HASH_SIZE])
{
	return mempool_contains(&node->mempool, id) ||
	       (txseen_flags(&node->txseen, id) & TXSEEN_VERIFIED) != 0;
}

bool sigcache_has(void *arg, const uint8_t *tx, size_t len)
{
	uint8_t id[HASH_SIZE];

	tx_id(tx, len, id);
	return sigcache_has_id(arg, id);
}

void sigcache_note(void *arg, const uint8_t *tx, size_t len)
{
	struct node *node = arg;
	uint8_t id[HASH_SIZE];

	tx_id(tx, len, id);
	txseen_note(&node->txseen, id, TXSEEN_VERIFIED);
	node_metrics_on_sig_checks(&node->nm, "block", 1);
}
