/* Durable storage through the C API, on real SQLite files in a temporary directory: reopen, history across
 * restart, list/delete, backup, encryption (no plain text in the database or its WAL), a database locked by
 * another connection (AGS_ERR_IO, state and version unchanged, usable after), bad files left untouched. */
#include <signal.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static char dir[64];

static int text_is(char *out, const char *expected) {
    int equal = 0;
    if (!out) return 0;
    ags_json_equal(out, AGS_NTS, expected, AGS_NTS, &equal);
    if (!equal) fprintf(stderr, "got %s, expected %s\n", out, expected);
    ags_free(out);
    return equal;
}

static int state_is(ags_store *store, const char *expected) {
    char *out = NULL;
    if (ags_store_export(store, 0, &out, NULL) != AGS_OK) return 0;
    return text_is(out, expected);
}

static uint64_t version_of(ags_store *store) {
    uint64_t v = 0;
    ags_store_version(store, &v);
    return v;
}

/* True when the file at path contains needle. */
static int file_contains(const char *path, const char *needle) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)size + 1);
    size_t n = fread(data, 1, (size_t)size, f);
    fclose(f);
    int found = 0;
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n && !found; i++) found = memcmp(data + i, needle, m) == 0;
    free(data);
    return found;
}

static void reopen_history_list_delete(void) {
    char url[320];
    snprintf(url, sizeof url, "sqlite:%s/a.db", dir);
    ags_storage_options options;
    CHECK(ags_storage_options_init(&options, AGS_STORAGE_OPTIONS_VERSION) == AGS_OK);
    CHECK(options.durability == AGS_DURABILITY_FULL && options.checkpoint_changes == AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES);
    options.durability = AGS_DURABILITY_NORMAL;
    options.checkpoint_changes = 3;
    ags_storage *storage = NULL;
    ags_store *store = NULL;
    uint64_t v = 0;
    char *out = NULL;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "thread-1", AGS_NTS, "{\"n\":0}", AGS_NTS, &store) == AGS_OK);
    for (int i = 1; i <= 10; i++) {
        char value[16];
        snprintf(value, sizeof value, "%d", i);
        CHECK(ags_store_set(store, "/n", AGS_NTS, value, AGS_NTS, NULL, &v) == AGS_OK && v == (uint64_t)i);
    }
    CHECK(ags_store_merge(store, "{\"m\":true}", AGS_NTS, NULL, &v) == AGS_OK && v == 11);
    ags_txn *txn = NULL;
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"add\",\"path\":\"/t\",\"value\":1}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_commit(txn, NULL, &v) == AGS_OK && v == 12);
    ags_store *second = NULL;
    CHECK(ags_storage_open_store(storage, "thread-2", AGS_NTS, NULL, 0, &second) == AGS_OK);
    CHECK(ags_storage_list(storage, &out, NULL) == AGS_OK && text_is(out, "[\"thread-1\",\"thread-2\"]"));
    ags_store_close(store);
    ags_store_close(second);
    ags_storage_close(storage);
    ags_storage_close(storage); /* harmless */
    ags_storage_close(NULL);

    CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "thread-1", AGS_NTS, "{\"ignored\":1}", AGS_NTS, &store) == AGS_OK);
    CHECK(version_of(store) == 12);
    CHECK(state_is(store, "{\"n\":10,\"m\":true,\"t\":1}"));
    CHECK(ags_store_state_at(store, 4, 0, &out, NULL) == AGS_OK && text_is(out, "{\"n\":4}"));
    CHECK(ags_store_delta_since(store, 11, 0, &out, NULL) == AGS_OK && text_is(out, "[{\"op\":\"add\",\"path\":\"/t\",\"value\":1}]"));

    /* Backup of one store, imported into another storage. */
    char backup[300], url2[300];
    snprintf(backup, sizeof backup, "%s/one.agsb", dir);
    snprintf(url2, sizeof url2, "file:%s/b.db", dir);
    CHECK(ags_storage_export(storage, "thread-1", AGS_NTS, backup, AGS_NTS) == AGS_OK);
    ags_storage *other = NULL;
    CHECK(ags_storage_open(url2, AGS_NTS, NULL, &other) == AGS_OK);
    CHECK(ags_storage_import(other, backup, AGS_NTS, &out, NULL) == AGS_OK && text_is(out, "[\"thread-1\"]"));
    CHECK(ags_storage_import(other, backup, AGS_NTS, NULL, NULL) == AGS_ERR_CONFLICT);
    ags_store *copy = NULL;
    CHECK(ags_storage_open_store(other, "thread-1", AGS_NTS, NULL, 0, &copy) == AGS_OK && version_of(copy) == 12);
    CHECK(state_is(copy, "{\"n\":10,\"m\":true,\"t\":1}"));
    ags_store_close(copy);
    ags_storage_close(other);

    /* Delete: the open handle still reads; its commits fail with AGS_ERR_CLOSED. */
    CHECK(ags_storage_delete(storage, "thread-1", AGS_NTS) == AGS_OK);
    CHECK(ags_storage_delete(storage, "thread-1", AGS_NTS) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(ags_store_set(store, "/n", AGS_NTS, "0", AGS_NTS, NULL, &v) == AGS_ERR_CLOSED);
    CHECK(version_of(store) == 12);
    CHECK(ags_storage_list(storage, &out, NULL) == AGS_OK && text_is(out, "[\"thread-2\"]"));
    ags_store_close(store);

    /* Closed storage: stores opened from it fail to commit with AGS_ERR_CLOSED. */
    CHECK(ags_storage_open_store(storage, "thread-2", AGS_NTS, NULL, 0, &store) == AGS_OK);
    ags_storage_close(storage);
    CHECK(ags_store_set(store, "/x", AGS_NTS, "1", AGS_NTS, NULL, &v) == AGS_ERR_CLOSED);
    CHECK(ags_storage_list(storage, &out, NULL) == AGS_ERR_CLOSED);
    ags_store_close(store);
}

