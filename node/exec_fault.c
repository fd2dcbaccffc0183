/* exec_fault.c: the executor's test-only faults (exec_fault.h). */
#include "node/exec_fault.h"

#include <stdio.h>
#include <string.h>

int exec_faults_from_config(const struct config *cfg, struct exec_faults *out, char *err,
			    size_t err_size)
{
	memset(out, 0, sizeof(*out));
	out->wrong_result = config_get_bool(cfg, "testwrongresult", false);
	if (out->wrong_result && strcmp(config_network(cfg), "dev") != 0 &&
	    strcmp(config_network(cfg), "test") != 0) {
		snprintf(err, err_size, "-testwrongresult is for the dev and test networks only");
		return -1;
	}
	return 0;
}

void exec_faults_apply(const struct exec_faults *f, uint8_t result_hash[HASH_SIZE])
{
	uint8_t wrong[HASH_SIZE];

	if (!f->wrong_result)
		return;
	hash_tagged("hearth/test-wrong-result", result_hash, HASH_SIZE, wrong);
	memcpy(result_hash, wrong, HASH_SIZE);
}
