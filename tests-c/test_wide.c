/* Every public function that takes a JSON document, given objects of 65,536 and 1,048,576 members (past
 * 16 and 20 bits of positions), and an array as long: each answer is checked against the document built
 * here, member for member (a lookup that misses, an equality that fails, a repeated name let through or a
 * change that lands on another member is a failure), and no call may trap. */
#include <agstate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d [%zu members]: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, width, #cond, \
            ags_errlast()->message); } } while (0)

static size_t width;  /* members of the documents of the current round */

/* ---- documents ---- */

typedef struct { char *p; size_t n, cap; } text;

static void put(text *t, const char *s) {
    size_t n = strlen(s);
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p) abort();
    }
    memcpy(t->p + t->n, s, n + 1);
    t->n += n;
}

/* What to change in the generated object. */
typedef struct {
    size_t replaced; const char *with;  /* member `replaced` gets the value `with` (SIZE_MAX: none) */
    size_t dropped;                     /* member `dropped` is left out (SIZE_MAX: none) */
    size_t repeated;                    /* one more member at the end repeats this name (SIZE_MAX: none) */
} edits;

static const edits none = { SIZE_MAX, NULL, SIZE_MAX, SIZE_MAX };

/* {"m0":0,"m1":1,...} with `n` members, edited. */
static char *object_text(size_t n, edits e, size_t *len) {
    text t = {0};
    char member[64];
    put(&t, "{");
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        if (i == e.dropped) continue;
        if (i == e.replaced) snprintf(member, sizeof member, "%s\"m%zu\":%s", first ? "" : ",", i, e.with);
        else snprintf(member, sizeof member, "%s\"m%zu\":%zu", first ? "" : ",", i, i);
        put(&t, member);
        first = 0;
    }
    if (e.repeated != SIZE_MAX) {
        snprintf(member, sizeof member, ",\"m%zu\":true", e.repeated);
        put(&t, member);
    }
    put(&t, "}");
    *len = t.n;
    return t.p;
}

/* The document `doc` (object_text(width, none)) edited at its last member: the same text as object_text
 * gives, made by copying instead of formatting a million members again. */
static char *edited_last(const char *doc, size_t doc_len, edits e, size_t *len) {
    char tail[96];
    size_t last = width - 1, keep = doc_len - 1;  /* everything but the closing brace */
    if (e.replaced == last || e.dropped == last) {
        snprintf(tail, sizeof tail, "\"m%zu\":%zu}", last, last);
        keep = doc_len - strlen(tail) - (width > 1 ? 1 : 0);  /* and the comma before the last member */
    }
    if (e.replaced == last) snprintf(tail, sizeof tail, "%s\"m%zu\":%s}", width > 1 ? "," : "", last, e.with);
    else if (e.dropped == last) snprintf(tail, sizeof tail, "}");
    else snprintf(tail, sizeof tail, ",\"m%zu\":true}", e.repeated);
    size_t n = strlen(tail);
    char *out = malloc(keep + n + 1);
    if (!out) abort();
    memcpy(out, doc, keep);
    memcpy(out + keep, tail, n + 1);
    *len = keep + n;
    if (width < (1u << 20)) {  /* the copy is the formatted text (checked where formatting it is cheap) */
        size_t reference_len = 0;
        char *reference = object_text(width, e, &reference_len);
        CHECK(reference_len == *len && memcmp(reference, out, reference_len) == 0);
        free(reference);
    }
    return out;
}

/* [0,1,2,...] with `n` elements. */
static char *array_text(size_t n, size_t *len) {
    text t = {0};
    char element[32];
    put(&t, "[");
    for (size_t i = 0; i < n; i++) {
        snprintf(element, sizeof element, i ? ",%zu" : "%zu", i);
        put(&t, element);
    }
    put(&t, "]");
    *len = t.n;
    return t.p;
}

/* A text wrapped around a document: prefix, the document, suffix. */
static char *wrap(const char *prefix, const char *doc, size_t doc_len, const char *suffix, size_t *len) {
    size_t a = strlen(prefix), c = strlen(suffix);
    char *out = malloc(a + doc_len + c + 1);
    memcpy(out, prefix, a);
    memcpy(out + a, doc, doc_len);
    memcpy(out + a + doc_len, suffix, c + 1);
    *len = a + doc_len + c;
    return out;
}

