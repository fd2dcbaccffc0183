/* rpc_market_json.c: the market's orders and records as JSON. */
#include "node/rpc_market_json.h"

#include "market/reason.h"
#include "node/rpc_json.h"

static json_t *resources(const Hearth__Resources *r)
{
	json_t *obj = json_object();
	int rc;

	if (r == NULL)
		return json_null();
	rc = rpcj_put(obj, "cpu_millicores", rpcj_u64(r->cpu_millicores));
	rc |= rpcj_put(obj, "memory_bytes", rpcj_u64(r->memory_bytes));
	rc |= rpcj_put(obj, "disk_bytes", rpcj_u64(r->disk_bytes));
	rc |= rpcj_put(obj, "gpus", rpcj_u64(r->gpus));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

/* [{key, value}] of attrs[n]. */
static json_t *attributes(Hearth__Attribute *const *attrs, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *pair = json_object();
		int rc = rpcj_put(pair, "key", rpcj_string(attrs[i]->key));

		rc |= rpcj_put(pair, "value", rpcj_string(attrs[i]->value));
		if (rc != 0) {
			json_decref(pair);
			pair = NULL;
		}
		if (json_array_append_new(arr, pair) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

static json_t *env_vars(Hearth__EnvVar *const *env, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr != NULL && i < n; i++) {
		json_t *pair = json_object();
		int rc = rpcj_put(pair, "name", rpcj_string(env[i]->name));

		rc |= rpcj_put(pair, "value", rpcj_string(env[i]->value));
		if (rc != 0) {
			json_decref(pair);
			pair = NULL;
		}
		if (json_array_append_new(arr, pair) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	return arr;
}

int rpcj_offer_fields(json_t *obj, const Hearth__Offer *o)
{
	int rc = rpcj_put(obj, "per_slot", resources(o->per_slot));

	rc |= rpcj_put(obj, "slots", rpcj_u64(o->slots));
	rc |= rpcj_put(obj, "runtimes", rpcj_strings(o->runtimes, o->n_runtimes));
	rc |= rpcj_put(obj, "attributes", attributes(o->attributes, o->n_attributes));
	rc |= rpcj_put(obj, "price_per_second", rpcj_u64(o->price_per_second));
	rc |= rpcj_put(obj, "max_duration_seconds", rpcj_u64(o->max_duration_seconds));
	rc |= rpcj_put(obj, "expiry_height", rpcj_u64(o->expiry_height));
	return rc;
}

static json_t *job(const Hearth__Job *j)
{
	json_t *obj = json_object();
	int rc;

	if (j == NULL)
		return json_null();
	rc = rpcj_put(obj, "argv", rpcj_strings(j->argv, j->n_argv));
	rc |= rpcj_put(obj, "env", env_vars(j->env, j->n_env));
	/* The input itself can be large: its size says it is there. */
	rc |= rpcj_put(obj, "inline_input_bytes",
		       rpcj_u64(j->has_inline_input ? j->inline_input.len : 0));
	if (j->has_input_hash)
		rc |= rpcj_put(obj, "input_hash", rpcj_hex(j->input_hash.data, j->input_hash.len));
	if (j->input_url != NULL)
		rc |= rpcj_put(obj, "input_url", json_string(j->input_url));
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

int rpcj_bid_fields(json_t *obj, const Hearth__Bid *b)
{
	int rc = rpcj_put(obj, "resources", resources(b->resources));

	rc |= rpcj_put(obj, "runtime", rpcj_string(b->runtime));
	rc |= rpcj_put(obj, "required_attributes",
		       attributes(b->required_attributes, b->n_required_attributes));
	rc |= rpcj_put(obj, "min_reputation", rpcj_u64(b->min_reputation));
	rc |= rpcj_put(obj, "max_price_per_second", rpcj_u64(b->max_price_per_second));
	rc |= rpcj_put(obj, "max_duration_seconds", rpcj_u64(b->max_duration_seconds));
	rc |= rpcj_put(obj, "replicas", rpcj_u64(b->replicas));
	rc |= rpcj_put(obj, "job", job(b->job));
	if (b->has_result_key)
		rc |= rpcj_put(obj, "result_key", rpcj_hex(b->result_key.data, b->result_key.len));
	rc |= rpcj_put(obj, "expiry_height", rpcj_u64(b->expiry_height));
	return rc;
}

json_t *rpcj_outcome(const Hearth__Outcome *o)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "result_hash", rpcj_hex(o->result_hash.data, o->result_hash.len));

	rc |= rpcj_put(obj, "exit_status", json_integer(o->exit_status));
	rc |= rpcj_put(obj, "timed_out", json_boolean(o->timed_out));
	rc |= rpcj_put(obj, "oom_killed", json_boolean(o->oom_killed));
	if (o->usage != NULL) {
		rc |= rpcj_put(obj, "wall_ms", rpcj_u64(o->usage->wall_ms));
		rc |= rpcj_put(obj, "cpu_ms", rpcj_u64(o->usage->cpu_ms));
		rc |= rpcj_put(obj, "peak_memory_bytes", rpcj_u64(o->usage->peak_memory_bytes));
	}
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

static json_t *finish(json_t *obj, int rc)
{
	if (rc != 0) {
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *rpcj_offer_record(enum network net, const Hearth__OfferRecord *rec)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "id", rpcj_hex(rec->id.data, rec->id.len));

	rc |= rpcj_put(obj, "provider", rpcj_address(net, rec->provider.data, rec->provider.len));
	rc |= rpcj_put(obj, "created_height", rpcj_u64(rec->created_height));
	rc |= rpcj_put(obj, "free_slots", rpcj_u64(rec->free_slots));
	if (rec->offer != NULL)
		rc |= rpcj_offer_fields(obj, rec->offer);
	return finish(obj, rc);
}

json_t *rpcj_bid_record(enum network net, const Hearth__BidRecord *rec)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "id", rpcj_hex(rec->id.data, rec->id.len));

	rc |= rpcj_put(obj, "consumer", rpcj_address(net, rec->consumer.data, rec->consumer.len));
	rc |= rpcj_put(obj, "created_height", rpcj_u64(rec->created_height));
	rc |= rpcj_put(obj, "state", json_string(rpcj_bid_state(rec->state)));
	rc |= rpcj_put(obj, "escrow", rpcj_u64(rec->escrow));
	rc |= rpcj_put(obj, "reason", json_string(rpcj_reason_name(rec->unmatched_reason)));
	rc |= rpcj_put(obj, "reason_code", rpcj_u64(rec->unmatched_reason));
	rc |= rpcj_put(obj, "message", json_string(market_strreason(rec->unmatched_reason)));
	rc |= rpcj_put(obj, "open_leases", rpcj_u64(rec->open_leases));
	rc |= rpcj_put(obj, "reveal_height", rpcj_u64(rec->reveal_height));
	if (rec->bid != NULL)
		rc |= rpcj_bid_fields(obj, rec->bid);
	return finish(obj, rc);
}

json_t *rpcj_lease(enum network net, const Hearth__Lease *l)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "id", rpcj_hex(l->id.data, l->id.len));

	rc |= rpcj_put(obj, "bid", rpcj_hex(l->bid_id.data, l->bid_id.len));
	rc |= rpcj_put(obj, "offer", rpcj_hex(l->offer_id.data, l->offer_id.len));
	rc |= rpcj_put(obj, "provider", rpcj_address(net, l->provider.data, l->provider.len));
	rc |= rpcj_put(obj, "consumer", rpcj_address(net, l->consumer.data, l->consumer.len));
	rc |= rpcj_put(obj, "price_per_second", rpcj_u64(l->price_per_second));
	rc |= rpcj_put(obj, "start_height", rpcj_u64(l->start_height));
	rc |= rpcj_put(obj, "deadline_height", rpcj_u64(l->deadline_height));
	rc |= rpcj_put(obj, "state", json_string(rpcj_lease_state(l->state)));
	rc |= rpcj_put(obj, "replica", rpcj_u64(l->replica));
	return finish(obj, rc);
}

