/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lucompat's C API: read a kernel artifact's live-update version table and
 * identity, check a live update, select a profile. For VMMs and agents that
 * want the answer in-process (QEMU in C; Rust VMMs through bindgen).
 *
 * Conventions:
 * - Handles are opaque; each has a free function, and free(NULL) is a no-op.
 * - Functions that can fail return an lucompat_status: LUCOMPAT_OK, or an
 *   error code; lucompat_last_error() then describes it (the message is
 *   per thread, valid until the thread's next failing call).
 * - Strings returned by getters belong to their handle and live as long as
 *   it does. A getter returns NULL for what is not known (a release, a
 *   banner, a chosen string), never an empty string in its place; NULL too
 *   for a NULL handle or an index out of range, and counts are then 0.
 * - No C++ exception crosses this boundary. Independent handles may be used
 *   from different threads at once; one handle must not be used by two
 *   threads at the same time.
 */
#ifndef LUCOMPAT_LUCOMPAT_H
#define LUCOMPAT_LUCOMPAT_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lucompat_status {
	LUCOMPAT_OK = 0,
	LUCOMPAT_ERR_USAGE = 2,    /* a bad argument or option: as exit code 2 */
	LUCOMPAT_ERR_INPUT = 3,    /* an input is unreadable, malformed or unsupported */
	LUCOMPAT_ERR_NOMEM = 12,   /* out of memory */
	LUCOMPAT_ERR_INTERNAL = 70 /* a bug in lucompat */
} lucompat_status;

/* The verdict of a check, or of one family; values as the CLI's exit codes. */
typedef enum lucompat_verdict {
	LUCOMPAT_COMPATIBLE = 0,
	LUCOMPAT_INCOMPATIBLE = 1,
	LUCOMPAT_UNDECIDED = 4,
	LUCOMPAT_WARNING = 5, /* compatible, but an optional family will not be restored */
	LUCOMPAT_NOT_USED = 6, /* a family present but not in use (families only) */
	LUCOMPAT_NOT_PRESERVABLE = 7 /* in use, but the running kernel cannot preserve it, so it is
	                                not handed over (families only) */
} lucompat_verdict;

const char *lucompat_version(void);
const char *lucompat_last_error(void);

/* ---- Inspecting an artifact ---------------------------------------------- */

typedef struct lucompat_image lucompat_image;

/* Any artifact `lucompat inspect` reads, except directories and packages,
 * searched as `lucompat inspect` searches it: for the core and subtree
 * families of the shipped catalog and of the site's (/etc/lucompat/catalog.d). */
lucompat_status lucompat_image_open(const char *path, lucompat_image **out);
/* The same with the site's catalog of the system under `root` (NULL: "/"),
 * then the `count` catalog files in `catalogs` (NULL when count is 0), as
 * `lucompat inspect --root ROOT --catalog FILE...` reads them. A catalog
 * that cannot be read fails the call as it fails lucompat_check, before the
 * image is read. */
lucompat_status lucompat_image_open_with_catalog(const char *path, const char *root,
                                                 const char *const *catalogs, size_t count,
                                                 lucompat_image **out);
void lucompat_image_free(lucompat_image *image);

const char *lucompat_image_format(const lucompat_image *image);   /* "x86 bzImage ▸ xz ▸ ELF64 ..." */
const char *lucompat_image_release(const lucompat_image *image);  /* NULL when unknown */
const char *lucompat_image_banner(const lucompat_image *image);   /* NULL when unknown */
const char *lucompat_image_build_id(const lucompat_image *image); /* NULL when unknown */
const char *lucompat_image_arch(const lucompat_image *image);     /* NULL when unknown */
int lucompat_image_has_table(const lucompat_image *image);
size_t lucompat_image_entry_count(const lucompat_image *image);
const char *lucompat_image_entry(const lucompat_image *image, size_t index);

/* ---- Checking an update --------------------------------------------------- */

