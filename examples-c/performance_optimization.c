/*
 * Performance optimization: many conversation stores in one registry under a memory budget, on durable
 * SQLite storage (a store is loaded on first use, the least recently used are evicted past the budget and
 * come back with their exact state), and the batcher turning many small commits into a few compacted
 * STATE_DELTA events; the numbers that matter are printed from the engine's own statistics and metrics.
 * Exits 1 if any of it does not hold.
 * Build: cc performance_optimization.c $(pkg-config --cflags --libs agstate)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agstate.h"

#define STORES  400          /* conversation threads */
#define BUDGET  (256 * 1024) /* bytes of resident state and history the registry may keep */
#define COMMITS 1000         /* small commits seen by the batcher */

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "performance_optimization: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

/* The JSON text at ptr of doc, as a number (0 for null); doc is JSON written by the library. */
static double number_at(const char *doc, const char *ptr) {
    char *value = NULL;
    must(ags_pointer_get(doc, AGS_NTS, ptr, AGS_NTS, 0, &value, NULL), ptr);
    double n = atof(value);
    ags_free(value);
    return n;
}

static char *registry_stats(ags_registry *registry) {
    char *stats = NULL;
    must(ags_registry_stats(registry, &stats, NULL), "registry stats");
    return stats;
}

/* A batcher's events, kept in order with their total size. */
typedef struct { char **events; size_t count, capacity, bytes; } events;

static int collect(void *user_data, uint64_t from, uint64_t to, const char *event, size_t len) {
    (void)from; (void)to;
    events *e = user_data;
    if (e->count == e->capacity) {
        e->capacity = e->capacity ? e->capacity * 2 : 64;
        e->events = realloc(e->events, e->capacity * sizeof *e->events);
    }
    e->events[e->count++] = strndup(event, len);
    e->bytes += len;
    return 0;
}

static void free_events(events *e) {
    for (size_t i = 0; i < e->count; i++) free(e->events[i]);
    free(e->events);
}

