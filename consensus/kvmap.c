/* kvmap.c: the ordered map behind state_mem.c and overlay.c, an AVL tree
 * with parent links. Each node holds one entry and, in the same allocation,
 * the bytes of its key; the value is a separate allocation (set replaces it).
 * After every insert or erase the heights are fixed from the changed node up
 * to the root, rotating where the two subtrees differ by more than one, so
 * the height stays below 1.45 log2(n + 2). Nothing here is random: the same
 * operations build the same tree. */
#include "consensus/kvmap.h"

#include <stdlib.h>
#include <string.h>

struct kvmap_node {
	struct kvmap_node *left, *right, *parent;
	struct kv_entry entry;
	int height;    /* of the subtree rooted here: 1 for a leaf */
	uint8_t key[]; /* entry.key points here (entry.key is NULL for an empty key) */
};

int kvmap_compare(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	size_t n = a_len < b_len ? a_len : b_len;
	int c = n > 0 ? memcmp(a, b, n) : 0;

	if (c != 0)
		return c;
	return a_len < b_len ? -1 : (a_len > b_len ? 1 : 0);
}

void kvmap_init(struct kvmap *map)
{
	map->root = NULL;
	map->count = 0;
}

/* Frees the tree without recursion: descends to a leaf, frees it, climbs. */
void kvmap_clear(struct kvmap *map)
{
	struct kvmap_node *n = map->root;

	while (n != NULL) {
		struct kvmap_node *parent;

		if (n->left != NULL) {
			n = n->left;
			continue;
		}
		if (n->right != NULL) {
			n = n->right;
			continue;
		}
		parent = n->parent;
		if (parent != NULL) {
			if (parent->left == n)
				parent->left = NULL;
			else
				parent->right = NULL;
		}
		free(n->entry.val);
		free(n);
		n = parent;
	}
	kvmap_init(map);
}

size_t kvmap_count(const struct kvmap *map)
{
	return map->count;
}

static int node_compare(const struct kvmap_node *n, const uint8_t *key, size_t key_len)
{
	return kvmap_compare(n->entry.key, n->entry.key_len, key, key_len);
}

static struct kvmap_node *node_find(const struct kvmap *map, const uint8_t *key, size_t key_len)
{
	struct kvmap_node *n = map->root;

	while (n != NULL) {
		int c = node_compare(n, key, key_len);

		if (c == 0)
			return n;
		n = c > 0 ? n->left : n->right;
	}
	return NULL;
}

const struct kv_entry *kvmap_find(const struct kvmap *map, const uint8_t *key, size_t key_len)
{
	const struct kvmap_node *n = node_find(map, key, key_len);

	return n != NULL ? &n->entry : NULL;
}

/* ---------------------------------------------------------------- balance */

static int node_height(const struct kvmap_node *n)
{
	return n != NULL ? n->height : 0;
}

static void node_update_height(struct kvmap_node *n)
{
	int l = node_height(n->left), r = node_height(n->right);

	n->height = 1 + (l > r ? l : r);
}

/* Puts new where old hangs: under parent (on old's side), or at the root. */
static void node_replace(struct kvmap *map, struct kvmap_node *parent, const struct kvmap_node *old,
			 struct kvmap_node *new)
{
	if (parent == NULL)
		map->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new != NULL)
		new->parent = parent;
}

/* Lifts x's right child above x. Returns the new root of the subtree. */
static struct kvmap_node *rotate_left(struct kvmap *map, struct kvmap_node *x)
{
	struct kvmap_node *y = x->right;

	node_replace(map, x->parent, x, y);
	x->right = y->left;
	if (x->right != NULL)
		x->right->parent = x;
	y->left = x;
	x->parent = y;
	node_update_height(x);
	node_update_height(y);
	return y;
}

/* Lifts x's left child above x. Returns the new root of the subtree. */
static struct kvmap_node *rotate_right(struct kvmap *map, struct kvmap_node *x)
{
	struct kvmap_node *y = x->left;

	node_replace(map, x->parent, x, y);
	x->left = y->right;
	if (x->left != NULL)
		x->left->parent = x;
	y->right = x;
	x->parent = y;
	node_update_height(x);
	node_update_height(y);
	return y;
}

/* Fixes heights and balance from n up to the root. */
static void rebalance_up(struct kvmap *map, struct kvmap_node *n)
{
	while (n != NULL) {
		int balance = node_height(n->right) - node_height(n->left);

		if (balance > 1) {
			if (node_height(n->right->left) > node_height(n->right->right))
				rotate_right(map, n->right);
			n = rotate_left(map, n);
		} else if (balance < -1) {
			if (node_height(n->left->right) > node_height(n->left->left))
				rotate_left(map, n->left);
			n = rotate_right(map, n);
		} else {
			node_update_height(n);
		}
		n = n->parent;
	}
}

/* ---------------------------------------------------------------- set / erase */

static uint8_t *copy_bytes(const uint8_t *src, size_t len)
{
	uint8_t *dst;

	if (len == 0)
		return NULL;
	dst = malloc(len);
	if (dst != NULL)
		memcpy(dst, src, len);
	return dst;
}

