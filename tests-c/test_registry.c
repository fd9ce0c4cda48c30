/* Registries through the C API: lazy opening, eviction and exact reload, holds, the budget without storage,
 * every content limit on every way a value enters (error, pointer, operation index, state unchanged), the
 * rate limits, metrics text, health, logs and spans. argv[1], when given, is a file the metrics text is
 * written to (for promtool). */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static int export_is(ags_store *store, const char *expected) {
    char *out = NULL;
    int equal = 0;
    if (ags_store_export(store, 0, &out, NULL) != AGS_OK) return 0;
    ags_json_equal(out, AGS_NTS, expected, AGS_NTS, &equal);
    if (!equal) fprintf(stderr, "state %s, expected %s\n", out, expected);
    ags_free(out);
    return equal;
}

static uint64_t version_of(ags_store *store) {
    uint64_t v = 0;
    ags_store_version(store, &v);
    return v;
}

static long stat_of(ags_registry *registry, const char *name) {
    char *out = NULL, key[64];
    long value = -1;
    if (ags_registry_stats(registry, &out, NULL) != AGS_OK) return -1;
    snprintf(key, sizeof key, "\"%s\":", name);
    const char *at = strstr(out, key);
    if (at) value = strtol(at + strlen(key), NULL, 10);
    ags_free(out);
    return value;
}

static void eviction_and_reload(void) {
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.flags = AGS_REGISTRY_MEMORY_STORAGE;
    options.budget_bytes = 40000;
    ags_registry *registry = NULL;
    CHECK(ags_registry_open(NULL, &options, &registry) == AGS_OK);
    char id[32], expected[64];
    for (int i = 0; i < 300; i++) {
        ags_store *store = NULL;
        snprintf(id, sizeof id, "thread-%d", i);
        CHECK(ags_registry_get(registry, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &store) == AGS_OK);
        for (int k = 0; k < i % 5; k++) CHECK(ags_store_set(store, "/n", AGS_NTS, "1", 1, NULL, NULL) == AGS_OK);
        ags_store_close(store);
        CHECK(stat_of(registry, "resident_bytes") <= 40000);
    }
    CHECK(stat_of(registry, "evictions") > 200);
    for (int i = 0; i < 300; i++) {
        ags_store *store = NULL;
        snprintf(id, sizeof id, "thread-%d", i);
        CHECK(ags_registry_get(registry, id, AGS_NTS, NULL, 0, &store) == AGS_OK);
        snprintf(expected, sizeof expected, "{\"n\":%d}", i % 5 ? 1 : 0);
        CHECK(export_is(store, expected));
        CHECK(version_of(store) == (uint64_t)(i % 5));
        ags_store_close(store);
    }
    ags_store *missing = NULL;
    CHECK(ags_registry_get(registry, "nobody", AGS_NTS, NULL, 0, &missing) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(missing == NULL);
    ags_registry_close(registry);
    ags_registry_close(NULL);
}

/* Durable storage: evicted stores come back from the database with their exact state and version, and
 * from a new registry over the same file too. */
static void eviction_through_storage(void) {
    char dir[] = "/tmp/agstate-registry-XXXXXX", url[96], path[80];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/stores.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    ags_storage *storage = NULL;
    ags_storage_options storage_options = AGS_STORAGE_OPTIONS_INIT;
    storage_options.durability = AGS_DURABILITY_NORMAL;
    CHECK(ags_storage_open(url, AGS_NTS, &storage_options, &storage) == AGS_OK);
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.budget_bytes = 20000;
    ags_registry *registry = NULL;
    for (int round = 0; round < 2; round++) {
        CHECK(ags_registry_open(storage, &options, &registry) == AGS_OK);
        char id[32], expected[64];
        for (int i = 0; i < 100; i++) {
            ags_store *store = NULL;
            snprintf(id, sizeof id, "thread-%d", i);
            CHECK(ags_registry_get(registry, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &store) == AGS_OK);
            if (round == 0) for (int k = 0; k < i % 5; k++) CHECK(ags_store_set(store, "/n", AGS_NTS, "1", 1, NULL, NULL) == AGS_OK);
            ags_store_close(store);
        }
        CHECK(round == 1 || stat_of(registry, "evictions") > 50);
        for (int i = 0; i < 100; i++) {
            ags_store *store = NULL;
            snprintf(id, sizeof id, "thread-%d", i);
            CHECK(ags_registry_get(registry, id, AGS_NTS, NULL, 0, &store) == AGS_OK);
            snprintf(expected, sizeof expected, "{\"n\":%d}", i % 5 ? 1 : 0);
            CHECK(export_is(store, expected));
            CHECK(version_of(store) == (uint64_t)(i % 5));
            ags_store_close(store);
        }
        ags_store *missing = NULL;
        CHECK(ags_registry_get(registry, "never", AGS_NTS, NULL, 0, &missing) == AGS_ERR_PATH_NOT_FOUND);
        char *health = NULL;
        CHECK(ags_registry_health(registry, &health, NULL) == AGS_OK && strstr(health, "\"storage_reachable\":true"));
        ags_free(health);
        ags_registry_close(registry);
    }
    options.flags = AGS_REGISTRY_MEMORY_STORAGE;
    CHECK(ags_registry_open(storage, &options, &registry) == AGS_ERR_INVALID_ARGUMENT);
    ags_storage_close(storage);
    char file[128];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) { snprintf(file, sizeof file, "%s%s", path, suffixes[i]); unlink(file); }
    rmdir(dir);
}

