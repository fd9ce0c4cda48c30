/*
 * Enhanced event handlers: what a robust AG-UI transport does around the state events.
 *
 * 1. Large events are compressed in an envelope above a size threshold; small ones travel as they are.
 * 2. A receiver puts deltas that arrive out of order back in version order within a bounded window, and
 *    resyncs from a STATE_SNAPSHOT when a missing delta is too old to wait for.
 * 3. A sender retries a flaky transport with exponential backoff.
 * 4. A slow consumer gets fewer, larger batches (the batcher coalesces behind it) and never holds up writers.
 *
 * Exits 1 if any of it does not hold.
 * Build: cc enhanced_event_handlers.c $(pkg-config --cflags --libs agstate)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agstate.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "enhanced_event_handlers: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static int same_state(ags_store *a, ags_store *b) {
    char *x = NULL, *y = NULL;
    int equal = 0;
    must(ags_store_export(a, 0, &x, NULL), "export");
    must(ags_store_export(b, 0, &y, NULL), "export");
    must(ags_json_equal(x, AGS_NTS, y, AGS_NTS, &equal), "compare");
    ags_free(x);
    ags_free(y);
    return equal;
}

/* xorshift64: the same sequence in the C, Python and Go versions of this example. */
static uint64_t rng_state;
static uint64_t next_random(uint64_t bound) {
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    rng_state = x;
    return x % bound;
}

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void sleep_ms(long ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* One commit of the out-of-order and slow-consumer parts: a counter and a bounded list of the latest values. */
static void step(ags_store *store, int i, int keep) {
    char patch[256];
    snprintf(patch, sizeof patch,
             "[{\"op\":\"replace\",\"path\":\"/counter\",\"value\":%d},{\"op\":\"add\",\"path\":\"/recent/-\",\"value\":%d}%s]",
             i, i, i > keep ? ",{\"op\":\"remove\",\"path\":\"/recent/0\"}" : "");
    must(ags_store_patch(store, patch, AGS_NTS, NULL, NULL), "patch");
}

static void compression(void) {
    char line[256];
    printf("== compression of large events\n");
    size_t cap = 128 * 300, len = 0; /* about 70 bytes a task */
    char *doc = malloc(cap);
    len += (size_t)snprintf(doc, cap, "{\"tasks\":[");
    for (int i = 0; i < 300; i++)
        len += (size_t)snprintf(doc + len, cap - len, "%s{\"id\":%d,\"title\":\"task %d\",\"status\":\"open\",\"tags\":[\"ui\",\"state\"]}",
                                i ? "," : "", i, i);
    snprintf(doc + len, cap - len, "]}");
    ags_store *big = NULL;
    must(ags_store_open(doc, AGS_NTS, &big), "open");
    free(doc);
    char *large = NULL, *small = NULL, *large_packed = NULL, *small_packed = NULL, *large_back = NULL, *small_back = NULL;
    size_t large_len, small_len, large_packed_len, small_packed_len, large_back_len, small_back_len;
    must(ags_store_snapshot_event(big, 0, &large, &large_len), "snapshot event");
    must(ags_store_set(big, "/tasks/0/status", AGS_NTS, "\"done\"", AGS_NTS, NULL, NULL), "set");
    must(ags_store_delta_event(big, 0, 0, &small, &small_len), "delta event");
    must(ags_pack(large, large_len, NULL, &large_packed, &large_packed_len), "pack"); /* NULL: gzip above 1024 bytes */
    must(ags_pack(small, small_len, NULL, &small_packed, &small_packed_len), "pack");
    int large_codec = -1, small_codec = -1;
    must(ags_unpack(large_packed, large_packed_len, AGS_DEFAULT_MAX_DECOMPRESSED_SIZE, &large_codec, &large_back, &large_back_len), "unpack");
    must(ags_unpack(small_packed, small_packed_len, AGS_DEFAULT_MAX_DECOMPRESSED_SIZE, &small_codec, &small_back, &small_back_len), "unpack");
    printf("      STATE_SNAPSHOT %zu bytes -> %zu bytes (%s); STATE_DELTA %zu bytes -> %zu bytes (%s)\n", large_len,
           large_packed_len, large_codec == AGS_CODEC_GZIP ? "gzip" : "?", small_len, small_packed_len,
           small_codec == AGS_CODEC_IDENTITY ? "identity" : "?");
    check(large_codec == AGS_CODEC_GZIP && large_packed_len * 4 < large_len, "the large event is compressed at least 4 times smaller");
    snprintf(line, sizeof line, "the small event, under the %d-byte threshold, is sent as it is", AGS_ENVELOPE_THRESHOLD);
    check(small_codec == AGS_CODEC_IDENTITY, line);
    check(large_back_len == large_len && memcmp(large_back, large, large_len) == 0 && small_back_len == small_len &&
          memcmp(small_back, small, small_len) == 0, "both unpack to the same bytes (size and CRC-32 checked)");
    ags_free(large); ags_free(small); ags_free(large_packed); ags_free(small_packed); ags_free(large_back); ags_free(small_back);
    ags_store_close(big);
}

/* -- 2. out of order ------------------------------------------------------------------------------ */
#define WINDOW 6    /* deltas a receiver holds while it waits for a missing one */
#define DROPPED 25  /* the transport loses this version's delta */
#define STEPS 60

typedef struct { int at; uint64_t version; char *event; } message;

static message outbox[4];
static size_t outbox_count = 0;

static int collect(void *user_data, uint64_t version, const char *patch, size_t patch_len) {
    (void)user_data;
    if (outbox_count == 4) return 1;
    outbox[outbox_count].version = version;
    return ags_delta_event(patch, patch_len, 0, &outbox[outbox_count++].event, NULL) == AGS_OK ? 0 : 1;
}

typedef struct {
    ags_store *server, *store;
    uint64_t version;
    char *pending[STEPS + 2];  /* indexed by version; at most WINDOW + 1 held at once */
    int held, reordered, resyncs, stale;
} receiver;

static void drain(receiver *r) {
    while (r->version + 1 <= STEPS && r->pending[r->version + 1]) {
        char *event = r->pending[r->version + 1];
        r->pending[r->version + 1] = NULL;
        r->held--;
        must(ags_store_apply_event(r->store, event, AGS_NTS, NULL, NULL), "apply delta");
        ags_free(event);
        r->version++;
    }
}

static void resync(receiver *r) {
    /* A snapshot and its version, read together (nothing commits between the two reads here). */
    uint64_t version = 0;
    char *event = NULL;
    must(ags_store_version(r->server, &version), "version");
    must(ags_store_snapshot_event(r->server, 0, &event, NULL), "snapshot event");
    must(ags_store_apply_event(r->store, event, AGS_NTS, NULL, NULL), "apply snapshot");
    ags_free(event);
    r->version = version;
    for (uint64_t v = 0; v <= version && v <= STEPS; v++) {
        if (r->pending[v]) { ags_free(r->pending[v]); r->pending[v] = NULL; r->held--; }
    }
    r->resyncs++;
    drain(r);
}

static void receive(receiver *r, uint64_t version, char *event) {
    if (version <= r->version) { r->stale++; ags_free(event); return; } /* already covered by a snapshot */
    if (version != r->version + 1) r->reordered++;
    r->pending[version] = event;
    r->held++;
    drain(r);
    if (r->held > WINDOW) resync(r);
}

static int by_delivery(const void *a, const void *b) {
    const message *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->version < y->version ? -1 : x->version > y->version;
}

static void out_of_order(void) {
    char line[256];
    printf("== out-of-order deltas\n");
    receiver r;
    memset(&r, 0, sizeof r);
    must(ags_store_open("{\"counter\":0,\"recent\":[]}", AGS_NTS, &r.server), "open");
    must(ags_store_open(NULL, 0, &r.store), "open");
    ags_subscription *sub = NULL;
    must(ags_store_subscribe(r.server, "", 0, collect, NULL, &sub), "subscribe");
    resync(&r);
    rng_state = 42;
    message in_flight[STEPS];
    size_t flying = 0;
    for (int s = 1; s <= STEPS; s++) {
        step(r.server, s, 5);
        for (size_t i = 0; i < outbox_count; i++) {
            if (outbox[i].version == DROPPED) { ags_free(outbox[i].event); continue; }
            outbox[i].at = s + (int)next_random(4);
            in_flight[flying++] = outbox[i];
        }
        outbox_count = 0;
        qsort(in_flight, flying, sizeof *in_flight, by_delivery);
        size_t kept = 0;
        for (size_t i = 0; i < flying; i++) {
            if (in_flight[i].at <= s) receive(&r, in_flight[i].version, in_flight[i].event);
            else in_flight[kept++] = in_flight[i];
        }
        flying = kept;
    }
    for (size_t i = 0; i < flying; i++) receive(&r, in_flight[i].version, in_flight[i].event);
    printf("      60 deltas sent, 1 lost; %d arrived early and waited, %d resync(s), %d arrived after a snapshot covered them\n",
           r.reordered, r.resyncs - 1, r.stale);
    check(r.reordered > 0, "deltas that arrived early were held and applied in version order");
    snprintf(line, sizeof line, "the lost delta (v%d) was replaced by one STATE_SNAPSHOT once %d deltas waited", DROPPED, WINDOW);
    check(r.resyncs == 2, line);
    snprintf(line, sizeof line, "the receiver ends at v%llu with the server's state", (unsigned long long)r.version);
    check(same_state(r.store, r.server) && r.version == STEPS, line);
    ags_subscription_close(sub);
    ags_store_close(r.store);
    ags_store_close(r.server);
}

/* -- 3. retries ----------------------------------------------------------------------------------- */
#define BASE_MS 1
#define CAP_MS 16
#define ATTEMPTS 8

static char *delivered[20];
static size_t delivered_count = 0;

static int flaky_send(char *event) {
    if (next_random(10) < 4) return -1; /* 40% of sends fail: connection reset */
    delivered[delivered_count++] = event;
    return 0;
}

static int send_with_retry(char *event) {
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        if (flaky_send(event) == 0) return attempt + 1;
        long backoff = (long)BASE_MS << attempt;
        sleep_ms(backoff < CAP_MS ? backoff : CAP_MS);
    }
    return -1; /* gave up */
}

