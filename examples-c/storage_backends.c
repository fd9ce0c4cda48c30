/*
 * Storage backends: the same workload on durable SQLite storage (encryption at rest off and on, full and
 * normal durability), on PostgreSQL, on Redis and on the hybrid (a PostgreSQL primary with a SQLite
 * fallback), each with encryption off and on, printed as a table of commits per second and bytes on disk
 * ("-" for the server backends, whose bytes are the server's); then every store reopened by a new storage on
 * the same file or URL (a restart) with its state, version and history, and a wrong key refused. Real files
 * in a temporary directory; the servers come from AGSTATE_TEST_PG_URL and AGSTATE_TEST_REDIS_URL
 * (scripts/servers.sh starts private ones), and the store ids carry the process id and the time, so that runs
 * against the same servers do not meet. Checkpoints are always zstd-compressed (there is no switch to turn
 * it off). Exits 1 if any of it does not hold.
 * Build: cc storage_backends.c $(pkg-config --cflags --libs agstate)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agstate.h"

#define COMMITS 300  /* per configuration: a chat of 300 messages */
#define SETUPS 10

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "storage_backends: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

/* The database and its write-ahead log, as they are on disk (the caller frees the bytes). */
static char *files(const char *path, size_t *len) {
    char *data = NULL;
    *len = 0;
    const char *suffixes[] = { "", "-wal" };
    for (int i = 0; i < 2; i++) {
        char name[512];
        snprintf(name, sizeof name, "%.500s%s", path, suffixes[i]);
        FILE *f = fopen(name, "rb");
        if (!f) continue;
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        fseek(f, 0, SEEK_SET);
        data = realloc(data, *len + (size_t)size + 1);
        *len += fread(data + *len, 1, (size_t)size, f);
        fclose(f);
    }
    return data;
}

static int contains(const char *data, size_t len, const char *needle) {
    return data && memmem(data, len, needle, strlen(needle)) != NULL;
}

/* kind is "sqlite", "postgresql", "redis" or "hybrid"; durability applies to SQLite only ("-" for the others). */
typedef struct { const char *name, *kind; const unsigned char *key; ags_durability durability; } setup;

static const char *durability_name(const setup *s) {
    if (strcmp(s->kind, "sqlite") != 0) return "-";
    return s->durability == AGS_DURABILITY_FULL ? "full" : "normal";
}

static ags_storage *open_storage(const char *url, const unsigned char *key, ags_durability durability) {
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.key = key;
    options.durability = durability;
    ags_storage *storage = NULL;
    must(ags_storage_open(url, AGS_NTS, &options, &storage), "open storage");
    return storage;
}

