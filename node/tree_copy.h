/* tree_copy.h: copies a directory tree between two open directories without
 * ever following a symlink: files (content and exec bit), directories and
 * symlinks (as links). Used to fill a job's /work with its inputs and to
 * export a job's /out to a host directory. */
#ifndef HEARTH_NODE_TREE_COPY_H
#define HEARTH_NODE_TREE_COPY_H

#include <stddef.h>
#include <sys/types.h>

#include "node/error.h"

struct tree_copy_opts {
	uid_t uid;	    /* owner of what is created, or (uid_t)-1 to keep ours */
	gid_t gid;	    /* group likewise */
	size_t max_entries; /* most entries copied */
	int max_depth;	    /* deepest directory level copied */
};

/* Copies everything below src into dst (both stay open; dst's entries must
 * not exist yet). Anything but files, directories and symlinks fails.
 * Returns 0 or -1 with e set ("what path: errno"). */
__attribute__((warn_unused_result)) int
tree_copy(int src, int dst, const struct tree_copy_opts *opts, struct node_error *e);

#endif
