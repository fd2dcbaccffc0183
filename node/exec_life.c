/* exec_life.c: the executor's start-up (journals resumed, the provider's
 * active leases picked up, the first sandbox checked, metrics registered),
 * the retention sweep of old results, and shutdown. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "consensus/account.h"
#include "market/market.h"
#include "node/executor.h"
#include "node/executor_internal.h"
#include "node/node.h"

#define EXEC_DEFAULT_RETENTION_S 604800

static const char *const result_files[] = { "journal", "journal.tmp", "input.tar",    "stdout",
					    "stderr",  "result.tar",  "manifest.json" };

static bool is_lease_dir(const char *name)
{
	if (strlen(name) != 2 * HASH_SIZE)
		return false;
	for (const char *p = name; *p != '\0'; p++) {
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	}
	return true;
}

static void remove_results(struct executor *x, const char *dir)
{
	char path[4300];

	for (size_t i = 0; i < sizeof(result_files) / sizeof(result_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, result_files[i]);
		if (unlink(path) != 0 && errno != ENOENT)
			log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "cannot remove %s: %s",
				  path, strerror(errno));
	}
	if (rmdir(dir) != 0)
		log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "cannot remove %s: %s", dir,
			  strerror(errno));
}

/* Calls fn for each lease directory with its parsed journal. */
static void foreach_journal(struct executor *x, void (*fn)(struct executor *x, const char *dir,
							   const struct journal_entry *e))
{
	DIR *d = opendir(x->results);
	struct dirent *de;
	struct journal_entry e;
	char dir[4300], err[256];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!is_lease_dir(de->d_name))
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", x->results, de->d_name);
		if (journal_load(dir, &e, err, sizeof(err)) == 0)
			fn(x, dir, &e);
		else
			log_write(&x->node->log, LOG_WARN, LOG_EXECUTOR, "skipping %s", dir);
	}
	closedir(d);
}

static void prune_one(struct executor *x, const char *dir, const struct journal_entry *e)
{
	uint64_t now = exec_now_ms();

	if (!journal_state_final(e->state) || exec_find(x, e->lease_id) != NULL ||
	    now < e->created_ms || now - e->created_ms < x->retention_ms)
		return;
	log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "pruning %s", dir);
	remove_results(x, dir);
}

void exec_prune(struct executor *x)
{
	foreach_journal(x, prune_one);
}

static void resume_one(struct executor *x, const char *dir, const struct journal_entry *e)
{
	struct journal_entry copy = *e;
	char sid[17];

	(void)dir;
	if (journal_state_final(e->state))
		return;
	exec_short(e->lease_id, sid);
	if (copy.state == JOURNAL_RUNNING) {
		/* Interrupted mid-run: run it again if its deadline allows. */
		copy.state = JOURNAL_RECEIVED;
		log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR,
			  "lease=%s was interrupted mid-run: running it again", sid);
	} else {
		log_write(&x->node->log, LOG_INFO, LOG_EXECUTOR, "lease=%s resumed state=%s", sid,
			  journal_state_name(e->state));
	}
	if (exec_add(x, &copy) == NULL)
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "out of memory");
}

struct id_list {
	uint8_t (*ids)[HASH_SIZE];
	size_t n, cap;
};

static int collect_id(void *arg, const uint8_t id[MARKET_ID_SIZE])
{
	struct id_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		uint8_t(*ids)[HASH_SIZE] = realloc(l->ids, cap * sizeof(*ids));

		if (ids == NULL)
			return 1;
		l->ids = ids;
		l->cap = cap;
	}
	memcpy(l->ids[l->n++], id, HASH_SIZE);
	return 0;
}

/* Every lease of the provider key that is still active and not journaled. */
static void pick_up_leases(struct executor *x)
{
	struct id_list l = { 0 };

	if (market_list(store_state(x->node->store), MARKET_LEASES_BY_PROVIDER,
			x->node->provider_key.pubkey, NULL, collect_id, &l) != STATE_OK)
		log_write(&x->node->log, LOG_ERROR, LOG_EXECUTOR, "cannot list the leases");
	for (size_t i = 0; i < l.n; i++)
		exec_receive(x, l.ids[i]);
	free(l.ids);
}

