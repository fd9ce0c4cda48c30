/* What a hostile or careless caller tries, each of which once killed, hung or fooled the host process:
 * decompression with no bound, an envelope claiming 2^63-1 bytes, batcher bounds far past any batch, one
 * handle slot reused until a short generation would wrap, a batcher closed from its own callback,
 * transactions beside their store's own limits and after their store closed, tool calls that keep naming
 * one parent message. Every call must give a status, never trap or hang, and never answer for another
 * object. */
#include <agstate.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

/* Runs fn(arg) on a thread and waits for it at most `seconds`: a hang is a failure, not a stuck test. */
struct watched { void (*fn)(void *); void *arg; int done; pthread_mutex_t lock; pthread_cond_t cond; };

static void *watched_main(void *raw) {
    struct watched *w = raw;
    w->fn(w->arg);
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    pthread_cond_broadcast(&w->cond);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static int returns_within(int seconds, void (*fn)(void *), void *arg) {
    static struct watched w;  /* left to a hung thread when it does not return */
    memset(&w, 0, sizeof w);
    w.fn = fn;
    w.arg = arg;
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, watched_main, &w) != 0) return 0;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += seconds;
    pthread_mutex_lock(&w.lock);
    while (!w.done && pthread_cond_timedwait(&w.cond, &w.lock, &deadline) == 0) {}
    int done = w.done;
    pthread_mutex_unlock(&w.lock);
    if (done) pthread_join(thread, NULL);
    return done;
}

/* ---- decompression with no bound ---- */

static void decompression_with_no_bound(void) {
    char input[3000];
    for (size_t i = 0; i < sizeof input; i++) input[i] = "state delta "[i % 12];
    for (int codec = AGS_CODEC_IDENTITY; codec <= AGS_CODEC_ZSTD; codec++) {
        char *packed = NULL, *out = NULL;
        size_t packed_len = 0, out_len = 0;
        if (codec == AGS_CODEC_IDENTITY) {
            packed = malloc(sizeof input);
            memcpy(packed, input, sizeof input);
            packed_len = sizeof input;
        } else {
            CHECK(ags_compress(codec, 0, input, sizeof input, &packed, &packed_len) == AGS_OK);
        }
        for (int k = 0; k < 3; k++) {
            size_t bound = k == 0 ? AGS_UNBOUNDED : k == 1 ? AGS_UNBOUNDED - 1 : (size_t)INT64_MAX;
            out = NULL;
            CHECK(ags_decompress(codec, packed, packed_len, bound, &out, &out_len) == AGS_OK);
            CHECK(out && out_len == sizeof input && memcmp(out, input, sizeof input) == 0);
            ags_free(out);
            ags_decompressor *stream = NULL;
            CHECK(ags_decompressor_open(codec, bound, &stream) == AGS_OK);
            size_t total = 0;
            for (size_t at = 0; at < packed_len; at += 97) {
                size_t n = packed_len - at < 97 ? packed_len - at : 97;
                out = NULL;
                out_len = 0;
                CHECK(ags_decompressor_write(stream, packed + at, n, &out, &out_len) == AGS_OK);
                total += out_len;
                ags_free(out);
            }
            CHECK(ags_decompressor_finish(stream) == AGS_OK);
            CHECK(total == sizeof input);
            ags_decompressor_close(stream);
        }
        if (codec == AGS_CODEC_IDENTITY) free(packed); else ags_free(packed);
    }
}