static void budget_without_storage(void) {
    ags_registry_options options;
    CHECK(ags_registry_options_init(&options, AGS_REGISTRY_OPTIONS_VERSION) == AGS_OK);
    CHECK(options.shards == AGS_REGISTRY_DEFAULT_SHARDS && options.budget_bytes == AGS_UNBOUNDED);
    CHECK(ags_registry_options_init(&options, 99) == AGS_ERR_INVALID_ARGUMENT);
    options.budget_bytes = 2000;
    ags_registry *registry = NULL;
    CHECK(ags_registry_open(NULL, &options, &registry) == AGS_OK);
    ags_store *stores[20] = {0};
    int refused = -1;
    for (int i = 0; i < 20; i++) {
        char id[16];
        snprintf(id, sizeof id, "s%d", i);
        if (ags_registry_get(registry, id, AGS_NTS, "{\"text\":\"0123456789012345678901234567890123456789\"}", AGS_NTS, &stores[i]) != AGS_OK) {
            CHECK(ags_errlast()->code == AGS_ERR_LIMIT_EXCEEDED);
            refused = i;
            break;
        }
    }
    CHECK(refused > 0);
    CHECK(stat_of(registry, "evictions") == 0);
    options.flags = 0x80;
    ags_registry *bad = NULL;
    CHECK(ags_registry_open(NULL, &options, &bad) == AGS_ERR_INVALID_ARGUMENT && bad == NULL);
    /* Out-of-range options are argument errors, never traps. */
    ags_registry_options wrong = AGS_REGISTRY_OPTIONS_INIT;
    wrong.commits_per_second = NAN;
    CHECK(ags_registry_open(NULL, &wrong, &bad) == AGS_ERR_INVALID_ARGUMENT && bad == NULL);
    wrong = (ags_registry_options)AGS_REGISTRY_OPTIONS_INIT;
    wrong.shards = 0;
    CHECK(ags_registry_open(NULL, &wrong, &bad) == AGS_ERR_INVALID_ARGUMENT);
    wrong = (ags_registry_options)AGS_REGISTRY_OPTIONS_INIT;
    wrong.alert_memory_share = 2;
    CHECK(ags_registry_open(NULL, &wrong, &bad) == AGS_ERR_INVALID_ARGUMENT);
    wrong = (ags_registry_options)AGS_REGISTRY_OPTIONS_INIT;
    wrong.version = 2;
    CHECK(ags_registry_open(NULL, &wrong, &bad) == AGS_ERR_INVALID_ARGUMENT);
    wrong = (ags_registry_options)AGS_REGISTRY_OPTIONS_INIT;
    wrong.ttl_ms = UINT64_MAX;
    CHECK(ags_registry_open(NULL, &wrong, &bad) == AGS_OK);
    size_t swept = 1;
    CHECK(ags_registry_sweep(bad, &swept) == AGS_OK && swept == 0);
    ags_registry_close(bad);
    CHECK(ags_registry_open((ags_storage *)&wrong, NULL, &bad) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_get(registry, NULL, 3, NULL, 0, &stores[0]) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_get(registry, "\xff", 1, NULL, 0, &stores[0]) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_get(registry, "s0", 2, NULL, 0, NULL) == AGS_ERR_INVALID_ARGUMENT);
    for (int i = 0; i < 20; i++) ags_store_close(stores[i]);
    ags_registry_close(registry);
}

