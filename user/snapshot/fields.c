/* The field lists of fields.h as tables, and what every walk over them
 * needs. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "snapshot/pool_blocked.h"
#include "snapshot/snapshot.h"

#define SNAP_FT_U16 SFT_U16
#define SNAP_FT_U32 SFT_U32
#define SNAP_FT_U64 SFT_U64
#define SNAP_FT_F1 SFT_F1
#define SNAP_FT_S_COMM SFT_STR
#define SNAP_FT_S_NAME SFT_STR
#define SNAP_FT_S_ADDR SFT_STR
#define SNAP_FT_S_PEER SFT_STR
#define SNAP_FT_S_SYM SFT_STR
#define SNAP_FT_S_CGROUP SFT_STR
#define SNAP_FT_S_SVC SFT_STR
#define SNAP_FT_S_24 SFT_STR
#define SNAP_FT_S_16 SFT_STR
#define SNAP_FT_S_12 SFT_STR
#define SNAP_FT_HIST SFT_HIST
#define SNAP_FT_HIST_ALL SFT_HIST_ALL
#define SNAP_FT_STACK SFT_STACK
#define SNAP_FT_VEC SFT_VEC
#define SNAP_FT_VEC_OPT SFT_VEC_OPT

/* ROW is the row struct of the table being made */
#define FIELD(t_, n_, m_) \
	{ .name = #n_, .type = SNAP_FT_##t_, .merge = SFM_##m_, \
	  .off = offsetof(struct ROW, n_), .size = sizeof(((struct ROW *)0)->n_), \
	  SNAP_EXTRA_##t_(n_) },
#define SNAP_EXTRA_U16(n)
#define SNAP_EXTRA_U32(n)
#define SNAP_EXTRA_U64(n)
#define SNAP_EXTRA_F1(n)
#define SNAP_EXTRA_S_COMM(n)
#define SNAP_EXTRA_S_NAME(n)
#define SNAP_EXTRA_S_ADDR(n)
#define SNAP_EXTRA_S_PEER(n)
#define SNAP_EXTRA_S_SYM(n)
#define SNAP_EXTRA_S_CGROUP(n)
#define SNAP_EXTRA_S_SVC(n)
#define SNAP_EXTRA_S_24(n)
#define SNAP_EXTRA_S_16(n)
#define SNAP_EXTRA_S_12(n)
#define SNAP_EXTRA_HIST(n)
#define SNAP_EXTRA_HIST_ALL(n)
#define SNAP_EXTRA_STACK(f_) .n_off = offsetof(struct ROW, n##f_)
#define SNAP_EXTRA_VEC(n) .sub = &snap_sec_##n
#define SNAP_EXTRA_VEC_OPT(n) .sub = &snap_sec_##n

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static int blocked_merge_add(struct vec *dst, const void *row)
{
	const struct snap_pool_blocked *b = row;

	return pool_blocked_add(dst, b->peer, b->io_ns);
}

static void blocked_merge_finish(struct vec *v)
{
	pool_blocked_finish(v, POOL_BLOCKED_TOP);
}

/* sub-lists first: the pools table points at them */
#define ROW snap_pool_blocked
static const struct snap_field f_blocked_on[] = { SNAP_POOL_BLOCKED_FIELDS(FIELD) };
#undef ROW
#define ROW snap_pool_other
static const struct snap_field f_others[] = { SNAP_POOL_OTHER_FIELDS(FIELD) };
#undef ROW
#define ROW snap_pool_thread
static const struct snap_field f_thread_list[] = { SNAP_POOL_THREAD_FIELDS(FIELD) };
#undef ROW
#define ROW snap_request_client
static const struct snap_field f_clients[] = { SNAP_REQUEST_CLIENT_FIELDS(FIELD) };
#undef ROW
#define ROW snap_request_rt
static const struct snap_field f_roundtrips[] = { SNAP_REQUEST_RT_FIELDS(FIELD) };
#undef ROW

#define SUBSECTION(j_, r_, F_) \
	static const struct snap_section snap_sec_##j_ = { \
		.name = #j_, .elem = sizeof(struct r_), \
		.fields = f_##j_, .nfields = NFIELDS(f_##j_), \
		.merge_add = SNAP_SUBMERGE_ADD_##j_, \
		.merge_finish = SNAP_SUBMERGE_FINISH_##j_ };
#define SNAP_SUBMERGE_ADD_blocked_on blocked_merge_add
#define SNAP_SUBMERGE_FINISH_blocked_on blocked_merge_finish
#define SNAP_SUBMERGE_ADD_roundtrips NULL
#define SNAP_SUBMERGE_FINISH_roundtrips NULL
#define SNAP_SUBMERGE_ADD_others NULL
#define SNAP_SUBMERGE_FINISH_others NULL
#define SNAP_SUBMERGE_ADD_thread_list NULL
#define SNAP_SUBMERGE_FINISH_thread_list NULL
#define SNAP_SUBMERGE_ADD_clients NULL
#define SNAP_SUBMERGE_FINISH_clients NULL
SNAP_SUBSECTIONS(SUBSECTION)

#define ROW snap_syscall
static const struct snap_field f_syscalls[] = { SNAP_SYSCALL_FIELDS(FIELD) };
#undef ROW
#define ROW snap_inflight
static const struct snap_field f_inflight[] = { SNAP_INFLIGHT_FIELDS(FIELD) };
#undef ROW
#define ROW snap_tcp_retrans
static const struct snap_field f_tcp_retrans[] = { SNAP_TCP_RETRANS_FIELDS(FIELD) };
#undef ROW
#define ROW snap_tcp_reset
static const struct snap_field f_tcp_resets[] = { SNAP_TCP_RESET_FIELDS(FIELD) };
#undef ROW
#define ROW snap_tcp_connect
static const struct snap_field f_tcp_connect[] = { SNAP_TCP_CONNECT_FIELDS(FIELD) };
#undef ROW
#define ROW snap_tcp_peer
static const struct snap_field f_tcp_peers[] = { SNAP_TCP_PEER_FIELDS(FIELD) };
#undef ROW
#define ROW snap_kernel_lock
static const struct snap_field f_kernel_locks[] = { SNAP_KERNEL_LOCK_FIELDS(FIELD) };
#undef ROW
#define ROW snap_user_lock
static const struct snap_field f_user_locks[] = { SNAP_USER_LOCK_FIELDS(FIELD) };
#undef ROW
#define ROW snap_pool
static const struct snap_field f_pools[] = { SNAP_POOL_FIELDS(FIELD) };
#undef ROW
#define ROW snap_peer
static const struct snap_field f_peers[] = { SNAP_PEER_FIELDS(FIELD) };
#undef ROW
#define ROW snap_request
static const struct snap_field f_requests[] = { SNAP_REQUEST_FIELDS(FIELD) };
#undef ROW
#define ROW snap_inflight_request
static const struct snap_field f_inflight_requests[] = { SNAP_INFLIGHT_REQUEST_FIELDS(FIELD) };
#undef ROW
#define ROW snap_listener
static const struct snap_field f_listeners[] = { SNAP_LISTENER_FIELDS(FIELD) };
#undef ROW

#define SNAP_GROUP_top NULL
#define SNAP_GROUP_tcp "tcp"
#define SNAP_GROUP_locks "locks"
#define SNAP_WEIGHT_none NULL
#define SNAP_WEIGHT_count "count"
#define SNAP_WEIGHT_calls "calls"
#define SNAP_WEIGHT_requests "requests"
#define SNAP_WEIGHT_waits "waits"
#define SECTION(g_, j_, m_, r_, F_, w_) \
	{ .group = SNAP_GROUP_##g_, .name = #j_, \
	  .vec_off = offsetof(struct snapshot, m_), .elem = sizeof(struct r_), \
	  .fields = f_##m_, .nfields = NFIELDS(f_##m_), .weight = SNAP_WEIGHT_##w_ },

const struct snap_section snap_sections[] = { SNAP_SECTIONS(SECTION) };
const size_t snap_nsections = NFIELDS(snap_sections);

const struct snap_section *snap_section_named(const char *name)
{
	for (size_t i = 0; i < snap_nsections; i++)
		if (!strcmp(snap_sections[i].name, name))
			return &snap_sections[i];
	return NULL;
}

const struct snap_field *snap_field_find(const struct snap_section *sec, const char *name)
{
	for (size_t i = 0; name && i < sec->nfields; i++)
		if (!strcmp(sec->fields[i].name, name))
			return &sec->fields[i];
	return NULL;
}

__u64 snap_field_u64(const struct snap_field *f, const void *row)
{
	const void *p = (const char *)row + f->off;

	switch (f->size) {
	case 2: return *(const __u16 *)p;
	case 4: return *(const __u32 *)p;
	default: return *(const __u64 *)p;
	}
}

void snap_field_set_u64(const struct snap_field *f, void *row, __u64 v)
{
	void *p = SNAP_FIELD_PTR(f, row);

	switch (f->size) {
	case 2: *(__u16 *)p = (__u16)v; break;
	case 4: *(__u32 *)p = (__u32)v; break;
	default: *(__u64 *)p = v; break;
	}
}

void snap_row_init(const struct snap_section *sec, void *row)
{
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];

		if (f->type == SFT_VEC || f->type == SFT_VEC_OPT)
			vec_init(SNAP_FIELD_PTR(f, row), f->sub->elem);
	}
}

void snap_row_release(const struct snap_section *sec, void *row)
{
	for (size_t i = 0; i < sec->nfields; i++) {
		const struct snap_field *f = &sec->fields[i];
		void *p = SNAP_FIELD_PTR(f, row);

		switch (f->type) {
		case SFT_HIST:
		case SFT_HIST_ALL:
			free(*(__u64 **)p);
			*(__u64 **)p = NULL;
			break;
		case SFT_STACK: {
			char **st = *(char ***)p;
			size_t *n = (size_t *)((char *)row + f->n_off);

			for (size_t j = 0; st && j < *n; j++)
				free(st[j]);
			free(st);
			*(char ***)p = NULL;
			*n = 0;
			break;
		}
		case SFT_VEC:
		case SFT_VEC_OPT: {
			struct vec *v = p;

			for (size_t j = 0; v->data && j < v->len; j++)
				snap_row_release(f->sub, (char *)v->data + j * v->elem);
			vec_free(v);
			break;
		}
		default:
			break;
		}
	}
}
