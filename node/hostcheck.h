/* hostcheck.h: `hearth-sandbox --check`: what of the sandbox this host can
 * do (cgroup mode and controllers, namespaces, seccomp, a full run of
 * /bin/true) and, for each thing it cannot, why. */
#ifndef HEARTH_NODE_HOSTCHECK_H
#define HEARTH_NODE_HOSTCHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "node/sandbox.h"

#define HOSTCHECK_ITEMS_MAX 32

struct hostcheck_item {
	char name[64];
	bool ok;
	bool required; /* a sandbox cannot run without it */
	char detail[NODE_ERROR_MAX];
};

struct hostcheck {
	struct hostcheck_item items[HOSTCHECK_ITEMS_MAX];
	size_t count;
	bool usable; /* every required item is ok */
};

/* Checks the host. In: cfg, the configuration jobs would use. Out: hc. */
void hostcheck_run(const struct sandbox_config *cfg, struct hostcheck *hc);

#endif
