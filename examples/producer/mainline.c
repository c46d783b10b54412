// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for a mainline Live Update Orchestrator kernel or module: no
 * version table, but file handler and FLB objects in mainline's layout
 * (include/linux/liveupdate.h, member for member), each with its ops in
 * read-only data, and (in a kernel) the core ABI strings as literals. The
 * objects are listed in mainline_handlers.def, mainline_flbs.def and
 * mainline_core.def, which the tests read for the expected answers.
 */
#define COMPAT_LENGTH 48

struct list_head {
	struct list_head *next, *prev;
};
struct module {
	long state;
};
struct file;
struct liveupdate_file_handler;
struct liveupdate_file_op_args;
struct liveupdate_flb_op_args;

struct liveupdate_file_ops {
	_Bool (*can_preserve)(struct liveupdate_file_handler *handler, struct file *file);
	int (*preserve)(struct liveupdate_file_op_args *args);
	void (*unpreserve)(struct liveupdate_file_op_args *args);
	int (*freeze)(struct liveupdate_file_op_args *args);
	void (*unfreeze)(struct liveupdate_file_op_args *args);
	int (*retrieve)(struct liveupdate_file_op_args *args);
	_Bool (*can_finish)(struct liveupdate_file_op_args *args);
	void (*finish)(struct liveupdate_file_op_args *args);
	unsigned long (*get_id)(struct file *file);
	struct module *owner;
};

struct liveupdate_file_handler {
	const struct liveupdate_file_ops *ops;
	const char compatible[COMPAT_LENGTH];
	struct list_head list;
	struct list_head flb_list;
};

struct liveupdate_flb_ops {
	int (*preserve)(struct liveupdate_flb_op_args *argp);
	void (*unpreserve)(struct liveupdate_flb_op_args *argp);
	int (*retrieve)(struct liveupdate_flb_op_args *argp);
	void (*finish)(struct liveupdate_flb_op_args *argp);
	struct module *owner;
};

/* The FLB's private state; its mutex stands in as an opaque word array. */
struct luo_flb_private_state {
	long count;
	unsigned long long data;
	void *obj;
	long lock[4];
	_Bool finished;
	_Bool retrieved;
};

struct luo_flb_private {
	struct list_head list;
	struct luo_flb_private_state outgoing;
	struct luo_flb_private_state incoming;
	int users;
	_Bool initialized;
};

struct liveupdate_flb {
	const struct liveupdate_flb_ops *ops;
	const char compatible[COMPAT_LENGTH];
	struct luo_flb_private private;
};

#ifdef EXAMPLE_MODULE
__attribute__((section(".gnu.linkonce.this_module"))) struct module __this_module;
#define THIS_MODULE (&__this_module)
#define MODINFO(tag, text) \
	__attribute__((used, section(".modinfo"), aligned(1))) static const char modinfo_##tag[] = text
MODINFO(name, "name=lucompat_mainline");
MODINFO(license, "license=GPL");
MODINFO(vermagic, "vermagic=" EXAMPLE_RELEASE " SMP mod_unload ");
#else
#define THIS_MODULE ((struct module *)0)
#endif

__attribute__((noinline)) static _Bool stub_can_preserve(struct liveupdate_file_handler *h, struct file *f)
{
	return h != 0 && f != 0;
}
__attribute__((noinline)) static int stub_preserve(struct liveupdate_file_op_args *a) { return a != 0; }
__attribute__((noinline)) static void stub_unpreserve(struct liveupdate_file_op_args *a) { (void)a; }
__attribute__((noinline)) static int stub_retrieve(struct liveupdate_file_op_args *a) { return a == 0; }
__attribute__((noinline)) static void stub_finish(struct liveupdate_file_op_args *a) { (void)a; }
__attribute__((noinline)) static int stub_flb_preserve(struct liveupdate_flb_op_args *a) { return a != 0; }
__attribute__((noinline)) static void stub_flb_unpreserve(struct liveupdate_flb_op_args *a) { (void)a; }
__attribute__((noinline)) static int stub_flb_retrieve(struct liveupdate_flb_op_args *a) { return a == 0; }
__attribute__((noinline)) static void stub_flb_finish(struct liveupdate_flb_op_args *a) { (void)a; }

#define HANDLER(sym, compat)                                                \
	static const struct liveupdate_file_ops sym##_ops = {               \
		.can_preserve = stub_can_preserve,                          \
		.preserve = stub_preserve,                                  \
		.unpreserve = stub_unpreserve,                              \
		.retrieve = stub_retrieve,                                  \
		.finish = stub_finish,                                      \
		.owner = THIS_MODULE,                                       \
	};                                                                  \
	__attribute__((used)) static struct liveupdate_file_handler sym = { \
		.ops = &sym##_ops,                                          \
		.compatible = compat,                                       \
	};
#define FLB(sym, compat)                                          \
	__attribute__((used)) static struct liveupdate_flb sym = { \
		.ops = &example_flb_ops,                          \
		.compatible = compat,                             \
	};

static const struct liveupdate_flb_ops example_flb_ops = {
	.preserve = stub_flb_preserve,
	.unpreserve = stub_flb_unpreserve,
	.retrieve = stub_flb_retrieve,
	.finish = stub_flb_finish,
	.owner = THIS_MODULE,
};

#define X HANDLER
#include "mainline_handlers.def"
#undef X
#define X FLB
#include "mainline_flbs.def"
#undef X

/*
 * Registration, as a kernel's initcalls and a module's init do it: an object
 * nothing refers to was never registered, and a scan must not count it.
 * Every FLB is attached to the first handler.
 */
#ifdef EXAMPLE_MODULE
int liveupdate_register_file_handler(struct liveupdate_file_handler *fh);
int liveupdate_register_flb(struct liveupdate_file_handler *fh, struct liveupdate_flb *flb);
#else
__attribute__((noinline)) int liveupdate_register_file_handler(struct liveupdate_file_handler *fh)
{
	return fh->ops == 0;
}
__attribute__((noinline)) int liveupdate_register_flb(struct liveupdate_file_handler *fh,
						      struct liveupdate_flb *flb)
{
	return fh == 0 || flb == 0;
}
#endif

__attribute__((used)) int example_luo_init(void)
{
	struct liveupdate_file_handler *first = 0;
	int err = 0;
#define X(sym, compat)                                     \
	err |= liveupdate_register_file_handler(&sym); \
	if (!first)                                        \
		first = &sym;
#include "mainline_handlers.def"
#undef X
#define X(sym, compat) err |= liveupdate_register_flb(first, &sym);
#include "mainline_flbs.def"
#undef X
	return err;
}

#ifndef EXAMPLE_MODULE
/* The core ABI strings LUO writes into its FDT: literals in read-only data. */
#define X(s) s,
__attribute__((used)) static const char *const core_strings[] = {
#include "mainline_core.def"
};
#undef X

/* A core string no shipped catalog family names: only a site's catalog that
 * declares its family finds it (e2e.check). */
__attribute__((used)) static const char site_core_string[] = "acme-handover-v7";

__attribute__((used)) const char linux_banner[] =
	"Linux version " EXAMPLE_RELEASE " (lucompat@example) (clang) #1 SMP Fri Nov 27 00:00:00 UTC 2026\n";

void _start(void) {}
#endif
