/* The hybrid storage (a PostgreSQL primary, a SQLite fallback) against the private server of the test
 * command, stopped and started again:
 *
 *   test_hybrid_storage PG_URL STOP_COMMAND START_COMMAND DIRECTORY
 *
 * Failover: commits succeed while the server is down and survive closing and reopening the storage (the
 * fallback file); replay: when the server is back, the primary holds every change. Conflict: while this
 * process's changes wait in the fallback, another storage commits the same store's next version on the
 * primary; reopening the hybrid storage replays them, and the conflict log holds the conflict with both
 * sides. Skipped (exit 77) without a server unless CI is set. */
#include <agstate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fprintf(stderr, " (%s)\n", ags_errlast()->message); exit(1); } } while (0)

static const char *stop_command, *start_command;
static int server_down;

static void server(int up) {
    CHECK(system(up ? start_command : stop_command) == 0, "%s the server", up ? "starting" : "stopping");
    server_down = !up;
}

static void restart_server_at_exit(void) {
    if (server_down) (void)!system(start_command);
}

static void sleep_ms(int ms) {
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

static ags_storage *open_storage(const char *url) {
    ags_storage *storage = NULL;
    CHECK(ags_storage_open(url, strlen(url), NULL, &storage) == AGS_OK, "open %s", url);
    return storage;
}

static ags_store *open_store(ags_storage *storage, const char *id, const char *initial) {
    ags_store *store = NULL;
    CHECK(ags_storage_open_store(storage, id, strlen(id), initial, initial ? strlen(initial) : 0, &store) == AGS_OK,
          "open store %s", id);
    return store;
}

static void set(ags_store *store, const char *ptr, const char *value, const char *author) {
    ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
    if (author) { options.author = author; options.author_len = strlen(author); }
    CHECK(ags_store_set(store, ptr, strlen(ptr), value, strlen(value), &options, NULL) == AGS_OK, "set %s", ptr);
}

static uint64_t version(ags_store *store) {
    uint64_t v = 0;
    CHECK(ags_store_version(store, &v) == AGS_OK, "version");
    return v;
}

static char *state(ags_store *store) {
    char *json = NULL;
    CHECK(ags_store_export(store, AGS_JSON_SORT_KEYS, &json, NULL) == AGS_OK, "export");
    return json;
}

/* Not inlined: GCC then takes the returned text for a pointer to the local it was written through. */
__attribute__((noinline)) static char *stats(ags_storage *storage) {
    char *json = NULL;
    CHECK(ags_storage_stats(storage, &json, NULL) == AGS_OK, "stats");
    return json;
}

/* The integer after "name": in the statistics. */
static long long counter(ags_storage *storage, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "\"%s\":", name);
    char *json = stats(storage);
    long long value = -1;
    size_t offset = (size_t)-1;
    const char *at = strstr(json, key);
    if (at) offset = (size_t)(at - json) + strlen(key);
    if (offset != (size_t)-1) value = strtoll(json + offset, NULL, 10);
    ags_free(json);
    return value;
}

static int stat_is(ags_storage *storage, const char *member) {
    char *json = stats(storage);
    int found = strstr(json, member) != NULL;
    ags_free(json);
    return found;
}

