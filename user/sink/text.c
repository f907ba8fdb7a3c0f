/* A plain text table per interval: the batch mode (like top -b) for pipes
 * and for terminals without the TUI. Every string is sanitized first: kernel
 * strings, and in replay whatever the recording says (host, syscall and
 * status names too). */
#include <stdlib.h>
#include <string.h>
#include "sink/sink.h"
#include "lib/textfmt.h"

static int text_write(struct sink *k, const struct snapshot *s)
{
	FILE *f = k->priv;
	char comm[SNAP_COMM_LEN], sc[SNAP_NAME_LEN], host[sizeof(s->host)], st[sizeof(s->probes[0])];
	char a[16], b[16], c[16], d[16], e[16];
	size_t n = s->syscalls.len < 20 ? s->syscalls.len : 20;

	fprintf(f, "--- %s  interval %s  syscalls: %s  dropped %llu\n",
		sanitize(s->host, host, sizeof(host)), fmt_duration(s->interval_ns, a, sizeof(a)),
		sanitize(s->probes[FAM_SYSCALLS], st, sizeof(st)),
		(unsigned long long)(s->dropped.events + s->dropped.map_full));
	fprintf(f, "%8s %-16s %-18s %9s %7s %8s %8s %8s %8s\n", "PID", "COMM", "SYSCALL",
		"COUNT", "ERRORS", "TOTAL", "P50", "P99", "MAX");
	for (size_t i = 0; i < n; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		fprintf(f, "%8u %-16s %-18.18s %9llu %7llu %8s %8s %8s %8s\n", r->pid,
			sanitize(r->comm, comm, sizeof(comm)), sanitize(r->syscall, sc, sizeof(sc)),
			(unsigned long long)r->count, (unsigned long long)r->errors,
			fmt_duration(r->total_ns, a, sizeof(a)), fmt_duration(r->p50_ns, b, sizeof(b)),
			fmt_duration(r->p99_ns, c, sizeof(c)), fmt_duration(r->max_ns, d, sizeof(d)));
	}
	for (size_t i = 0; i < s->inflight.len && i < 10; i++) {
		const struct snap_inflight *r = vec_at(&s->inflight, struct snap_inflight, i);

		fprintf(f, "  blocked: pid %u tid %u %s in %s for %s\n", r->pid, r->tid,
			sanitize(r->comm, comm, sizeof(comm)), sanitize(r->syscall, sc, sizeof(sc)),
			fmt_duration(r->elapsed_ns, e, sizeof(e)));
	}
	fflush(f);
	return 0;
}

static void text_close(struct sink *k)
{
	free(k);
}

struct sink *sink_text_new(FILE *f)
{
	struct sink *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	k->name = "text";
	k->input_fd = -1;
	k->write = text_write;
	k->close = text_close;
	k->priv = f;
	return k;
}
