/* bank.h: the bank module, which owns the transfer tx kind. */
#ifndef HEARTH_CONSENSUS_BANK_H
#define HEARTH_CONSENSUS_BANK_H

#include "consensus/module.h"

extern const struct ledger_module bank_module;

#endif
