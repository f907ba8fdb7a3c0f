#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "collect/hooks.h"

/* Collectors start and stop from the main thread, but pools joins its
 * sys_exit program from its poller thread: one lock for the table. */
static pthread_mutex_t hooks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	int map_fd;			/* -1: no head */
	__u8 (*want)[SYSCALLS_MAX_NR];
	__u32 *switch_on;
	bool joined[HOOK_NR];
} head = { .map_fd = -1 };

static enum hook_side slot_side(enum hook_slot slot)
{
	return slot == HOOK_LOCKS_ENTER ? HOOK_SIDE_ENTER : HOOK_SIDE_EXIT;
}

void hooks_set_head(int map_fd, __u8 (*want)[SYSCALLS_MAX_NR], __u32 *switch_on)
{
	pthread_mutex_lock(&hooks_lock);
	head.map_fd = map_fd;
	head.want = want;
	head.switch_on = switch_on;
	memset(head.joined, 0, sizeof(head.joined));
	pthread_mutex_unlock(&hooks_lock);
}

static void leave_locked(enum hook_slot slot)
{
	__u32 key = slot;

	if (head.map_fd < 0 || !head.joined[slot])
		return;
	/* the head stops calling it first, then the slot is emptied */
	if (slot == HOOK_POOLS_SWITCH) {
		__atomic_store_n(head.switch_on, 0, __ATOMIC_SEQ_CST);
	} else {
		__u8 *w = head.want[slot_side(slot)];

		for (int nr = 0; nr < SYSCALLS_MAX_NR; nr++)
			if (w[nr] == slot + 1)
				__atomic_store_n(&w[nr], 0, __ATOMIC_SEQ_CST);
	}
	bpf_map_delete_elem(head.map_fd, &key);
	head.joined[slot] = false;
}

void hooks_clear_head(void)
{
	pthread_mutex_lock(&hooks_lock);
	for (int s = 0; s < HOOK_NR; s++)
		leave_locked((enum hook_slot)s);
	head.map_fd = -1;
	head.want = NULL;
	head.switch_on = NULL;
	pthread_mutex_unlock(&hooks_lock);
}

bool hooks_have_head(void)
{
	bool on;

	pthread_mutex_lock(&hooks_lock);
	on = head.map_fd >= 0;
	pthread_mutex_unlock(&hooks_lock);
	return on;
}

int hooks_join(enum hook_slot slot, const struct bpf_program *prog, const long *nrs, int n)
{
	__u32 key = slot;
	int fd = bpf_program__fd(prog), err = 0;
	__u8 *w;

	if ((unsigned)slot >= HOOK_NR || fd < 0)
		return -EINVAL;
	pthread_mutex_lock(&hooks_lock);
	if (head.map_fd < 0) {
		err = -ENOENT;
		goto out;
	}
	w = head.want[slot_side(slot)];
	for (int i = 0; i < n; i++) {
		if (nrs[i] < 0 || nrs[i] >= SYSCALLS_MAX_NR) {
			err = -ERANGE;
			goto out;
		}
		/* a tail call does not come back: one family per number */
		if (w[nrs[i]] && w[nrs[i]] != slot + 1) {
			err = -EBUSY;
			goto out;
		}
	}
	if (bpf_map_update_elem(head.map_fd, &key, &fd, BPF_ANY)) {
		err = -errno;
		goto out;
	}
	/* the program is in place before the head is told to call it */
	if (slot == HOOK_POOLS_SWITCH) {
		__atomic_store_n(head.switch_on, 1, __ATOMIC_SEQ_CST);
	} else {
		for (int i = 0; i < n; i++)
			__atomic_store_n(&w[nrs[i]], (__u8)(slot + 1), __ATOMIC_SEQ_CST);
	}
	head.joined[slot] = true;
out:
	pthread_mutex_unlock(&hooks_lock);
	return err;
}

void hooks_leave(enum hook_slot slot)
{
	if ((unsigned)slot >= HOOK_NR)
		return;
	pthread_mutex_lock(&hooks_lock);
	leave_locked(slot);
	pthread_mutex_unlock(&hooks_lock);
}
