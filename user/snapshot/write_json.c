/* The NDJSON renderer: one snapshot -> one object of schema latscope/1. */
#include <stdint.h>
#include "snapshot/histo.h"
#include "snapshot/write_json.h"

static void hist_json(struct jw *w, const __u64 *hist)
{
	jw_key(w, "hist");
	jw_arr_begin(w);
	if (hist) {
		for (__u32 i = 0; i < HIST_NBUCKETS; i++) {
			if (!hist[i])
				continue;
			__u64 hi = hist_bucket_hi(i);

			/* the open-ended last bucket as INT64_MAX: JSON readers
			 * that hold integers as int64 (jansson, jq) keep it */
			if (hi > INT64_MAX)
				hi = INT64_MAX;
			jw_arr_begin(w);
			jw_u64(w, hi);
			jw_u64(w, hist[i]);
			jw_arr_end(w);
		}
	}
	jw_arr_end(w);
}

static void stack_json(struct jw *w, char *const *stack, size_t n)
{
	jw_key(w, "stack");
	jw_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		jw_str(w, stack[i]);
	jw_arr_end(w);
}

static void syscalls_json(const struct snapshot *s, struct jw *w)
{
	jw_key(w, "syscalls");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->syscalls.len; i++) {
		const struct snap_syscall *r = vec_at(&s->syscalls, struct snap_syscall, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "syscall", r->syscall);
		jw_ku64(w, "nr", r->nr);
		jw_ku64(w, "count", r->count);
		jw_ku64(w, "errors", r->errors);
		jw_ku64(w, "total_ns", r->total_ns);
		jw_ku64(w, "p50_ns", r->p50_ns);
		jw_ku64(w, "p90_ns", r->p90_ns);
		jw_ku64(w, "p99_ns", r->p99_ns);
		jw_ku64(w, "p999_ns", r->p999_ns);
		jw_ku64(w, "max_ns", r->max_ns);
		hist_json(w, r->hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "inflight");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->inflight.len; i++) {
		const struct snap_inflight *r = vec_at(&s->inflight, struct snap_inflight, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_ku64(w, "tid", r->tid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "syscall", r->syscall);
		jw_ku64(w, "nr", r->nr);
		jw_ku64(w, "elapsed_ns", r->elapsed_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void tcp_json(const struct snapshot *s, struct jw *w)
{
	jw_key(w, "tcp");
	jw_obj_begin(w);

	jw_key(w, "retransmits");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->tcp_retrans.len; i++) {
		const struct snap_tcp_retrans *r = vec_at(&s->tcp_retrans, struct snap_tcp_retrans, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "saddr", r->saddr);
		jw_ku64(w, "sport", r->sport);
		jw_kstr(w, "daddr", r->daddr);
		jw_ku64(w, "dport", r->dport);
		jw_kstr(w, "state", r->state);
		jw_ku64(w, "count", r->count);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "resets");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->tcp_resets.len; i++) {
		const struct snap_tcp_reset *r = vec_at(&s->tcp_resets, struct snap_tcp_reset, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "saddr", r->saddr);
		jw_ku64(w, "sport", r->sport);
		jw_kstr(w, "daddr", r->daddr);
		jw_ku64(w, "dport", r->dport);
		jw_kstr(w, "direction", r->direction);
		jw_ku64(w, "count", r->count);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "connect");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->tcp_connect.len; i++) {
		const struct snap_tcp_connect *r = vec_at(&s->tcp_connect, struct snap_tcp_connect, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "daddr", r->daddr);
		jw_ku64(w, "dport", r->dport);
		jw_ku64(w, "count", r->count);
		jw_ku64(w, "failed", r->failed);
		jw_ku64(w, "p50_ns", r->p50_ns);
		jw_ku64(w, "p99_ns", r->p99_ns);
		jw_ku64(w, "max_ns", r->max_ns);
		if (r->hist)
			hist_json(w, r->hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "by_peer");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->tcp_peers.len; i++) {
		const struct snap_tcp_peer *r = vec_at(&s->tcp_peers, struct snap_tcp_peer, i);

		jw_obj_begin(w);
		jw_kstr(w, "daddr", r->daddr);
		jw_ku64(w, "dport", r->dport);
		jw_ku64(w, "retransmits", r->retransmits);
		jw_ku64(w, "resets", r->resets);
		jw_ku64(w, "connects", r->connects);
		jw_ku64(w, "connect_failed", r->connect_failed);
		jw_ku64(w, "connect_p99_ns", r->connect_p99_ns);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_obj_end(w);
}

static void locks_json(const struct snapshot *s, struct jw *w)
{
	jw_key(w, "locks");
	jw_obj_begin(w);

	jw_key(w, "kernel");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->kernel_locks.len; i++) {
		const struct snap_kernel_lock *r = vec_at(&s->kernel_locks, struct snap_kernel_lock, i);

		jw_obj_begin(w);
		jw_kstr(w, "lock", r->lock);
		jw_kstr(w, "symbol", r->symbol);
		jw_kstr(w, "type", r->type);
		jw_ku64(w, "count", r->count);
		jw_ku64(w, "total_ns", r->total_ns);
		jw_ku64(w, "p99_ns", r->p99_ns);
		jw_ku64(w, "max_ns", r->max_ns);
		stack_json(w, r->stack, r->nstack);
		if (r->hist)
			hist_json(w, r->hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_key(w, "user");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->user_locks.len; i++) {
		const struct snap_user_lock *r = vec_at(&s->user_locks, struct snap_user_lock, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "uaddr", r->uaddr);
		jw_kstr(w, "kind", r->kind);
		jw_ku64(w, "count", r->count);
		jw_ku64(w, "total_ns", r->total_ns);
		jw_ku64(w, "p99_ns", r->p99_ns);
		jw_ku64(w, "max_ns", r->max_ns);
		stack_json(w, r->stack, r->nstack);
		if (r->hist)
			hist_json(w, r->hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);

	jw_obj_end(w);
}

static void pools_json(const struct snapshot *s, struct jw *w)
{
	jw_key(w, "pools");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->pools.len; i++) {
		const struct snap_pool *r = vec_at(&s->pools, struct snap_pool, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "pool", r->pool);
		jw_ku64(w, "threads", r->threads);
		jw_key(w, "busy_pct");
		jw_double(w, r->busy_pct, 1);
		jw_key(w, "saturated_pct");
		jw_double(w, r->saturated_pct, 1);
		jw_ku64(w, "oncpu_ns", r->oncpu_ns);
		jw_ku64(w, "runq_ns", r->runq_ns);
		jw_ku64(w, "lock_ns", r->lock_ns);
		jw_ku64(w, "io_ns", r->io_ns);
		jw_ku64(w, "idle_ns", r->idle_ns);
		jw_ku64(w, "runq_p99_ns", r->runq_p99_ns);
		jw_key(w, "blocked_on");
		jw_arr_begin(w);
		for (size_t j = 0; j < r->blocked_on.len; j++) {
			const struct snap_pool_blocked *b =
				vec_at(&r->blocked_on, struct snap_pool_blocked, j);

			jw_obj_begin(w);
			jw_kstr(w, "peer", b->peer);
			jw_ku64(w, "io_ns", b->io_ns);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_key(w, "others");
		jw_arr_begin(w);
		for (size_t j = 0; j < r->others.len; j++) {
			const struct snap_pool_other *o = vec_at(&r->others, struct snap_pool_other, j);

			jw_obj_begin(w);
			jw_ku64(w, "tid", o->tid);
			jw_kstr(w, "role", o->role);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		if (r->thread_rows.len) {
			jw_key(w, "thread_list");
			jw_arr_begin(w);
			for (size_t j = 0; j < r->thread_rows.len; j++) {
				const struct snap_pool_thread *t =
					vec_at(&r->thread_rows, struct snap_pool_thread, j);

				jw_obj_begin(w);
				jw_ku64(w, "tid", t->tid);
				jw_kstr(w, "comm", t->comm);
				jw_ku64(w, "oncpu_ns", t->oncpu_ns);
				jw_ku64(w, "runq_ns", t->runq_ns);
				jw_ku64(w, "lock_ns", t->lock_ns);
				jw_ku64(w, "io_ns", t->io_ns);
				jw_ku64(w, "idle_ns", t->idle_ns);
				jw_obj_end(w);
			}
			jw_arr_end(w);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

static void peers_json(const struct snapshot *s, struct jw *w)
{
	jw_key(w, "peers");
	jw_arr_begin(w);
	for (size_t i = 0; i < s->peers.len; i++) {
		const struct snap_peer *r = vec_at(&s->peers, struct snap_peer, i);

		jw_obj_begin(w);
		jw_ku64(w, "pid", r->pid);
		jw_kstr(w, "comm", r->comm);
		jw_kstr(w, "peer", r->peer);
		jw_ku64(w, "calls", r->calls);
		jw_ku64(w, "bytes_in", r->bytes_in);
		jw_ku64(w, "bytes_out", r->bytes_out);
		jw_ku64(w, "roundtrips", r->roundtrips);
		jw_ku64(w, "wait_ns", r->wait_ns);
		jw_ku64(w, "p99_ns", r->p99_ns);
		jw_ku64(w, "max_ns", r->max_ns);
		if (r->hist)
			hist_json(w, r->hist);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void render_json(const struct snapshot *s, struct jw *w)
{
	jw_obj_begin(w);
	jw_kstr(w, "schema", SCHEMA_NAME);
	jw_kstr(w, "host", s->host);
	jw_kstr(w, "kernel", s->kernel);
	jw_ku64(w, "ts_ns", s->ts_ns);
	jw_ku64(w, "interval_ns", s->interval_ns);
	jw_key(w, "probes");
	jw_obj_begin(w);
	for (int f = 0; f < FAM_NR; f++)
		jw_kstr(w, family_names[f], s->probes[f]);
	jw_obj_end(w);

	syscalls_json(s, w);
	tcp_json(s, w);
	locks_json(s, w);
	pools_json(s, w);
	peers_json(s, w);

	jw_key(w, "truncated");
	jw_obj_begin(w);
	jw_ku64(w, "syscalls", s->truncated.syscalls);
	jw_ku64(w, "tcp", s->truncated.tcp);
	jw_ku64(w, "locks", s->truncated.locks);
	jw_ku64(w, "pools", s->truncated.pools);
	jw_ku64(w, "peers", s->truncated.peers);
	jw_obj_end(w);
	jw_key(w, "dropped");
	jw_obj_begin(w);
	jw_ku64(w, "events", s->dropped.events);
	jw_ku64(w, "map_full", s->dropped.map_full);
	jw_ku64(w, "peers_unresolved", s->dropped.peers_unresolved);
	jw_obj_end(w);
	jw_obj_end(w);
}
