/* exec_fault.h: the executor's test-only faults. -testwrongresult makes it
 * report a result hash that is not the job's, so the functional tests can
 * play a cheating provider; it is refused outside the dev and test networks
 * and off by default. */
#ifndef HEARTH_NODE_EXEC_FAULT_H
#define HEARTH_NODE_EXEC_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "consensus/crypto.h"
#include "node/config.h"

struct exec_faults {
	bool wrong_result;
};

/* Reads the test-only keys of cfg.
 * Out: *out (all off unless set).
 * Returns 0, or -1 with err when one is set on the main network. */
int exec_faults_from_config(const struct config *cfg, struct exec_faults *out, char *err,
			    size_t err_size);

/* In/out: result_hash, replaced by another hash when f->wrong_result. */
void exec_faults_apply(const struct exec_faults *f, uint8_t result_hash[HASH_SIZE]);

#endif
