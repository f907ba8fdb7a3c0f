/* The saved user registers of a syscall, read at the raw syscall
 * tracepoints (whose args[0] is an untyped struct pt_regs pointer): plain
 * loads where the kernel allows them, probe reads before. Shared by every
 * family that looks at syscall arguments (x86-64 register names). */
#ifndef LATSCOPE_REGS_H
#define LATSCOPE_REGS_H

/* Direct loads instead of probe reads on the hot path. bpf_rdonly_cast
 * (a kfunc the verifier turns into a register move) marks a pointer
 * untrusted: plain loads through it become fault-safe loads, about 1 ns
 * where a bpf_probe_read_kernel helper call costs 20-25. It can cast to a
 * kernel struct (6.2+) or to raw memory (BPF_FEAT_RDONLY_CAST_TO_VOID,
 * 6.17+); on older kernels the constant below is 0, the verifier drops the
 * branch and the probe reads run. */
#ifdef LS_NO_KFUNC
/* Built for kernels without BTF of their own (--btf): no kfunc can be
 * resolved there, so none is named. */
#define HAVE_DIRECT_LOADS 0
#define bpf_rdonly_cast(p, id) ((void *)0)
#else
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#define HAVE_DIRECT_LOADS \
	bpf_core_enum_value_exists(enum bpf_features, BPF_FEAT_RDONLY_CAST_TO_VOID)
#endif

/* The saved user registers of a syscall (a raw tracepoint's untyped
 * args[0]) as a pointer plain loads may read. */
static __always_inline struct pt_regs *syscall_regs(__u64 arg)
{
	if (HAVE_DIRECT_LOADS)
		return bpf_rdonly_cast((void *)arg, bpf_core_type_id_kernel(struct pt_regs));
	return 0;
}

/* Register f of the saved registers at args[0] of the raw syscall
 * tracepoints: a plain load where allowed, else a probe read. */
#define REGS_FIELD(arg, f) ({							\
	struct pt_regs *r_ = syscall_regs(arg);					\
	r_ ? r_->f : BPF_CORE_READ((struct pt_regs *)(arg), f);		\
})

/* A syscall's number, first, second and third arguments (x86-64). */
#define regs_nr(arg) ((long)REGS_FIELD(arg, orig_ax))
#define regs_arg1(arg) ((unsigned long)REGS_FIELD(arg, di))
#define regs_arg2(arg) ((unsigned long)REGS_FIELD(arg, si))
#define regs_arg3(arg) ((unsigned long)REGS_FIELD(arg, dx))

#endif
