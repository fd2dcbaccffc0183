/* result_pick.h: which lease's result `hearth-cli result` fetches, read
 * from getjob's answer (doc/rpc.md): a lease whose receipt holds a revealed,
 * non-faulty outcome, and for a bid with several replicas the one whose
 * result hash a tie-break's verifier confirmed, else the one whose result
 * hash most leases revealed (the first such lease in replica order);
 * for one lease asked for by id (a replica, or a dispute's or tie-break's
 * verifier lease, which getjob does not list), its own outcome; and how
 * that outcome ended, as the result hash counts it. */
#ifndef HEARTH_WALLET_RESULT_PICK_H
#define HEARTH_WALLET_RESULT_PICK_H

#include <jansson.h>

#include "node/result_hash.h"

/* In: job, getjob's answer. Returns the lease object (borrowed from job),
 * or NULL when no lease has a usable outcome. */
const json_t *result_pick_lease(const json_t *job);

/* The revealed, non-faulty result hash of a lease (a getlease object, or
 * one of getjob's leases; hex), or NULL: what `result LEASE_ID` fetches. */
const char *result_pick_hash(const json_t *lease);

/* Out: st, how the lease's outcome ended: exit code, the signal for a
 * negative exit_status, and signal 9 for a timeout or an OOM kill
 * (doc/result-hash.md). Returns the outcome's exit_status. */
long long result_pick_status(const json_t *lease, struct result_status *st);

#endif
