/* Loops that time agstate calls from C inside the calling process, for benchmarks/python_overhead.py: the
 * Python overhead is measured against the same call, on the same store, in the same process and run. Each
 * function makes `calls` calls and returns the nanoseconds per call, or -1 when a call fails. */
#include <stdint.h>
#include <time.h>
#include "agstate.h"

static double now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* ags_store_patch with default options, writing the version. */
double agsb_store_patch(ags_store *store, const char *patch, size_t len, uint64_t calls) {
    uint64_t version;
    double t0 = now_ns();
    for (uint64_t i = 0; i < calls; i++)
        if (ags_store_patch(store, patch, len, NULL, &version) != AGS_OK) return -1;
    return (now_ns() - t0) / (double)calls;
}

/* ags_store_get of a pointer, compact, the output released. */
double agsb_store_get(ags_store *store, const char *ptr, size_t len, uint64_t calls) {
    double t0 = now_ns();
    for (uint64_t i = 0; i < calls; i++) {
        char *out;
        size_t out_len;
        if (ags_store_get(store, ptr, len, 0, &out, &out_len) != AGS_OK) return -1;
        ags_free(out);
    }
    return (now_ns() - t0) / (double)calls;
}

/* ags_validator_feed of one event, its findings (if any) released. */
double agsb_validator_feed(ags_validator *validator, const char *event, size_t len, uint64_t calls) {
    double t0 = now_ns();
    for (uint64_t i = 0; i < calls; i++) {
        char *findings;
        size_t findings_len;
        if (ags_validator_feed(validator, event, len, &findings, &findings_len) != AGS_OK) return -1;
        ags_free(findings);
    }
    return (now_ns() - t0) / (double)calls;
}
