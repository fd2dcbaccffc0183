/* bid_lookup.c: the checks of bid_lookup.h over the node's answers. */
#include "wallet/bid_lookup.h"

#include <string.h>

bool bid_lookup_not_found(const struct rpc_error *e)
{
	return e->failure == RPC_FAIL_REMOTE && e->code == RPC_CLIENT_CODE_NO_SUCH;
}

enum bid_lookup bid_lookup_of_tx(const json_t *tx)
{
	const char *status = json_string_value(json_object_get(tx, "status"));

	if (status == NULL)
		return BID_LOOKUP_MISSING;
	if (strcmp(status, "pending") == 0)
		return BID_LOOKUP_PENDING;
	if (strcmp(status, "committed") == 0)
		return BID_LOOKUP_COMMITTED;
	return BID_LOOKUP_MISSING;
}
