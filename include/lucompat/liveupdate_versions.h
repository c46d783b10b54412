/* SPDX-License-Identifier: GPL-2.0-or-later OR MIT */
/*
 * Emit a live-update version table the way the kernel does, from C or C++,
 * for any target (the kernel's RFC "liveupdate: list all file handler
 * versions in vmlinux section"):
 *
 *   - LUCOMPAT_LIVEUPDATE_TABLE_HEADER() places the 8-byte header
 *     { u32 magic 0x4c565550, u32 format version 1 }, in the target's byte
 *     order, in the input section ".liveupdate_sec_hdr";
 *   - LUCOMPAT_LIVEUPDATE_VERSION(name, "memfd-v1") places one 48-byte,
 *     NUL-terminated, zero-padded entry in ".liveupdate_versions";
 *   - LUCOMPAT_LIVEUPDATE_SUB_COMPAT("vmalloc-v1") appends a component to a
 *     compatible string, as upstream's KHO_SUB_COMPAT proposal does:
 *     LUCOMPAT_LIVEUPDATE_VERSION(memfd, "memfd-v2"
 *     LUCOMPAT_LIVEUPDATE_SUB_COMPAT("vmalloc-v1")) is "memfd-v2;vmalloc-v1",
 *     which a kernel reads only if it reads every component;
 *   - LUCOMPAT_LIVEUPDATE_INTEGER_VERSION(name, "pci", 2) places a format-2
 *     integer-version entry (upstream's "name + integer version" proposal):
 *     tag 1, three zero bytes, a u32 version, then the name in 40 bytes. A
 *     table holding one needs LUCOMPAT_LIVEUPDATE_TABLE_HEADER_VERSION(2).
 *
 * A final link with liveupdate_versions.lds (beside this header) puts the
 * header first and the entries after it in one output section. Without it
 * (relocatable objects, modules) the two sections stay apart, and a module
 * carries entries only: the header belongs to vmlinux.
 *
 * Entries keep their source order only if the compiler keeps it: GCC needs
 * -fno-toplevel-reorder; clang keeps it by default.
 *
 * This header includes nothing, so it also builds freestanding and for
 * cross targets without a sysroot.
 */
#ifndef LUCOMPAT_LIVEUPDATE_VERSIONS_H
#define LUCOMPAT_LIVEUPDATE_VERSIONS_H

#define LUCOMPAT_LIVEUPDATE_MAGIC 0x4c565550u /* "LVUP" read as a big-endian u32 */
#define LUCOMPAT_LIVEUPDATE_FORMAT_VERSION 1u
#define LUCOMPAT_LIVEUPDATE_ENTRY_SIZE 48
#define LUCOMPAT_LIVEUPDATE_INTEGER_TAG 1
#define LUCOMPAT_LIVEUPDATE_INTEGER_NAME_SIZE 40

/* unsigned int is 32 bits on every Linux target. */
struct lucompat_liveupdate_versions_hdr {
	unsigned int magic;
	unsigned int version;
};

#ifdef __cplusplus
#define LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(sizeof(struct lucompat_liveupdate_versions_hdr) == 8,
				  "the table header is two 32-bit words");

/* One integer-version entry: the same 48 bytes as a string entry. */
struct lucompat_liveupdate_integer_version {
	unsigned char tag; /* LUCOMPAT_LIVEUPDATE_INTEGER_TAG: no string starts with it */
	unsigned char reserved[3];
	unsigned int version;
	char name[LUCOMPAT_LIVEUPDATE_INTEGER_NAME_SIZE];
};

LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(sizeof(struct lucompat_liveupdate_integer_version) ==
					  LUCOMPAT_LIVEUPDATE_ENTRY_SIZE,
				  "an integer-version entry fills one 48-byte slot");

#define LUCOMPAT_LIVEUPDATE_TABLE_HEADER_VERSION(format_version)                        \
	__attribute__((used, section(".liveupdate_sec_hdr"), aligned(8))) static const   \
	struct lucompat_liveupdate_versions_hdr lucompat_liveupdate_versions_hdr = {     \
		LUCOMPAT_LIVEUPDATE_MAGIC, (format_version) }

#define LUCOMPAT_LIVEUPDATE_TABLE_HEADER()                                              \
	LUCOMPAT_LIVEUPDATE_TABLE_HEADER_VERSION(LUCOMPAT_LIVEUPDATE_FORMAT_VERSION)

#define LUCOMPAT_LIVEUPDATE_SUB_COMPAT(component) ";" component

/*
 * sizeof a string literal counts its NUL, so this rejects a string that would
 * fill all 48 bytes and silently lose its terminator.
 */
#define LUCOMPAT_LIVEUPDATE_VERSION(name, compatible)                                   \
	LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(sizeof(compatible) <= LUCOMPAT_LIVEUPDATE_ENTRY_SIZE, \
					  "compatible string longer than 47 characters");     \
	__attribute__((used, section(".liveupdate_versions"), aligned(1))) static const  \
	char lucompat_liveupdate_version_##name[LUCOMPAT_LIVEUPDATE_ENTRY_SIZE] = compatible

/*
 * Aligned to 4 for its u32; every entry is 48 bytes, so the linker never pads
 * between entries of either kind.
 */
#define LUCOMPAT_LIVEUPDATE_INTEGER_VERSION(name, component, number)                   \
	LUCOMPAT_LIVEUPDATE_STATIC_ASSERT(sizeof(component) <=                             \
						  LUCOMPAT_LIVEUPDATE_INTEGER_NAME_SIZE,       \
					  "integer-version name longer than 39 characters");  \
	LUCOMPAT_LIVEUPDATE_STATIC_ASSERT((number) >= 1, "integer versions start at 1");   \
	__attribute__((used, section(".liveupdate_versions"), aligned(4))) static const  \
	struct lucompat_liveupdate_integer_version lucompat_liveupdate_version_##name = { \
		LUCOMPAT_LIVEUPDATE_INTEGER_TAG, { 0, 0, 0 }, (number), component }

#endif /* LUCOMPAT_LIVEUPDATE_VERSIONS_H */