static int same_json(const char *a, size_t a_len, const char *b, size_t b_len) {
    int equal = 0;
    return ags_json_equal(a, a_len, b, b_len, &equal) == AGS_OK && equal == 1;
}

/* Compact output keeps members in order: the exact text is known (and cheaper to compare than parsing). */
static int same_text(const char *a, size_t a_len, const char *b, size_t b_len) {
    int same = a != NULL && a_len == b_len && memcmp(a, b, a_len) == 0;
    if (!same) fprintf(stderr, "got %.120s... (%zu bytes), expected %.120s... (%zu bytes)\n", a ? a : "(null)", a_len, b, b_len);
    return same;
}

/* Compact output with sorted keys of the document {"m0":0,...}: every member "m<i>":<i> once, names in
 * strictly increasing byte order. Read here in one pass (parsing it back and comparing would cost two
 * parses of the whole document and a wide comparison). */
static int sorted_members(const char *out, size_t len) {
    if (!out || len < 2 || out[0] != '{' || out[len - 1] != '}') return 0;
    const char *p = out + 1, *end = out + len - 1, *previous = NULL;
    size_t previous_len = 0, count = 0;
    while (p < end) {
        if (count && *p++ != ',') return 0;
        if (*p++ != '"' || *p != 'm') return 0;
        const char *name = p;
        const char *close = memchr(p, '"', (size_t)(end - p));
        if (!close || close[1] != ':') return 0;
        size_t name_len = (size_t)(close - name);
        char *after = NULL;
        unsigned long long number = strtoull(name + 1, &after, 10);
        if (after != close || strtoull(close + 2, &after, 10) != number || (after != end && *after != ',')) return 0;
        if (previous) {
            size_t n = previous_len < name_len ? previous_len : name_len;
            int order = memcmp(previous, name, n);
            if (order > 0 || (order == 0 && previous_len >= name_len)) return 0;
        }
        previous = name;
        previous_len = name_len;
        count++;
        p = after;
    }
    return count == width;
}

static int text_is(char *out, size_t len, const char *expected) {
    int same = out != NULL && len == strlen(expected) && memcmp(out, expected, len) == 0;
    if (!same) fprintf(stderr, "got %.200s, expected %s\n", out ? out : "(null)", expected);
    ags_free(out);
    return same;
}

/* ---- the stateless functions ---- */

