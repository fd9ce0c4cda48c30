/* Durable stores: one-operation commits per second on the 2.2 MB benchmark state with durability full and
 * normal, one writer and four writers on four stores, beside raw SQLite inserting rows of the same bytes
 * in the same mode, in the same folder, in the same run (five alternating runs of each, medians); then the reopen time of the 2.2 MB and the 100 MB
 * state with 10,000 changes after the last checkpoint, beside one parse of that state.
 *
 *   build/benchmarks/bench_storage [folder] [seconds per commit run] [large state MB] [reopen]
 *
 * The folder (default: the current one) must be on the disk to measure; the program makes and removes a
 * subfolder there. With a fourth argument `reopen` only the reopen part runs (a large state of 0 MB skips
 * the large one): under `valgrind --tool=callgrind`, the inclusive instructions of `ags_store_open` and
 * `ags_storage_open_store` give the same comparison in instructions, repeatable on a loaded machine. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "agstate.h"
#include "state_gen.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "%s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char folder[512];
static double seconds = 2.0;
static char *state_json;
static size_t state_len;
static long state_items;

/* The one-operation patch the writers commit: a new price for one item. */
static int make_patch(char *buffer, size_t size, long item, long value) {
    return snprintf(buffer, size, "[{\"op\":\"replace\",\"path\":\"/items/item%ld/price\",\"value\":%ld}]", item, value);
}

typedef struct {
    ags_store *store;
    sqlite3 *db;
    pthread_mutex_t *db_lock;
    int writer;
    double until;
    long commits;
} writer_args;

static void *agstate_writer(void *raw) {
    writer_args *a = raw;
    char patch[160];
    long i = 0;
    while (now() < a->until) {
        for (int k = 0; k < 8; k++, i++) {
            int n = make_patch(patch, sizeof patch, (i * 7919) % state_items, i);
            must(ags_store_patch(a->store, patch, (size_t)n, NULL, NULL), "patch");
        }
    }
    a->commits = i;
    return NULL;
}

/* Raw SQLite: one row of the same bytes per transaction, as a store writes one change. The writers share
 * one connection (one writer at a time, as SQLite allows), with prepared statements. */
static void *sqlite_writer(void *raw) {
    writer_args *a = raw;
    char patch[160];
    long i = 0;
    sqlite3_stmt *insert = NULL;
    pthread_mutex_lock(a->db_lock);
    sqlite3_prepare_v2(a->db, "INSERT INTO rows(store, version, data) VALUES(?, ?, ?)", -1, &insert, NULL);
    pthread_mutex_unlock(a->db_lock);
    while (now() < a->until) {
        for (int k = 0; k < 8; k++, i++) {
            int n = make_patch(patch, sizeof patch, (i * 7919) % state_items, i);
            pthread_mutex_lock(a->db_lock);
            sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
            sqlite3_bind_int(insert, 1, a->writer);
            sqlite3_bind_int64(insert, 2, i + 1);
            sqlite3_bind_blob(insert, 3, patch, n, SQLITE_STATIC);
            if (sqlite3_step(insert) != SQLITE_DONE) { fprintf(stderr, "insert: %s\n", sqlite3_errmsg(a->db)); exit(1); }
            sqlite3_reset(insert);
            if (sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) { fprintf(stderr, "commit: %s\n", sqlite3_errmsg(a->db)); exit(1); }
            pthread_mutex_unlock(a->db_lock);
        }
    }
    pthread_mutex_lock(a->db_lock);
    sqlite3_finalize(insert);
    pthread_mutex_unlock(a->db_lock);
    a->commits = i;
    return NULL;
}

static double run_writers(void *(*body)(void *), writer_args *args, int writers) {
    pthread_t threads[4];
    double start = now();
    for (int w = 0; w < writers; w++) {
        args[w].until = start + seconds;
        pthread_create(&threads[w], NULL, body, &args[w]);
    }
    long total = 0;
    for (int w = 0; w < writers; w++) {
        pthread_join(threads[w], NULL);
        total += args[w].commits;
    }
    return (double)total / (now() - start);
}

static double agstate_commits(ags_durability durability, int writers, int run) {
    char url[600];
    snprintf(url, sizeof url, "sqlite:%s/agstate-%d-%d-%d.db", folder, (int)durability, writers, run);
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.durability = durability;
    ags_storage *storage;
    must(ags_storage_open(url, AGS_NTS, &options, &storage), "open storage");
    writer_args args[4];
    memset(args, 0, sizeof args);
    for (int w = 0; w < writers; w++) {
        char id[16];
        snprintf(id, sizeof id, "thread-%d", w);
        must(ags_storage_open_store(storage, id, AGS_NTS, state_json, state_len, &args[w].store), "open store");
    }
    double rate = run_writers(agstate_writer, args, writers);
    for (int w = 0; w < writers; w++) ags_store_close(args[w].store);
    ags_storage_close(storage);
    return rate;
}

