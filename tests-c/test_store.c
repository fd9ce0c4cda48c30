/* Snapshots, history, transactions, subscriptions and state events through the C API, and a stress run
 * with writer threads, reader threads and subscribers. argv[1] is test-vectors/. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

/* The whole state or a value, compared as JSON with expected text. */
static int state_is(ags_store *store, const char *expected) {
    char *out = NULL;
    int equal = 0;
    if (ags_store_export(store, 0, &out, NULL) != AGS_OK) return 0;
    ags_json_equal(out, AGS_NTS, expected, AGS_NTS, &equal);
    if (!equal) fprintf(stderr, "state %s, expected %s\n", out, expected);
    ags_free(out);
    return equal;
}

static int text_is(char *out, const char *expected) {
    int equal = 0;
    if (!out) return 0;
    ags_json_equal(out, AGS_NTS, expected, AGS_NTS, &equal);
    if (!equal) fprintf(stderr, "got %s, expected %s\n", out, expected);
    ags_free(out);
    return equal;
}

static void snapshots_and_history(void) {
    ags_store *store = NULL;
    ags_snapshot *snap = NULL;
    uint64_t v = 0, oldest = 0, newest = 0;
    char *out = NULL;
    CHECK(ags_store_open("{\"n\":0}", AGS_NTS, &store) == AGS_OK);
    CHECK(ags_store_snapshot(store, &snap) == AGS_OK);
    for (int i = 1; i <= 5; i++) {
        char value[16];
        snprintf(value, sizeof value, "%d", i);
        CHECK(ags_store_set(store, "/n", AGS_NTS, value, AGS_NTS, NULL, &v) == AGS_OK && v == (uint64_t)i);
    }
    CHECK(ags_snapshot_version(snap, &v) == AGS_OK && v == 0);
    CHECK(ags_snapshot_get(snap, "/n", AGS_NTS, 0, &out, NULL) == AGS_OK && text_is(out, "0"));
    CHECK(ags_store_state_at(store, 2, 0, &out, NULL) == AGS_OK && text_is(out, "{\"n\":2}"));
    CHECK(ags_store_delta_since(store, 3, 0, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":4},{\"op\":\"replace\",\"path\":\"/n\",\"value\":5}]"));
    CHECK(ags_store_history(store, 4, 0, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"version\":5,\"patch\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":5}]}]"));
    CHECK(ags_store_delta_since(store, 9, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);

    /* Restore is an ordinary change. */
    CHECK(ags_store_restore(store, snap, NULL, &v) == AGS_OK && v == 6);
    CHECK(state_is(store, "{\"n\":0}"));

    /* A history of two versions forgets the rest. */
    CHECK(ags_store_limit(store, AGS_LIMIT_HISTORY_VERSIONS, 2, NULL) == AGS_OK);
    CHECK(ags_store_history_range(store, &oldest, &newest) == AGS_OK && oldest == 4 && newest == 6);
    CHECK(ags_store_state_at(store, 3, 0, &out, NULL) == AGS_ERR_NOT_IN_HISTORY);
    CHECK(ags_store_delta_event(store, 1, 0, &out, NULL) == AGS_ERR_NOT_IN_HISTORY);

    ags_store_close(store);
    /* A snapshot outlives its store. */
    CHECK(ags_snapshot_get(snap, "", 0, 0, &out, NULL) == AGS_OK && text_is(out, "{\"n\":0}"));
    ags_snapshot_close(snap);
    ags_snapshot_close(snap);
    CHECK(ags_snapshot_version(snap, &v) == AGS_ERR_CLOSED);
    CHECK(ags_store_snapshot(NULL, &snap) == AGS_ERR_INVALID_ARGUMENT);
}

