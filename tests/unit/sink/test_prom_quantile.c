/* The Prometheus histogram's buckets against latscope's own: the counts
 * are exact (a kernel bucket is never split), and histogram_quantile(), as
 * Prometheus computes it from the exposition, lands within 10% of
 * latscope's p99 for many shapes of latency (--prom-buckets 8), where a
 * grid of 4 per power of two cannot promise it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "sink/prom.h"
#include "snapshot/histo.h"
#include "snapshot/snapshot.h"

#define SERIES "latscope_syscall_duration_seconds_bucket{comm=\"w\",service=\"\",syscall=\"read\",le=\""

struct bucket {
	double le;
	double cum;
};

/* The series' bucket lines of one exposition, in order (+Inf as INFINITY). */
static size_t parse(const char *text, struct bucket *b, size_t cap)
{
	const char *p = text;
	size_t n = 0;

	while ((p = strstr(p, SERIES)) && n < cap) {
		p += strlen(SERIES);
		b[n].le = !strncmp(p, "+Inf", 4) ? INFINITY : strtod(p, NULL);
		b[n].cum = strtod(strchr(p, ' ') + 1, NULL);
		n++;
	}
	return n;
}

/* histogram_quantile() as Prometheus computes it (promql/quantile.go):
 * the first bucket whose count reaches the rank, linear inside it, the
 * first bucket starting at 0, a rank in +Inf giving the last finite bound. */
static double prom_quantile(double q, const struct bucket *b, size_t n)
{
	double rank = q * b[n - 1].cum, lo = 0, below = 0;
	size_t i = 0;

	while (i < n - 1 && b[i].cum < rank)
		i++;
	if (i == n - 1)
		return b[n - 2].le;
	if (i > 0) {
		lo = b[i - 1].le;
		below = b[i - 1].cum;
	}
	return lo + (b[i].le - lo) * (rank - below) / (b[i].cum - below);
}

