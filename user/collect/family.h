/* The lifecycle every probe family's collector shares: open the family's
 * skeleton (under --btf its build without kfuncs), set it up, load it and
 * attach its programs, some of them optional. A step that fails leaves the
 * reason in the collector's status, in the words a user reads after
 * "unavailable: " (collector_start adds that); what is particular to a
 * family (feature probes, rodata, map sizes) stays in its own file and
 * comes in through struct family_spec. */
#ifndef LATSCOPE_COLLECT_FAMILY_H
#define LATSCOPE_COLLECT_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct bpf_link;
struct bpf_object_skeleton;
struct bpf_program;
struct collector;
struct options;

/* A family's skeleton (struct F_bpf of bpftool gen skeleton), through the
 * functions bpftool generated for it; FAMILY_SKEL(F) and
 * FAMILY_SKEL_NOKF(F) define one as F_family_skel. */
struct family_skel {
	size_t size;			/* sizeof(struct F_bpf) */
	int (*create)(void *obj);	/* F_bpf__create_skeleton */
	void (*destroy)(void *obj);	/* F_bpf__destroy */
	struct bpf_object_skeleton *(*skeleton)(void *obj);
	/* F_nokf_bpf__elf_bytes: the same maps, programs and globals built
	 * without kfuncs (-DLS_NO_KFUNC), opened instead under --btf (the
	 * kernel has no BTF of its own to resolve kfuncs against); NULL for
	 * a family that calls none */
	const void *(*nokf_elf)(size_t *sz);
};

#define FAMILY_SKEL_FNS_(F)							\
	static int F##_skel_create_(void *o)					\
	{									\
		return F##_bpf__create_skeleton(o);				\
	}									\
	static void F##_skel_destroy_(void *o)					\
	{									\
		F##_bpf__destroy(o);						\
	}									\
	static struct bpf_object_skeleton *F##_skel_of_(void *o)		\
	{									\
		return ((struct F##_bpf *)o)->skeleton;				\
	}

/* Family F built once (F.skel.h). */
#define FAMILY_SKEL(F)								\
	FAMILY_SKEL_FNS_(F)							\
	static const struct family_skel F##_family_skel = {			\
		sizeof(struct F##_bpf), F##_skel_create_, F##_skel_destroy_,	\
		F##_skel_of_, NULL						\
	}

/* Family F built also without kfuncs (F.skel.h and F_nokf.skel.h). */
#define FAMILY_SKEL_NOKF(F)							\
	FAMILY_SKEL_FNS_(F)							\
	static const void *F##_skel_nokf_(size_t *sz)				\
	{									\
		return F##_nokf_bpf__elf_bytes(sz);				\
	}									\
	static const struct family_skel F##_family_skel = {			\
		sizeof(struct F##_bpf), F##_skel_create_, F##_skel_destroy_,	\
		F##_skel_of_, F##_skel_nokf_					\
	}

/* -p into a family's rodata: every family has filter_npids and
 * filter_pids, as long as the command line's list. */
#define FAMILY_SET_PIDS(rodata, o)						\
	do {									\
		_Static_assert(sizeof((rodata)->filter_pids) == sizeof((o)->pids), \
			       "one -p list for every family");			\
		(rodata)->filter_npids = (o)->npids;				\
		memcpy((void *)(rodata)->filter_pids, (o)->pids, sizeof((o)->pids)); \
	} while (0)

struct family_spec {
	const struct family_skel *skel;
	/* Between open and load: rodata, map sizes, which programs load or
	 * are attached by hand (NULL: nothing). c->priv is the collector's
	 * own state. 0, or a negative errno with the reason in c->status. */
	int (*setup)(struct collector *c, void *obj, const struct options *o);
	/* The status when a program that must run does not attach:
	 * "cannot attach <attach_what>: <why>" */
	const char *attach_what;
};

/* A program attached by family_attach apart from the skeleton's others. */
struct family_prog {
	struct bpf_program *prog;
	/* the family runs without it; optional programs of one group (> 0)
	 * are on together or not at all */
	bool optional;
	unsigned group;
	/* out: 0 when it is attached (its link is the skeleton's), else a
	 * negative errno: its own failure, or -ECANCELED for one of a group
	 * that another program of the group kept off */
	int err;
};

/* c->status = "<what>: <why err is>" (what from fmt); returns err. */
int family_fail(struct collector *c, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Opens f's skeleton (its build without kfuncs under --btf), runs
 * f->setup and loads it. The object, or NULL with *err set and the reason
 * in c->status ("cannot open BPF object: ...", "cannot load: ...", or
 * setup's); nothing is left to free then. */
void *family_load(struct collector *c, const struct family_spec *f, const struct options *o,
		  int *err);

/* Attaches every program of obj that loaded and is to be attached
 * (autoattach), then progs[0..n) one by one, their links kept in the
 * skeleton (freed with it). A program that must run and does not attach
 * stops it: a negative errno, the reason in c->status. An optional one
 * that does not attach stays off, its group with it, and says why in its
 * err; 0 then. */
int family_attach(struct collector *c, const struct family_spec *f, void *obj,
		  struct family_prog *progs, size_t n);

/* Attaches progs[0..n) of skeleton s alone: the optional ones (and groups)
 * that fail stay off, as above; returns the error of the first required
 * one that fails (the others are not tried), else 0. */
int family_attach_progs(struct bpf_object_skeleton *s, struct family_prog *progs, size_t n);

/* progs[0..n), programs for the shared hooks (collect/hooks.h) left
 * unattached at load, into slots[0..n) of the hooks' head for syscall
 * numbers nrs[0..nnr): all of them, or when there is no head or it refuses
 * one, none, and they are attached on their own (family_attach_progs).
 * *joined says which; the return is family_attach_progs's. */
int family_hook_progs(struct bpf_object_skeleton *s, struct family_prog *progs,
		      const int *slots, size_t n, const long *nrs, int nnr, bool *joined);

/* family_load, then family_attach of all its programs to be attached (a
 * family with programs of its own to attach calls the two); NULL as
 * family_load. */
void *family_start(struct collector *c, const struct family_spec *f, const struct options *o,
		   int *err);

#endif
