/*
 * Snapshots and history at 1 MB and 100 MB (issue: the state store).
 *
 * Reports, for each size: the median time of taking (and closing) a snapshot through the C API, the
 * median time of a one-operation patch, the memory the state holds, and the memory held by a history of
 * 1,000 one-operation versions, next to the size of one copy of the state. Memory is malloc's bytes in use
 * (mallinfo2), which counts what the engine holds and not what the allocator keeps cached.
 */
#include <malloc.h>
#include <stdint.h>
#include <time.h>
#include "agstate.h"
#include "state_gen.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static size_t in_use(void) { return mallinfo2().uordblks + mallinfo2().hblkhd; }

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, compare);
    return v[n / 2];
}

struct result { size_t json_bytes; double snapshot_ns, patch_ns; size_t state_mem, history_mem; };

static struct result measure(size_t target) {
    struct result r = {0};
    long items = 0;
    char *json = make_state(target, &r.json_bytes, &items);
    size_t before = in_use();
    ags_store *store = NULL;
    if (ags_store_open(json, r.json_bytes, &store) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
    r.state_mem = in_use() - before;

    /* Snapshot: batches of 1,000, median over 50 batches. */
    double samples[50];
    for (int s = 0; s < 50; s++) {
        double t0 = now_ns();
        for (int k = 0; k < 1000; k++) {
            ags_snapshot *snap;
            ags_store_snapshot(store, &snap);
            ags_snapshot_close(snap);
        }
        samples[s] = (now_ns() - t0) / 1000;
    }
    r.snapshot_ns = median(samples, 50);

    /* 1,000 one-operation versions, all kept in history (the default bound is 1,000 versions). */
    double times[1000];
    char patch[160];
    for (int k = 0; k < 1000; k++) {
        snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"/items/item%ld/name\",\"value\":\"renamed %d\"}]",
                 (long)(k * 7919L % items), k);
        double t0 = now_ns();
        if (ags_store_patch(store, patch, AGS_NTS, NULL, NULL) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); exit(1); }
        times[k] = now_ns() - t0;
    }
    r.patch_ns = median(times, 1000);
    uint64_t oldest = 0, newest = 0;
    ags_store_history_range(store, &oldest, &newest);
    if (newest - oldest != 1000) { fprintf(stderr, "history holds %llu versions\n", (unsigned long long)(newest - oldest)); exit(1); }
    /* What the history holds: the bytes in use with it, less the bytes in use once it is trimmed to 0. */
    size_t with_history = in_use();
    ags_store_limit(store, AGS_LIMIT_HISTORY_VERSIONS, 0, NULL);
    size_t without_history = in_use();
    r.history_mem = with_history - without_history;
    ags_store_close(store);
    free(json);
    return r;
}

int main(int argc, char **argv) {
    size_t large = argc > 1 ? (size_t)atol(argv[1]) << 20 : (size_t)100 << 20;
    struct result small = measure(1 << 20), big = measure(large);
    printf("agstate %s: snapshots and history (medians)\n\n", ags_libversion());
    printf("| state | JSON | snapshot | 1-op patch | engine memory for the state | history of 1,000 versions |\n");
    printf("|---|---|---|---|---|---|\n");
    struct result *rs[2] = {&small, &big};
    for (int i = 0; i < 2; i++) {
        struct result *r = rs[i];
        printf("| %s | %.1f MB | %.0f ns | %.1f us | %.1f MB (%.1fx the JSON) | %.2f MB (%.2f%% of one copy) |\n",
               i ? "large" : "small", r->json_bytes / 1e6, r->snapshot_ns, r->patch_ns / 1e3, r->state_mem / 1e6,
               (double)r->state_mem / r->json_bytes, r->history_mem / 1e6, 100.0 * r->history_mem / r->state_mem);
    }
    printf("\nsnapshot time, large / small: %.2f\n", big.snapshot_ns / small.snapshot_ns);
    return 0;
}