/* The buckets of s's one series as the renderer p writes them. */
static size_t render(struct prom_render *p, struct snapshot *s, struct bucket *b, size_t cap)
{
	char *text = NULL;
	size_t len = 0, n;
	FILE *f;

	assert_int_equal(prom_render_update(p, s), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	prom_render_write(p, s, f, false);
	fclose(f);
	n = parse(text, b, cap);
	free(text);
	return n;
}

/* One draw of latency, ns, of shape k: uniform over a range, log-uniform
 * over decades, a narrow mode, two modes, a long tail. */
static __u64 draw(int k, __u64 base)
{
	double u = (double)rand() / RAND_MAX;

	switch (k % 5) {
	case 0: return base + (__u64)(u * (double)base * 4);
	case 1: return (__u64)((double)base * pow(10, u * 3));
	case 2: return base + (__u64)(u * (double)base / 20);
	case 3: return rand() % 10 ? base + (__u64)(u * (double)base) : base * 30 + (__u64)(u * (double)base);
	default: return base + (__u64)((double)base / (1.0001 - u) / 10);
	}
}

/* The worst |histogram_quantile - latscope p99| / latscope p99 over many
 * histograms, at per_pow2 bounds per power of two; checks every bucket's
 * count is exact on the way. */
static double worst_error(unsigned per_pow2)
{
	double worst = 0;

	srand(7);
	for (int t = 0; t < 400; t++) {
		struct snapshot *s = snapshot_new();
		struct snap_syscall *r = vec_push(&s->syscalls);
		struct prom_render *p = prom_render_new(per_pow2);
		struct bucket b[400];
		__u64 base = 2000ULL << (t % 20);	/* 2 us .. 1 s */
		size_t n;
		double got, want;

		assert_non_null(p);
		r->hist = calloc(HIST_NBUCKETS, sizeof(*r->hist));
		strcpy(r->comm, "w");
		strcpy(r->syscall, "read");
		r->count = 200 + (__u64)(rand() % 5000);
		for (__u64 i = 0; i < r->count; i++) {
			__u64 v;

			do	/* within the grid, not piled up at a cap */
				v = draw(t, base);
			while (v > (1ULL << 33));
			r->hist[hist_bucket(v)]++;
			r->total_ns += v;
			if (v > r->max_ns)
				r->max_ns = v;
		}
		r->p99_ns = hist_percentile(r->hist, 0.99, r->max_ns);
		s->ts_ns = 1;
		n = render(p, s, b, 400);
		assert_true(n >= 3);
		assert_true(isinf(b[n - 1].le) && b[n - 1].cum == (double)r->count);
		/* every bucket exact: the calls of kernel buckets wholly below it */
		for (size_t i = 0; i + 1 < n; i++) {
			__u64 cum = 0;

			for (__u32 k = 0; k < HIST_NBUCKETS; k++)
				if (hist_bucket_hi(k) < (__u64)llround(b[i].le * 1e9))
					cum += r->hist[k];
			assert_true((double)cum == b[i].cum);
		}
		got = prom_quantile(0.99, b, n) * 1e9;
		want = (double)r->p99_ns;
		if (fabs(got - want) / want > worst) {
			worst = fabs(got - want) / want;
			if (getenv("PQ_DEBUG")) {	/* the worst cases, bucket by bucket */
				fprintf(stderr, "t=%d got %.0f want %.0f max %llu n=%llu\n", t, got, want,
					(unsigned long long)r->max_ns, (unsigned long long)r->count);
				for (size_t i = 0; i < n; i++)
					if (b[i].le * 1e9 > want / 1.3 && b[i].le * 1e9 < want * 1.3)
						fprintf(stderr, "  le %.0f cum %.0f\n", b[i].le * 1e9, b[i].cum);
				for (__u32 k = 0; k < HIST_NBUCKETS; k++)
					if (r->hist[k] && hist_bucket_lo(k) > want / 1.3 && hist_bucket_lo(k) < want * 1.3)
						fprintf(stderr, "  fine [%llu,%llu] %llu\n", (unsigned long long)hist_bucket_lo(k),
							(unsigned long long)hist_bucket_hi(k), (unsigned long long)r->hist[k]);
			}
		}
		prom_render_free(p);
		snapshot_free(s);
	}
	return worst;
}

static void test_within_ten_percent(void **state)
{
	double w = worst_error(PROM_BUCKETS_DEFAULT);

	(void)state;
	print_message("# worst histogram_quantile error at 8 per power of two: %.1f%%\n", w * 100);
	assert_true(w <= 0.10);
}

static void test_finer_is_closer_coarser_is_not_enough(void **state)
{
	double w16 = worst_error(16), w4 = worst_error(4);

	(void)state;
	print_message("# at 16: %.1f%%, at 4: %.1f%%\n", w16 * 100, w4 * 100);
	assert_true(w16 <= 0.05);
	assert_true(w4 > 0.10);
}

/* Series write the bounds from the one under their lowest used bucket up
 * to 17 s: a short-latency series more, a long-latency one fewer. */
static void test_bounds_written(void **state)
{
	struct snapshot *s = snapshot_new();
	struct snap_syscall *r = vec_push(&s->syscalls);
	struct prom_render *p = prom_render_new(8);
	struct bucket b[400];
	size_t n;

	(void)state;
	r->hist = calloc(HIST_NBUCKETS, sizeof(*r->hist));
	strcpy(r->comm, "w");
	strcpy(r->syscall, "read");
	r->hist[hist_bucket(100000000)] = 5;	/* 100 ms */
	r->count = 5;
	r->max_ns = 100000000;
	n = render(p, s, b, 400);
	/* a zero under the used bucket, then 100 ms's bucket, ... 17.18 s, +Inf */
	assert_true(b[0].cum == 0 && b[1].cum == 5);
	assert_true(b[0].le < 0.1 && b[1].le >= 0.1 && b[1].le < 0.1 * 1.13);
	assert_true(fabs(b[n - 2].le - 17.179869184) < 1e-9);
	/* 8 per power of two from 2^26.6 ns to 2^34 ns, and +Inf */
	assert_true(n > 55 && n < 65);
	prom_render_free(p);
	snapshot_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_within_ten_percent),
		cmocka_unit_test(test_finer_is_closer_coarser_is_not_enough),
		cmocka_unit_test(test_bounds_written),
	};

	return cmocka_run_group_tests_name("prom_quantile", tests, NULL, NULL);
}
