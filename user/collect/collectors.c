#include <stdio.h>
#include <stdlib.h>
#include "collect/collector.h"
#include "collect/kernel_features.h"

const struct collector_ops *const collector_table[FAM_NR] = {
	[FAM_SYSCALLS] = &syscalls_collector,
	[FAM_LOCKS] = &locks_collector,
	[FAM_TCP] = &tcp_collector,
	[FAM_POOLS] = &pools_collector,
};

/* The reason left in c->status becomes "unavailable: <why>", said on
 * stderr too. */
static void unavailable(struct collector *c, enum family f)
{
	char why[sizeof(c->status)];

	snprintf(why, sizeof(why), "%s", c->status);
	snprintf(c->status, sizeof(c->status), "unavailable: %.*s", (int)sizeof(c->status) - 14, why);
	fprintf(stderr, "latscope: %s %s\n", family_names[f], c->status);
}

bool collector_start(struct collector *c, enum family f, const struct options *o)
{
	if (!o->probes[f]) {
		snprintf(c->status, sizeof(c->status), "off");
		return false;
	}
	c->ops = collector_table[f];
	if (!c->ops) {
		snprintf(c->status, sizeof(c->status), "not built in this version");
		unavailable(c, f);
		return false;
	}
	if (features_check(c->ops->needs, c->status, sizeof(c->status))) {
		unavailable(c, f);
		c->ops = NULL;
		return false;
	}
	c->priv = calloc(1, c->ops->priv_size);
	if (!c->priv) {
		unavailable(c, f);
		return false;
	}
	if (c->ops->open(c, o)) {
		unavailable(c, f);
		c->ops->close(c);
		free(c->priv);
		c->priv = NULL;
		return false;
	}
	snprintf(c->status, sizeof(c->status), "on");
	c->on = true;
	return true;
}

void collector_stop(struct collector *c)
{
	if (!c->on)
		return;
	c->ops->close(c);
	free(c->priv);
	c->priv = NULL;
	c->on = false;
}
