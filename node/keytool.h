/* keytool.h: hearthd's one-shot commands, which print something and exit
 * without starting the node: -printvalidatorkey (creates the validator key
 * of the data directory when missing and prints its public key and
 * address) and -printdevgenesis (prints a dev genesis whose validators are
 * the -genesisvalidator keys). contrib/devnet.sh builds a local
 * multi-validator network with them. */
#ifndef HEARTH_NODE_KEYTOOL_H
#define HEARTH_NODE_KEYTOOL_H

#include <stdbool.h>
#include <stddef.h>

#include "node/config.h"

/* Runs the one-shot command cfg asks for, if any.
 * Out: *handled: whether cfg asked for one; err: one line on failure.
 * Returns 0, or -1 with err. */
__attribute__((warn_unused_result)) int keytool_run(const struct config *cfg, bool *handled,
						    char *err, size_t err_size);

#endif
