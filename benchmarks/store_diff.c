/* The diff of two versions of one store that differ by 10 changes, natively (issue: diff): median of
 * ags_store_diff on the 2.2 MB benchmark state; then ags_diff of the two versions as JSON texts (the
 * independent pair: nothing shared but the bytes). */
#include <stdint.h>
#include <time.h>
#include "agstate.h"
#include "state_gen.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    size_t len = 0;
    long items = 0;
    char *json = make_state((size_t)2200 * 1000, &len, &items);
    ags_store *store = NULL;
    if (ags_store_open(json, len, &store) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
    /* The text of version 0 as the engine writes it, so that the two texts differ by the 10 changes only. */
    char *original = NULL;
    size_t original_len = 0;
    if (ags_store_export(store, 0, &original, &original_len) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
    char ptr[96];
    for (int k = 0; k < 10; k++) {
        snprintf(ptr, sizeof ptr, "/items/item%ld/meta/score", (long)(k * 997 % items));
        ags_store_set(store, ptr, AGS_NTS, "-1", 2, NULL, NULL);
    }
    double samples[2000];
    for (int i = 0; i < 2000; i++) {
        char *out = NULL;
        double t0 = now_ns();
        if (ags_store_diff(store, 0, 10, 0, &out, NULL) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
        samples[i] = now_ns() - t0;
        ags_free(out);
    }
    qsort(samples, 2000, sizeof *samples, compare);
    printf("ags_store_diff(0, 10) natively on a %.1f MB state, 10 changes: median %.1f us\n", len / 1e6, samples[1000] / 1e3);
    char *changed = NULL;
    size_t changed_len = 0;
    if (ags_store_export(store, 0, &changed, &changed_len) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
    for (int i = 0; i < 200; i++) {
        char *out = NULL;
        double t0 = now_ns();
        if (ags_diff(original, original_len, changed, changed_len, NULL, &out, NULL) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
        samples[i] = now_ns() - t0;
        ags_free(out);
    }
    qsort(samples, 200, sizeof *samples, compare);
    printf("ags_diff natively on the two states as JSON texts (%.1f MB each): median %.2f ms\n", original_len / 1e6, samples[100] / 1e6);
    ags_free(changed);
    ags_free(original);
    ags_store_close(store);
    free(json);
    return 0;
}
