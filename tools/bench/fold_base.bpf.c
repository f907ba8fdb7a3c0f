// SPDX-License-Identifier: GPL-2.0
/* Bench only: tools/bench/fold.bpf.c without the peers work. */
#define FOLD_NO_PEERS
#include "fold.bpf.c"