int main(void) {
    const char *pg_url = getenv("AGSTATE_TEST_PG_URL"), *redis_url = getenv("AGSTATE_TEST_REDIS_URL");
    if (!pg_url || !*pg_url || !redis_url || !*redis_url) {
        fprintf(stderr, "storage_backends: set AGSTATE_TEST_PG_URL to a PostgreSQL URL and AGSTATE_TEST_REDIS_URL to a "
                        "Redis URL (scripts/servers.sh starts both)\n");
        return 1;
    }
    unsigned char key[32], wrong_key[32] = {0};
    for (int i = 0; i < 32; i++) key[i] = (unsigned char)i; /* a real application reads its key from a secret store */
    const ags_durability full = AGS_DURABILITY_FULL, normal = AGS_DURABILITY_NORMAL;
    setup setups[SETUPS] = { { "sqlite", "sqlite", NULL, full }, { "sqlite", "sqlite", NULL, normal },
                             { "sqlite + encryption", "sqlite", key, full }, { "sqlite + encryption", "sqlite", key, normal },
                             { "postgresql", "postgresql", NULL, full }, { "postgresql + encryption", "postgresql", key, full },
                             { "redis", "redis", NULL, full }, { "redis + encryption", "redis", key, full },
                             { "hybrid", "hybrid", NULL, full }, { "hybrid + encryption", "hybrid", key, full } };
    char folder[] = "/tmp/agstate-storage-XXXXXX", paths[SETUPS][512], fallbacks[SETUPS][512], urls[SETUPS][2048],
         ids[SETUPS][96], line[512], patch[512];
    if (!mkdtemp(folder)) { perror("mkdtemp"); return 1; }
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    for (int n = 0; n < SETUPS; n++) {
        /* The process id and the time in the store ids: reruns against the same servers do not collide. */
        snprintf(ids[n], sizeof ids[n], "thread-%ld-%lld%09ld-%d", (long)getpid(), (long long)t.tv_sec, t.tv_nsec, n);
        snprintf(paths[n], sizeof paths[n], "%s/setup-%d.db", folder, n);
        snprintf(fallbacks[n], sizeof fallbacks[n], "%s/setup-%d-fallback.db", folder, n);
        const char *kind = setups[n].kind;
        if (strcmp(kind, "sqlite") == 0) snprintf(urls[n], sizeof urls[n], "sqlite:%s", paths[n]);
        else if (strcmp(kind, "hybrid") == 0) snprintf(urls[n], sizeof urls[n], "hybrid:%.1000s|sqlite:%s", pg_url, fallbacks[n]);
        else snprintf(urls[n], sizeof urls[n], "%.2000s", strcmp(kind, "postgresql") == 0 ? pg_url : redis_url);
    }
    char *finals[SETUPS];
    uint64_t versions[SETUPS];

    printf("      %-26s%-12s%11s%15s\n", "backend", "durability", "commits/s", "bytes on disk");
    size_t state_bytes = 0;
    for (int n = 0; n < SETUPS; n++) {
        ags_storage *storage = open_storage(urls[n], setups[n].key, setups[n].durability);
        ags_store *store = NULL;
        must(ags_storage_open_store(storage, ids[n], AGS_NTS, "{\"messages\":[],\"count\":0}", AGS_NTS, &store), "open store");
        double started = now_s();
        for (int i = 0; i < COMMITS; i++) {
            snprintf(patch, sizeof patch,
                     "[{\"op\":\"add\",\"path\":\"/messages/-\",\"value\":{\"role\":\"%s\",\"text\":\"message %d: "
                     "lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum lorem ipsum \"}},"
                     "{\"op\":\"replace\",\"path\":\"/count\",\"value\":%d}]", i % 2 ? "user" : "assistant", i, i + 1);
            must(ags_store_patch(store, patch, AGS_NTS, NULL, NULL), "commit");
        }
        double elapsed = now_s() - started;
        must(ags_store_version(store, &versions[n]), "version");
        must(ags_store_export(store, 0, &finals[n], &state_bytes), "export");
        ags_store_close(store);
        ags_storage_close(storage);
        size_t size = 0;
        char bytes[32] = "-";
        if (strcmp(setups[n].kind, "sqlite") == 0) {
            free(files(paths[n], &size));
            snprintf(bytes, sizeof bytes, "%zu", size);
        }
        printf("      %-26s%-12s%11.0f%15s\n", setups[n].name, durability_name(&setups[n]), COMMITS / elapsed, bytes);
    }
    printf("      (%d commits; the final state is %zu bytes of JSON)\n", COMMITS, state_bytes);

    /* A restart: a new storage on the same file or URL finds every store with its state, version and history. */
    for (int n = 0; n < SETUPS; n++) {
        ags_storage *storage = open_storage(urls[n], setups[n].key, AGS_DURABILITY_FULL);
        ags_store *store = NULL;
        must(ags_storage_open_store(storage, ids[n], AGS_NTS, NULL, 0, &store), "reopen store");
        uint64_t version = 0;
        char *state = NULL, *before = NULL, *count = NULL;
        int equal = 0;
        must(ags_store_version(store, &version), "version");
        must(ags_store_export(store, 0, &state, NULL), "export");
        must(ags_json_equal(state, AGS_NTS, finals[n], AGS_NTS, &equal), "compare");
        must(ags_store_state_at(store, COMMITS - 1, 0, &before, NULL), "state at");
        must(ags_pointer_get(before, AGS_NTS, "/count", AGS_NTS, 0, &count, NULL), "pointer");
        char label[64];
        if (strcmp(setups[n].kind, "sqlite") == 0) snprintf(label, sizeof label, "%s (%s)", setups[n].name, durability_name(&setups[n]));
        else snprintf(label, sizeof label, "%s", setups[n].name);
        snprintf(line, sizeof line, "%s reopened at v%llu with its state and history", label, (unsigned long long)version);
        check(version == versions[n] && version == COMMITS && equal && atoi(count) == COMMITS - 1, line);
        ags_free(state); ags_free(before); ags_free(count); ags_free(finals[n]);
        ags_store_close(store);
        ags_storage_close(storage);
    }

    /* Encryption at rest: the messages are not in the file, and a wrong key is refused. */
    size_t sealed_len = 0, clear_len = 0;
    char *sealed = files(paths[2], &sealed_len), *clear = files(paths[0], &clear_len);
    check(!contains(sealed, sealed_len, "lorem ipsum") && contains(clear, clear_len, "lorem ipsum"),
          "with encryption the text is not in the file (without it, it is)");
    free(sealed);
    free(clear);
    ags_storage *storage = open_storage(urls[2], wrong_key, AGS_DURABILITY_FULL);
    ags_store *store = NULL;
    ags_status status = ags_storage_open_store(storage, ids[2], AGS_NTS, NULL, 0, &store);
    snprintf(line, sizeof line, "a wrong key is refused: %s", ags_errlast()->message);
    check(status == AGS_ERR_CORRUPT_DATA, line);
    ags_store_close(store);
    ags_storage_close(storage);

    for (int n = 0; n < SETUPS; n++) {
        const char *suffixes[] = { "", "-wal", "-shm" };
        for (int i = 0; i < 3; i++) {
            char name[600];
            snprintf(name, sizeof name, "%.511s%s", paths[n], suffixes[i]);
            unlink(name);
            snprintf(name, sizeof name, "%.511s%s", fallbacks[n], suffixes[i]);
            unlink(name);
        }
    }
    rmdir(folder);
    if (failures) printf("storage_backends: %d checks failed\n", failures);
    else printf("storage_backends: all checks passed\n");
    return failures ? 1 : 0;
}