static void transactions(void) {
    ags_store *store = NULL;
    ags_txn *txn = NULL;
    uint64_t v = 0;
    char *out = NULL;
    CHECK(ags_store_open("{\"a\":{\"x\":1},\"b\":{\"y\":1}}", AGS_NTS, &store) == AGS_OK);

    /* Disjoint: commits on top of the other change. */
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/a/x\",\"value\":2}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_get(txn, "/a/x", AGS_NTS, 0, &out, NULL) == AGS_OK && text_is(out, "2"));
    CHECK(ags_store_set(store, "/b/y", AGS_NTS, "5", AGS_NTS, NULL, &v) == AGS_OK && v == 1);
    CHECK(ags_txn_commit(txn, NULL, &v) == AGS_OK && v == 2);
    CHECK(state_is(store, "{\"a\":{\"x\":2},\"b\":{\"y\":5}}"));
    CHECK(ags_txn_commit(txn, NULL, &v) == AGS_ERR_CLOSED); /* the handle was released */

    /* Overlapping: conflict, nothing applied. */
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/a/x\",\"value\":3}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_store_set(store, "/a", AGS_NTS, "{\"x\":9}", AGS_NTS, NULL, &v) == AGS_OK && v == 3);
    CHECK(ags_txn_commit(txn, NULL, &v) == AGS_ERR_CONFLICT);
    CHECK(state_is(store, "{\"a\":{\"x\":9},\"b\":{\"y\":5}}"));

    /* Rollback leaves nothing behind. */
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"remove\",\"path\":\"/a\"}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"remove\",\"path\":\"/nope\"}]", AGS_NTS, 0) == AGS_ERR_PATH_NOT_FOUND);
    ags_txn_rollback(txn);
    ags_txn_rollback(txn);
    CHECK(ags_store_version(store, &v) == AGS_OK && v == 3);

    /* Compare-and-set. */
    CHECK(ags_store_patch(store, "[{\"op\":\"add\",\"path\":\"/c\",\"value\":1}]", AGS_NTS, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, 0, 3, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, &v) == AGS_OK && v == 4);
    CHECK(ags_store_patch(store, "[{\"op\":\"add\",\"path\":\"/c\",\"value\":2}]", AGS_NTS, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, 0, 3, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_patch(store, "[]", AGS_NTS, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, 0x8, AGS_ANY_VERSION, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, &v) == AGS_ERR_INVALID_ARGUMENT);
    ags_store_close(store);
}

/* Subscriptions: what each subscriber hears, and a callback that commits. */
struct heard { ags_store *store; int calls; uint64_t versions[64]; char last[256]; int echo; };

static int on_change(void *user_data, uint64_t version, const char *patch, size_t len) {
    struct heard *h = user_data;
    if (h->calls < 64) h->versions[h->calls] = version;
    h->calls++;
    snprintf(h->last, sizeof h->last, "%.*s", (int)len, patch);
    if (h->echo) {
        char *out = NULL;
        if (ags_store_get(h->store, "/a/b", AGS_NTS, 0, &out, NULL) == AGS_OK) {
            ags_store_set(h->store, "/echo", AGS_NTS, out, AGS_NTS, NULL, NULL); /* re-entrant commit */
            ags_free(out);
        }
    }
    return 0;
}

static int always_fails(void *user_data, uint64_t version, const char *patch, size_t len) {
    (void)user_data; (void)version; (void)patch; (void)len;
    return 1;
}

static void subscriptions(void) {
    ags_store *store = NULL;
    ags_subscription *ab = NULL, *echo = NULL, *failing = NULL;
    struct heard heard_ab = {0}, heard_echo = {0};
    uint64_t v = 0, count = 0;
    CHECK(ags_store_open("{\"a\":{\"b\":1,\"c\":1},\"echo\":0}", AGS_NTS, &store) == AGS_OK);
    heard_echo.store = store;
    heard_echo.echo = 1;
    CHECK(ags_store_subscribe(store, "/a/b", AGS_NTS, on_change, &heard_ab, &ab) == AGS_OK);
    CHECK(ags_store_subscribe(store, "/a", AGS_NTS, on_change, &heard_echo, &echo) == AGS_OK);
    CHECK(ags_store_subscribe(store, "", 0, always_fails, NULL, &failing) == AGS_OK);
    CHECK(ags_store_subscribe(store, "", 0, NULL, NULL, &failing) == AGS_ERR_INVALID_ARGUMENT);

    CHECK(ags_store_set(store, "/a/b", AGS_NTS, "2", AGS_NTS, NULL, &v) == AGS_OK && v == 1); /* echo commits v2 */
    CHECK(ags_store_set(store, "/a/c", AGS_NTS, "2", AGS_NTS, NULL, &v) == AGS_OK && v == 3); /* echo commits v4 */
    CHECK(ags_store_set(store, "/a", AGS_NTS, "{\"b\":7}", AGS_NTS, NULL, &v) == AGS_OK && v == 5);
    CHECK(heard_ab.calls == 2 && heard_ab.versions[0] == 1 && heard_ab.versions[1] == 5);
    CHECK(strcmp(heard_ab.last, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":{\"b\":7}}]") == 0);
    CHECK(heard_echo.calls == 3);
    CHECK(state_is(store, "{\"a\":{\"b\":7},\"echo\":7}"));
    CHECK(ags_subscription_failures(failing, &count) == AGS_OK && count == 6);

    ags_subscription_close(ab);
    ags_subscription_close(ab);
    CHECK(ags_subscription_failures(ab, &count) == AGS_ERR_CLOSED);
    CHECK(ags_store_set(store, "/a/b", AGS_NTS, "8", AGS_NTS, NULL, &v) == AGS_OK);
    CHECK(heard_ab.calls == 2);
    ags_subscription_close(echo);
    ags_subscription_close(failing);
    ags_store_close(store);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = calloc(1, (size_t)size + 1);
    if (data && fread(data, 1, (size_t)size, f) != (size_t)size) { free(data); data = NULL; }
    fclose(f);
    return data;
}