json_t *rpcj_receipt(enum network net, const Hearth__ReceiptRecord *rec)
{
	json_t *obj = json_object();
	int rc =
		rpcj_put(obj, "provider", rpcj_address(net, rec->provider.data, rec->provider.len));

	rc |= rpcj_put(obj, "height", rpcj_u64(rec->height));
	rc |= rpcj_put(obj, "commitment",
		       rec->has_commitment ? rpcj_hex(rec->commitment.data, rec->commitment.len)
					   : json_null());
	rc |= rpcj_put(obj, "outcome",
		       rec->outcome != NULL ? rpcj_outcome(rec->outcome) : json_null());
	rc |= rpcj_put(obj, "faulty", json_boolean(rec->faulty));
	return finish(obj, rc);
}

json_t *rpcj_dispute(enum network net, const Hearth__DisputeRecord *rec)
{
	json_t *obj = json_object();
	int rc =
		rpcj_put(obj, "consumer", rpcj_address(net, rec->consumer.data, rec->consumer.len));

	rc |= rpcj_put(obj, "bond", rpcj_u64(rec->bond));
	rc |= rpcj_put(obj, "height", rpcj_u64(rec->height));
	rc |= rpcj_put(obj, "verifier_lease",
		       rec->has_verifier_lease_id
			       ? rpcj_hex(rec->verifier_lease_id.data, rec->verifier_lease_id.len)
			       : json_null());
	rc |= rpcj_put(obj, "outcome", json_string(rpcj_dispute_outcome(rec->outcome)));
	return finish(obj, rc);
}

static const char *tiebreak_outcome(uint32_t outcome)
{
	static const char *const names[] = { "pending", "agreed", "no_match", "void",
					     "verifier_failed" };

	return outcome < sizeof(names) / sizeof(names[0]) ? names[outcome] : "unknown";
}

json_t *rpcj_tiebreak(const Hearth__TieBreakRecord *rec)
{
	json_t *obj = json_object();
	int rc = rpcj_put(obj, "height", rpcj_u64(rec->height));

	rc |= rpcj_put(obj, "cover", rpcj_u64(rec->cover));
	rc |= rpcj_put(obj, "verifier_lease",
		       rec->has_verifier_lease_id
			       ? rpcj_hex(rec->verifier_lease_id.data, rec->verifier_lease_id.len)
			       : json_null());
	rc |= rpcj_put(obj, "outcome", json_string(tiebreak_outcome(rec->outcome)));
	rc |= rpcj_put(obj, "result_hash",
		       rec->has_result_hash ? rpcj_hex(rec->result_hash.data, rec->result_hash.len)
					    : json_null());
	return finish(obj, rc);
}
