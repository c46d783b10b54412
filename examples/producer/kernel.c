// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for vmlinux: the version table as the kernel emits it, plus the
 * banner that identifies a kernel. Built for many targets by CMakeLists.txt.
 */
#include <lucompat/liveupdate_versions.h>

#ifndef EXAMPLE_NO_TABLE
LUCOMPAT_LIVEUPDATE_TABLE_HEADER();
#define X(name, compatible) LUCOMPAT_LIVEUPDATE_VERSION(name, compatible);
#ifndef EXAMPLE_TABLE
#define EXAMPLE_TABLE "kernel_table.def"
#endif
#include EXAMPLE_TABLE
#undef X
#endif

/* Kernels since 6.1 carry a weak placeholder banner before the real one. */
__attribute__((used)) const char linux_banner_placeholder[] =
	"Linux version " EXAMPLE_RELEASE " (lucompat@example) (clang) # \n";
__attribute__((used)) const char linux_banner[] =
	"Linux version " EXAMPLE_RELEASE " (lucompat@example) (clang) #1 SMP Fri Nov 27 00:00:00 UTC 2026\n";

void _start(void) {}
