// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for a kernel module (.ko) whose handlers declare their versions:
 * entries only, since the table header belongs to vmlinux.
 */
#include <lucompat/liveupdate_versions.h>

#define X(name, compatible) LUCOMPAT_LIVEUPDATE_VERSION(name, compatible);
#define XI(name, component, version) LUCOMPAT_LIVEUPDATE_INTEGER_VERSION(name, component, version);
#ifndef EXAMPLE_TABLE
#define EXAMPLE_TABLE "module_table.def"
#endif
#include EXAMPLE_TABLE
#undef XI
#undef X

#define MODINFO(tag, text) \
	__attribute__((used, section(".modinfo"), aligned(1))) static const char modinfo_##tag[] = text

MODINFO(name, "name=lucompat_example");
MODINFO(license, "license=GPL");
MODINFO(vermagic, "vermagic=" EXAMPLE_RELEASE " SMP mod_unload ");
