/* The conventions every function of the C ABI follows: the last error as one struct, options structs with
 * versions and their defaults, typed flag groups, and compare-and-set on every call that commits. */
#include <agstate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static int text_is(char *out, const char *expected) {
    int same = out != NULL && strcmp(out, expected) == 0;
    if (!same) fprintf(stderr, "got %s, expected %s\n", out ? out : "(null)", expected);
    ags_free(out);
    return same;
}

static int state_is(ags_store *store, const char *expected) {
    char *out = NULL;
    return ags_store_export(store, 0, &out, NULL) == AGS_OK && text_is(out, expected);
}

static void *fresh_thread(void *arg) {
    (void)arg;
    const ags_error *e = ags_errlast();
    return (void *)(long)(e != NULL && e->code == AGS_OK && strcmp(e->message, "") == 0 && e->pointer == NULL &&
                          e->op_index == -1 && e->offset == -1);
}

static void last_error(void) {
    ags_errclear();
    const ags_error *e = ags_errlast();
    CHECK(e != NULL && e->code == AGS_OK && strcmp(e->message, "") == 0 && e->pointer == NULL);
    CHECK(e->op_index == -1 && e->offset == -1);

    CHECK(ags_json_validate("[1,2,]", AGS_NTS) == AGS_ERR_INVALID_JSON);
    e = ags_errlast();
    CHECK(e->code == AGS_ERR_INVALID_JSON && e->offset == 5 && strlen(e->message) > 0 && e->op_index == -1);

    char *out = NULL;
    CHECK(ags_patch_apply("{\"a\":1}", AGS_NTS, "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1},"
                          "{\"op\":\"remove\",\"path\":\"/b\"}]", AGS_NTS, 0, &out, NULL) == AGS_ERR_PATH_NOT_FOUND);
    e = ags_errlast();
    CHECK(out == NULL && e->code == AGS_ERR_PATH_NOT_FOUND && e->op_index == 1 && e->pointer && strcmp(e->pointer, "/b") == 0);

    /* Success leaves the last failure; another thread has its own. */
    CHECK(ags_json_validate("{}", AGS_NTS) == AGS_OK && ags_errlast()->code == AGS_ERR_PATH_NOT_FOUND);
    pthread_t thread;
    void *clean = NULL;
    CHECK(pthread_create(&thread, NULL, fresh_thread, NULL) == 0 && pthread_join(thread, &clean) == 0 && clean == (void *)1);
    ags_errclear();
    CHECK(ags_errlast()->code == AGS_OK && ags_errlast()->pointer == NULL);
    CHECK(strcmp(ags_status_name(AGS_ERR_LOCKED), "AGS_ERR_LOCKED") == 0);
    CHECK(strcmp(ags_status_name(AGS_ERR_RATE_LIMITED), "AGS_ERR_RATE_LIMITED") == 0);
    CHECK(strcmp(ags_status_name(AGS_ERR_UNAVAILABLE), "AGS_ERR_UNAVAILABLE") == 0);
    CHECK(strcmp(ags_status_name(18), "AGS_UNKNOWN") == 0);
}

/* Each options struct: its init function gives what its INIT macro gives, and unknown versions are refused. */
static void options_defaults(void) {
    ags_commit_options commit = AGS_COMMIT_OPTIONS_INIT, commit2;
    memset(&commit2, 0xAB, sizeof commit2);
    CHECK(ags_commit_options_init(&commit2, AGS_COMMIT_OPTIONS_VERSION) == AGS_OK);
    CHECK(commit2.version == commit.version && commit2.flags == commit.flags && commit2.expected_version == commit.expected_version);
    CHECK(commit.expected_version == AGS_ANY_VERSION && commit.flags == 0);

    ags_pack_options pack = AGS_PACK_OPTIONS_INIT, pack2;
    memset(&pack2, 0xAB, sizeof pack2);
    CHECK(ags_pack_options_init(&pack2, AGS_PACK_OPTIONS_VERSION) == AGS_OK);
    CHECK(pack2.version == pack.version && pack2.codec == pack.codec && pack2.level == pack.level &&
          pack2.threshold == pack.threshold && pack2.flags == pack.flags);

    ags_diff_options diff = AGS_DIFF_OPTIONS_INIT, diff2;
    memset(&diff2, 0xAB, sizeof diff2);
    CHECK(ags_diff_options_init(&diff2, AGS_DIFF_OPTIONS_VERSION) == AGS_OK);
    CHECK(diff2.version == diff.version && diff2.flags == diff.flags && diff2.format == diff.format);

    ags_batcher_options batcher = AGS_BATCHER_OPTIONS_INIT, batcher2;
    memset(&batcher2, 0xAB, sizeof batcher2);
    CHECK(ags_batcher_options_init(&batcher2, AGS_BATCHER_OPTIONS_VERSION) == AGS_OK);
    CHECK(batcher2.version == batcher.version && batcher2.pointer == batcher.pointer &&
          batcher2.pointer_len == batcher.pointer_len && batcher2.max_operations == batcher.max_operations &&
          batcher2.max_bytes == batcher.max_bytes && batcher2.window_ms == batcher.window_ms);

    ags_validator_options validator = AGS_VALIDATOR_OPTIONS_INIT, validator2;
    memset(&validator2, 0xAB, sizeof validator2);
    CHECK(ags_validator_options_init(&validator2, AGS_VALIDATOR_OPTIONS_VERSION) == AGS_OK);
    CHECK(validator2.version == validator.version && validator2.profile == validator.profile &&
          validator2.profile_len == validator.profile_len && validator2.flags == validator.flags);

    CHECK(ags_commit_options_init(&commit2, 0) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_commit_options_init(&commit2, AGS_COMMIT_OPTIONS_VERSION + 1) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_commit_options_init(NULL, AGS_COMMIT_OPTIONS_VERSION) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_pack_options_init(NULL, 1) == AGS_ERR_INVALID_ARGUMENT && ags_diff_options_init(NULL, 1) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_batcher_options_init(&batcher2, 7) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_options_init(&validator2, 0) == AGS_ERR_INVALID_ARGUMENT);
}

