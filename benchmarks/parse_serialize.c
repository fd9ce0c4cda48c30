/* Native parse and serialize speed on the AG-UI-like benchmark state (about 2.2 MB by default, or the
 * size in MB given): ags_store_open (parse into a store) and ags_store_export (compact serialization).
 * Prints medians of 15 rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "agstate.h"
#include "state_gen.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    double mb = argc > 1 ? atof(argv[1]) : 2.2;
    size_t len = 0;
    long items = 0;
    char *json = make_state((size_t)(mb * 1e6), &len, &items);
    enum { ROUNDS = 15 };
    double parse[ROUNDS], serialize[ROUNDS];
    for (int r = 0; r < ROUNDS; r++) {
        ags_store *store = NULL;
        double t0 = now();
        if (ags_store_open(json, len, &store) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
        parse[r] = now() - t0;
        char *out = NULL;
        size_t n = 0;
        t0 = now();
        ags_store_export(store, 0, &out, &n);
        serialize[r] = now() - t0;
        ags_free(out);
        ags_store_close(store);
    }
    qsort(parse, ROUNDS, sizeof parse[0], cmp);
    qsort(serialize, ROUNDS, sizeof serialize[0], cmp);
    printf("%.2f MB state: parse %.1f ms (%.0f MB/s), serialize %.1f ms (%.0f MB/s)\n", len / 1e6,
           parse[ROUNDS / 2] * 1e3, len / parse[ROUNDS / 2] / 1e6, serialize[ROUNDS / 2] * 1e3, len / serialize[ROUNDS / 2] / 1e6);
    free(json);
    return 0;
}