static void arguments_and_bad_files(void) {
    ags_storage *storage = NULL;
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    CHECK(ags_storage_open("mongodb://x", AGS_NTS, NULL, &storage) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open("sqlite:", AGS_NTS, NULL, &storage) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open(NULL, 5, NULL, &storage) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_options_init(&options, 99) == AGS_ERR_INVALID_ARGUMENT);
    options.durability = (ags_durability)7;
    char url[320];
    snprintf(url, sizeof url, "sqlite:%s/c.db", dir);
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_ERR_INVALID_ARGUMENT);
    options.durability = AGS_DURABILITY_FULL;
    options.checkpoint_changes = 0;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open(url, AGS_NTS, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open_store(NULL, "x", 1, NULL, 0, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_OK);
    ags_store *store = NULL;
    CHECK(ags_storage_open_store(storage, "", 0, NULL, 0, &store) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open_store(storage, "\xff", 1, NULL, 0, &store) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_storage_open_store(storage, "s", 1, "{", 1, &store) == AGS_ERR_INVALID_JSON);
    ags_storage_close(storage);

    /* Not a database, another program's database: a clear error, and the file unchanged. */
    char path[300];
    snprintf(path, sizeof path, "%s/text.txt", dir);
    FILE *f = fopen(path, "w");
    fputs("just some text that is not a database, long enough to look like a header. ...........................", f);
    fclose(f);
    struct stat before, after;
    stat(path, &before);
    snprintf(url, sizeof url, "sqlite:%s", path);
    CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_ERR_CORRUPT_DATA);
    stat(path, &after);
    CHECK(before.st_size == after.st_size && before.st_mtime == after.st_mtime);
    snprintf(path, sizeof path, "%s/foreign.db", dir);
    sqlite3 *db = NULL;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('hi')", NULL, NULL, NULL);
    sqlite3_close(db);
    snprintf(url, sizeof url, "sqlite:%s", path);
    CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_ERR_CORRUPT_DATA && strstr(ags_errlast()->message, "another program"));
}

static void locked_database(void) {
    char url[320], path[300];
    snprintf(path, sizeof path, "%s/locked.db", dir);
    snprintf(url, sizeof url, "sqlite:%s", path);
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.busy_timeout_ms = 50;
    ags_storage *storage = NULL;
    ags_store *store = NULL;
    uint64_t v = 0;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "s", AGS_NTS, "{\"n\":1}", AGS_NTS, &store) == AGS_OK);
    CHECK(ags_store_set(store, "/n", AGS_NTS, "2", AGS_NTS, NULL, &v) == AGS_OK && v == 1);
    sqlite3 *db = NULL;
    CHECK(sqlite3_open(path, &db) == SQLITE_OK);
    CHECK(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) == SQLITE_OK);
    CHECK(ags_store_set(store, "/n", AGS_NTS, "3", AGS_NTS, NULL, &v) == AGS_ERR_IO && strstr(ags_errlast()->message, "locked"));
    CHECK(version_of(store) == 1 && state_is(store, "{\"n\":2}"));
    char *out = NULL;
    CHECK(ags_store_history(store, 0, 0, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"version\":1,\"patch\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]}]"));
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    CHECK(ags_store_set(store, "/n", AGS_NTS, "4", AGS_NTS, NULL, &v) == AGS_OK && v == 2);
    ags_store_close(store);
    ags_storage_close(storage);
}