/* Every call that commits takes the same options: compare-and-set, leniency, and refused unknown bits. */
static void commit_options(void) {
    ags_store *store = NULL;
    ags_snapshot *snap = NULL;
    ags_txn *txn = NULL;
    uint64_t v = 99;
    CHECK(ags_store_open("{\"a\":1}", AGS_NTS, &store) == AGS_OK);
    CHECK(ags_store_snapshot(store, &snap) == AGS_OK);
    ags_commit_options stale = AGS_COMMIT_OPTIONS_INIT;
    stale.expected_version = 5;
    CHECK(ags_store_set(store, "/a", AGS_NTS, "2", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT && v == 99);
    CHECK(ags_store_add(store, "/b", AGS_NTS, "2", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_remove(store, "/a", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_patch(store, "[]", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_merge(store, "{\"a\":3}", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_restore(store, snap, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_apply_event(store, "{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{}}", AGS_NTS, &stale, &v) == AGS_ERR_CONFLICT);
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_commit(txn, &stale, &v) == AGS_ERR_CONFLICT && v == 99);
    CHECK(ags_store_version(store, &v) == AGS_OK && v == 0 && state_is(store, "{\"a\":1}"));

    ags_commit_options current = AGS_COMMIT_OPTIONS_INIT;
    current.expected_version = 0;
    CHECK(ags_store_set(store, "/a", AGS_NTS, "2", AGS_NTS, &current, &v) == AGS_OK && v == 1);
    current.expected_version = 1;
    CHECK(ags_store_merge(store, "{\"m\":true}", AGS_NTS, &current, &v) == AGS_OK && v == 2);
    current.expected_version = 2;
    CHECK(ags_store_begin(store, &txn) == AGS_OK && ags_txn_patch(txn, "[{\"op\":\"add\",\"path\":\"/t\",\"value\":1}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_commit(txn, &current, &v) == AGS_OK && v == 3);
    CHECK(state_is(store, "{\"a\":2,\"m\":true,\"t\":1}"));

    /* Leniency through the options; a strict remove of a missing member fails. */
    ags_commit_options lenient = AGS_COMMIT_OPTIONS_INIT;
    lenient.flags = AGS_PATCH_LENIENT;
    CHECK(ags_store_remove(store, "/missing", AGS_NTS, NULL, &v) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(ags_store_remove(store, "/missing", AGS_NTS, &lenient, &v) == AGS_OK && v == 4);
    CHECK(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/x\",\"value\":1}]", AGS_NTS, &lenient, &v) == AGS_OK && v == 5);

    /* A bit of another group, an unknown version: refused, nothing committed. */
    ags_commit_options wrong = AGS_COMMIT_OPTIONS_INIT;
    wrong.flags = AGS_JSON_PRETTY;
    CHECK(ags_store_patch(store, "[]", AGS_NTS, &wrong, &v) == AGS_ERR_INVALID_ARGUMENT);
    wrong.flags = 0;
    wrong.version = 0;
    CHECK(ags_store_set(store, "/a", AGS_NTS, "7", AGS_NTS, &wrong, &v) == AGS_ERR_INVALID_ARGUMENT);
    wrong.version = AGS_COMMIT_OPTIONS_VERSION + 1;
    CHECK(ags_store_set(store, "/a", AGS_NTS, "7", AGS_NTS, &wrong, &v) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_version(store, &v) == AGS_OK && v == 5);
    CHECK(ags_store_get(store, "", 0, AGS_EVENT_SSE, &(char *){NULL}, NULL) == AGS_ERR_INVALID_ARGUMENT);
    ags_snapshot_close(snap);
    ags_store_close(store);
}

static int batches = 0;
static int on_batch(void *user_data, uint64_t from, uint64_t to, const char *event, size_t len) {
    (void)user_data; (void)from; (void)to; (void)event; (void)len;
    batches++;
    return 0;
}

static void other_options(void) {
    char *out = NULL;
    size_t len = 0;
    /* Events: any event framed by the engine. */
    CHECK(ags_event_encode("{ \"type\" : \"RUN_STARTED\", \"threadId\":\"t\" }", AGS_NTS, 0, &out, &len) == AGS_OK &&
          text_is(out, "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\"}"));
    CHECK(ags_event_encode("{\"type\":\"CUSTOM\"}", AGS_NTS, AGS_EVENT_SSE, &out, &len) == AGS_OK && len == 25 &&
          text_is(out, "data: {\"type\":\"CUSTOM\"}\n\n"));
    out = NULL;
    CHECK(ags_event_encode("[1]", AGS_NTS, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT && out == NULL);
    CHECK(ags_event_encode("{\"type\":1}", AGS_NTS, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_event_encode("{}", AGS_NTS, AGS_JSON_PRETTY, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);

    /* Diff: flags and output format in their own members. */
    ags_diff_options diff = AGS_DIFF_OPTIONS_INIT;
    diff.flags = AGS_DIFF_TEST_GUARDS;
    CHECK(ags_diff("{\"a\":1}", AGS_NTS, "{\"a\":2}", AGS_NTS, &diff, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"op\":\"test\",\"path\":\"/a\",\"value\":1},{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"));
    CHECK(ags_diff("{\"a\":1}", AGS_NTS, "{\"a\":2}", AGS_NTS, NULL, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"));
    diff.format = AGS_DIFF_VERIFY;
    CHECK(ags_diff("{}", AGS_NTS, "{}", AGS_NTS, &diff, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    diff.format = 0;
    diff.flags = AGS_JSON_PRETTY;
    CHECK(ags_diff("{}", AGS_NTS, "{}", AGS_NTS, &diff, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);

    /* Pack: the defaults are gzip over 1024 bytes; small data is stored. */
    CHECK(ags_pack("tiny", 4, NULL, &out, &len) == AGS_OK && len == 24);
    int codec = -1;
    char *back = NULL;
    CHECK(ags_unpack(out, len, 100, &codec, &back, NULL) == AGS_OK && codec == AGS_CODEC_IDENTITY && text_is(back, "tiny"));
    ags_free(out);
    ags_pack_options pack = AGS_PACK_OPTIONS_INIT;
    pack.flags = AGS_FLUSH;
    CHECK(ags_pack("tiny", 4, &pack, &out, &len) == AGS_ERR_INVALID_ARGUMENT);

    /* Batcher: defaults from NULL, bounds checked. */
    ags_store *store = NULL;
    ags_batcher *batcher = NULL;
    CHECK(ags_store_open(NULL, 0, &store) == AGS_OK);
    CHECK(ags_batcher_open(store, NULL, on_batch, NULL, &batcher) == AGS_OK);
    CHECK(ags_store_set(store, "/x", AGS_NTS, "1", AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_batcher_flush(batcher) == AGS_OK && batches == 1);
    ags_batcher_close(batcher, 0);
    ags_batcher_options bounds = AGS_BATCHER_OPTIONS_INIT;
    bounds.max_operations = 0;
    CHECK(ags_batcher_open(store, &bounds, on_batch, NULL, &batcher) == AGS_ERR_INVALID_ARGUMENT);
    bounds.max_operations = AGS_BATCHER_MAX_BOUND + 1;
    CHECK(ags_batcher_open(store, &bounds, on_batch, NULL, &batcher) == AGS_ERR_INVALID_ARGUMENT);
    bounds.max_operations = AGS_BATCHER_MAX_BOUND;
    bounds.max_bytes = AGS_BATCHER_MAX_BOUND;
    bounds.pointer = "/x";
    bounds.pointer_len = AGS_NTS;
    CHECK(ags_batcher_open(store, &bounds, on_batch, NULL, &batcher) == AGS_OK);
    CHECK(ags_store_set(store, "/x", AGS_NTS, "2", AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_batcher_flush(batcher) == AGS_OK && batches == 2);
    ags_batcher_close(batcher, 0);
    CHECK(ags_batcher_open(store, NULL, NULL, NULL, &batcher) == AGS_ERR_INVALID_ARGUMENT);
    ags_store_close(store);

    /* Validator: the client profile by default; a stream format out of range. */
    ags_validator *v = NULL;
    CHECK(ags_validator_open(NULL, &v) == AGS_OK);
    CHECK(ags_validator_feed_stream(v, "{}\n", 3, (ags_stream_format)3, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    char *findings = (char *)1;
    CHECK(ags_validator_feed(v, "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}", AGS_NTS, &findings, &len) == AGS_OK &&
          findings == NULL && len == 0);
    ags_validator_close(v);
    ags_validator_options profile = AGS_VALIDATOR_OPTIONS_INIT;
    profile.profile = "strict";
    profile.profile_len = AGS_NTS;
    profile.flags = AGS_PATCH_URGENT;
    v = NULL;
    CHECK(ags_validator_open(&profile, &v) == AGS_ERR_INVALID_ARGUMENT && v == NULL);
}

int main(void) {
    last_error();
    options_defaults();
    commit_options();
    other_options();
    printf("test_abi: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