static struct metric_family *reg(struct executor *x, enum metric_type type, const char *name,
				 const char *help, char *err, size_t err_size)
{
	return metrics_register(x->node->metrics, type, name, help, NULL, 0, NULL, 0, err,
				err_size);
}

static int register_metrics(struct executor *x, char *err, size_t err_size)
{
	x->m_running = reg(x, METRIC_GAUGE, "hearth_executor_jobs_running",
			   "jobs running in sandboxes now", err, err_size);
	x->m_completed = reg(x, METRIC_COUNTER, "hearth_executor_jobs_completed_total",
			     "jobs that exited with status 0", err, err_size);
	x->m_failed = reg(x, METRIC_COUNTER, "hearth_executor_jobs_failed_total",
			  "jobs that exited non-zero or could not run", err, err_size);
	x->m_timed_out = reg(x, METRIC_COUNTER, "hearth_executor_jobs_timed_out_total",
			     "jobs killed at their max duration", err, err_size);
	x->m_oom = reg(x, METRIC_COUNTER, "hearth_executor_jobs_oom_killed_total",
		       "jobs killed for exceeding their memory", err, err_size);
	x->m_receipts = reg(x, METRIC_COUNTER, "hearth_executor_receipts_submitted_total",
			    "receipt, commit and reveal txs submitted", err, err_size);
	x->m_earnings = reg(x, METRIC_COUNTER, "hearth_executor_earnings_units_total",
			    "base units earned by settled leases", err, err_size);
	x->m_missed = reg(x, METRIC_COUNTER, "hearth_executor_deadlines_missed_total",
			  "leases that reached their deadline without a receipt", err, err_size);
	if (x->m_running == NULL || x->m_completed == NULL || x->m_failed == NULL ||
	    x->m_timed_out == NULL || x->m_oom == NULL || x->m_receipts == NULL ||
	    x->m_earnings == NULL || x->m_missed == NULL)
		return -1;
	return 0;
}

static int setup(struct executor *x, struct node *node, char *err, size_t err_size)
{
	const struct config *cfg = node->cfg;

	x->node = node;
	x->prov.key = &node->provider_key;
	x->prov.ledger = &node->chain.ledger;
	x->prov.mempool = &node->mempool;
	x->max_jobs = (size_t)config_get_int(cfg, "providermaxjobs", 64);
	x->retention_ms =
		(uint64_t)config_get_int(cfg, "resultretention", EXEC_DEFAULT_RETENTION_S) * 1000;
	if (exec_faults_from_config(cfg, &x->faults, err, err_size) != 0)
		return -1;
	x->sbx_cfg.cgroup_parent = config_get(cfg, "cgroupparent");
	x->sbx_cfg.uid = SANDBOX_DEFAULT_UID;
	x->sbx_cfg.gid = SANDBOX_DEFAULT_GID;
	x->sbx_cfg.userns_host_uid = SANDBOX_DEFAULT_UID;
	x->sbx_cfg.userns_host_gid = SANDBOX_DEFAULT_GID;
	if (datadir_file(&node->dd, "results", x->results, sizeof(x->results)) != 0 ||
	    (mkdir(x->results, 0700) != 0 && errno != EEXIST)) {
		snprintf(err, err_size, "cannot create the results directory");
		return -1;
	}
	x->ctxs = calloc(x->max_jobs, sizeof(*x->ctxs));
	x->ctx_ready = calloc(x->max_jobs, sizeof(*x->ctx_ready));
	x->ctx_busy = calloc(x->max_jobs, sizeof(*x->ctx_busy));
	if (x->ctxs == NULL || x->ctx_ready == NULL || x->ctx_busy == NULL ||
	    pthread_mutex_init(&x->lock, NULL) != 0) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	x->lock_init = true;
	return register_metrics(x, err, err_size);
}

/* The first sandbox context now, so a host that cannot run jobs fails at
 * start-up rather than at the first lease. */