/* An envelope whose size field is changed to `size`. */
static void envelope_claiming(uint64_t size, int codec) {
    char data[2000];
    memset(data, 'x', sizeof data);
    ags_pack_options options = AGS_PACK_OPTIONS_INIT;
    options.codec = codec;
    options.threshold = 0;
    char *packed = NULL, *out = NULL;
    size_t packed_len = 0;
    CHECK(ags_pack(data, sizeof data, &options, &packed, &packed_len) == AGS_OK && packed_len > 20);
    for (int i = 0; i < 8; i++) packed[8 + i] = (char)(size >> (8 * i));
    int status = ags_unpack(packed, packed_len, AGS_UNBOUNDED, NULL, &out, NULL);
    CHECK(status == AGS_ERR_CORRUPT_DATA && out == NULL);
    status = ags_unpack(packed, packed_len, 1 << 20, NULL, &out, NULL);
    /* A claim past the caller's bound is refused before any work; one that cannot be a size, or that the
     * payload contradicts, is damage. */
    int expected = size > (uint64_t)INT64_MAX ? AGS_ERR_CORRUPT_DATA : size > (1 << 20) ? AGS_ERR_LIMIT_EXCEEDED : AGS_ERR_CORRUPT_DATA;
    CHECK(status == expected && out == NULL);
    ags_free(packed);
}

static void envelopes_claiming_huge_sizes(void) {
    for (int codec = AGS_CODEC_IDENTITY; codec <= AGS_CODEC_ZSTD; codec++) {
        envelope_claiming((uint64_t)INT64_MAX, codec);
        envelope_claiming((uint64_t)INT64_MAX - 1, codec);
        envelope_claiming(UINT64_MAX, codec);
        envelope_claiming((uint64_t)1 << 62, codec);
        envelope_claiming(1999, codec);
    }
}

/* ---- batcher bounds ---- */

static int count_batches(void *user, uint64_t from, uint64_t to, const char *event, size_t len) {
    (void)from; (void)to; (void)event; (void)len;
    (*(int *)user)++;
    return 0;
}

static void batcher_bounds_far_past_any_batch(void) {
    size_t bounds[] = { (size_t)1 << 62, SIZE_MAX, SIZE_MAX - 1, (size_t)INT64_MAX, AGS_BATCHER_MAX_BOUND,
                        AGS_BATCHER_MAX_BOUND + 1, 0 };
    for (size_t k = 0; k < sizeof bounds / sizeof *bounds; k++) {
        for (int which = 0; which < 2; which++) {
            ags_store *store = NULL;
            CHECK(ags_store_open("{\"log\":[]}", AGS_NTS, &store) == AGS_OK);
            ags_batcher_options options = AGS_BATCHER_OPTIONS_INIT;
            if (which == 0) options.max_operations = bounds[k]; else options.max_bytes = bounds[k];
            int batches = 0;
            ags_batcher *batcher = NULL;
            int status = ags_batcher_open(store, &options, count_batches, &batches, &batcher);
            int accepted = bounds[k] >= 1 && bounds[k] <= AGS_BATCHER_MAX_BOUND;
            CHECK(accepted ? status == AGS_OK : status == AGS_ERR_INVALID_ARGUMENT);
            for (int i = 0; i < 40; i++) CHECK(ags_store_add(store, "/log/-", AGS_NTS, "1", AGS_NTS, NULL, NULL) == AGS_OK);
            if (status == AGS_OK) {
                ags_batcher_close(batcher, 1);
                CHECK(batches >= 1);
            }
            ags_store_close(store);
        }
    }
}

/* ---- handles ---- */

/* One slot reused 2^24 + 2 times (the old 24-bit generation's period and then some): the first handle
 * stays closed, and never reads the store of the live one. */
static void handles_never_alias(void) {
    ags_store *mine = NULL, *other = NULL;
    CHECK(ags_store_open("{\"owner\":\"mine\"}", AGS_NTS, &mine) == AGS_OK);
    CHECK(ags_store_open("{\"owner\":\"other\"}", AGS_NTS, &other) == AGS_OK);
    ags_snapshot *first = NULL;
    CHECK(ags_store_snapshot(mine, &first) == AGS_OK);
    ags_snapshot_close(first);
    uint64_t version = 0;
    CHECK(ags_snapshot_version(first, &version) == AGS_ERR_CLOSED);
    long aliased = -1;
    const long rounds = (1L << 24) + 2;
    for (long i = 0; i < rounds; i++) {
        ags_snapshot *live = NULL;
        if (ags_store_snapshot(other, &live) != AGS_OK) { CHECK(0); break; }
        if (live == first || (i > rounds - 8 && ags_snapshot_version(first, &version) != AGS_ERR_CLOSED)) {
            aliased = i;
            ags_snapshot_close(live);
            break;
        }
        ags_snapshot_close(live);
    }
    CHECK(aliased == -1);
    char *out = NULL;
    CHECK(ags_snapshot_get(first, "", 0, 0, &out, NULL) == AGS_ERR_CLOSED && out == NULL);
    ags_store_close(mine);
    ags_store_close(other);
}

