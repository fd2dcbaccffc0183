/* cgroup_layout.c: finds the cgroup hierarchies of the host (pure v2, pure
 * v1, hybrid) and the supervisor's own cgroup in each, from statfs of
 * /sys/fs/cgroup, /proc/self/mountinfo and /proc/self/cgroup. Parsing is kept
 * apart from reading so the tests can feed the texts of other hosts. */
#include "node/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "node/fsutil.h"

#define LAYOUT_TEXT_MAX (1024 * 1024)

static const char *const ctrl_names[CGROUP_CTRL_COUNT] = {
	[CGROUP_CTRL_MEMORY] = "memory",   [CGROUP_CTRL_CPU] = "cpu",
	[CGROUP_CTRL_CPUACCT] = "cpuacct", [CGROUP_CTRL_PIDS] = "pids",
	[CGROUP_CTRL_FREEZER] = "freezer",
};

const char *cgroup_mode_name(enum cgroup_mode mode)
{
	switch (mode) {
	case CGROUP_MODE_V2:
		return "v2";
	case CGROUP_MODE_V1:
		return "v1";
	case CGROUP_MODE_HYBRID:
		return "hybrid";
	}
	return "?";
}

const char *cgroup_ctrl_name(enum cgroup_ctrl ctrl)
{
	return ctrl_names[ctrl];
}

/* True when the comma-separated list contains word. */
static bool list_has(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; *p != '\0';) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && memcmp(p, word, n) == 0)
			return true;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return false;
}

/* Decodes mountinfo's octal escapes (\040) in place. */
static void unescape_octal(char *s)
{
	char *w = s;

	for (char *r = s; *r != '\0'; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

struct mount_seen {
	char point[CGROUP_PATH_MAX];
	char root[CGROUP_PATH_MAX];
	bool found;
};

/* Parses one mountinfo line; fills v2 or the v1 controller slots it holds. */
static int parse_mount_line(char *line, struct mount_seen *v2, struct mount_seen v1[],
			    struct node_error *e)
{
	char *field[6], *save = NULL, *tok, *fstype, *super;
	int n = 0;

	for (tok = strtok_r(line, " ", &save); tok != NULL && n < 6;
	     tok = strtok_r(NULL, " ", &save))
		field[n++] = tok;
	if (n < 6)
		return node_error_set(e, 0, "mountinfo: short line");
	/* Optional fields end at "-", then fstype, source, super options. */
	while (tok != NULL && strcmp(tok, "-") != 0)
		tok = strtok_r(NULL, " ", &save);
	fstype = strtok_r(NULL, " ", &save);
	(void)strtok_r(NULL, " ", &save);
	super = strtok_r(NULL, " \n", &save);
	if (fstype == NULL || super == NULL)
		return node_error_set(e, 0, "mountinfo: no filesystem type");
	unescape_octal(field[3]);
	unescape_octal(field[4]);
	if (strlen(field[3]) >= CGROUP_PATH_MAX || strlen(field[4]) >= CGROUP_PATH_MAX)
		return node_error_set(e, ENAMETOOLONG, "mountinfo: %s", field[4]);
	if (strcmp(fstype, "cgroup2") == 0) {
		if (!v2->found) {
			strcpy(v2->point, field[4]);
			strcpy(v2->root, field[3]);
			v2->found = true;
		}
		return 0;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return 0;
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
		if (v1[c].found || !list_has(super, ctrl_names[c]))
			continue;
		strcpy(v1[c].point, field[4]);
		strcpy(v1[c].root, field[3]);
		v1[c].found = true;
	}
	return 0;
}

/* Finds the own path of a hierarchy in /proc/self/cgroup: the line whose
 * controller list holds ctrl (NULL: the v2 line "0::"). */
static int own_path(const char *self_cgroup, const char *ctrl, char *out, size_t out_size,
		    struct node_error *e)
{
	const char *p = self_cgroup;

	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		const char *c1 = memchr(p, ':', len);
		const char *c2 = c1 ? memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - p)) : NULL;

		if (c2 != NULL) {
			char list[256];
			size_t list_len = (size_t)(c2 - c1 - 1);
			size_t path_len = len - (size_t)(c2 + 1 - p);
			bool match;

			if (list_len < sizeof(list)) {
				memcpy(list, c1 + 1, list_len);
				list[list_len] = '\0';
				match = ctrl == NULL ? (list_len == 0 && c1 - p == 1 && p[0] == '0')
						     : list_has(list, ctrl);
				if (match) {
					if (path_len >= out_size)
						return node_error_set(e, ENAMETOOLONG,
								      "/proc/self/cgroup");
					memcpy(out, c2 + 1, path_len);
					out[path_len] = '\0';
					return 0;
				}
			}
		}
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	return node_error_set(e, 0, "/proc/self/cgroup: no line for %s", ctrl ? ctrl : "cgroup v2");
}