int main(void) {
    char folder[] = "/tmp/agstate-perf-XXXXXX", path[600], id[64], line[512], text[1024];
    if (!mkdtemp(folder)) { perror("mkdtemp"); return 1; }
    snprintf(path, sizeof path, "sqlite:%s/threads.db", folder);
    ags_storage_options storage_options = AGS_STORAGE_OPTIONS_INIT;
    storage_options.durability = AGS_DURABILITY_NORMAL;
    ags_storage *storage = NULL;
    must(ags_storage_open(path, AGS_NTS, &storage_options, &storage), "open storage");
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.budget_bytes = BUDGET;

    printf("== %d threads through a registry with a budget of %d KiB\n", STORES, BUDGET / 1024);
    ags_registry *registry = NULL;
    must(ags_registry_open(storage, &options, &registry), "open registry");
    for (int n = 0; n < STORES; n++) {
        ags_store *store = NULL;
        snprintf(id, sizeof id, "thread-%03d", n);
        snprintf(text, sizeof text, "{\"thread\":%d,\"messages\":[{\"role\":\"user\",\"text\":\"question %d: lorem ipsum "
                 "lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem "
                 "ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum "
                 "lorem ipsum lorem ipsum \"}],\"turns\":1}", n, n);
        must(ags_registry_get(registry, id, AGS_NTS, text, AGS_NTS, &store), "get");
        snprintf(text, sizeof text, "[{\"op\":\"add\",\"path\":\"/messages/-\",\"value\":{\"role\":\"assistant\","
                 "\"text\":\"answer %d\"}},{\"op\":\"replace\",\"path\":\"/turns\",\"value\":2}]", n);
        must(ags_store_patch(store, text, AGS_NTS, NULL, NULL), "patch");
        ags_store_close(store);
    }
    char *stats = registry_stats(registry);
    double resident_bytes = number_at(stats, "/resident_bytes"), resident = number_at(stats, "/resident");
    printf("      resident %.0f stores, %.0f bytes; evicted %.0f (%.0f for the budget); opened %.0f\n", resident,
           resident_bytes, number_at(stats, "/evictions"), number_at(stats, "/evictions_by_cause/budget"),
           number_at(stats, "/misses"));
    snprintf(line, sizeof line, "the resident stores stay within the budget (%.0f <= %d bytes)", resident_bytes, BUDGET);
    check(resident_bytes <= BUDGET && resident < STORES, line);
    check(number_at(stats, "/evictions_by_cause/budget") > 0, "the least recently used stores were evicted for the budget");
    double misses = number_at(stats, "/misses"), hits = number_at(stats, "/hits");
    ags_free(stats);

    /* An evicted store comes back from storage with its exact state and version; a resident one is a hit. */
    ags_store *store = NULL;
    uint64_t version = 0;
    char *turns = NULL, *answer = NULL;
    must(ags_registry_get(registry, "thread-000", AGS_NTS, NULL, 0, &store), "get thread-000");
    must(ags_store_version(store, &version), "version");
    must(ags_store_get(store, "/turns", AGS_NTS, 0, &turns, NULL), "get turns");
    must(ags_store_get(store, "/messages/1/text", AGS_NTS, 0, &answer, NULL), "get answer");
    check(version == 1 && strcmp(turns, "2") == 0 && strcmp(answer, "\"answer 0\"") == 0,
          "thread-000, evicted long ago, is loaded again at v1 with its state");
    ags_free(turns); ags_free(answer);
    ags_store_close(store);
    snprintf(id, sizeof id, "thread-%03d", STORES - 1);
    must(ags_registry_get(registry, id, AGS_NTS, NULL, 0, &store), "get the last thread");
    must(ags_store_version(store, &version), "version");
    snprintf(line, sizeof line, "%s, used last, is still resident", id);
    check(version == 1, line);
    ags_store_close(store);
    stats = registry_stats(registry);
    check(number_at(stats, "/misses") == misses + 1 && number_at(stats, "/hits") == hits + 1,
          "one load and one hit, as the engine counts them");
    ags_free(stats);
    ags_registry_close(registry);

    /* Lazy loading: a registry over the same storage loads only what is asked for. */
    must(ags_registry_open(storage, &options, &registry), "open registry");
    must(ags_registry_get(registry, "thread-123", AGS_NTS, NULL, 0, &store), "get thread-123");
    stats = registry_stats(registry);
    snprintf(line, sizeof line, "a new registry loads one thread of %d when one is asked for", STORES);
    check(number_at(stats, "/resident") == 1 && number_at(stats, "/misses") == 1, line);
    ags_free(stats);
    ags_store_close(store);

    printf("== the batcher: %d small commits sent as compacted STATE_DELTA events\n", COMMITS);
    ags_store *live = NULL, *client = NULL;
    must(ags_registry_get(registry, "live", AGS_NTS, "{\"progress\":0,\"log\":[]}", AGS_NTS, &live), "get live");
    must(ags_store_open("{\"progress\":0,\"log\":[]}", AGS_NTS, &client), "client"); /* what a browser would have */
    /* The same commits through two batchers: one sends each commit on its own (raw), one batches them. */
    events raw = {0}, batched = {0};
    ags_batcher_options raw_options = AGS_BATCHER_OPTIONS_INIT, batch_options = AGS_BATCHER_OPTIONS_INIT;
    raw_options.max_operations = 1;
    batch_options.max_operations = 200;
    batch_options.window_ms = 50;
    ags_batcher *raw_batcher = NULL, *batcher = NULL;
    must(ags_batcher_open(live, &raw_options, collect, &raw, &raw_batcher), "raw batcher");
    must(ags_batcher_open(live, &batch_options, collect, &batched, &batcher), "batcher");
    for (int i = 0; i < COMMITS; i++) {
        must(ags_batcher_poll(batcher, (uint64_t)i), "poll"); /* a clock in milliseconds: one commit per millisecond */
        int n = snprintf(text, sizeof text, "[{\"op\":\"replace\",\"path\":\"/progress\",\"value\":%d}", i + 1);
        if (i % 100 == 99)
            n += snprintf(text + n, sizeof text - (size_t)n, ",{\"op\":\"add\",\"path\":\"/log/-\",\"value\":\"step %d done\"}", i + 1);
        snprintf(text + n, sizeof text - (size_t)n, "]");
        must(ags_store_patch(live, text, AGS_NTS, NULL, NULL), "commit");
    }
    must(ags_batcher_flush(batcher), "flush");
    char *bstats = NULL;
    must(ags_batcher_stats(batcher, &bstats, NULL), "batcher stats");
    ags_batcher_close(batcher, 1);
    ags_batcher_close(raw_batcher, 1);
    for (size_t i = 0; i < batched.count; i++)
        must(ags_store_apply_event(client, batched.events[i], AGS_NTS, NULL, NULL), "apply a batch");
    double changes = number_at(bstats, "/changes"), batches = number_at(bstats, "/batches");
    double ops_in = number_at(bstats, "/operationsIn"), ops_out = number_at(bstats, "/operationsOut");
    ags_free(bstats);
    printf("      %.0f commits (%.0f operations) -> %.0f events (%.0f operations after compaction)\n", changes, ops_in,
           batches, ops_out);
    printf("      %zu bytes as one event per commit, %zu bytes batched: %zu bytes saved (%.1f%%)\n", raw.bytes,
           batched.bytes, raw.bytes - batched.bytes, 100.0 * (1.0 - (double)batched.bytes / (double)raw.bytes));
    snprintf(line, sizeof line, "%d commits became %zu events (one per commit unbatched)", COMMITS, batched.count);
    check(changes == COMMITS && raw.count == COMMITS && batches == (double)batched.count && batched.count < COMMITS / 10, line);
    check(ops_out < ops_in && batched.bytes < raw.bytes / 10, "compaction keeps only the last replace of each location");
    char *a = NULL, *b = NULL;
    int equal = 0;
    must(ags_store_export(client, 0, &a, NULL), "export");
    must(ags_store_export(live, 0, &b, NULL), "export");
    must(ags_json_equal(a, AGS_NTS, b, AGS_NTS, &equal), "compare");
    check(equal, "a client applying the batched events has the store's state");
    ags_free(a); ags_free(b);
    free_events(&raw); free_events(&batched);

    ags_store_close(live); /* released: the registry measures the store again (state and its history) */

    printf("== the engine's metrics\n");
    char *metrics = NULL;
    must(ags_metrics_json(registry, &metrics, NULL), "metrics");
    const char *names[] = { "commit", "load" };
    for (int i = 0; i < 2; i++) {
        char ptr[64], *p95 = NULL;
        snprintf(ptr, sizeof ptr, "/latency/%s/p95_seconds", names[i]);
        must(ags_pointer_get(metrics, AGS_NTS, ptr, AGS_NTS, 0, &p95, NULL), ptr);
        snprintf(ptr, sizeof ptr, "/latency/%s/count", names[i]);
        if (strcmp(p95, "null") == 0) printf("      %-8s%6.0f timed, p95 -\n", names[i], number_at(metrics, ptr));
        else printf("      %-8s%6.0f timed, p95 %.3f ms\n", names[i], number_at(metrics, ptr), atof(p95) * 1e3);
        ags_free(p95);
    }
    printf("      resident %.0f of %.0f bytes, %.0f commits, %.0f evictions\n", number_at(metrics, "/statistics/resident_bytes"),
           number_at(metrics, "/budget_bytes"), number_at(metrics, "/statistics/commits"),
           number_at(metrics, "/statistics/evictions"));
    check(number_at(metrics, "/latency/commit/count") == number_at(metrics, "/statistics/commits")
          && number_at(metrics, "/statistics/commits") == COMMITS, "every commit is timed");
    ags_free(metrics);

    ags_store_close(client);
    ags_registry_close(registry);
    ags_storage_close(storage);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/threads.db%s", folder, suffixes[i]);
        unlink(path);
    }
    rmdir(folder);
    if (failures) printf("performance_optimization: %d checks failed\n", failures);
    else printf("performance_optimization: all checks passed\n");
    return failures ? 1 : 0;
}
