/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Using lucompat from C: print an image's table, or check an update.
 *
 *   lucompat_example inspect IMAGE
 *   lucompat_example check CURRENT NEXT [FAMILY...]
 *
 * Build against an installed lucompat:
 *   cc lucompat_example.c $(pkg-config --cflags --libs lucompat) -o lucompat_example
 */
#include <lucompat/lucompat.h>
#include <stdio.h>
#include <string.h>

static int inspect(const char *path)
{
	lucompat_image *image = NULL;
	if (lucompat_image_open(path, &image) != LUCOMPAT_OK) {
		fprintf(stderr, "error: %s\n", lucompat_last_error());
		return 3;
	}
	const char *release = lucompat_image_release(image); /* NULL when unknown */
	printf("%s: %s, release %s\n", path, lucompat_image_format(image), release ? release : "unknown");
	for (size_t i = 0; i < lucompat_image_entry_count(image); i++)
		printf("  %s\n", lucompat_image_entry(image, i));
	int has_table = lucompat_image_has_table(image);
	lucompat_image_free(image);
	return has_table ? 0 : 4;
}

static int check(const char *current, const char *next, char **families, int count)
{
	lucompat_check_options *options = lucompat_check_options_new();
	lucompat_check_result *result = NULL;
	int rc = 3;
	if (!options || lucompat_check_options_set_current(options, current) != LUCOMPAT_OK ||
	    lucompat_check_options_set_next(options, next) != LUCOMPAT_OK ||
	    lucompat_check_options_set_modules(options, 0) != LUCOMPAT_OK)
		goto out;
	for (int i = 0; i < count; i++)
		if (lucompat_check_options_add_uses(options, families[i]) != LUCOMPAT_OK)
			goto out;
	if (lucompat_check(options, &result) != LUCOMPAT_OK)
		goto out;
	for (size_t i = 0; i < lucompat_check_family_count(result); i++) {
		printf("%s:", lucompat_check_family_name(result, i));
		for (size_t r = 0; r < lucompat_check_family_reason_count(result, i); r++)
			printf(" %s [%s]", lucompat_check_family_reason(result, i, r),
			       lucompat_check_family_reason_code(result, i, r));
		printf("\n");
	}
	printf("%s\n", lucompat_check_summary(result));
	rc = (int)lucompat_check_verdict(result);
	if (rc == LUCOMPAT_WARNING)
		rc = 0;
out:
	if (rc == 3)
		fprintf(stderr, "error: %s\n", lucompat_last_error());
	lucompat_check_result_free(result);
	lucompat_check_options_free(options);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "inspect") == 0)
		return inspect(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "check") == 0)
		return check(argv[2], argv[3], argv + 4, argc - 4);
	fprintf(stderr, "usage: %s inspect IMAGE | check CURRENT NEXT [FAMILY...] (lucompat %s)\n", argv[0],
		lucompat_version());
	return 2;
}