static void retries(void) {
    printf("== retries on a flaky transport\n");
    rng_state = 7;
    ags_store *source = NULL;
    must(ags_store_open("{\"n\":0}", AGS_NTS, &source), "open");
    char *events[20];
    for (int i = 1; i <= 20; i++) {
        char value[16];
        snprintf(value, sizeof value, "%d", i);
        must(ags_store_set(source, "/n", AGS_NTS, value, AGS_NTS, NULL, NULL), "set");
        must(ags_store_delta_event(source, (uint64_t)i - 1, 0, &events[i - 1], NULL), "delta event");
    }
    double started = now_ms();
    int total = 0, most = 0, gave_up = 0;
    for (int i = 0; i < 20; i++) {
        int n = send_with_retry(events[i]);
        if (n < 0) { gave_up++; continue; }
        total += n;
        if (n > most) most = n;
    }
    printf("      20 events, %d attempts, at most %d for one, %.0f ms of backoff\n", total, most, now_ms() - started);
    check(total > 20, "some sends failed and were retried");
    int in_order = gave_up == 0 && delivered_count == 20;
    for (size_t i = 0; in_order && i < 20; i++) in_order = delivered[i] == events[i];
    check(in_order, "every event was delivered once, in order");
    for (int i = 0; i < 20; i++) ags_free(events[i]);
    ags_store_close(source);
}

