/* Diff, merge diff, compaction, store diff and the batcher through the C API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static int is(char *out, const char *expected) {
    int ok = out && strcmp(out, expected) == 0;
    if (!ok) fprintf(stderr, "got %s\nexpected %s\n", out ? out : "(null)", expected);
    ags_free(out);
    return ok;
}

struct sent { int batches; uint64_t from, to; char last[512]; };

static int on_batch(void *user_data, uint64_t from, uint64_t to, const char *event, size_t len) {
    struct sent *s = user_data;
    s->batches++;
    s->from = from;
    s->to = to;
    snprintf(s->last, sizeof s->last, "%.*s", (int)len, event);
    return 0;
}

int main(void) {
    char *out = NULL;
    const char *a = "{\"list\":[1,2,3,4],\"o\":{\"k\":\"v\",\"gone\":true}}";
    const char *b = "{\"list\":[1,2,9,3,4],\"o\":{\"k\":\"w\"},\"new\":null}";
    CHECK(ags_diff(a, AGS_NTS, b, AGS_NTS, NULL, &out, NULL) == AGS_OK &&
          is(out, "[{\"op\":\"add\",\"path\":\"/list/2\",\"value\":9},{\"op\":\"replace\",\"path\":\"/o/k\",\"value\":\"w\"},"
                  "{\"op\":\"remove\",\"path\":\"/o/gone\"},{\"op\":\"add\",\"path\":\"/new\",\"value\":null}]"));
    CHECK(ags_diff(a, AGS_NTS, b, AGS_NTS, &(ags_diff_options){AGS_DIFF_OPTIONS_VERSION, AGS_DIFF_TEST_GUARDS | AGS_DIFF_VERIFY, 0}, &out, NULL) == AGS_OK && strstr(out, "\"test\"") != NULL);
    ags_free(out);
    /* Texts that agree byte for byte up to an error: the error is still found, and named as before. */
    CHECK(ags_diff("{\"a\":[1,2],\"b\":1}", AGS_NTS, "{\"a\":[1,2],\"b\":1,}", AGS_NTS, NULL, &out, NULL) == AGS_ERR_INVALID_JSON &&
          strstr(ags_errlast()->message, "trailing comma") != NULL);
    CHECK(ags_diff("{\"a\":1,\"a\":2}", AGS_NTS, "{\"a\":1,\"a\":2}", AGS_NTS, NULL, &out, NULL) == AGS_ERR_INVALID_JSON &&
          strstr(ags_errlast()->message, "duplicate") != NULL);
    /* The spelling of the texts does not change the patch. */
    CHECK(ags_diff(a, AGS_NTS, "{ \"list\" : [1, 2, 9, 3, 4], \"o\": {\"k\": \"w\"}, \"new\": null }", AGS_NTS, NULL, &out, NULL) == AGS_OK &&
          is(out, "[{\"op\":\"add\",\"path\":\"/list/2\",\"value\":9},{\"op\":\"replace\",\"path\":\"/o/k\",\"value\":\"w\"},"
                  "{\"op\":\"remove\",\"path\":\"/o/gone\"},{\"op\":\"add\",\"path\":\"/new\",\"value\":null}]"));
    CHECK(ags_merge_diff("{\"a\":1,\"b\":{\"c\":2}}", AGS_NTS, "{\"b\":{\"c\":3}}", AGS_NTS, 0, &out, NULL) == AGS_OK &&
          is(out, "{\"a\":null,\"b\":{\"c\":3}}"));
    CHECK(ags_merge_diff(a, AGS_NTS, b, AGS_NTS, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT); /* "new": null */
    CHECK(ags_compact("[[{\"op\":\"replace\",\"path\":\"/a\",\"value\":1}],[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]]",
                      AGS_NTS, 0, &out, NULL) == AGS_OK && is(out, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]"));
    CHECK(ags_compact("{}", AGS_NTS, 0, &out, NULL) == AGS_ERR_INVALID_PATCH);

    /* Store diff between versions, both ways. */
    ags_store *store = NULL;
    CHECK(ags_store_open("{\"n\":0,\"s\":\"x\"}", AGS_NTS, &store) == AGS_OK);
    for (int i = 1; i <= 5; i++) {
        char v[8];
        snprintf(v, sizeof v, "%d", i);
        ags_store_set(store, "/n", AGS_NTS, v, AGS_NTS, NULL, NULL);
    }
    CHECK(ags_store_diff(store, 1, 5, 0, &out, NULL) == AGS_OK && is(out, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":5}]"));
    CHECK(ags_store_diff(store, 5, 2, 0, &out, NULL) == AGS_OK && is(out, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]"));
    CHECK(ags_store_diff(store, 0, 9, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    ags_snapshot *snap = NULL;
    CHECK(ags_store_snapshot(store, &snap) == AGS_OK);
    ags_store_set(store, "/s", AGS_NTS, "\"y\"", AGS_NTS, NULL, NULL);
    CHECK(ags_store_diff_snapshot(store, snap, 0, &out, NULL) == AGS_OK && is(out, "[{\"op\":\"replace\",\"path\":\"/s\",\"value\":\"y\"}]"));
    ags_snapshot_close(snap);
    CHECK(ags_store_diff_snapshot(store, snap, 0, &out, NULL) == AGS_ERR_CLOSED);

    /* Batcher: size bound, time window, urgent, close. */
    struct sent sent = {0};
    ags_batcher *batcher = NULL;
    CHECK(ags_batcher_open(store, &(ags_batcher_options){AGS_BATCHER_OPTIONS_VERSION, "", 0, 3, 65536, 100}, on_batch, &sent, &batcher) == AGS_OK);
    CHECK(ags_batcher_open(store, &(ags_batcher_options){AGS_BATCHER_OPTIONS_VERSION, "", 0, 0, 1, 100}, on_batch, &sent, &batcher) == AGS_ERR_INVALID_ARGUMENT);
    ags_batcher_poll(batcher, 1000);
    ags_store_set(store, "/s", AGS_NTS, "\"a\"", AGS_NTS, NULL, NULL);
    ags_store_set(store, "/s", AGS_NTS, "\"b\"", AGS_NTS, NULL, NULL);
    CHECK(sent.batches == 0);
    ags_store_set(store, "/s", AGS_NTS, "\"c\"", AGS_NTS, NULL, NULL); /* 3 operations: sent, compacted to one */
    CHECK(sent.batches == 1 && sent.from == 6 && sent.to == 9);
    CHECK(strcmp(sent.last, "{\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"/s\",\"value\":\"c\"}]}") == 0);
    ags_store_set(store, "/n", AGS_NTS, "10", AGS_NTS, NULL, NULL);
    ags_batcher_poll(batcher, 1050);
    CHECK(sent.batches == 1);
    ags_batcher_poll(batcher, 1100);
    CHECK(sent.batches == 2 && sent.to == 10);
    CHECK(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":11}]", AGS_NTS, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, AGS_PATCH_URGENT, AGS_ANY_VERSION, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, NULL) == AGS_OK);
    CHECK(sent.batches == 3 && sent.to == 11);
    ags_store_set(store, "/n", AGS_NTS, "12", AGS_NTS, NULL, NULL);
    CHECK(ags_batcher_stats(batcher, &out, NULL) == AGS_OK && strstr(out, "\"batches\":3") != NULL);
    ags_free(out);
    ags_batcher_close(batcher, 1); /* flushes the pending change */
    CHECK(sent.batches == 4 && sent.to == 12);
    ags_batcher_close(batcher, 1);
    CHECK(ags_batcher_flush(batcher) == AGS_ERR_CLOSED);
    ags_store_close(store);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
