/*
 * A registry of many stores (many conversations per process).
 *
 * 1. Resident get: ags_registry_get of a store already resident, then ags_store_close (the hold's release),
 *    median of 50 batches of 100,000, over 1,000 ids.
 * 2. Commits on different stores: N threads each commit one-operation sets to its own stores of one
 *    registry for 2 s; commits per second with 1 and 2 threads, and the ratio.
 * 3. Zipf: 1,000,000 gets (s = 1.0) over 100,000 ids, each followed by one set, with a budget that holds
 *    10% of the stores (no history kept, so that all stores have one size; AGS_REGISTRY_MEMORY_STORAGE:
 *    evicted stores are reloaded exactly); the hit rate, next to the share of the gets that go to the
 *    10,000 most frequent ids (what a cache that knew the future would hit).
 * 4. Many ids: 100,000 ids opened in turn under a 64 MB budget, then each read back; resident bytes (the
 *    engine's estimate) and the process's RSS at the end.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <math.h>
#include <sys/resource.h>
#include "agstate.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void must(ags_status s, const char *what) {
    if (s != AGS_OK) { fprintf(stderr, "%s: %s\n", what, ags_errlast()->message); exit(1); }
}

static long stat_of(ags_registry *registry, const char *name) {
    char *out = NULL, key[64];
    long value = -1;
    must(ags_registry_stats(registry, &out, NULL), "stats");
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(out, key);
    if (at) value = strtol(at + strlen(key), NULL, 10);
    ags_free(out);
    return value;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) if (sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
    if (f) fclose(f);
    return kb;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static void resident_get(void) {
    ags_registry *registry = NULL;
    must(ags_registry_open(NULL, NULL, &registry), "open");
    char ids[1000][16];
    for (int i = 0; i < 1000; i++) {
        ags_store *s;
        snprintf(ids[i], sizeof ids[i], "conv-%d", i);
        must(ags_registry_get(registry, ids[i], AGS_NTS, "{\"messages\":[]}", AGS_NTS, &s), "get");
        ags_store_close(s);
    }
    size_t lengths[1000];
    for (int i = 0; i < 1000; i++) lengths[i] = strlen(ids[i]);
    double samples[50], c0 = cpu_seconds();
    for (int b = 0; b < 50; b++) {
        double t0 = now_ns();
        for (int k = 0; k < 100000; k++) {
            ags_store *s;
            int i = k % 1000;
            ags_registry_get(registry, ids[i], lengths[i], NULL, 0, &s);
            ags_store_close(s);
        }
        samples[b] = (now_ns() - t0) / 100000;
    }
    double cpu = (cpu_seconds() - c0) / 5e6 * 1e9;
    qsort(samples, 50, sizeof *samples, compare);
    printf("resident get + release: median %.0f ns (fastest batch %.0f ns), %.0f ns of CPU time each\n",
           samples[25], samples[0], cpu);
    ags_registry_close(registry);
}

struct worker { ags_registry *registry; int index; volatile int *stop; long commits; };

static void *commit_loop(void *arg) {
    struct worker *w = arg;
    ags_store *stores[16];
    for (int i = 0; i < 16; i++) {
        char id[32];
        snprintf(id, sizeof id, "w%d-%d", w->index, i);
        must(ags_registry_get(w->registry, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &stores[i]), "get");
    }
    long n = 0;
    while (!*w->stop) {
        for (int i = 0; i < 16; i++) ags_store_set(stores[i], "/n", 2, "1", 1, NULL, NULL);
        n += 16;
    }
    for (int i = 0; i < 16; i++) ags_store_close(stores[i]);
    w->commits = n;
    return NULL;
}


/* Commits per second of wall time; *per_cpu_second gets commits per second of CPU time, which a machine
 * shared with other work does not distort: equal per-CPU-second figures for 1 and 2 threads mean the
 * threads do not slow each other down, and 2 free cores would give twice the throughput. */
static double commits_per_second(int threads, double *per_cpu_second) {
    ags_registry *registry = NULL;
    must(ags_registry_open(NULL, NULL, &registry), "open");
    volatile int stop = 0;
    struct worker workers[8];
    pthread_t tids[8];
    for (int t = 0; t < threads; t++) {
        workers[t] = (struct worker){registry, t, &stop, 0};
        pthread_create(&tids[t], NULL, commit_loop, &workers[t]);
    }
    struct timespec two = {2, 0};
    double t0 = now_ns(), c0 = cpu_seconds();
    nanosleep(&two, NULL);
    stop = 1;
    long total = 0;
    for (int t = 0; t < threads; t++) { pthread_join(tids[t], NULL); total += workers[t].commits; }
    double seconds = (now_ns() - t0) / 1e9;
    *per_cpu_second = total / (cpu_seconds() - c0);
    ags_registry_close(registry);
    return total / seconds;
}

/* Zipf(s = 1) over n ranks by inverse transform on the precomputed CDF. */
static double *zipf_cdf(int n) {
    double *cdf = malloc(sizeof(double) * (size_t)n), sum = 0;
    for (int i = 0; i < n; i++) sum += 1.0 / (i + 1);
    double acc = 0;
    for (int i = 0; i < n; i++) { acc += 1.0 / (i + 1) / sum; cdf[i] = acc; }
    return cdf;
}

