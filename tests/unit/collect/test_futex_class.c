/* Futex wait classification (SPEC "Futex classification") and kernel lock
 * type names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "collect/locks_futex_class.h"
#include "futex_op.h"
#include "collect/locks_klock_type.h"

static void test_by_op(void **state)
{
	/* FUTEX_WAIT with 2: the contended-lock convention */
	assert_string_equal(futex_kind_by_op(LS_FUTEX_WAIT | LS_FUTEX_PRIVATE_FLAG, true), "mutex");
	assert_string_equal(futex_kind_by_op(LS_FUTEX_WAIT, false), "futex");
	assert_string_equal(futex_kind_by_op(LS_FUTEX_LOCK_PI, false), "mutex");
	assert_string_equal(futex_kind_by_op(LS_FUTEX_WAIT_REQUEUE_PI | 128, false), "mutex");
	/* glibc 2.36's condvar wait: 393 = WAIT_BITSET | PRIVATE | CLOCK_REALTIME */
	assert_string_equal(futex_kind_by_op(393, false), "condvar");
	/* the val2 hint only matters for a plain FUTEX_WAIT */
	assert_string_equal(futex_kind_by_op(393, true), "condvar");
}

static void test_is_wait(void **state)
{
	assert_true(ls_futex_is_wait(128));
	assert_true(ls_futex_is_wait(393));
	assert_true(ls_futex_is_wait(265));	/* PostgreSQL's semaphores */
	assert_false(ls_futex_is_wait(LS_FUTEX_WAKE | 128));
	assert_false(ls_futex_is_wait(LS_FUTEX_UNLOCK_PI));
}

static void test_symbol_overrides_op(void **state)
{
	char *sem[] = { "__new_sem_wait_slow64.constprop.0+0x9a", "PGSemaphoreLock+0x41" };
	char *rw[] = { "libc.so.6+0x8f00", "pthread_rwlock_wrlock+0x1b2", "main+0x10" };
	char *mtx[] = { "__pthread_mutex_lock+0x7f", "worker+0x3" };
	char *cv[] = { "__pthread_cond_wait_common+0x10", "pthread_cond_timedwait+0x1" };
	char *unknown[] = { "libc.so.6+0x8612b", "contend_shared_mutex+0x45" };

	/* op 265 = WAIT_BITSET | PRIVATE would say condvar: the stack says semaphore */
	assert_string_equal(futex_kind(265, false, sem, NULL, 2), "semaphore");
	assert_string_equal(futex_kind(128, false, rw, NULL, 3), "rwlock");
	assert_string_equal(futex_kind(128, false, mtx, NULL, 2), "mutex");
	assert_string_equal(futex_kind(128, true, cv, NULL, 2), "condvar");
	/* no libc symbol (stripped): the op decides */
	assert_string_equal(futex_kind(128, true, unknown, NULL, 2), "mutex");
	assert_string_equal(futex_kind(393, false, unknown, NULL, 2), "condvar");
	assert_string_equal(futex_kind(128, false, NULL, NULL, 0), "futex");
	/* without libc's debug file, sem_wait's frames have no name (it
	 * tail-calls the unexported __new_sem_wait_slow64): the function its
	 * caller called says it, after the frames inside and before the caller */
	{
		char *st[] = { "libc.so.6+0x85f16", "libc.so.6+0x90d90", "take_sem+0x42", "main+0x1" };
		char *callees[] = { NULL, NULL, "sem_wait", NULL };
		char *inner[] = { "__lll_lock_wait+0x2b", "libc.so.6+0x9", "idle+0x1" };
		char *outer[] = { NULL, NULL, "pthread_cond_wait" };

		assert_string_equal(futex_kind(393, false, st, callees, 4), "semaphore");
		assert_string_equal(futex_kind(393, false, st, NULL, 4), "condvar");
		/* an inner frame's kind comes first: the re-lock in a condvar wait */
		assert_string_equal(futex_kind(128, true, inner, outer, 3), "mutex");
	}
	/* unlock is not a wait kind */
	assert_null(futex_kind_by_symbol("pthread_mutex_unlock+0x5"));
}

static void test_klock_types(void **state)
{
	assert_string_equal(klock_type_name(1), "spinlock");
	assert_string_equal(klock_type_name(1 << 5), "mutex");
	assert_string_equal(klock_type_name((1 << 5) | 1), "mutex-spin");
	assert_string_equal(klock_type_name(2), "rwsem-read");
	assert_string_equal(klock_type_name(4), "rwsem-write");
	assert_string_equal(klock_type_name(3), "rwlock-read");
	assert_string_equal(klock_type_name(8), "rt-mutex");
	assert_string_equal(klock_type_name(16 | 4), "percpu-rwsem-write");
}

static void test_locking_frames(void **state)
{
	assert_true(klock_frame_is_locking("__pv_queued_spin_lock_slowpath+0x15b"));
	assert_true(klock_frame_is_locking("_raw_spin_lock_irqsave"));
	assert_true(klock_frame_is_locking("rwsem_down_write_slowpath"));
	assert_true(klock_frame_is_locking("down_write_killable"));
	assert_true(klock_frame_is_locking("__mutex_lock.constprop.0"));
	assert_true(klock_frame_is_locking("raw_spin_rq_lock_nested"));
	assert_true(klock_frame_is_locking("bpf_trace_run2"));
	assert_false(klock_frame_is_locking("__vm_munmap"));
	assert_false(klock_frame_is_locking("lock_mm_and_find_vma"));
	assert_false(klock_frame_is_locking("__schedule"));
	assert_false(klock_frame_is_locking("do_anonymous_page"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_op),
		cmocka_unit_test(test_is_wait),
		cmocka_unit_test(test_symbol_overrides_op),
		cmocka_unit_test(test_klock_types),
		cmocka_unit_test(test_locking_frames),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