static void encryption(void) {
    char url[320], path[300], wal[310];
    snprintf(path, sizeof path, "%s/secret.db", dir);
    snprintf(wal, sizeof wal, "%s-wal", path);
    snprintf(url, sizeof url, "sqlite:%s", path);
    unsigned char key[32], wrong[32];
    memset(key, 0x11, sizeof key);
    memset(wrong, 0x22, sizeof wrong);
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.key = key;
    options.key_id = 1;
    options.checkpoint_changes = 2;
    ags_storage *storage = NULL;
    ags_store *store = NULL;
    uint64_t v = 0;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "secret", AGS_NTS, "{\"a\":\"MARKER-initial-31337\"}", AGS_NTS, &store) == AGS_OK);
    for (int i = 0; i < 5; i++)
        CHECK(ags_store_set(store, "/b", AGS_NTS, "\"MARKER-change-31337\"", AGS_NTS, NULL, &v) == AGS_OK);
    /* While open the data is in the WAL; neither file has the marker. */
    CHECK(!file_contains(path, "MARKER") && !file_contains(wal, "MARKER"));
    ags_store_close(store);
    ags_storage_close(storage);
    CHECK(!file_contains(path, "MARKER") && !file_contains(wal, "MARKER"));

    options.key = wrong;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "secret", AGS_NTS, NULL, 0, &store) == AGS_ERR_CORRUPT_DATA &&
          strstr(ags_errlast()->message, "\"secret\"") && strstr(ags_errlast()->message, "version"));
    ags_storage_close(storage);

    /* Rotation: key 2 current, key 1 for reading. */
    ags_storage_key old = { 1, {0} };
    memcpy(old.key, key, sizeof key);
    options.key = wrong;
    options.key_id = 2;
    options.old_keys = &old;
    options.old_key_count = 1;
    CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
    CHECK(ags_storage_open_store(storage, "secret", AGS_NTS, NULL, 0, &store) == AGS_OK && version_of(store) == 5);
    CHECK(ags_store_set(store, "/c", AGS_NTS, "1", AGS_NTS, NULL, &v) == AGS_OK && v == 6);
    ags_store_close(store);
    ags_storage_close(storage);
}

/* In a child process with RLIMIT_FSIZE set: a commit that would grow the files past it fails with
 * AGS_ERR_IO, the state and version stay, and once the limit is lifted the next commit succeeds. */
static void file_size_limit(void) {
    pid_t pid = fork();
    if (pid == 0) {
        char url[320];
        snprintf(url, sizeof url, "sqlite:%s/fsize.db", dir);
        signal(SIGXFSZ, SIG_IGN);
        ags_storage *storage = NULL;
        ags_store *store = NULL;
        uint64_t v = 0;
        if (ags_storage_open(url, AGS_NTS, NULL, &storage) != AGS_OK) _exit(10);
        if (ags_storage_open_store(storage, "s", AGS_NTS, "{\"n\":1}", AGS_NTS, &store) != AGS_OK) _exit(11);
        struct rlimit old, small;
        getrlimit(RLIMIT_FSIZE, &old);
        small = old;
        small.rlim_cur = 1 << 20;
        setrlimit(RLIMIT_FSIZE, &small);
        /* About 3 MB of text that zstd cannot shrink much. */
        size_t n = 3u << 20;
        char *big = malloc(n + 3);
        uint32_t x = 12345;
        big[0] = '"';
        for (size_t i = 1; i <= n; i++) { x = x * 1103515245u + 12345u; big[i] = (char)('a' + (x >> 16) % 26); }
        big[n + 1] = '"';
        big[n + 2] = 0;
        ags_status status = ags_store_set(store, "/big", AGS_NTS, big, n + 2, NULL, &v);
        if (status != AGS_ERR_IO) _exit(12);
        if (version_of(store) != 0 || !state_is(store, "{\"n\":1}")) _exit(13);
        setrlimit(RLIMIT_FSIZE, &old);
        if (ags_store_set(store, "/n", AGS_NTS, "2", AGS_NTS, NULL, &v) != AGS_OK || v != 1) _exit(14);
        ags_store_close(store);
        ags_storage_close(storage);
        if (ags_storage_open(url, AGS_NTS, NULL, &storage) != AGS_OK) _exit(15);
        if (ags_storage_open_store(storage, "s", AGS_NTS, NULL, 0, &store) != AGS_OK) _exit(16);
        if (!state_is(store, "{\"n\":2}")) _exit(17);
        free(big);
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) fprintf(stderr, "file size limit child: status %d\n", status);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/agstate-c-storage-XXXXXX");
    if (!mkdtemp(dir)) return 2;
    reopen_history_list_delete();
    arguments_and_bad_files();
    locked_database();
    encryption();
    file_size_limit();
    printf("%d checks, %d failures\n", checks, failures);
    char command[300];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (failures == 0 && system(command) != 0) return 2;
    return failures ? 1 : 0;
}