static int check_sandbox(struct executor *x, char *err, size_t err_size)
{
	struct node_error e = { 0 };

	if (sandbox_ctx_init(&x->ctxs[0], &x->sbx_cfg, &e) != 0) {
		snprintf(err, err_size, "-provider: the sandbox cannot run here: %s", e.msg);
		return -1;
	}
	x->ctx_ready[0] = true;
	return 0;
}

/* The dev network: a provider key funded by the dev genesis but not yet
 * bonded bonds min_provider_bond itself, so the node serves as its own
 * provider without any setup. */
static void dev_auto_bond(struct executor *x)
{
	const struct params *p = &x->node->chain.ledger.cfg.params;
	struct ledger_error lerr = { 0 };
	struct account acct;
	uint8_t txid[HASH_SIZE];
	enum mempool_result r;

	if (strcmp(x->node->network, "dev") != 0 ||
	    account_load(&x->node->mempool.check_st, x->node->provider_key.pubkey, &acct) !=
		    STATE_OK ||
	    acct.bonded + acct.unbonding >= p->min_provider_bond ||
	    acct.balance <= p->min_provider_bond - acct.bonded)
		return;
	r = provider_submit_bond(&x->prov, p->min_provider_bond - acct.bonded, txid, &lerr);
	log_write(&x->node->log, r == MEMPOOL_ADDED ? LOG_INFO : LOG_WARN, LOG_EXECUTOR,
		  "dev: bonding the provider key amount=%llu: %s %s",
		  (unsigned long long)(p->min_provider_bond - acct.bonded),
		  mempool_result_string(r), r == MEMPOOL_REJECTED ? lerr.text : "");
	if (r == MEMPOOL_ADDED) {
		if (x->node->net_open)
			net_on_tx(&x->node->net, txid, 0);
		consensus_on_tx(&x->node->consensus);
	}
}

int executor_start(struct executor **out, struct node *node, char *err, size_t err_size)
{
	struct executor *x = calloc(1, sizeof(*x));
	int rc;

	*out = x;
	if (x == NULL) {
		snprintf(err, err_size, "out of memory");
		return -1;
	}
	if (setup(x, node, err, err_size) != 0 || check_sandbox(x, err, err_size) != 0)
		return -1;
	x->async.data = x;
	rc = uv_async_init(&node->loop, &x->async, exec_on_finished);
	if (rc != 0) {
		snprintf(err, err_size, "uv_async_init: %s", uv_strerror(rc));
		return -1;
	}
	x->async_open = true;
	if (exec_inputs_init(x, err, err_size) != 0)
		return -1;
	dev_auto_bond(x);
	foreach_journal(x, resume_one);
	pick_up_leases(x);
	exec_prune(x);
	log_write(&node->log, LOG_INFO, LOG_EXECUTOR, "executor started leases=%zu results=%s",
		  x->n_jobs, x->results);
	executor_on_block(x);
	return 0;
}

void executor_stop(struct executor *x)
{
	if (x == NULL)
		return;
	x->stopping = true;
	for (size_t i = 0; i < x->n_jobs; i++) {
		if (x->jobs[i]->run != NULL)
			exec_run_cancel(x->jobs[i]->run);
	}
	/* The runs hand themselves back; take them until none is left. */
	while (x->running > 0 && x->async_open) {
		bool any;

		pthread_mutex_lock(&x->lock);
		any = x->finished != NULL;
		pthread_mutex_unlock(&x->lock);
		if (any)
			exec_on_finished(&x->async);
		else
			usleep(10000);
	}
	if (x->async_open)
		uv_close((uv_handle_t *)&x->async, NULL);
	exec_inputs_stop(x);
}

void executor_free(struct executor *x)
{
	if (x == NULL)
		return;
	for (size_t i = 0; i < x->max_jobs && x->ctx_ready != NULL; i++) {
		if (x->ctx_ready[i])
			sandbox_ctx_free(&x->ctxs[i]);
	}
	for (size_t i = 0; i < x->n_jobs; i++)
		free(x->jobs[i]);
	free(x->jobs);
	free(x->noted);
	free(x->ctxs);
	free(x->ctx_ready);
	free(x->ctx_busy);
	exec_inputs_free(x);
	if (x->lock_init)
		pthread_mutex_destroy(&x->lock);
	free(x);
}
