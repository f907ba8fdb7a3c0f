/* The lifecycle steps every family's collector shares (family.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <bpf/libbpf.h>
#include "collect/bpf_util.h"
#include "collect/collector.h"
#include "collect/family.h"
#include "collect/hooks.h"

int family_fail(struct collector *c, int err, const char *fmt, ...)
{
	char why[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->status, sizeof(c->status), fmt, ap);
	va_end(ap);
	/* the reason after it, as far as it fits */
	if (n >= 0 && (size_t)n < sizeof(c->status))
		snprintf(c->status + n, sizeof(c->status) - (size_t)n, ": %s",
			 bpf_util_strerror(err, why, sizeof(why)));
	return err;
}

/* The skeleton made and its object opened: the build without kfuncs when
 * --btf gave the BTF. NULL with *err set. */
static void *skel_open(const struct family_skel *k, int *err)
{
	void *obj = calloc(1, k->size);
	int e = obj ? k->create(obj) : -ENOMEM;

	if (!e && k->nokf_elf && bpf_util_custom_btf()) {
		struct bpf_object_skeleton *s = k->skeleton(obj);

		s->data = k->nokf_elf(&s->data_sz);
	}
	if (!e)
		e = bpf_object__open_skeleton(k->skeleton(obj), bpf_util_open_opts());
	if (e) {
		k->destroy(obj);
		*err = e;
		return NULL;
	}
	return obj;
}

void *family_load(struct collector *c, const struct family_spec *f, const struct options *o,
		  int *err)
{
	void *obj = skel_open(f->skel, err);

	if (!obj) {
		family_fail(c, *err, "cannot open BPF object");
		return NULL;
	}
	if (f->setup && (*err = f->setup(c, obj, o)))
		goto fail;
	if ((*err = bpf_object__load_skeleton(f->skel->skeleton(obj)))) {
		family_fail(c, *err, "cannot load");
		goto fail;
	}
	return obj;
fail:
	f->skel->destroy(obj);
	return NULL;
}

static struct bpf_link **link_slot(struct bpf_object_skeleton *s, const struct bpf_program *prog)
{
	for (int i = 0; i < s->prog_cnt; i++) {
		struct bpf_prog_skeleton *ps = (void *)((char *)s->progs + (size_t)i * s->prog_skel_sz);

		if (*ps->prog == prog)
			return ps->link;
	}
	return NULL;
}

static int attach_one(struct bpf_object_skeleton *s, struct family_prog *fp)
{
	struct bpf_link **slot = link_slot(s, fp->prog);
	struct bpf_link *l;

	if (!slot)
		return -ENOENT;
	if (*slot)
		return 0;
	l = bpf_program__attach(fp->prog);
	if (!l)
		return -errno;
	*slot = l;
	return 0;
}

/* The optional programs of a group one of which stayed off go off too. */
static void groups_settle(struct bpf_object_skeleton *s, struct family_prog *progs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!progs[i].optional || !progs[i].group || !progs[i].err)
			continue;
		for (size_t j = 0; j < n; j++) {
			struct bpf_link **slot;

			if (!progs[j].optional || progs[j].group != progs[i].group || progs[j].err)
				continue;
			slot = link_slot(s, progs[j].prog);
			bpf_link__destroy(*slot);
			*slot = NULL;
			progs[j].err = -ECANCELED;
		}
	}
}

int family_attach_progs(struct bpf_object_skeleton *s, struct family_prog *progs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		progs[i].err = attach_one(s, &progs[i]);
		if (progs[i].err && !progs[i].optional)
			return progs[i].err;
	}
	groups_settle(s, progs, n);
	return 0;
}

int family_attach(struct collector *c, const struct family_spec *f, void *obj,
		  struct family_prog *progs, size_t n)
{
	struct bpf_object_skeleton *s = f->skel->skeleton(obj);
	int err;

	/* the listed ones after the others, one by one */
	for (size_t i = 0; i < n; i++)
		bpf_program__set_autoattach(progs[i].prog, false);
	err = bpf_object__attach_skeleton(s);
	if (!err)
		err = family_attach_progs(s, progs, n);
	if (err)
		return family_fail(c, err, "cannot attach %s", f->attach_what);
	return 0;
}

int family_hook_progs(struct bpf_object_skeleton *s, struct family_prog *progs,
		      const int *slots, size_t n, const long *nrs, int nnr, bool *joined)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (hooks_join((enum hook_slot)slots[i], progs[i].prog, nrs, nnr))
			break;
		progs[i].err = 0;
	}
	*joined = i == n;
	if (*joined)
		return 0;
	/* all on their own: a family's programs on one hook work together */
	while (i--)
		hooks_leave((enum hook_slot)slots[i]);
	return family_attach_progs(s, progs, n);
}

void *family_start(struct collector *c, const struct family_spec *f, const struct options *o,
		   int *err)
{
	void *obj = family_load(c, f, o, err);

	if (obj && (*err = family_attach(c, f, obj, NULL, 0))) {
		f->skel->destroy(obj);
		obj = NULL;
	}
	return obj;
}