int main(int argc, char **argv) {
    if (argc < 5 || !argv[1][0]) {
        if (getenv("CI")) { fprintf(stderr, "no PostgreSQL server in CI\n"); return 1; }
        fprintf(stderr, "skipped: no PostgreSQL server (AGSTATE_TEST_PG_URL unset)\n");
        return 77;
    }
    const char *pg = argv[1];
    stop_command = argv[2];
    start_command = argv[3];
    atexit(restart_server_at_exit);
    char url[4096], id[64], conflict_id[64];
    snprintf(url, sizeof url, "hybrid:%s%sagstate_retries=0&agstate_breaker_failures=1&agstate_breaker_open_ms=100|sqlite:%s/hybrid-%d.db",
             pg, strchr(pg, '?') ? "&" : "?", argv[4], (int)getpid());
    snprintf(id, sizeof id, "c-hybrid-%d-%ld", (int)getpid(), (long)time(NULL));
    snprintf(conflict_id, sizeof conflict_id, "c-hybrid-conflict-%d-%ld", (int)getpid(), (long)time(NULL));

    /* Failover and durability of the fallback. */
    ags_storage *storage = open_storage(url);
    ags_store *store = open_store(storage, id, "{\"n\":0}");
    ags_store *conflicted = open_store(storage, conflict_id, "{\"a\":1}");
    set(store, "/n", "1", NULL);
    set(conflicted, "/a", "2", NULL);
    CHECK(stat_is(storage, "\"active\":\"primary\""), "on the primary");
    server(0);
    for (int i = 2; i <= 5; i++) {
        char value[16];
        snprintf(value, sizeof value, "%d", i);
        set(store, "/n", value, "c-writer");
    }
    set(conflicted, "/mine", "\"A\"", "process-a");
    CHECK(version(store) == 5, "version 5 on the fallback");
    CHECK(stat_is(storage, "\"active\":\"fallback\""), "on the fallback");
    CHECK(counter(storage, "pending_replay") == 5, "5 pending");
    ags_store_close(store);
    ags_store_close(conflicted);
    ags_storage_close(storage);

    storage = open_storage(url);                      /* the primary still down */
    store = open_store(storage, id, NULL);
    CHECK(version(store) == 5, "reopened from the fallback at version 5");
    char *expected = state(store);
    CHECK(strcmp(expected, "{\"n\":5}") == 0, "state from the fallback: %s", expected);
    CHECK(counter(storage, "pending_replay") == 5, "still 5 pending");

    /* Replay when the primary is back. */
    server(1);
    for (int i = 0; i < 2000 && !(counter(storage, "pending_replay") == 1 && counter(storage, "stores_on_fallback") == 0); i++) sleep_ms(10);
    CHECK(counter(storage, "replayed_changes") == 4, "4 changes replayed");
    CHECK(counter(storage, "replay_conflicts") == 0, "no conflict");
    CHECK(stat_is(storage, "\"active\":\"primary\"") && stat_is(storage, "\"breaker\":\"closed\""), "back on the primary");
    ags_storage *direct = open_storage(pg);
    ags_store *copy = open_store(direct, id, NULL);
    char *primary_state = state(copy);
    CHECK(version(copy) == 5 && strcmp(primary_state, expected) == 0, "the primary holds every change: %s", primary_state);
    ags_free(primary_state);
    ags_free(expected);

    /* A conflict on replay: another process commits version 2 of conflict_id on the primary first. */
    ags_store *theirs = open_store(direct, conflict_id, NULL);
    set(theirs, "/theirs", "\"B\"", "process-b");
    CHECK(version(theirs) == 2, "the other process at version 2");
    ags_store_close(store);
    ags_storage_close(storage);
    storage = open_storage(url);
    ags_store *mine = open_store(storage, conflict_id, NULL);   /* replayed here: rebase keeps both */
    char *merged = state(mine);
    CHECK(version(mine) == 3 && strcmp(merged, "{\"a\":2,\"mine\":\"A\",\"theirs\":\"B\"}") == 0, "resolved: %s", merged);
    CHECK(counter(storage, "replay_conflicts") == 1 && counter(storage, "pending_replay") == 0, "one replay conflict");
    char *log = NULL;
    CHECK(ags_store_conflicts(mine, 0, 0, &log, NULL) == AGS_OK, "conflict log");
    CHECK(strstr(log, "\"kind\":\"replay\"") && strstr(log, "\"outcome\":\"applied\"") && strstr(log, "\"strategy\":\"rebase\"")
          && strstr(log, "\"base_version\":1") && strstr(log, "\"primary_version\":2") && strstr(log, "\"version\":3")
          && strstr(log, "\"theirs\":[{\"op\":\"add\",\"path\":\"/theirs\",\"value\":\"B\"}]")
          && strstr(log, "\"mine\":[{\"version\":2,\"author\":\"process-a\",\"patch\":[{\"op\":\"add\",\"path\":\"/mine\",\"value\":\"A\"}]}]"),
          "the conflict with both sides: %s", log);
    ags_free(log);
    for (int i = 0; i < 500 && version(theirs) < 3; i++) sleep_ms(10);
    char *their_state = state(theirs);
    CHECK(strcmp(their_state, merged) == 0, "the primary holds the resolved state: %s", their_state);
    ags_free(their_state);
    ags_free(merged);

    ags_store_close(mine);
    ags_store_close(theirs);
    ags_store_close(copy);
    ags_storage_close(storage);
    CHECK(ags_storage_delete(direct, id, strlen(id)) == AGS_OK && ags_storage_delete(direct, conflict_id, strlen(conflict_id)) == AGS_OK, "delete");
    ags_storage_close(direct);
    printf("hybrid: failover, durable fallback, replay, conflict on replay logged with both sides: ok\n");
    return 0;
}
