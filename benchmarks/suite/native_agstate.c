/* agstate natively, on the suite's files: parse and serialize the state, a 1-op patch and the 100-op
 * patch (as JSON text, applied to a store that keeps 1,000 versions of history, full), each a median. Prints
 * one "name microseconds" line per measurement, read by benchmarks/suite/run.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agstate.h"

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return x < y ? -1 : x > y; }

static char *slurp(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(*len + 1);
    if (fread(data, 1, *len, f) != *len) { perror(path); exit(2); }
    fclose(f);
    data[*len] = 0;
    return data;
}

#define ROUNDS 41
static double median(double *t, int n) { qsort(t, (size_t)n, sizeof *t, cmp); return t[n / 2]; }

/* Each patch is measured in steady state, as nlohmann's are measured consecutively: the history is first
 * filled with 1,000 versions of that patch, so that every measured commit also pushes the oldest change
 * out of the history (and frees it), as a long-running store does. */
static double steady_median(ags_store *store, const char *patch, size_t len) {
    for (int i = 0; i < 1000; i++)
        if (ags_store_patch(store, patch, len, NULL, NULL) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
    double t[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        double t0 = now();
        if (ags_store_patch(store, patch, len, NULL, NULL) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
        t[r] = now() - t0;
    }
    return median(t, ROUNDS);
}

static void patches(const char *dir, const char *state_name, const char *label) {
    size_t slen, p1len, p100len;
    char *state = slurp(dir, state_name, &slen), *p1 = slurp(dir, "patch1.json", &p1len), *p100 = slurp(dir, "patch100.json", &p100len);
    ags_store *store = NULL;
    int64_t old;
    ags_limit(AGS_LIMIT_HISTORY_VERSIONS, 1000, &old);
    if (ags_store_open(state, slen, &store) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
    double t1 = steady_median(store, p1, p1len);
    double t100 = steady_median(store, p100, p100len);
    printf("%s_patch1 %.2f\n%s_patch100 %.2f\n", label, t1 * 1e6, label, t100 * 1e6);
    ags_store_close(store);
    free(state); free(p1); free(p100);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "build/benchmarks/suite";
    size_t slen;
    char *state = slurp(dir, "state.json", &slen);
    double tp[15], ts[15];
    for (int r = 0; r < 15; r++) {
        ags_store *store = NULL;
        double t0 = now();
        ags_store_open(state, slen, &store);
        tp[r] = now() - t0;
        char *out = NULL;
        size_t n = 0;
        t0 = now();
        ags_store_export(store, 0, &out, &n);
        ts[r] = now() - t0;
        ags_free(out);
        ags_store_close(store);
    }
    printf("parse %.2f\nserialize %.2f\nstate_bytes %zu\n", median(tp, 15) * 1e6, median(ts, 15) * 1e6, slen);
    /* Text in, text out (what evanphx/json-patch offers): parse the document, patch, serialize. */
    size_t p1len, mlen;
    char *p1 = slurp(dir, "patch1.json", &p1len), *merge = slurp(dir, "merge10.json", &mlen);
    double tt[15], tm[15];
    for (int r = 0; r < 15; r++) {
        char *out = NULL;
        size_t n = 0;
        double t0 = now();
        if (ags_patch_apply(state, slen, p1, p1len, 0, &out, &n) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
        tt[r] = now() - t0;
        ags_free(out);
        t0 = now();
        if (ags_merge_patch_apply(state, slen, merge, mlen, 0, &out, &n) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
        tm[r] = now() - t0;
        ags_free(out);
    }
    printf("text_patch1 %.2f\ntext_merge10 %.2f\n", median(tt, 15) * 1e6, median(tm, 15) * 1e6);
    free(p1); free(merge);
    free(state);
    patches(dir, "state.json", "small");
    if (argc > 2) patches(dir, "state-large.json", "large");
    return 0;
}