static int zipf_draw(const double *cdf, int n, double u) {
    int lo = 0, hi = n - 1;
    while (lo < hi) { int mid = (lo + hi) / 2; if (cdf[mid] < u) lo = mid + 1; else hi = mid; }
    return lo;
}

static const char *STATE = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello there, how are you today?\"}],\"n\":0}";

static void zipf(void) {
    const int ids = 100000, gets = 1000000;
    /* One store's estimate, to size the budget at 10% of all stores. */
    ags_registry *probe = NULL;
    ags_store *s;
    must(ags_registry_open(NULL, NULL, &probe), "open");
    must(ags_registry_limit(probe, AGS_LIMIT_HISTORY_VERSIONS, 0, NULL), "limit");
    must(ags_registry_get(probe, "x", 1, STATE, AGS_NTS, &s), "get");
    ags_store_set(s, "/n", 2, "1", 1, NULL, NULL);
    ags_store_close(s);
    long one = stat_of(probe, "resident_bytes");
    ags_registry_close(probe);

    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.flags = AGS_REGISTRY_MEMORY_STORAGE;
    options.budget_bytes = (size_t)(one * ids / 10);
    ags_registry *registry = NULL;
    must(ags_registry_open(NULL, &options, &registry), "open");
    /* No history: every store then has the same size, and the budget holds 10% of them whichever they are
     * (with a history, the stores used most grow largest). */
    must(ags_registry_limit(registry, AGS_LIMIT_HISTORY_VERSIONS, 0, NULL), "limit");
    double *cdf = zipf_cdf(ids);
    srand(7);
    char id[32];
    double t0 = now_ns();
    for (int k = 0; k < gets; k++) {
        double u = (rand() + 0.5) / ((double)RAND_MAX + 1);
        int rank = zipf_draw(cdf, ids, u);
        snprintf(id, sizeof id, "conv-%d", rank);
        must(ags_registry_get(registry, id, AGS_NTS, STATE, AGS_NTS, &s), "get");
        ags_store_set(s, "/n", 2, "1", 1, NULL, NULL);
        ags_store_close(s);
    }
    double seconds = (now_ns() - t0) / 1e9;
    long hits = stat_of(registry, "hits"), misses = stat_of(registry, "misses");
    printf("zipf s=1.0 over %d ids, budget %zu bytes (10%% of the stores, %ld bytes each): hit rate %.1f%% "
           "(%ld hits, %ld misses, %ld evictions), %.2f M get+set+release/s\n",
           ids, options.budget_bytes, one, 100.0 * hits / (hits + misses), hits, misses,
           stat_of(registry, "evictions"), gets / seconds / 1e6);
    printf("  (the 10,000 most frequent ids draw %.1f%% of the gets)\n", 100.0 * cdf[ids / 10 - 1]);
    free(cdf);
    ags_registry_close(registry);
}

static void many_ids(void) {
    const int ids = 100000;
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.flags = AGS_REGISTRY_EVICT_WITHOUT_STORAGE;
    options.budget_bytes = 64u << 20;
    ags_registry *registry = NULL;
    long rss0 = rss_kb();
    must(ags_registry_open(NULL, &options, &registry), "open");
    char id[32], text[1200];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = 0;
    char *state = malloc(sizeof text + 64);
    snprintf(state, sizeof text + 64, "{\"text\":\"%s\",\"n\":0}", text);
    long peak = 0;
    for (int i = 0; i < ids; i++) {
        ags_store *s;
        snprintf(id, sizeof id, "conv-%d", i);
        must(ags_registry_get(registry, id, AGS_NTS, state, AGS_NTS, &s), "get");
        ags_store_set(s, "/n", 2, "1", 1, NULL, NULL);
        ags_store_close(s);
        long r = stat_of(registry, "resident_bytes");
        if (r > peak) peak = r;
    }
    printf("100,000 ids of about 1.2 KB (no storage, eviction asked for), 64 MB budget: peak resident estimate "
           "%.1f MB, %ld stores resident, RSS grew %.1f MB\n", peak / 1048576.0, stat_of(registry, "resident"),
           (rss_kb() - rss0) / 1024.0);
    free(state);
    ags_registry_close(registry);
}

int main(int argc, char **argv) {
    const char *only = argc > 1 ? argv[1] : "all";
    if (!strcmp(only, "all") || !strcmp(only, "get")) resident_get();
    if (!strcmp(only, "all") || !strcmp(only, "threads")) {
        double cpu1, cpu2;
        double one = commits_per_second(1, &cpu1), two = commits_per_second(2, &cpu2);
        printf("commits on different stores: 1 thread %.2f M/s, 2 threads %.2f M/s, ratio %.2fx; per CPU second "
               "%.2f M and %.2f M (%.2f)\n", one / 1e6, two / 1e6, two / one, cpu1 / 1e6, cpu2 / 1e6, cpu2 / cpu1);
    }
    if (!strcmp(only, "all") || !strcmp(only, "zipf")) zipf();
    if (!strcmp(only, "all") || !strcmp(only, "many")) many_ids();
    return 0;
}
