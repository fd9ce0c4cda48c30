/*
 * Runs a json-patch-tests file through the C API: argv[1] is the file, argv[2] the number of runnable
 * records it must pass. The file has records with duplicate "op" members (disabled there), so it is read
 * with AGS_JSON_ALLOW_DUPLICATES; each patch is then applied from its own strict text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) { free(data); data = NULL; }
    fclose(f);
    *len = (size_t)size;
    return data;
}

/* The member `name` of record `index`, as JSON text, or NULL when the record has no such member. */
static char *member(const char *all, size_t all_len, int index, const char *name) {
    char ptr[64];
    snprintf(ptr, sizeof ptr, "/%d%s%s", index, *name ? "/" : "", name);
    char *out = NULL;
    return ags_pointer_get(all, all_len, ptr, AGS_NTS, 0, &out, NULL) == AGS_OK ? out : NULL;
}

int main(int argc, char **argv) {
    if (argc != 3) { fprintf(stderr, "usage: %s FILE RUNNABLE\n", argv[0]); return 2; }
    size_t raw_len = 0;
    char *raw = read_file(argv[1], &raw_len);
    if (!raw) { fprintf(stderr, "cannot read %s\n", argv[1]); return 2; }
    char *all = NULL;
    size_t all_len = 0;
    if (ags_json_format(raw, raw_len, AGS_JSON_ALLOW_DUPLICATES, &all, &all_len) != AGS_OK) {
        fprintf(stderr, "cannot parse %s: %s\n", argv[1], ags_errlast()->message);
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    for (int i = 0;; i++) {
        char *record = member(all, all_len, i, "");
        if (!record) break;
        ags_free(record);
        char *doc = member(all, all_len, i, "doc"), *patch = member(all, all_len, i, "patch");
        char *disabled = member(all, all_len, i, "disabled"), *expected = member(all, all_len, i, "expected");
        char *comment = member(all, all_len, i, "comment");
        if (!doc || !patch || (disabled && strcmp(disabled, "true") == 0)) {
            skipped++;
        } else {
            char *result = NULL;
            ags_status rc = ags_patch_apply(doc, AGS_NTS, patch, AGS_NTS, 0, &result, NULL);
            int ok;
            if (expected) {
                int equal = 0;
                ok = rc == AGS_OK && ags_json_equal(result, AGS_NTS, expected, AGS_NTS, &equal) == AGS_OK && equal;
            } else {
                ok = rc != AGS_OK && result == NULL; /* a failed call writes no output */
            }
            if (ok) passed++; else {
                failed++;
                fprintf(stderr, "FAIL #%d %s: %s\n", i, comment ? comment : "", rc ? ags_errlast()->message : result);
            }
            ags_free(result);
        }
        ags_free(doc); ags_free(patch); ags_free(disabled); ags_free(expected); ags_free(comment);
    }
    int runnable = atoi(argv[2]);
    printf("%s: %d passed, %d failed (%d records skipped: comment-only or disabled)\n", argv[1], passed, failed, skipped);
    ags_free(all);
    free(raw);
    return (failed == 0 && passed == runnable) ? 0 : 1;
}
