#include "collect/collector.h"

const struct collector_ops *const collector_table[FAM_NR] = {
	[FAM_SYSCALLS] = &syscalls_collector,
	[FAM_LOCKS] = &locks_collector,
	[FAM_TCP] = &tcp_collector,
	[FAM_POOLS] = &pools_collector,
};