/* ---- closing a batcher from its own callback ---- */

struct closing { ags_store *store; ags_batcher *batcher; int flush; int calls; };

static int close_from_inside(void *user, uint64_t from, uint64_t to, const char *event, size_t len) {
    (void)from; (void)to; (void)event; (void)len;
    struct closing *c = user;
    if (++c->calls == 1) {
        ags_store_add(c->store, "/log/-", AGS_NTS, "99", AGS_NTS, NULL, NULL);
        ags_batcher_close(c->batcher, c->flush);
    }
    return 0;
}

static void flush_now(void *arg) { ags_batcher_flush(((struct closing *)arg)->batcher); }

static void batcher_closed_from_its_callback(void) {
    for (int timer = 0; timer < 2; timer++) {
        for (int flush = 0; flush < 2; flush++) {
            struct closing c = { NULL, NULL, flush, 0 };
            CHECK(ags_store_open("{\"log\":[]}", AGS_NTS, &c.store) == AGS_OK);
            ags_batcher_options options = AGS_BATCHER_OPTIONS_INIT;
            options.window_ms = 60000;
            CHECK(ags_batcher_open(c.store, &options, close_from_inside, &c, &c.batcher) == AGS_OK);
            if (timer) CHECK(ags_batcher_start_timer(c.batcher, 1) == AGS_OK);
            CHECK(ags_store_add(c.store, "/log/-", AGS_NTS, "1", AGS_NTS, NULL, NULL) == AGS_OK);
            int returned = returns_within(20, flush_now, &c);
            CHECK(returned);
            if (!returned) {
                fprintf(stderr, "ags_batcher_close from inside the callback hung (timer %d, flush %d)\n", timer, flush);
                exit(1);
            }
            CHECK(c.calls == (flush ? 2 : 1));
            /* Closed: later changes are not sent, and closing again is harmless. */
            CHECK(ags_store_add(c.store, "/log/-", AGS_NTS, "3", AGS_NTS, NULL, NULL) == AGS_OK);
            CHECK(c.calls == (flush ? 2 : 1));
            CHECK(ags_batcher_flush(c.batcher) == AGS_ERR_CLOSED);
            ags_batcher_close(c.batcher, 1);
            ags_store_close(c.store);
        }
    }
}

/* ---- transactions and their store ---- */

static char *deep_patch(int depth) {
    char *text = malloc((size_t)depth * 2 + 64);
    int n = sprintf(text, "[{\"op\":\"add\",\"path\":\"/deep\",\"value\":");
    for (int i = 0; i < depth; i++) text[n++] = '[';
    for (int i = 0; i < depth; i++) text[n++] = ']';
    strcpy(text + n, "}]");
    return text;
}

static void transactions_keep_their_stores_limits(void) {
    ags_store *store = NULL;
    CHECK(ags_store_open("{}", AGS_NTS, &store) == AGS_OK);
    CHECK(ags_store_limit(store, AGS_LIMIT_DEPTH, 1000, NULL) == AGS_OK);
    char *patch = deep_patch(600);
    /* Directly and through a transaction alike. */
    CHECK(ags_store_patch(store, patch, AGS_NTS, NULL, NULL) == AGS_OK);
    ags_txn *txn = NULL;
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, patch, AGS_NTS, 0) == AGS_OK);
    uint64_t version = 0;
    CHECK(ags_txn_commit(txn, NULL, &version) == AGS_OK && version == 2);
    free(patch);
    patch = deep_patch(1200);
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, patch, AGS_NTS, 0) == AGS_ERR_LIMIT_EXCEEDED);
    ags_txn_rollback(txn);
    free(patch);

    const char *longer = "[{\"op\":\"add\",\"path\":\"/b\",\"value\":\"a string long enough to pass sixty-four bytes\"}]";
    CHECK(ags_store_limit(store, AGS_LIMIT_INPUT_BYTES, 64, NULL) == AGS_OK);
    CHECK(ags_store_patch(store, longer, AGS_NTS, NULL, NULL) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, longer, AGS_NTS, 0) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]", AGS_NTS, 0) == AGS_OK);
    CHECK(ags_txn_commit(txn, NULL, &version) == AGS_OK && version == 3);
    ags_store_close(store);
}