typedef struct lucompat_check_options lucompat_check_options;
typedef struct lucompat_check_result lucompat_check_result;

lucompat_check_options *lucompat_check_options_new(void);
void lucompat_check_options_free(lucompat_check_options *options);
/* "running" (the default) or an image path. */
lucompat_status lucompat_check_options_set_current(lucompat_check_options *options, const char *path);
/* An image or a .deb/.rpm package: required. */
lucompat_status lucompat_check_options_set_next(lucompat_check_options *options, const char *path);
/* Read /proc, /boot, /lib/modules and /etc under this directory. */
lucompat_status lucompat_check_options_set_root(lucompat_check_options *options, const char *dir);
lucompat_status lucompat_check_options_set_modules(lucompat_check_options *options, int join_default_trees);
lucompat_status lucompat_check_options_add_uses(lucompat_check_options *options, const char *family);
lucompat_status lucompat_check_options_add_pid(lucompat_check_options *options, int pid);
lucompat_status lucompat_check_options_add_emit(lucompat_check_options *options, const char *family,
						const char *compatible);
lucompat_status lucompat_check_options_add_catalog(lucompat_check_options *options, const char *file);
lucompat_status lucompat_check_options_add_profiles(lucompat_check_options *options, const char *file);
lucompat_status lucompat_check_options_set_profile(lucompat_check_options *options, const char *name);
lucompat_status lucompat_check_options_set_strict(lucompat_check_options *options, int strict);

lucompat_status lucompat_check(const lucompat_check_options *options, lucompat_check_result **out);
void lucompat_check_result_free(lucompat_check_result *result);

lucompat_verdict lucompat_check_verdict(const lucompat_check_result *result);
const char *lucompat_check_summary(const lucompat_check_result *result);
size_t lucompat_check_family_count(const lucompat_check_result *result);
const char *lucompat_check_family_name(const lucompat_check_result *result, size_t index);
lucompat_verdict lucompat_check_family_verdict(const lucompat_check_result *result, size_t index);
const char *lucompat_check_family_chosen(const lucompat_check_result *result, size_t index); /* NULL if unknown */
size_t lucompat_check_family_reason_count(const lucompat_check_result *result, size_t index);
const char *lucompat_check_family_reason(const lucompat_check_result *result, size_t index, size_t reason);
/* The reason's code, as JSON's reason_details give it ("not_read"): stable where the words are not. */
const char *lucompat_check_family_reason_code(const lucompat_check_result *result, size_t index, size_t reason);
/* What decides the whole update before any family, as JSON's update and update_details give it:
 * a kernel without LUO ("next_without_luo"), LUO off on a command line ("luo_disabled"), a
 * kernel whose evidence cannot support a verdict ("kernel_undecided", with
 * lucompat_check_update_reason_cause: "not_searched", "incomplete", ...). NULL out of range,
 * and for a cause a reason has none of. */
size_t lucompat_check_update_reason_count(const lucompat_check_result *result);
const char *lucompat_check_update_reason(const lucompat_check_result *result, size_t reason);
const char *lucompat_check_update_reason_code(const lucompat_check_result *result, size_t reason);
const char *lucompat_check_update_reason_cause(const lucompat_check_result *result, size_t reason);

/* ---- Selecting a profile -------------------------------------------------- */

typedef struct lucompat_selection lucompat_selection;

/* The same options as a check (current, next, profiles); the profile option is ignored. */
lucompat_status lucompat_profile_select(const lucompat_check_options *options, lucompat_selection **out);
void lucompat_selection_free(lucompat_selection *selection);

const char *lucompat_selection_selected(const lucompat_selection *selection); /* NULL: none viable */
size_t lucompat_selection_count(const lucompat_selection *selection);
const char *lucompat_selection_name(const lucompat_selection *selection, size_t index);
int lucompat_selection_viable(const lucompat_selection *selection, size_t index);

#ifdef __cplusplus
}
#endif

#endif /* LUCOMPAT_LUCOMPAT_H */