static void events(const char *data_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/state_stream.ndjson", data_dir);
    char *stream = read_file(path);
    snprintf(path, sizeof path, "%s/state_stream.expected.json", data_dir);
    char *expected = read_file(path);
    CHECK(stream && expected);
    if (!stream || !expected) return;

    ags_store *store = NULL, *lenient = NULL;
    CHECK(ags_store_open(NULL, 0, &store) == AGS_OK);
    CHECK(ags_store_open(NULL, 0, &lenient) == AGS_OK);
    int line = 0, rejected_line = -1;
    for (char *event = strtok(stream, "\n"); event; event = strtok(NULL, "\n"), line++) {
        ags_status rc = ags_store_apply_event(store, event, AGS_NTS, NULL, NULL);
        if (rc != AGS_OK) {
            rejected_line = line;
            CHECK(rc == AGS_ERR_PATH_NOT_FOUND && ags_errlast()->op_index == 1 && strcmp(ags_errlast()->pointer, "/owner") == 0);
        }
        CHECK(ags_store_apply_event(lenient, event, AGS_NTS, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, AGS_PATCH_LENIENT, AGS_ANY_VERSION, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, NULL) == AGS_OK);
    }
    CHECK(rejected_line == 5);
    CHECK(state_is(store, expected));
    CHECK(state_is(lenient, "{\"todos\":[{\"id\":2,\"title\":\"Book\",\"done\":false},{\"id\":1,\"title\":\"Plan\",\"done\":true}],"
                            "\"status\":\"done\",\"owner\":\"ana\",\"last\":\"Plan\"}"));

    char *out = NULL;
    CHECK(ags_store_apply_event(store, "{\"type\":\"RUN_STARTED\"}", AGS_NTS, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_snapshot_event(store, AGS_EVENT_SSE, &out, NULL) == AGS_OK);
    CHECK(strncmp(out, "data: {\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{", 43) == 0 && strcmp(out + strlen(out) - 2, "\n\n") == 0);
    ags_free(out);
    CHECK(ags_store_delta_event(store, 5, 0, &out, NULL) == AGS_OK);
    CHECK(strcmp(out, "{\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"copy\",\"from\":\"/todos/1/title\",\"path\":\"/last\"},"
                      "{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"done\"}]}") == 0);
    ags_free(out);
    CHECK(ags_delta_event("[]", 2, AGS_EVENT_SSE, &out, NULL) == AGS_OK);
    CHECK(strcmp(out, "data: {\"type\":\"STATE_DELTA\",\"delta\":[]}\n\n") == 0);
    ags_free(out);
    ags_store_close(store);
    ags_store_close(lenient);
    free(stream);
    free(expected);
}

/* Stress: writers, readers and subscribers on one store. */
enum { WRITERS = 4, PATCHES = 400 };
struct tally { pthread_mutex_t lock; uint64_t last_version; int calls; int out_of_order; int next[WRITERS]; int wrong; int writer; };
static ags_store *shared;
static atomic_int writers_done = 0;

static int count_root(void *user_data, uint64_t version, const char *patch, size_t len) {
    (void)patch; (void)len;
    struct tally *t = user_data;
    pthread_mutex_lock(&t->lock);
    if (version != t->last_version + 1) t->out_of_order++;
    t->last_version = version;
    t->calls++;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

/* A subscriber of one writer's array checks it hears that writer's values 0, 1, 2, ... once each. */
static int count_writer(void *user_data, uint64_t version, const char *patch, size_t len) {
    (void)version;
    struct tally *t = user_data;
    const char *value = strstr(patch, "\"value\":");
    int n = value && (size_t)(value - patch) < len ? atoi(value + 8) : -1;
    pthread_mutex_lock(&t->lock);
    if (n != t->next[0]) t->wrong++;
    t->next[0] = n + 1;
    t->calls++;
    pthread_mutex_unlock(&t->lock);
    return 0;
}

static void *write_patches(void *arg) {
    long w = (long)arg;
    char patch[128];
    for (int i = 0; i < PATCHES; i++) {
        snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"/w%ld/-\",\"value\":%d}]", w, i);
        if (ags_store_patch(shared, patch, AGS_NTS, NULL, NULL) != AGS_OK) return (void *)1;
    }
    return NULL;
}

static void *read_snapshots(void *arg) {
    (void)arg;
    while (!writers_done) {
        ags_snapshot *snap = NULL;
        char *out = NULL;
        if (ags_store_snapshot(shared, &snap) != AGS_OK) return (void *)1;
        if (ags_snapshot_get(snap, "/w0", AGS_NTS, 0, &out, NULL) != AGS_OK) return (void *)1;
        ags_free(out);
        ags_snapshot_close(snap);
    }
    return NULL;
}

static void stress(void) {
    CHECK(ags_store_open("{\"w0\":[],\"w1\":[],\"w2\":[],\"w3\":[]}", AGS_NTS, &shared) == AGS_OK);
    struct tally root = {.lock = PTHREAD_MUTEX_INITIALIZER};
    struct tally per[WRITERS];
    ags_subscription *subs[WRITERS + 1];
    CHECK(ags_store_subscribe(shared, "", 0, count_root, &root, &subs[WRITERS]) == AGS_OK);
    for (int w = 0; w < WRITERS; w++) {
        char ptr[8];
        snprintf(ptr, sizeof ptr, "/w%d", w);
        memset(&per[w], 0, sizeof per[w]);
        pthread_mutex_init(&per[w].lock, NULL);
        CHECK(ags_store_subscribe(shared, ptr, AGS_NTS, count_writer, &per[w], &subs[w]) == AGS_OK);
    }
    pthread_t writers[WRITERS], readers[2];
    for (long r = 0; r < 2; r++) pthread_create(&readers[r], NULL, read_snapshots, NULL);
    for (long w = 0; w < WRITERS; w++) pthread_create(&writers[w], NULL, write_patches, (void *)w);
    void *result = NULL;
    for (int w = 0; w < WRITERS; w++) { pthread_join(writers[w], &result); CHECK(result == NULL); }
    writers_done = 1;
    for (int r = 0; r < 2; r++) { pthread_join(readers[r], &result); CHECK(result == NULL); }

    uint64_t v = 0;
    CHECK(ags_store_version(shared, &v) == AGS_OK && v == WRITERS * PATCHES);
    CHECK(root.calls == WRITERS * PATCHES && root.out_of_order == 0);
    for (int w = 0; w < WRITERS; w++) {
        CHECK(per[w].calls == PATCHES && per[w].wrong == 0);
        char ptr[32];
        char *out = NULL;
        snprintf(ptr, sizeof ptr, "/w%d/%d", w, PATCHES - 1);
        CHECK(ags_store_get(shared, ptr, AGS_NTS, 0, &out, NULL) == AGS_OK);
        ags_free(out);
    }
    for (int i = 0; i <= WRITERS; i++) ags_subscription_close(subs[i]);
    ags_store_close(shared);
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]); return 2; }
    snapshots_and_history();
    transactions();
    subscriptions();
    events(argv[1]);
    stress();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