/* out = mount point + (own path relative to the mount's root). */
static int own_dir(const struct mount_seen *m, const char *self_cgroup, const char *ctrl, char *out,
		   struct node_error *e)
{
	char path[CGROUP_PATH_MAX];
	const char *rest = path;
	size_t root_len = strlen(m->root);

	if (own_path(self_cgroup, ctrl, path, sizeof(path), e) < 0)
		return -1;
	if (strcmp(m->root, "/") != 0) {
		if (strncmp(path, m->root, root_len) != 0 ||
		    (path[root_len] != '\0' && path[root_len] != '/'))
			return node_error_set(e, 0,
					      "own %s cgroup %s is outside the mounted subtree %s",
					      ctrl ? ctrl : "v2", path, m->root);
		rest = path + root_len;
	}
	if (strcmp(rest, "/") == 0)
		rest = "";
	if (path_join(out, CGROUP_PATH_MAX, m->point, rest) < 0)
		return node_error_set(e, ENAMETOOLONG, "cgroup path %s%s", m->point, rest);
	return 0;
}

static int set_parent(struct cgroup_layout *l, const char *parent, struct node_error *e)
{
	if (parent == NULL || parent[0] == '\0')
		parent = "hearth";
	if (strlen(parent) >= sizeof(l->parent))
		return node_error_set(e, ENAMETOOLONG, "cgroup parent %s", parent);
	if (strstr(parent, "..") != NULL)
		return node_error_set(e, EINVAL, "cgroup parent %s", parent);
	strcpy(l->parent, parent);
	return 0;
}

int cgroup_layout_parse(struct cgroup_layout *l, bool root_is_cgroup2, const char *mountinfo,
			const char *self_cgroup, const char *parent, struct node_error *e)
{
	struct mount_seen v2 = { 0 }, v1[CGROUP_CTRL_COUNT] = { 0 };
	bool any_v1 = false;
	const char *p = mountinfo;

	memset(l, 0, sizeof(*l));
	if (set_parent(l, parent, e) < 0)
		return -1;
	while (*p != '\0') {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[4096];

		if (len >= sizeof(line))
			return node_error_set(e, E2BIG, "mountinfo: line too long");
		memcpy(line, p, len);
		line[len] = '\0';
		if (len > 0 && parse_mount_line(line, &v2, v1, e) < 0)
			return -1;
		if (eol == NULL)
			break;
		p = eol + 1;
	}
	if (root_is_cgroup2) {
		if (!v2.found)
			return node_error_set(e, 0,
					      "/sys/fs/cgroup is cgroup2 but not in mountinfo");
		l->mode = CGROUP_MODE_V2;
		strcpy(l->v2_mount, v2.point);
		return own_dir(&v2, self_cgroup, NULL, l->v2_own, e);
	}
	for (int c = 0; c < CGROUP_CTRL_COUNT; c++) {
		if (!v1[c].found)
			continue;
		any_v1 = true;
		strcpy(l->v1_mount[c], v1[c].point);
		if (own_dir(&v1[c], self_cgroup, ctrl_names[c], l->v1_own[c], e) < 0)
			return -1;
	}
	if (v2.found) {
		strcpy(l->v2_mount, v2.point);
		if (own_dir(&v2, self_cgroup, NULL, l->v2_own, e) < 0)
			return -1;
	}
	if (!any_v1 && !v2.found)
		return node_error_set(e, 0, "no cgroup hierarchy is mounted");
	l->mode = !any_v1 ? CGROUP_MODE_V2 : v2.found ? CGROUP_MODE_HYBRID : CGROUP_MODE_V1;
	return 0;
}

int cgroup_layout_detect(struct cgroup_layout *l, const char *parent, struct node_error *e)
{
	struct statfs sfs;
	char *mountinfo = NULL, *self = NULL;
	int rc = -1;

	if (statfs("/sys/fs/cgroup", &sfs) < 0)
		return node_error_set(e, errno, "statfs /sys/fs/cgroup");
	if (file_read_all(AT_FDCWD, "/proc/self/mountinfo", LAYOUT_TEXT_MAX, &mountinfo, NULL, e) <
		    0 ||
	    file_read_all(AT_FDCWD, "/proc/self/cgroup", LAYOUT_TEXT_MAX, &self, NULL, e) < 0)
		goto out;
	rc = cgroup_layout_parse(l, sfs.f_type == CGROUP2_SUPER_MAGIC, mountinfo, self, parent, e);
out:
	free(mountinfo);
	free(self);
	return rc;
}

int cgroup_layout_v2_at(struct cgroup_layout *l, const char *dir, const char *parent,
			struct node_error *e)
{
	memset(l, 0, sizeof(*l));
	if (set_parent(l, parent, e) < 0)
		return -1;
	if (strlen(dir) >= sizeof(l->v2_own))
		return node_error_set(e, ENAMETOOLONG, "cgroup dir %s", dir);
	l->mode = CGROUP_MODE_V2;
	strcpy(l->v2_own, dir);
	strcpy(l->v2_mount, dir);
	return 0;
}