/* -- 4. a slow consumer --------------------------------------------------------------------------- */
typedef struct { ags_store *store; uint64_t expected_from; int batches, gaps, failed; } consumer;

static int slow_consumer(void *user_data, uint64_t from, uint64_t to, const char *event, size_t event_len) {
    consumer *c = user_data;  /* the batcher never calls this twice at once */
    if (from != c->expected_from) c->gaps++;
    if (ags_store_apply_event(c->store, event, event_len, NULL, NULL) != AGS_OK) { c->failed++; return 1; }
    c->expected_from = to;
    c->batches++;
    sleep_ms(20); /* the consumer takes 20 ms per batch */
    return 0;
}

static void slow(void) {
    char line[256];
    printf("== a slow consumer\n");
    ags_store *producer = NULL;
    consumer c = {0};
    must(ags_store_open("{\"counter\":0,\"recent\":[]}", AGS_NTS, &producer), "open");
    must(ags_store_open("{\"counter\":0,\"recent\":[]}", AGS_NTS, &c.store), "open");
    ags_batcher_options options = AGS_BATCHER_OPTIONS_INIT;
    options.max_operations = 100;
    options.window_ms = 10;
    ags_batcher *batcher = NULL;
    must(ags_batcher_open(producer, &options, slow_consumer, &c, &batcher), "batcher");
    must(ags_batcher_start_timer(batcher, 0), "timer");
    double started = now_ms();
    for (int i = 1; i <= 2000; i++) step(producer, i, 20);
    double produced = now_ms() - started;
    must(ags_batcher_flush(batcher), "flush");
    char *stats = NULL;
    must(ags_batcher_stats(batcher, &stats, NULL), "stats");
    ags_batcher_close(batcher, 1);
    printf("      2000 commits in %.0f ms; the consumer got %d batches and was done after %.0f ms\n", produced, c.batches,
           now_ms() - started);
    printf("      batcher: %s\n", stats);
    ags_free(stats);
    check(c.batches > 0 && c.batches < 200, "the slow consumer got far fewer batches than commits");
    check(c.gaps == 0 && c.failed == 0, "every batch started where the previous one ended");
    uint64_t version = 0;
    must(ags_store_version(producer, &version), "version");
    snprintf(line, sizeof line, "the consumer ends at v%llu with the producer's state", (unsigned long long)c.expected_from);
    check(same_state(c.store, producer) && c.expected_from == version, line);
    ags_store_close(c.store);
    ags_store_close(producer);
}

int main(void) {
    compression();
    out_of_order();
    retries();
    slow();
    if (failures) printf("enhanced_event_handlers: %d checks failed\n", failures);
    else printf("enhanced_event_handlers: all checks passed\n");
    return failures ? 1 : 0;
}