static double sqlite_commits(ags_durability durability, int writers, int run) {
    char path[600];
    snprintf(path, sizeof path, "%s/raw-%d-%d-%d.db", folder, (int)durability, writers, run);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) exit(1);
    sqlite3_exec(db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    sqlite3_exec(db, durability == AGS_DURABILITY_FULL ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);
    sqlite3_exec(db, "CREATE TABLE rows(store INTEGER NOT NULL, version INTEGER NOT NULL, data BLOB NOT NULL, "
                     "PRIMARY KEY(store, version))", NULL, NULL, NULL);
    pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    writer_args args[4];
    memset(args, 0, sizeof args);
    for (int w = 0; w < writers; w++) {
        args[w].db = db;
        args[w].db_lock = &lock;
        args[w].writer = w;
    }
    double rate = run_writers(sqlite_writer, args, writers);
    sqlite3_close(db);
    return rate;
}

/* Reopen of a store with 10,000 changes after its only checkpoint, beside one parse of its state. */
static void reopen(size_t target, int runs, const char *label) {
    size_t len;
    long items;
    char *json = make_state(target, &len, &items);
    char url[600];
    snprintf(url, sizeof url, "sqlite:%s/reopen-%s.db", folder, label);
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.durability = AGS_DURABILITY_NORMAL;
    options.checkpoint_changes = UINT64_MAX;
    options.checkpoint_bytes = UINT64_MAX;
    ags_storage *storage;
    ags_store *store;
    must(ags_storage_open(url, AGS_NTS, &options, &storage), "open storage");
    must(ags_storage_open_store(storage, "s", AGS_NTS, json, len, &store), "create store");
    char patch[160];
    for (long i = 0; i < 10000; i++) {
        int n = make_patch(patch, sizeof patch, (i * 7919) % items, i);
        must(ags_store_patch(store, patch, (size_t)n, NULL, NULL), "patch");
    }
    ags_store_close(store);
    ags_storage_close(storage);

    double parse[9], open[9];
    for (int r = 0; r < runs; r++) {
        double t0 = now();
        must(ags_store_open(json, len, &store), "parse");
        parse[r] = now() - t0;
        ags_store_close(store);
        t0 = now();
        must(ags_storage_open(url, AGS_NTS, &options, &storage), "reopen storage");
        must(ags_storage_open_store(storage, "s", AGS_NTS, NULL, 0, &store), "reopen store");
        open[r] = now() - t0;
        uint64_t version = 0;
        ags_store_version(store, &version);
        if (version != 10000) { fprintf(stderr, "reopened at version %llu\n", (unsigned long long)version); exit(1); }
        ags_store_close(store);
        ags_storage_close(storage);
    }
    qsort(parse, (size_t)runs, sizeof(double), compare_doubles);
    qsort(open, (size_t)runs, sizeof(double), compare_doubles);
    double p = parse[runs / 2], o = open[runs / 2];
    printf("| %s | %.1f MB | %.1f ms | %.1f ms | %.2fx |\n", label, (double)len / 1e6, p * 1e3, o * 1e3, o / p);
    free(json);
}

int main(int argc, char **argv) {
    const char *base = argc > 1 ? argv[1] : ".";
    if (argc > 2) seconds = atof(argv[2]);
    size_t large = argc > 3 ? (size_t)atol(argv[3]) * 1000000 : 100000000;
    snprintf(folder, sizeof folder, "%s/agstate-bench-storage-%d", base, (int)getpid());
    if (mkdir(folder, 0700) != 0) { perror(folder); return 1; }
    int reopen_only = argc > 4 && strcmp(argv[4], "reopen") == 0;
    state_json = make_state(2200000, &state_len, &state_items);

    if (!reopen_only) printf("| durability | writers | agstate commits/s | raw SQLite commits/s | ratio |\n|---|---|---|---|---|\n");
    ags_durability modes[2] = { AGS_DURABILITY_NORMAL, AGS_DURABILITY_FULL };
    for (int m = 0; m < 2 && !reopen_only; m++) {
        for (int writers = 1; writers <= 4; writers += 3) {
            /* Alternating runs, medians: the machine is shared, and its load changes from second to second. */
            double raw[5], ours[5], ratio[5];
            for (int r = 0; r < 5; r++) {
                raw[r] = sqlite_commits(modes[m], writers, r);
                ours[r] = agstate_commits(modes[m], writers, r);
                ratio[r] = ours[r] / raw[r];
            }
            qsort(raw, 5, sizeof(double), compare_doubles);
            qsort(ours, 5, sizeof(double), compare_doubles);
            qsort(ratio, 5, sizeof(double), compare_doubles);
            printf("| %s | %d | %.0f | %.0f | %.2f |\n", modes[m] == AGS_DURABILITY_FULL ? "full" : "normal", writers,
                   ours[2], raw[2], ratio[2]);
            fflush(stdout);
        }
    }
    printf("\n| state | JSON | one parse (ags_store_open) | reopen, 10,000 changes after the checkpoint | ratio |\n|---|---|---|---|---|\n");
    reopen(2200000, 5, "2.2 MB");
    fflush(stdout);
    if (large > 0) reopen(large, 3, "100 MB");
    char command[600];
    if (getenv("AGSTATE_BENCH_KEEP")) return 0;
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    return system(command) == 0 ? 0 : 1;
}
