/* loop_call.c: a queue of calls from other threads into the loop thread. */
#include "node/loop_call.h"

#include <stddef.h>

enum item_state {
	ITEM_QUEUED,
	ITEM_DONE,
	ITEM_FAILED,
};

struct loop_call_item {
	void (*fn)(void *arg);
	void *arg;
	enum item_state state;
	struct loop_call_item *next;
};

/* Runs every queued call, on the loop thread. */
static void on_async(uv_async_t *handle)
{
	struct loop_call *lc = handle->data;

	for (;;) {
		struct loop_call_item *item;

		pthread_mutex_lock(&lc->lock);
		item = lc->head;
		if (item != NULL) {
			lc->head = item->next;
			if (lc->head == NULL)
				lc->tail = NULL;
		}
		pthread_mutex_unlock(&lc->lock);
		if (item == NULL)
			return;
		item->fn(item->arg);
		pthread_mutex_lock(&lc->lock);
		item->state = ITEM_DONE;
		pthread_cond_broadcast(&lc->done_cond);
		pthread_mutex_unlock(&lc->lock);
	}
}

int loop_call_init(struct loop_call *lc, uv_loop_t *loop)
{
	lc->head = lc->tail = NULL;
	lc->closing = false;
	lc->open = false;
	lc->direct = false;
	if (pthread_mutex_init(&lc->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&lc->done_cond, NULL) != 0) {
		pthread_mutex_destroy(&lc->lock);
		return -1;
	}
	lc->async.data = lc;
	if (uv_async_init(loop, &lc->async, on_async) != 0) {
		pthread_cond_destroy(&lc->done_cond);
		pthread_mutex_destroy(&lc->lock);
		return -1;
	}
	lc->open = true;
	return 0;
}

void loop_call_init_direct(struct loop_call *lc)
{
	lc->head = lc->tail = NULL;
	lc->closing = false;
	lc->open = false;
	lc->direct = true;
}

int loop_call_run(struct loop_call *lc, void (*fn)(void *arg), void *arg)
{
	struct loop_call_item item = { .fn = fn, .arg = arg, .state = ITEM_QUEUED, .next = NULL };

	if (lc->direct) {
		fn(arg);
		return 0;
	}

	pthread_mutex_lock(&lc->lock);
	if (lc->closing) {
		pthread_mutex_unlock(&lc->lock);
		return -1;
	}
	if (lc->tail != NULL)
		lc->tail->next = &item;
	else
		lc->head = &item;
	lc->tail = &item;
	/* uv_async_send is the one libuv call that is safe from any thread. */
	if (uv_async_send(&lc->async) != 0) {
		/* Cannot happen on an open handle; take the item back out. */
		struct loop_call_item **p = &lc->head, *prev = NULL;

		while (*p != &item) {
			prev = *p;
			p = &(*p)->next;
		}
		*p = NULL;
		lc->tail = prev;
		pthread_mutex_unlock(&lc->lock);
		return -1;
	}
	while (item.state == ITEM_QUEUED)
		pthread_cond_wait(&lc->done_cond, &lc->lock);
	pthread_mutex_unlock(&lc->lock);
	return item.state == ITEM_DONE ? 0 : -1;
}

void loop_call_shutdown(struct loop_call *lc)
{
	if (!lc->open)
		return;
	pthread_mutex_lock(&lc->lock);
	lc->closing = true;
	for (struct loop_call_item *it = lc->head; it != NULL; it = it->next)
		it->state = ITEM_FAILED;
	lc->head = lc->tail = NULL;
	pthread_cond_broadcast(&lc->done_cond);
	pthread_mutex_unlock(&lc->lock);
}

void loop_call_close(struct loop_call *lc)
{
	if (lc->open)
		uv_close((uv_handle_t *)&lc->async, NULL);
}

void loop_call_free(struct loop_call *lc)
{
	if (!lc->open)
		return;
	pthread_cond_destroy(&lc->done_cond);
	pthread_mutex_destroy(&lc->lock);
	lc->open = false;
}