static void stateless(const char *doc, size_t doc_len, size_t last) {
    /* At 2^20 members every function is called once; the variations run at 2^16 only, to keep the test short. */
    int full = width < (1u << 20);
    char *out = NULL, ptr[32], value[32];
    size_t out_len = 0;
    int equal = -1;
    snprintf(ptr, sizeof ptr, "/m%zu", last);
    snprintf(value, sizeof value, "%zu", last);

    CHECK(ags_json_validate(doc, doc_len) == AGS_OK);
    size_t dup_len = 0;
    char *dup = edited_last(doc, doc_len, (edits){ SIZE_MAX, NULL, SIZE_MAX, last }, &dup_len);
    CHECK(ags_json_validate(dup, dup_len) == AGS_ERR_INVALID_JSON);
    if (full) CHECK(ags_json_format(dup, dup_len, 0, &out, NULL) == AGS_ERR_INVALID_JSON && out == NULL);
    /* Allowed, the last one wins. */
    if (full) CHECK(ags_json_format(dup, dup_len, AGS_JSON_ALLOW_DUPLICATES, &out, &out_len) == AGS_OK);
    if (out) {
        char *got = NULL;
        size_t got_len = 0;
        CHECK(ags_pointer_get(out, out_len, ptr, AGS_NTS, 0, &got, &got_len) == AGS_OK && text_is(got, got_len, "true"));
        ags_free(out);
    }
    out = NULL;
    free(dup);

    /* At 2^20 only sorted keys, the form whose index of positions outgrew 16 bits. */
    for (uint32_t flags = full ? 0 : AGS_JSON_SORT_KEYS; flags <= (AGS_JSON_PRETTY | AGS_JSON_SORT_KEYS); flags += full ? 1 : 4) {
        CHECK(ags_json_format(doc, doc_len, flags, &out, &out_len) == AGS_OK);
        if (flags == AGS_JSON_SORT_KEYS) CHECK(sorted_members(out, out_len));
        else if (flags != 0) CHECK(out && same_json(out, out_len, doc, doc_len));
        if (flags == 0) CHECK(out && out_len == doc_len && memcmp(out, doc, doc_len) == 0);
        const char *sorted = "{\"m0\":0,\"m1\":1,\"m10\":10,\"m100\":100,";
        if (flags == AGS_JSON_SORT_KEYS) CHECK(out && strncmp(out, sorted, strlen(sorted)) == 0);
        ags_free(out);
        out = NULL;
    }

    CHECK(ags_json_equal(doc, doc_len, doc, doc_len, &equal) == AGS_OK && equal == 1);
    size_t changed_len = 0;
    char *changed = edited_last(doc, doc_len, (edits){ last, "\"x\"", SIZE_MAX, SIZE_MAX }, &changed_len);
    if (full) CHECK(ags_json_equal(doc, doc_len, changed, changed_len, &equal) == AGS_OK && equal == 0);

    CHECK(ags_pointer_get(doc, doc_len, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    char middle[32], middle_value[32];
    snprintf(middle, sizeof middle, "/m%zu", width / 2 + 1);
    snprintf(middle_value, sizeof middle_value, "%zu", width / 2 + 1);
    if (full) {
        CHECK(ags_pointer_get(doc, doc_len, middle, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, middle_value));
        CHECK(ags_pointer_get(doc, doc_len, "/m0", AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, "0"));
        out = NULL;
        CHECK(ags_pointer_get(doc, doc_len, "/absent", AGS_NTS, 0, &out, NULL) == AGS_ERR_PATH_NOT_FOUND && out == NULL);
    }

    /* add to an existing member replaces it, in place. */
    char patch[128];
    snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"%s\",\"value\":\"x\"}]", ptr);
    CHECK(ags_patch_apply(doc, doc_len, patch, AGS_NTS, 0, &out, &out_len) == AGS_OK);
    CHECK(same_text(out, out_len, changed, changed_len));
    ags_free(out);
    out = NULL;
    /* A patch whose value is the wide document. */
    size_t wide_patch_len = 0;
    char *wide_patch = wrap("[{\"op\":\"add\",\"path\":\"/inner\",\"value\":", doc, doc_len, "}]", &wide_patch_len);
    CHECK(ags_patch_apply("{}", AGS_NTS, wide_patch, wide_patch_len, 0, &out, &out_len) == AGS_OK);
    size_t inner_len = 0;
    char *inner = wrap("{\"inner\":", doc, doc_len, "}", &inner_len);
    CHECK(same_text(out, out_len, inner, inner_len));
    free(inner);
    ags_free(out);
    out = NULL;

    /* A merge patch's null removes the member; the merge diff finds exactly the change. */
    char merge[64];
    snprintf(merge, sizeof merge, "{\"m%zu\":null}", last);
    size_t dropped_len = 0;
    char *dropped = edited_last(doc, doc_len, (edits){ SIZE_MAX, NULL, last, SIZE_MAX }, &dropped_len);
    CHECK(ags_merge_patch_apply(doc, doc_len, merge, AGS_NTS, 0, &out, &out_len) == AGS_OK);
    CHECK(same_text(out, out_len, dropped, dropped_len));
    ags_free(out);
    out = NULL;
    if (full) {
        CHECK(ags_merge_patch_apply("{}", AGS_NTS, doc, doc_len, 0, &out, &out_len) == AGS_OK);
        CHECK(same_text(out, out_len, doc, doc_len));
        ags_free(out);
        out = NULL;
    }
    char expected[96];
    snprintf(expected, sizeof expected, "{\"m%zu\":\"x\"}", last);
    CHECK(ags_merge_diff(doc, doc_len, changed, changed_len, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, expected));
    snprintf(expected, sizeof expected, "{\"m%zu\":null}", last);
    if (full) CHECK(ags_merge_diff(doc, doc_len, dropped, dropped_len, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, expected));

    /* The diff, both ways of reading (side by side, and parsed whole with AGS_DIFF_VERIFY). */
    ags_diff_options options = AGS_DIFF_OPTIONS_INIT;
    snprintf(expected, sizeof expected, "[{\"op\":\"replace\",\"path\":\"%s\",\"value\":\"x\"}]", ptr);
    CHECK(ags_diff(doc, doc_len, changed, changed_len, NULL, &out, &out_len) == AGS_OK && text_is(out, out_len, expected));
    if (full) {
        options.flags = AGS_DIFF_VERIFY;
        CHECK(ags_diff(doc, doc_len, changed, changed_len, &options, &out, &out_len) == AGS_OK && text_is(out, out_len, expected));
        snprintf(expected, sizeof expected, "[{\"op\":\"remove\",\"path\":\"%s\"}]", ptr);
        CHECK(ags_diff(doc, doc_len, dropped, dropped_len, &options, &out, &out_len) == AGS_OK && text_is(out, out_len, expected));
        CHECK(ags_diff(doc, doc_len, doc, doc_len, NULL, &out, &out_len) == AGS_OK && text_is(out, out_len, "[]"));
    }

    /* Compaction and events carrying the wide document. */
    CHECK(ags_compact(wide_patch, wide_patch_len, 0, &out, &out_len) == AGS_OK);
    CHECK(same_text(out, out_len, wide_patch, wide_patch_len));
    ags_free(out);
    out = NULL;
    CHECK(ags_delta_event(wide_patch, wide_patch_len, 0, &out, &out_len) == AGS_OK && out && out_len > doc_len);
    ags_free(out);
    out = NULL;
    size_t event_len = 0;
    char *event = wrap("{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":", doc, doc_len, "}", &event_len);
    CHECK(ags_event_encode(event, event_len, AGS_EVENT_SSE, &out, &out_len) == AGS_OK && out && out_len == event_len + 8);
    ags_free(out);
    out = NULL;

    /* The validator tracks the wide state. */
    ags_validator *v = NULL;
    CHECK(ags_validator_open(NULL, &v) == AGS_OK);
    CHECK(ags_validator_feed(v, event, event_len, NULL, NULL) == AGS_OK);
    CHECK(ags_validator_state(v, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, doc, doc_len));
    ags_free(out);
    out = NULL;
    ags_validator_close(v);
    /* A validator starting from the wide state (its options' initial state), fed a stream: a delta that
     * changes the last member applies to it; at 2^16 another stream carries the wide snapshot. */
    ags_validator_options vo = AGS_VALIDATOR_OPTIONS_INIT;
    vo.initial_state = doc;
    vo.initial_state_len = doc_len;
    v = NULL;
    CHECK(ags_validator_open(&vo, &v) == AGS_OK);
    char delta[160];
    snprintf(delta, sizeof delta, "{\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"%s\",\"value\":\"x\"}]}\n", ptr);
    CHECK(ags_validator_feed_stream(v, delta, AGS_NTS, AGS_STREAM_NDJSON, NULL, NULL) == AGS_OK);
    CHECK(ags_validator_state(v, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, changed, changed_len));
    ags_free(out);
    out = NULL;
    ags_validator_close(v);
    if (full) {  /* a stream of its own: a validator's stream has one framing */
        size_t frame_len = 0;
        char *frame = wrap("data: ", event, event_len, "\n\n", &frame_len);
        v = NULL;
        CHECK(ags_validator_open(NULL, &v) == AGS_OK);
        CHECK(ags_validator_feed_stream(v, frame, frame_len, AGS_STREAM_SSE, NULL, NULL) == AGS_OK);
        CHECK(ags_validator_state(v, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, doc, doc_len));
        ags_free(out);
        out = NULL;
        free(frame);
        ags_validator_close(v);
    }

    free(event);
    free(wide_patch);
    free(changed);
    free(dropped);
}

/* ---- a store holding the wide document ---- */

static void store(const char *doc, size_t doc_len, size_t last) {
    ags_store *s = NULL;
    char *out = NULL, ptr[32], value[32];
    size_t out_len = 0;
    snprintf(ptr, sizeof ptr, "/m%zu", last);
    snprintf(value, sizeof value, "%zu", last);
    CHECK(ags_store_open(doc, doc_len, &s) == AGS_OK);
    if (!s) return;
    CHECK(ags_store_get(s, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    ags_snapshot *snap = NULL;
    CHECK(ags_store_snapshot(s, &snap) == AGS_OK);

    CHECK(ags_store_set(s, ptr, AGS_NTS, "\"x\"", AGS_NTS, NULL, NULL) == AGS_OK);
    size_t changed_len = 0;
    char *changed = edited_last(doc, doc_len, (edits){ last, "\"x\"", SIZE_MAX, SIZE_MAX }, &changed_len);
    CHECK(ags_store_export(s, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, changed, changed_len));
    ags_free(out);
    out = NULL;
    char patch[128];
    snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"%s\",\"value\":%zu}]", ptr, last);
    CHECK(ags_store_patch(s, patch, AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_store_export(s, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, doc, doc_len));
    ags_free(out);
    out = NULL;
    char merge[64];
    snprintf(merge, sizeof merge, "{\"m%zu\":null}", last);
    CHECK(ags_store_merge(s, merge, AGS_NTS, NULL, NULL) == AGS_OK);
    out = NULL;
    CHECK(ags_store_get(s, ptr, AGS_NTS, 0, &out, NULL) == AGS_ERR_PATH_NOT_FOUND && out == NULL);
    CHECK(ags_store_add(s, ptr, AGS_NTS, value, AGS_NTS, NULL, NULL) == AGS_OK);

    ags_txn *txn = NULL;
    CHECK(ags_store_begin(s, &txn) == AGS_OK);
    snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"%s\",\"value\":\"x\"}]", ptr);
    CHECK(ags_txn_patch(txn, patch, AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_get(txn, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, "\"x\""));
    uint64_t version = 0;
    CHECK(ags_txn_commit(txn, NULL, &version) == AGS_OK && version == 5);
    /* The diff from the snapshot is the one change that remains: the last member, removed and added again
     * (at the end, where it was), now holds "x": as a replace, or as the recorded remove and add. */
    char expected[96], recorded[160];
    snprintf(expected, sizeof expected, "[{\"op\":\"replace\",\"path\":\"%s\",\"value\":\"x\"}]", ptr);
    snprintf(recorded, sizeof recorded, "[{\"op\":\"remove\",\"path\":\"%s\"},{\"op\":\"add\",\"path\":\"%s\",\"value\":\"x\"}]", ptr, ptr);
    CHECK(ags_store_diff_snapshot(s, snap, 0, &out, &out_len) == AGS_OK && out
          && ((out_len == strlen(expected) && memcmp(out, expected, out_len) == 0)
              || (out_len == strlen(recorded) && memcmp(out, recorded, out_len) == 0)));
    ags_free(out);
    out = NULL;
    CHECK(ags_snapshot_get(snap, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    ags_snapshot_close(snap);

    /* The wide document as a snapshot event, then as a value set inside the state. */
    size_t event_len = 0;
    char *event = wrap("{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":", doc, doc_len, "}", &event_len);
    CHECK(ags_store_apply_event(s, event, event_len, NULL, NULL) == AGS_OK);
    CHECK(ags_store_export(s, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, doc, doc_len));
    ags_free(out);
    out = NULL;
    CHECK(ags_store_snapshot_event(s, 0, &out, &out_len) == AGS_OK && same_text(out, out_len, event, event_len));
    ags_free(out);
    out = NULL;
    CHECK(ags_store_set(s, "/m0", AGS_NTS, doc, doc_len, NULL, NULL) == AGS_OK);
    snprintf(expected, sizeof expected, "/m0%s", ptr);
    CHECK(ags_store_get(s, expected, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    /* Presence values are small: the wide document is refused, and nothing is present. */
    CHECK(ags_store_presence_set(s, "client", AGS_NTS, doc, doc_len, 1000) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_store_presence(s, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, "{}"));
    out = NULL;
    free(event);
    free(changed);
    ags_store_close(s);

    /* A registry's store created from the wide document. */
    ags_registry *registry = NULL;
    CHECK(ags_registry_open(NULL, NULL, &registry) == AGS_OK);
    s = NULL;
    CHECK(ags_registry_get(registry, "wide", AGS_NTS, doc, doc_len, &s) == AGS_OK);
    CHECK(ags_store_get(s, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    out = NULL;
    ags_store_close(s);
    ags_registry_close(registry);
}

/* A durable store opened with the wide document, reopened from its checkpoint. */
static void durable_store(const char *doc, size_t doc_len, size_t last) {
    char dir[] = "/tmp/agstate-wide-XXXXXX", url[128], ptr[32], value[32], *out = NULL;
    size_t out_len = 0;
    if (!mkdtemp(dir)) { CHECK(0); return; }
    snprintf(url, sizeof url, "sqlite:%s/wide.db", dir);
    snprintf(ptr, sizeof ptr, "/m%zu", last);
    snprintf(value, sizeof value, "%zu", last);
    ags_storage_options options = AGS_STORAGE_OPTIONS_INIT;
    options.durability = AGS_DURABILITY_NORMAL;
    options.checkpoint_changes = 1;  /* the next commit writes the whole wide state */
    for (int round = 0; round < 2; round++) {
        ags_storage *storage = NULL;
        ags_store *s = NULL;
        CHECK(ags_storage_open(url, AGS_NTS, &options, &storage) == AGS_OK);
        if (!storage) break;
        /* Reopened without an initial document: the state comes from the checkpoint alone. */
        CHECK(ags_storage_open_store(storage, "wide", AGS_NTS, round ? NULL : doc, round ? 0 : doc_len, &s) == AGS_OK);
        if (s) {
            CHECK(ags_store_get(s, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, round ? "\"x\"" : value));
            if (round == 0) CHECK(ags_store_set(s, ptr, AGS_NTS, "\"x\"", AGS_NTS, NULL, NULL) == AGS_OK);
            ags_store_close(s);
        }
        ags_storage_close(storage);
    }
    char command[160];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

static void long_array(size_t n) {
    size_t len = 0;
    char *doc = array_text(n, &len), *out = NULL, ptr[32], value[32];
    size_t out_len = 0;
    int equal = 0;
    snprintf(ptr, sizeof ptr, "/%zu", n - 1);
    snprintf(value, sizeof value, "%zu", n - 1);
    CHECK(ags_json_validate(doc, len) == AGS_OK);
    CHECK(ags_json_equal(doc, len, doc, len, &equal) == AGS_OK && equal == 1);
    CHECK(ags_pointer_get(doc, len, ptr, AGS_NTS, 0, &out, &out_len) == AGS_OK && text_is(out, out_len, value));
    CHECK(ags_patch_apply(doc, len, "[{\"op\":\"remove\",\"path\":\"/0\"}]", AGS_NTS, 0, &out, &out_len) == AGS_OK);
    CHECK(out && out_len == len - 2);
    ags_free(out);
    out = NULL;
    CHECK(ags_diff(doc, len, doc, len, NULL, &out, &out_len) == AGS_OK && text_is(out, out_len, "[]"));
    free(doc);
}

int main(int argc, char **argv) {
    /* argv[1] may give one width instead of both. */
    size_t widths[] = { 65536, 1048576 };
    for (size_t k = 0; k < 2; k++) {
        width = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : widths[k];
        size_t doc_len = 0;
        char *doc = object_text(width, none, &doc_len);
        /* The last member, and members either side of 2^16. */
        stateless(doc, doc_len, width - 1);
        store(doc, doc_len, width - 1);
        durable_store(doc, doc_len, width - 1);
        long_array(width);
        free(doc);
        if (argc > 1) break;
    }
    if (failures) {
        fprintf(stderr, "%d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("wide documents: %d checks passed\n", checks);
    return 0;
}