/* Returns a new unlinked node holding a copy of key and v (taken), or NULL. */
static struct kvmap_node *node_new(const uint8_t *key, size_t key_len, uint8_t *v, size_t val_len,
				   bool deleted)
{
	struct kvmap_node *n;

	if (key_len > SIZE_MAX - sizeof(*n))
		return NULL;
	n = malloc(sizeof(*n) + key_len);
	if (n == NULL)
		return NULL;
	n->left = n->right = n->parent = NULL;
	n->height = 1;
	if (key_len > 0)
		memcpy(n->key, key, key_len);
	n->entry.key = key_len > 0 ? n->key : NULL;
	n->entry.key_len = key_len;
	n->entry.val = v;
	n->entry.val_len = deleted ? 0 : val_len;
	n->entry.deleted = deleted;
	return n;
}

int kvmap_set(struct kvmap *map, const uint8_t *key, size_t key_len, const uint8_t *val,
	      size_t val_len, bool deleted)
{
	struct kvmap_node **link = &map->root, *parent = NULL, *n;
	uint8_t *v = deleted ? NULL : copy_bytes(val, val_len);

	if (v == NULL && !deleted && val_len > 0)
		return -1;
	while (*link != NULL) {
		int c = node_compare(*link, key, key_len);

		if (c == 0) {
			struct kv_entry *e = &(*link)->entry;

			free(e->val);
			e->val = v;
			e->val_len = deleted ? 0 : val_len;
			e->deleted = deleted;
			return 0;
		}
		parent = *link;
		link = c > 0 ? &parent->left : &parent->right;
	}
	n = node_new(key, key_len, v, val_len, deleted);
	if (n == NULL) {
		free(v);
		return -1;
	}
	n->parent = parent;
	*link = n;
	map->count++;
	rebalance_up(map, parent);
	return 0;
}

int kvmap_copy_value(const struct kv_entry *e, uint8_t **val, size_t *val_len)
{
	*val = NULL;
	*val_len = 0;
	if (e->val_len > 0) {
		*val = copy_bytes(e->val, e->val_len);
		if (*val == NULL)
			return -1;
	}
	*val_len = e->val_len;
	return 0;
}

static struct kvmap_node *node_leftmost(struct kvmap_node *n)
{
	while (n->left != NULL)
		n = n->left;
	return n;
}

/* Unlinks z, moving nodes rather than entries (so a node keeps its entry).
 * Returns the lowest node whose subtree changed, where rebalancing starts. */
static struct kvmap_node *node_unlink(struct kvmap *map, struct kvmap_node *z)
{
	struct kvmap_node *y, *changed;

	if (z->left == NULL || z->right == NULL) {
		node_replace(map, z->parent, z, z->left != NULL ? z->left : z->right);
		return z->parent;
	}
	/* Two children: z's successor y (no left child) takes z's place. */
	y = node_leftmost(z->right);
	if (y->parent == z) {
		changed = y;
	} else {
		changed = y->parent;
		node_replace(map, y->parent, y, y->right);
		y->right = z->right;
		y->right->parent = y;
	}
	y->left = z->left;
	y->left->parent = y;
	node_replace(map, z->parent, z, y);
	return changed;
}

void kvmap_erase(struct kvmap *map, const uint8_t *key, size_t key_len)
{
	struct kvmap_node *z = node_find(map, key, key_len);

	if (z == NULL)
		return;
	rebalance_up(map, node_unlink(map, z));
	map->count--;
	free(z->entry.val);
	free(z);
}

bool kvmap_has_prefix(const uint8_t *key, size_t key_len, const uint8_t *prefix, size_t prefix_len)
{
	return key_len >= prefix_len && (prefix_len == 0 || memcmp(key, prefix, prefix_len) == 0);
}

/* ---------------------------------------------------------------- cursors */

struct kvmap_cursor kvmap_cursor_first(const struct kvmap *map)
{
	struct kvmap_cursor cur = { .node = map->root != NULL ? node_leftmost(map->root) : NULL };

	return cur;
}

struct kvmap_cursor kvmap_cursor_seek(const struct kvmap *map, const uint8_t *key, size_t key_len)
{
	struct kvmap_cursor cur = { .node = NULL };
	const struct kvmap_node *n = map->root;

	while (n != NULL) {
		int c = node_compare(n, key, key_len);

		if (c >= 0) {
			cur.node = n;
			if (c == 0)
				break;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return cur;
}

struct kvmap_cursor kvmap_cursor_seek_prefix(const struct kvmap *map, const uint8_t *prefix,
					     size_t prefix_len, const uint8_t *start,
					     size_t start_len)
{
	if (start != NULL && kvmap_compare(start, start_len, prefix, prefix_len) > 0)
		return kvmap_cursor_seek(map, start, start_len);
	return kvmap_cursor_seek(map, prefix, prefix_len);
}

bool kvmap_cursor_valid(const struct kvmap_cursor *cur)
{
	return cur->node != NULL;
}

const struct kv_entry *kvmap_cursor_entry(const struct kvmap_cursor *cur)
{
	return &cur->node->entry;
}

void kvmap_cursor_next(struct kvmap_cursor *cur)
{
	const struct kvmap_node *n = cur->node;

	if (n->right != NULL) {
		n = n->right;
		while (n->left != NULL)
			n = n->left;
		cur->node = n;
		return;
	}
	while (n->parent != NULL && n == n->parent->right)
		n = n->parent;
	cur->node = n->parent;
}