static void no_commit_after_the_store_closed(void) {
    ags_store *store = NULL;
    CHECK(ags_store_open("{\"a\":1}", AGS_NTS, &store) == AGS_OK);
    ags_txn *txn = NULL;
    CHECK(ags_store_begin(store, &txn) == AGS_OK);
    CHECK(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/a\",\"value\":2}]", AGS_NTS, 0) == AGS_OK);
    ags_store_close(store);
    uint64_t version = 12345;
    CHECK(ags_txn_commit(txn, NULL, &version) == AGS_ERR_CLOSED && version == 12345);
    ags_txn_rollback(txn);
}

/* ---- the validator's messages ---- */

static void tool_calls_on_one_parent_stay_bounded(void) {
    ags_validator_options options = AGS_VALIDATOR_OPTIONS_INIT;
    options.flags = AGS_VALIDATE_MESSAGES;
    ags_validator *v = NULL;
    CHECK(ags_validator_open(&options, &v) == AGS_OK);
    const char *start = "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n"
                        "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\",\"role\":\"assistant\"}\n"
                        "{\"type\":\"TEXT_MESSAGE_END\",\"messageId\":\"m\"}\n";
    CHECK(ags_validator_feed_stream(v, start, AGS_NTS, AGS_STREAM_NDJSON, NULL, NULL) == AGS_OK);
    char line[256];
    const int calls = 30000;
    for (int i = 0; i < calls; i++) {
        int n = snprintf(line, sizeof line, "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c%d\",\"toolCallName\":\"f\","
                         "\"parentMessageId\":\"m\"}\n{\"type\":\"TOOL_CALL_END\",\"toolCallId\":\"c%d\"}\n", i, i);
        if (ags_validator_feed_stream(v, line, (size_t)n, AGS_STREAM_NDJSON, NULL, NULL) != AGS_OK) { CHECK(0); break; }
    }
    char *out = NULL;
    size_t len = 0;
    CHECK(ags_validator_messages(v, 0, &out, &len) == AGS_OK);
    int kept = 0;
    for (const char *p = out; p && (p = strstr(p, "\"type\":\"function\"")) != NULL; p++) kept++;
    CHECK(kept == 10000);  /* the newest 10,000 tool calls, on the one message that stays */
    CHECK(out && strstr(out, "\"id\":\"c29999\"") != NULL && strstr(out, "\"id\":\"c19999\"") == NULL);
    ags_free(out);
    ags_validator_close(v);
}

static const struct { const char *name; void (*run)(void); } sections[] = {
    { "decompression", decompression_with_no_bound },
    { "envelopes", envelopes_claiming_huge_sizes },
    { "batcher-bounds", batcher_bounds_far_past_any_batch },
    { "handles", handles_never_alias },
    { "batcher-close", batcher_closed_from_its_callback },
    { "txn-limits", transactions_keep_their_stores_limits },
    { "txn-closed-store", no_commit_after_the_store_closed },
    { "validator-messages", tool_calls_on_one_parent_stay_bounded },
};

/* With an argument, runs only the section of that name. */
int main(int argc, char **argv) {
    for (size_t i = 0; i < sizeof sections / sizeof *sections; i++) {
        if (argc > 1 && strcmp(argv[1], sections[i].name) != 0) continue;
        sections[i].run();
    }
    if (failures) {
        fprintf(stderr, "%d of %d checks failed\n", failures, checks);
        return 1;
    }
    printf("hostile inputs: %d checks passed\n", checks);
    return 0;
}