/* One refused commit: the status, the limit's name in the message, pointer and operation, unchanged state. */
static void refused(ags_store *store, ags_status status, const char *limit, const char *pointer, int64_t op) {
    char *before = NULL;
    uint64_t version = version_of(store);
    ags_store_export(store, 0, &before, NULL);
    CHECK(status == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_errlast()->code == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(strstr(ags_errlast()->message, limit) != NULL);
    if (pointer) CHECK(ags_errlast()->pointer && strcmp(ags_errlast()->pointer, pointer) == 0);
    if (op >= 0) CHECK(ags_errlast()->op_index == op);
    CHECK(export_is(store, before));
    CHECK(version_of(store) == version);
    ags_free(before);
}

static void limits(void) {
    ags_registry *registry = NULL;
    int64_t old = 0;
    CHECK(ags_registry_open(NULL, NULL, &registry) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_STRING_BYTES, 8, &old) == AGS_OK && old == AGS_LIMIT_UNBOUNDED);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_MEMBERS, 3, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_ELEMENTS, 2, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_OPERATIONS, 2, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_STATE_BYTES, 250, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_DEPTH, 4, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, 99, 1, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_ELEMENTS, 2, &old) == AGS_OK && old == 2);
    ags_store *store = NULL;
    CHECK(ags_registry_get(registry, "a", AGS_NTS, "{\"a\":[1],\"b\":\"ok\"}", AGS_NTS, &store) == AGS_OK);

    refused(store, ags_store_set(store, "/b", AGS_NTS, "\"far too long\"", AGS_NTS, NULL, NULL), "AGS_LIMIT_STRING_BYTES", "/b", 0);
    refused(store, ags_store_add(store, "/a/-", AGS_NTS, "\"far too long\"", AGS_NTS, NULL, NULL), "AGS_LIMIT_STRING_BYTES", "/a/-", 0);
    refused(store, ags_store_patch(store, "[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":2},"
                                          "{\"op\":\"add\",\"path\":\"/a/-\",\"value\":3}]", AGS_NTS, NULL, NULL),
            "AGS_LIMIT_ELEMENTS", "/a", -1);
    refused(store, ags_store_merge(store, "{\"c\":1,\"d\":2}", AGS_NTS, NULL, NULL), "AGS_LIMIT_MEMBERS", "", -1);
    refused(store, ags_store_patch(store, "[{\"op\":\"test\",\"path\":\"/b\",\"value\":\"ok\"},"
                                          "{\"op\":\"test\",\"path\":\"/b\",\"value\":\"ok\"},"
                                          "{\"op\":\"test\",\"path\":\"/b\",\"value\":\"ok\"}]", AGS_NTS, NULL, NULL),
            "AGS_LIMIT_OPERATIONS", "/b", 2);
    refused(store, ags_store_set(store, "/b", AGS_NTS, "{\"x\":{\"y\":{\"z\":{}}}}", AGS_NTS, NULL, NULL), "AGS_LIMIT_DEPTH", NULL, 0);
    refused(store, ags_store_set(store, "/c", AGS_NTS, "{\"x\":{\"y\":\"1234567\",\"z\":\"1234567\"},"
                                                      "\"w\":[\"1234567\",\"1234567\"]}", AGS_NTS, NULL, NULL),
            "AGS_LIMIT_STATE_BYTES", NULL, -1);
    /* A transaction, a state event and a restore go through the same checks. */
    ags_txn *txn = NULL;
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":\"much too long\"}]", AGS_NTS, 0) == AGS_OK);
    refused(store, ags_txn_commit(txn, NULL, NULL), "AGS_LIMIT_STRING_BYTES", "/b", 0);
    ags_txn_rollback(txn);
    refused(store, ags_store_apply_event(store, "{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"a\":[1,2,3]}}", AGS_NTS, NULL, NULL),
            "AGS_LIMIT_ELEMENTS", "/a", 0);
    ags_store *other = NULL;
    ags_snapshot *snapshot = NULL;
    CHECK(ags_store_open("{\"a\":\"a string longer than 8\"}", AGS_NTS, &other) == AGS_OK);
    CHECK(ags_store_snapshot(other, &snapshot) == AGS_OK);
    refused(store, ags_store_restore(store, snapshot, NULL, NULL), "AGS_LIMIT_STRING_BYTES", "/a", 0);
    ags_snapshot_close(snapshot);
    ags_store_close(other);
    /* A store whose initial state passes a limit is not opened. */
    ags_store *too_big = NULL;
    CHECK(ags_registry_get(registry, "big", AGS_NTS, "[1,2,3]", AGS_NTS, &too_big) == AGS_ERR_LIMIT_EXCEEDED && too_big == NULL);
    CHECK(stat_of(registry, "limit_refusals") >= 8);
    ags_store_close(store);
    ags_registry_close(registry);
}

