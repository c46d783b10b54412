// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A stand-in for vmlinux: the version table as the kernel emits it, plus the
 * banner that identifies a kernel. Built for many targets by CMakeLists.txt.
 */
#include <lucompat/liveupdate_versions.h>

#ifndef EXAMPLE_NO_TABLE
#ifdef EXAMPLE_FORMAT_VERSION
LUCOMPAT_LIVEUPDATE_TABLE_HEADER_VERSION(EXAMPLE_FORMAT_VERSION);
#else
LUCOMPAT_LIVEUPDATE_TABLE_HEADER();
#endif
#define X(name, compatible) LUCOMPAT_LIVEUPDATE_VERSION(name, compatible);
#define XI(name, component, version) LUCOMPAT_LIVEUPDATE_INTEGER_VERSION(name, component, version);
#ifndef EXAMPLE_TABLE
#define EXAMPLE_TABLE "kernel_table.def"
#endif
#include EXAMPLE_TABLE
#undef XI
#undef X
#endif

/* Kernels since 6.1 carry a weak placeholder banner before the real one. */
__attribute__((used)) const char linux_banner_placeholder[] =
	"Linux version " EXAMPLE_RELEASE " (lucompat@example) (clang) # \n";
__attribute__((used)) const char linux_banner[] =
	"Linux version " EXAMPLE_RELEASE " (lucompat@example) (clang) #1 SMP Fri Nov 27 00:00:00 UTC 2026\n";

void _start(void) {}