static int log_records = 0, spans_seen = 0, last_span_status = -1;
static void on_log(void *user_data, int level, const char *record, size_t record_len) {
    (void)user_data;
    if (level >= AGS_LOG_WARNING && record_len > 0 && strstr(record, "\"message\":")) log_records++;
}
static void on_span(void *user_data, const ags_span *span) {
    (void)user_data;
    if (strcmp(span->operation, "commit") == 0 && span->store_id_len == 1 && span->store_id[0] == 'm') {
        spans_seen++;
        last_span_status = span->status;
    }
}

static void metrics_health_logs_spans(const char *metrics_path) {
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.flags = AGS_REGISTRY_PER_STORE_METRICS;
    options.budget_bytes = 10000;
    options.alert_memory_share = 0.5;
    ags_registry *registry = NULL;
    CHECK(ags_registry_open(NULL, &options, &registry) == AGS_OK);
    CHECK(ags_registry_set_log(registry, AGS_LOG_DEBUG, on_log, NULL) == AGS_OK);
    CHECK(ags_registry_set_log(registry, 5, on_log, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_set_span(registry, on_span, NULL) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_ELEMENTS, 1, NULL) == AGS_OK);
    ags_store *store = NULL;
    char *out = NULL;
    CHECK(ags_registry_get(registry, "m", 1, "{}", 2, &store) == AGS_OK);
    CHECK(ags_store_set(store, "/x", AGS_NTS, "1", 1, NULL, NULL) == AGS_OK);
    CHECK(ags_store_set(store, "/y", AGS_NTS, "[1,2]", AGS_NTS, NULL, NULL) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(spans_seen == 2 && last_span_status == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(log_records >= 1);

    CHECK(ags_registry_health(registry, &out, NULL) == AGS_OK);
    CHECK(strstr(out, "\"status\":\"ok\"") != NULL);
    ags_free(out);
    ags_store *big = NULL;
    CHECK(ags_registry_get(registry, "big", AGS_NTS, "{\"x\":\"0123456789012345678901234567890123456789"
          "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
          "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\"}",
          AGS_NTS, &big) == AGS_OK);
    CHECK(ags_registry_limit(registry, AGS_LIMIT_STRING_BYTES, AGS_LIMIT_UNBOUNDED, NULL) == AGS_OK);
    for (int i = 0; i < 40; i++) {
        char path[16];
        snprintf(path, sizeof path, "/k%d", i);
        ags_store_set(big, path, AGS_NTS, "\"0123456789012345678901234567890123456789012345678901234567890123456789"
                      "012345678901234567890123456789\"", AGS_NTS, NULL, NULL);
    }
    ags_store_close(big);  /* the release brings the byte estimate up to date */
    CHECK(ags_registry_health(registry, &out, NULL) == AGS_OK);
    CHECK(strstr(out, "\"status\":\"degraded\"") != NULL);
    CHECK(strstr(out, "\"crossed\":[\"memory_share\"]") != NULL);
    ags_free(out);

    CHECK(ags_metrics_text(registry, &out, NULL) == AGS_OK);
    CHECK(strstr(out, "# TYPE agstate_commit_duration_seconds histogram") != NULL);
    CHECK(strstr(out, "agstate_store_commits_total{store=\"m\"} 1") != NULL);
    if (metrics_path) {
        FILE *f = fopen(metrics_path, "w");
        if (f) { fputs(out, f); fclose(f); }
    }
    ags_free(out);
    CHECK(ags_metrics_json(registry, &out, NULL) == AGS_OK);
    CHECK(strstr(out, "\"latency\":{\"commit\":") != NULL);
    ags_free(out);
    CHECK(ags_metrics_text(NULL, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_registry_set_log(registry, AGS_LOG_DEBUG, NULL, NULL) == AGS_OK);
    ags_store_close(store);
    ags_registry_close(registry);
    CHECK(ags_registry_stats(registry, &out, NULL) == AGS_ERR_CLOSED);
}

/* Token buckets per client id: the refusal, its retry-after, and nothing applied. */
static void rate_limits(void) {
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.commits_per_second = 1;
    options.commit_burst = 2;
    options.bytes_per_second = 100;
    ags_registry *registry = NULL;
    ags_store *store = NULL;
    uint64_t version = 0;
    CHECK(ags_registry_open(NULL, &options, &registry) == AGS_OK);
    CHECK(ags_registry_get(registry, "r", 1, "{\"n\":0}", AGS_NTS, &store) == AGS_OK);
    ags_commit_options alice = AGS_COMMIT_OPTIONS_INIT;
    alice.client_id = "alice";
    alice.client_id_len = AGS_NTS;
    CHECK(ags_store_set(store, "/n", 2, "1", 1, &alice, &version) == AGS_OK && version == 1);
    CHECK(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", AGS_NTS, &alice, NULL) == AGS_OK);
    CHECK(ags_store_set(store, "/n", 2, "3", 1, &alice, &version) == AGS_ERR_RATE_LIMITED);
    CHECK(ags_errlast()->code == AGS_ERR_RATE_LIMITED);
    CHECK(ags_errlast()->retry_after_ms > 0 && ags_errlast()->retry_after_ms <= 1000);
    CHECK(export_is(store, "{\"n\":2}") && version_of(store) == 2);
    /* Another client has its own buckets; a commit without a client id is not limited. */
    ags_commit_options bob = AGS_COMMIT_OPTIONS_INIT;
    bob.client_id = "bob";
    bob.client_id_len = 3;
    CHECK(ags_store_merge(store, "{\"n\":4}", AGS_NTS, &bob, NULL) == AGS_OK);
    CHECK(ags_store_set(store, "/n", 2, "5", 1, NULL, NULL) == AGS_OK);
    /* Bytes per second: bob has 100 bytes a second and spent 7; a 95-byte value waits. */
    char big[128];
    snprintf(big, sizeof big, "\"%095d\"", 0);  /* 97 bytes */
    CHECK(ags_store_set(store, "/s", 2, big, AGS_NTS, &bob, NULL) == AGS_ERR_RATE_LIMITED);
    CHECK(ags_errlast()->retry_after_ms > 0);
    CHECK(export_is(store, "{\"n\":5}"));
    /* A client id that is not UTF-8 is an argument error. */
    ags_commit_options bad = AGS_COMMIT_OPTIONS_INIT;
    bad.client_id = "\xff";
    bad.client_id_len = 1;
    CHECK(ags_store_set(store, "/n", 2, "6", 1, &bad, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(stat_of(registry, "rate_refusals") == 2);
    ags_store_close(store);
    ags_registry_close(registry);
}

/* Four threads get, change and release overlapping ids under a budget that keeps evicting, with stores
 * reloaded from process memory: every increment must survive eviction and reload. */
struct stress { ags_registry *registry; int seed; int failures; };
enum { STRESS_IDS = 64, STRESS_ROUNDS = 3000, STRESS_THREADS = 4 };

static void *stress_loop(void *arg) {
    struct stress *s = arg;
    unsigned r = (unsigned)s->seed;
    for (int k = 0; k < STRESS_ROUNDS; k++) {
        char id[16];
        r = r * 1103515245u + 12345u;
        snprintf(id, sizeof id, "s%u", (r >> 16) % STRESS_IDS);
        ags_store *store = NULL;
        if (ags_registry_get(s->registry, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &store) != AGS_OK) { s->failures++; continue; }
        /* An increment: read, then compare-and-set on the version read; retried on conflict. */
        for (;;) {
            char *out = NULL;
            uint64_t v = 0;
            ags_store_version(store, &v);
            if (ags_store_get(store, "/n", 2, 0, &out, NULL) != AGS_OK) { s->failures++; break; }
            char value[32];
            snprintf(value, sizeof value, "%ld", strtol(out, NULL, 10) + 1);
            ags_free(out);
            ags_commit_options cas = AGS_COMMIT_OPTIONS_INIT;
            cas.expected_version = v;
            ags_status st = ags_store_set(store, "/n", 2, value, AGS_NTS, &cas, NULL);
            if (st == AGS_OK) break;
            if (st != AGS_ERR_CONFLICT) { s->failures++; break; }
        }
        ags_store_close(store);
    }
    return NULL;
}

static void threads_evicting(void) {
    ags_registry_options options = AGS_REGISTRY_OPTIONS_INIT;
    options.flags = AGS_REGISTRY_MEMORY_STORAGE;
    options.budget_bytes = 8 * 1500;  /* about 8 of the 64 stores */
    options.shards = 4;
    ags_registry *registry = NULL;
    CHECK(ags_registry_open(NULL, &options, &registry) == AGS_OK);
    struct stress work[STRESS_THREADS];
    pthread_t threads[STRESS_THREADS];
    for (int t = 0; t < STRESS_THREADS; t++) {
        work[t] = (struct stress){registry, t + 1, 0};
        pthread_create(&threads[t], NULL, stress_loop, &work[t]);
    }
    int failed_calls = 0;
    for (int t = 0; t < STRESS_THREADS; t++) { pthread_join(threads[t], NULL); failed_calls += work[t].failures; }
    CHECK(failed_calls == 0);
    long total = 0;
    for (int i = 0; i < STRESS_IDS; i++) {
        char id[16], *out = NULL;
        ags_store *store = NULL;
        snprintf(id, sizeof id, "s%d", i);
        if (ags_registry_get(registry, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &store) != AGS_OK) continue;
        if (ags_store_get(store, "/n", 2, 0, &out, NULL) == AGS_OK) { total += strtol(out, NULL, 10); ags_free(out); }
        ags_store_close(store);
    }
    CHECK(total == (long)STRESS_THREADS * STRESS_ROUNDS);
    CHECK(stat_of(registry, "evictions") > 1000);
    CHECK(stat_of(registry, "held") == 0);
    ags_registry_close(registry);
}

int main(int argc, char **argv) {
    eviction_and_reload();
    eviction_through_storage();
    budget_without_storage();
    limits();
    rate_limits();
    threads_evicting();
    metrics_health_logs_spans(argc > 1 ? argv[1] : NULL);
    printf("%d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
