/* Every ags_* function of the header, with each integer parameter (and each integer field of an options
 * struct) at 0, -1 as its C type, its maximum and its maximum minus one (and a few more edges: the
 * signed minimum, 2^62, 2^31, INT64_MAX as a size), and SIZE_MAX wherever a size is taken: each call
 * returns a status code (with the thread's last error set when it is a failure), never traps, never hangs.
 * A length describes a caller's buffer, so lengths past the buffer are only given with a NULL pointer
 * (which must then be refused) or as SIZE_MAX (AGS_NTS) and SIZE_MAX - 1 (out of range), never as a length
 * the library would believe. argv[1] is include/agstate.h: every function declared there must have been
 * walked here, and argv[2] is the library: every ags_* function it exports too. */
#include <agstate.h>
#include <ctype.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures = 0, calls = 0;
static const char *current = "";
static char walked[8192];  /* " name name ... " of the functions called */

static void fail(const char *what) {
    failures++;
    fprintf(stderr, "test_int_edges: %s: %s (last error: %s)\n", current, what, ags_errlast()->message);
}

static void on_alarm(int sig) {
    (void)sig;
    static const char prefix[] = "test_int_edges: hung in ";
    write(2, prefix, sizeof prefix - 1);
    write(2, current, strlen(current));
    write(2, "\n", 1);
    _exit(1);
}

/* Records that `name` is being walked: `walked` is " name name ... ", each once. */
static void walking(const char *name) {
    current = name;
    char key[128];
    snprintf(key, sizeof key, " %s ", name);
    if (!walked[0]) strcpy(walked, " ");
    if (!strstr(walked, key)) {
        strncat(walked, name, sizeof walked - strlen(walked) - 2);
        strcat(walked, " ");
    }
}

/* Output of the call just made, released. */
static char *out;
static size_t out_len;

static ags_status status_at(ags_status s, int line) {
    calls++;
    if (getenv("EDGES_TRACE")) fprintf(stderr, "TRACE %s:%d %d\n", current, line, s);
    if (s < AGS_OK || s > AGS_ERR_UNAVAILABLE) fail("a status outside the status codes");
    else if (s != AGS_OK && ags_errlast()->code != s) fail("a failure that is not the thread's last error");
    else if (s != AGS_OK && (ags_errlast()->message == NULL || ags_errlast()->message[0] == 0)) fail("a failure without a message");
    ags_free(out);
    out = NULL;
    out_len = 0;
    return s;
}
#define status(call) status_at(call, __LINE__)
#define S(call) status(call)

/* A call whose status the documented ranges decide: `want` (-1: any status). */
static void expect_at(ags_status got, ags_status want, int line) {
    if (want < 0 || got == want) return;
    char what[160];
    snprintf(what, sizeof what, "line %d: status %s, where the documented range says %s", line, ags_status_name(got),
             ags_status_name(want));
    fail(what);
}
#define E(call, want) expect_at(status(call), (want), __LINE__)

/* ---- edge values, by C type ---- */

static const int ints[] = { 0, -1, INT_MAX, INT_MAX - 1, INT_MIN, 1, 2, 3, 4, 5, 22, 23 };
static const uint32_t u32s[] = { 0, UINT32_MAX, UINT32_MAX - 1, 0x80000000u, 1, 0x20000u, 0x400u, 0x800u };
static const uint64_t u64s[] = { 0, UINT64_MAX, UINT64_MAX - 1, (uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, 1, (uint64_t)1 << 62 };
static const int64_t i64s[] = { 0, -1, INT64_MAX, INT64_MAX - 1, INT64_MIN, 1, 4000, 4001 };
static const size_t sizes[] = { 0, SIZE_MAX, SIZE_MAX - 1, (size_t)INT64_MAX, (size_t)INT64_MAX + 1, (size_t)1 << 62, 1,
                                AGS_BATCHER_MAX_BOUND, AGS_BATCHER_MAX_BOUND + 1 };
/* Lengths given with a real buffer: 0, AGS_NTS, and SIZE_MAX - 1 (refused before reading). */
static const size_t lengths[] = { 0, SIZE_MAX, SIZE_MAX - 1 };
#define EACH(array, v) for (size_t v##_i = 0; v##_i < sizeof array / sizeof *array; v##_i++)
#define V(array, v) (array[v##_i])

/* A length with a NULL pointer: anything but 0 must be refused. */
static const size_t null_lengths[] = { 0, 1, SIZE_MAX, SIZE_MAX - 1, (size_t)INT64_MAX, (size_t)1 << 62 };

static const char *doc = "{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}";
static const char *patch = "[{\"op\":\"add\",\"path\":\"/e\",\"value\":1}]";

static ags_store *open_store(void) {
    ags_store *s = NULL;
    if (ags_store_open(doc, AGS_NTS, &s) != AGS_OK) fail("a store did not open");
    return s;
}

/* ---- the stateless functions ---- */

static void library_and_errors(void) {
    walking("ags_libversion"); if (!ags_libversion()) fail("no version");
    walking("ags_libversion_number"); if (ags_libversion_number() != AGS_VERSION_NUMBER) fail("the version number differs");
    walking("ags_status_name");
    EACH(ints, v) if (!ags_status_name(V(ints, v))) fail("no name");
    walking("ags_errlast"); if (!ags_errlast()) fail("no last error");
    walking("ags_errclear"); ags_errclear();
    walking("ags_free"); ags_free(NULL);
    walking("ags_limit");
    EACH(ints, id) EACH(i64s, value) {
        int64_t old = 0;
        if (status(ags_limit(V(ints, id), -1, &old)) == AGS_OK && V(i64s, value) >= 0) {
            if (status(ags_limit(V(ints, id), V(i64s, value), NULL)) == AGS_OK) S(ags_limit(V(ints, id), old, NULL));
        } else {
            S(ags_limit(V(ints, id), V(i64s, value), NULL));
        }
    }
}

static void json_functions(void) {
    int equal = 0;
    walking("ags_json_validate");
    EACH(lengths, n) S(ags_json_validate(doc, V(lengths, n)));
    EACH(null_lengths, n) S(ags_json_validate(NULL, V(null_lengths, n)));
    walking("ags_json_format");
    EACH(lengths, n) EACH(u32s, f) S(ags_json_format(doc, V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_json_format(NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_json_equal");
    EACH(lengths, a) EACH(lengths, b) S(ags_json_equal(doc, V(lengths, a), doc, V(lengths, b), &equal));
    EACH(null_lengths, n) S(ags_json_equal(NULL, V(null_lengths, n), doc, AGS_NTS, &equal));
    walking("ags_pointer_get");
    EACH(lengths, a) EACH(lengths, b) EACH(u32s, f) S(ags_pointer_get(doc, V(lengths, a), "/a/2", V(lengths, b), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_pointer_get(doc, AGS_NTS, NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_patch_apply");
    EACH(lengths, a) EACH(lengths, b) EACH(u32s, f) S(ags_patch_apply(doc, V(lengths, a), patch, V(lengths, b), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_patch_apply(doc, AGS_NTS, NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_merge_patch_apply");
    EACH(lengths, a) EACH(lengths, b) EACH(u32s, f) S(ags_merge_patch_apply(doc, V(lengths, a), "{\"c\":null}", V(lengths, b), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_merge_patch_apply(NULL, V(null_lengths, n), "{}", AGS_NTS, 0, &out, &out_len));
    walking("ags_event_encode");
    EACH(lengths, n) EACH(u32s, f) S(ags_event_encode("{\"type\":\"RUN_STARTED\"}", V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_event_encode(NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_delta_event");
    EACH(lengths, n) EACH(u32s, f) S(ags_delta_event(patch, V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_delta_event(NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_diff_options_init");
    ags_diff_options diff;
    EACH(u32s, v) S(ags_diff_options_init(&diff, V(u32s, v)));
    S(ags_diff_options_init(NULL, AGS_DIFF_OPTIONS_VERSION));
    walking("ags_diff");
    EACH(lengths, a) EACH(lengths, b) S(ags_diff(doc, V(lengths, a), "{}", V(lengths, b), NULL, &out, &out_len));
    EACH(u32s, v) EACH(u32s, f) EACH(u32s, g) {
        diff = (ags_diff_options){ V(u32s, v), V(u32s, f), V(u32s, g) };
        S(ags_diff(doc, AGS_NTS, "{\"c\":1}", AGS_NTS, &diff, &out, &out_len));
    }
    EACH(null_lengths, n) S(ags_diff(NULL, V(null_lengths, n), doc, AGS_NTS, NULL, &out, &out_len));
    walking("ags_merge_diff");
    EACH(lengths, a) EACH(lengths, b) EACH(u32s, f) S(ags_merge_diff(doc, V(lengths, a), "{}", V(lengths, b), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_merge_diff(doc, AGS_NTS, NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_compact");
    EACH(lengths, n) EACH(u32s, f) S(ags_compact(patch, V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_compact(NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_commit_options_init");
    ags_commit_options commit;
    EACH(u32s, v) S(ags_commit_options_init(&commit, V(u32s, v)));
    S(ags_commit_options_init(NULL, AGS_COMMIT_OPTIONS_VERSION));
}

static void codec_functions(void) {
    const char *data = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    char *packed = NULL;
    size_t packed_len = 0;
    walking("ags_compress");
    EACH(ints, c) EACH(ints, l) S(ags_compress(V(ints, c), V(ints, l), data, AGS_NTS, &out, &out_len));
    EACH(lengths, n) S(ags_compress(AGS_CODEC_GZIP, 0, data, V(lengths, n), &out, &out_len));
    EACH(null_lengths, n) S(ags_compress(AGS_CODEC_GZIP, 0, NULL, V(null_lengths, n), &out, &out_len));
    walking("ags_decompress");
    for (int codec = AGS_CODEC_IDENTITY; codec <= AGS_CODEC_ZSTD; codec++) {
        if (ags_compress(codec, 0, data, AGS_NTS, &packed, &packed_len) != AGS_OK) { fail("compress"); continue; }
        EACH(sizes, m) {
            ags_status s = status(ags_decompress(codec, packed, packed_len, V(sizes, m), &out, &out_len));
            if ((s == AGS_OK) != (V(sizes, m) >= strlen(data))) fail("decompression's bound not kept");
        }
        EACH(lengths, n) S(ags_decompress(codec, packed, V(lengths, n) == SIZE_MAX ? packed_len : V(lengths, n), SIZE_MAX, &out, &out_len));
        ags_free(packed);
    }
    EACH(ints, c) S(ags_decompress(V(ints, c), data, AGS_NTS, SIZE_MAX, &out, &out_len));
    EACH(null_lengths, n) S(ags_decompress(AGS_CODEC_GZIP, NULL, V(null_lengths, n), SIZE_MAX, &out, &out_len));

    walking("ags_compressor_open");
    EACH(ints, c) EACH(ints, l) {
        ags_compressor *z = NULL;
        current = "ags_compressor_open";
        if (status(ags_compressor_open(V(ints, c), V(ints, l), &z)) != AGS_OK) continue;
        walking("ags_compressor_write");
        EACH(u32s, f) S(ags_compressor_write(z, data, AGS_NTS, V(u32s, f), &out, &out_len));
        EACH(lengths, n) S(ags_compressor_write(z, data, V(lengths, n), 0, &out, &out_len));
        EACH(null_lengths, n) S(ags_compressor_write(z, NULL, V(null_lengths, n), 0, &out, &out_len));
        walking("ags_compressor_finish");
        S(ags_compressor_finish(z, &out, &out_len));
        S(ags_compressor_finish(z, &out, &out_len));
        walking("ags_compressor_close");
        ags_compressor_close(z);
        ags_compressor_close(z);
    }
    walking("ags_decompressor_open");
    EACH(ints, c) EACH(sizes, m) {
        ags_decompressor *z = NULL;
        current = "ags_decompressor_open";
        if (status(ags_decompressor_open(V(ints, c), V(sizes, m), &z)) != AGS_OK) continue;
        if (ags_compress(V(ints, c), 0, data, AGS_NTS, &packed, &packed_len) != AGS_OK) { packed = NULL; packed_len = 0; }
        walking("ags_decompressor_write");
        EACH(lengths, n) S(ags_decompressor_write(z, packed ? packed : data, V(lengths, n) == SIZE_MAX ? packed_len : V(lengths, n), &out, &out_len));
        EACH(null_lengths, n) S(ags_decompressor_write(z, NULL, V(null_lengths, n), &out, &out_len));
        walking("ags_decompressor_finish");
        S(ags_decompressor_finish(z));
        walking("ags_decompressor_close");
        ags_decompressor_close(z);
        ags_decompressor_close(z);
        ags_free(packed);
        packed = NULL;
    }

    walking("ags_pack_options_init");
    ags_pack_options pack;
    EACH(u32s, v) S(ags_pack_options_init(&pack, V(u32s, v)));
    S(ags_pack_options_init(NULL, AGS_PACK_OPTIONS_VERSION));
    walking("ags_pack");
    EACH(u32s, v) EACH(ints, c) EACH(ints, l) EACH(sizes, t) {
        pack = (ags_pack_options){ V(u32s, v), V(ints, c), V(ints, l), V(sizes, t), 0 };
        S(ags_pack(data, AGS_NTS, &pack, &out, &out_len));
    }
    EACH(u32s, f) {
        pack = (ags_pack_options)AGS_PACK_OPTIONS_INIT;
        pack.flags = V(u32s, f);
        S(ags_pack(data, AGS_NTS, &pack, &out, &out_len));
    }
    EACH(lengths, n) S(ags_pack(data, V(lengths, n), NULL, &out, &out_len));
    EACH(null_lengths, n) S(ags_pack(NULL, V(null_lengths, n), NULL, &out, &out_len));
    walking("ags_unpack");
    pack = (ags_pack_options)AGS_PACK_OPTIONS_INIT;
    pack.threshold = 0;
    if (ags_pack(data, AGS_NTS, &pack, &packed, &packed_len) == AGS_OK) {
        int codec = 0;
        EACH(sizes, m) S(ags_unpack(packed, packed_len, V(sizes, m), &codec, &out, &out_len));
        EACH(lengths, n) S(ags_unpack(packed, V(lengths, n) == SIZE_MAX ? packed_len : V(lengths, n), SIZE_MAX, NULL, &out, &out_len));
        EACH(u64s, size) {
            for (int i = 0; i < 8; i++) packed[8 + i] = (char)(V(u64s, size) >> (8 * i));
            EACH(sizes, m) S(ags_unpack(packed, packed_len, V(sizes, m), &codec, &out, &out_len));
        }
        ags_free(packed);
    } else {
        fail("pack");
    }
    EACH(null_lengths, n) S(ags_unpack(NULL, V(null_lengths, n), SIZE_MAX, NULL, &out, &out_len));
    walking("ags_codec_stats"); S(ags_codec_stats(&out, &out_len));
    walking("ags_codec_stats_reset"); ags_codec_stats_reset();
}

/* ---- stores, snapshots, history, transactions, subscriptions, events ---- */

static int on_change(void *user, uint64_t version, const char *p, size_t n) { (void)user; (void)version; (void)p; (void)n; return 0; }

/* Commit options out of their documented ranges, whatever the store holds: a commit must refuse them. */
static int refused_options(const ags_commit_options *o) {
    return o->version != AGS_COMMIT_OPTIONS_VERSION || (o->flags & ~(ags_patch_flags)(AGS_PATCH_LENIENT | AGS_PATCH_URGENT))
        || o->strategy > AGS_STRATEGY_CUSTOM
        || (!o->author && o->author_len) || (o->author && o->author_len == SIZE_MAX - 1)
        || (!o->client_id && o->client_id_len) || (o->client_id && o->client_id_len == SIZE_MAX - 1);
}

/* A custom resolver answering each resolution (and some that are none), with its value's length at the edges. */
static int32_t resolution = AGS_RESOLVE_KEEP_VALUE;
static size_t resolution_i = 0;
static const int32_t resolutions[] = { AGS_RESOLVE_REFUSE, AGS_RESOLVE_KEEP_BASE, AGS_RESOLVE_KEEP_CURRENT,
                                       AGS_RESOLVE_KEEP_PROPOSED, AGS_RESOLVE_REMOVE, AGS_RESOLVE_KEEP_VALUE,
                                       -1, INT32_MAX, INT32_MIN, 6 };
static int32_t resolve(void *user, const ags_conflict *conflict, const char **value, size_t *value_len) {
    (void)user; (void)conflict;
    size_t i = resolution_i++;
    resolution = resolutions[i % (sizeof resolutions / sizeof *resolutions)];
    /* KEEP_VALUE with each length: a real text, NULL with a length, AGS_NTS, SIZE_MAX - 1. */
    size_t n = (i / (sizeof resolutions / sizeof *resolutions)) % (sizeof null_lengths / sizeof *null_lengths);
    *value = n % 2 ? NULL : "{\"k\":1}";
    *value_len = *value ? lengths[n % 3] : null_lengths[n];
    return resolution;
}

static void store_functions(void) {
    ags_store *store = open_store();
    uint64_t version = 0, oldest = 0, newest = 0;
    walking("ags_store_open");
    EACH(lengths, n) { ags_store *s = NULL; if (status(ags_store_open(doc, V(lengths, n), &s)) == AGS_OK) ags_store_close(s); }
    EACH(null_lengths, n) { ags_store *s = NULL; if (status(ags_store_open(NULL, V(null_lengths, n), &s)) == AGS_OK) ags_store_close(s); }
    walking("ags_store_version"); S(ags_store_version(store, &version));
    walking("ags_store_get");
    EACH(lengths, n) EACH(u32s, f) S(ags_store_get(store, "/a", V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_store_get(store, NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_store_export");
    EACH(u32s, f) S(ags_store_export(store, V(u32s, f), &out, &out_len));

    /* Every commit, with each field of its options at the edges. */
    static ags_commit_options commits[160];
    size_t k = 0;
    static const ags_commit_options defaults = AGS_COMMIT_OPTIONS_INIT;
    EACH(u32s, v) EACH(u32s, f) {
        commits[k] = defaults;
        commits[k].version = V(u32s, v);
        commits[k++].flags = V(u32s, f);
    }
    EACH(u64s, e) {
        commits[k] = defaults;
        commits[k++].expected_version = V(u64s, e);
    }
    /* A change made against an older (or a future) version, under each strategy. */
    EACH(u64s, b) {
        commits[k] = defaults;
        commits[k++].base_version = V(u64s, b);
    }
    EACH(u32s, g) {
        commits[k] = defaults;
        commits[k].base_version = 0;
        commits[k++].strategy = V(u32s, g);
    }
    for (ags_strategy g = AGS_STRATEGY_DEFAULT; g <= AGS_STRATEGY_CUSTOM + 1; g++) {
        commits[k] = defaults;
        commits[k].base_version = 0;
        commits[k].strategy = g;
        commits[k].resolver = g == AGS_STRATEGY_CUSTOM ? resolve : NULL;
        commits[k++].resolver_data = NULL;
    }
    /* The author's and the client id's lengths, with a real text and with NULL. */
    EACH(lengths, n) {
        commits[k] = defaults;
        commits[k].author = "alice";
        commits[k++].author_len = V(lengths, n);
        commits[k] = defaults;
        commits[k].client_id = "client";
        commits[k++].client_id_len = V(lengths, n);
    }
    EACH(null_lengths, n) {
        commits[k] = defaults;
        commits[k++].author_len = V(null_lengths, n);
        commits[k] = defaults;
        commits[k++].client_id_len = V(null_lengths, n);
    }
    if (k > sizeof commits / sizeof *commits) { fail("too many commit options"); return; }
    for (size_t i = 0; i < k; i++) {
        const ags_commit_options *o = &commits[i];
        ags_status want = refused_options(o) ? AGS_ERR_INVALID_ARGUMENT : -1;
        walking("ags_store_set"); E(ags_store_set(store, "/c", AGS_NTS, "\"d\"", AGS_NTS, o, &version), want);
        walking("ags_store_add"); E(ags_store_add(store, "/a/-", AGS_NTS, "1", AGS_NTS, o, &version), want);
        walking("ags_store_remove"); E(ags_store_remove(store, "/a/3", AGS_NTS, o, &version), want);
        walking("ags_store_patch"); E(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/c\",\"value\":2}]", AGS_NTS, o, &version), want);
        walking("ags_store_merge"); E(ags_store_merge(store, "{\"m\":1}", AGS_NTS, o, &version), want);
        walking("ags_store_apply_event");
        E(ags_store_apply_event(store, "{\"type\":\"STATE_DELTA\",\"delta\":[]}", AGS_NTS, o, &version), want);
    }
    EACH(lengths, a) EACH(lengths, b) {
        walking("ags_store_set"); S(ags_store_set(store, "/c", V(lengths, a), "1", V(lengths, b), NULL, NULL));
        walking("ags_store_add"); S(ags_store_add(store, "/n", V(lengths, a), "1", V(lengths, b), NULL, NULL));
    }
    EACH(null_lengths, n) {
        walking("ags_store_set"); S(ags_store_set(store, NULL, V(null_lengths, n), "1", AGS_NTS, NULL, NULL));
        S(ags_store_set(store, "/c", AGS_NTS, NULL, V(null_lengths, n), NULL, NULL));
        walking("ags_store_add"); S(ags_store_add(store, "/n", AGS_NTS, NULL, V(null_lengths, n), NULL, NULL));
        walking("ags_store_remove"); S(ags_store_remove(store, NULL, V(null_lengths, n), NULL, NULL));
        walking("ags_store_patch"); S(ags_store_patch(store, NULL, V(null_lengths, n), NULL, NULL));
        walking("ags_store_merge"); S(ags_store_merge(store, NULL, V(null_lengths, n), NULL, NULL));
        walking("ags_store_apply_event"); S(ags_store_apply_event(store, NULL, V(null_lengths, n), NULL, NULL));
    }
    EACH(lengths, n) {
        walking("ags_store_remove"); S(ags_store_remove(store, "/n", V(lengths, n), NULL, NULL));
        walking("ags_store_patch"); S(ags_store_patch(store, patch, V(lengths, n), NULL, NULL));
        walking("ags_store_merge"); S(ags_store_merge(store, "{}", V(lengths, n), NULL, NULL));
        walking("ags_store_apply_event"); S(ags_store_apply_event(store, "{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{}}", V(lengths, n), NULL, NULL));
    }
    walking("ags_store_limit");
    EACH(ints, id) EACH(i64s, value) {
        ags_store *s = open_store();
        int64_t old = 0;
        S(ags_store_limit(s, V(ints, id), V(i64s, value), &old));
        S(ags_store_patch(s, patch, AGS_NTS, NULL, NULL));
        ags_store_close(s);
    }

    walking("ags_store_snapshot");
    ags_snapshot *snap = NULL;
    S(ags_store_snapshot(store, &snap));
    walking("ags_snapshot_version"); S(ags_snapshot_version(snap, &version));
    walking("ags_snapshot_get");
    EACH(lengths, n) EACH(u32s, f) S(ags_snapshot_get(snap, "/a", V(lengths, n), V(u32s, f), &out, &out_len));
    EACH(null_lengths, n) S(ags_snapshot_get(snap, NULL, V(null_lengths, n), 0, &out, &out_len));
    walking("ags_store_restore");
    for (size_t i = 0; i < k; i++) E(ags_store_restore(store, snap, &commits[i], &version), refused_options(&commits[i]) ? AGS_ERR_INVALID_ARGUMENT : -1);
    walking("ags_store_diff_snapshot");
    EACH(u32s, f) S(ags_store_diff_snapshot(store, snap, V(u32s, f), &out, &out_len));
    walking("ags_snapshot_close"); ags_snapshot_close(snap); ags_snapshot_close(snap);

    walking("ags_store_history_range"); S(ags_store_history_range(store, &oldest, &newest));
    EACH(u64s, v) EACH(u32s, f) {
        walking("ags_store_history"); S(ags_store_history(store, V(u64s, v), V(u32s, f), &out, &out_len));
        walking("ags_store_state_at"); S(ags_store_state_at(store, V(u64s, v), V(u32s, f), &out, &out_len));
        walking("ags_store_delta_since"); S(ags_store_delta_since(store, V(u64s, v), V(u32s, f), &out, &out_len));
        walking("ags_store_delta_event"); S(ags_store_delta_event(store, V(u64s, v), V(u32s, f), &out, &out_len));
        EACH(u64s, w) { walking("ags_store_diff"); S(ags_store_diff(store, V(u64s, v), V(u64s, w), V(u32s, f), &out, &out_len)); }
    }
    walking("ags_store_snapshot_event");
    EACH(u32s, f) S(ags_store_snapshot_event(store, V(u32s, f), &out, &out_len));

    walking("ags_store_begin");
    EACH(u32s, f) EACH(lengths, n) {
        ags_txn *txn = NULL;
        current = "ags_store_begin";
        if (status(ags_store_begin(store, &txn)) != AGS_OK) continue;
        walking("ags_txn_get"); S(ags_txn_get(txn, "/a", V(lengths, n), V(u32s, f), &out, &out_len));
        S(ags_txn_get(txn, NULL, V(null_lengths, n), 0, &out, &out_len));
        walking("ags_txn_patch"); S(ags_txn_patch(txn, patch, V(lengths, n), V(u32s, f)));
        S(ags_txn_patch(txn, NULL, V(null_lengths, n), 0));
        walking("ags_txn_commit"); S(ags_txn_commit(txn, &commits[(f_i * 3 + n_i) % k], &version));
        walking("ags_txn_rollback"); ags_txn_rollback(txn);
    }

    walking("ags_store_subscribe");
    EACH(lengths, n) {
        ags_subscription *sub = NULL;
        current = "ags_store_subscribe";
        if (status(ags_store_subscribe(store, "/a", V(lengths, n), on_change, NULL, &sub)) != AGS_OK) continue;
        S(ags_store_add(store, "/a/-", AGS_NTS, "7", AGS_NTS, NULL, NULL));
        uint64_t count = 0;
        walking("ags_subscription_failures"); S(ags_subscription_failures(sub, &count));
        walking("ags_subscription_close"); ags_subscription_close(sub); ags_subscription_close(sub);
    }
    EACH(null_lengths, n) {
        ags_subscription *sub = NULL;
        if (status(ags_store_subscribe(store, NULL, V(null_lengths, n), on_change, NULL, &sub)) == AGS_OK) ags_subscription_close(sub);
    }
    walking("ags_store_close");
    ags_store_close(store);
    ags_store_close(store);
    ags_store_close(NULL);
}

static int on_batch(void *user, uint64_t from, uint64_t to, const char *event, size_t len) {
    (void)user; (void)from; (void)to; (void)event; (void)len;
    return 0;
}

static void batcher_functions(void) {
    ags_store *store = open_store();
    walking("ags_batcher_options_init");
    ags_batcher_options options;
    EACH(u32s, v) S(ags_batcher_options_init(&options, V(u32s, v)));
    S(ags_batcher_options_init(NULL, AGS_BATCHER_OPTIONS_VERSION));
    EACH(sizes, ops) EACH(sizes, bytes) {
        for (int shape = 0; shape < 3; shape++) {
            options = (ags_batcher_options)AGS_BATCHER_OPTIONS_INIT;
            options.max_operations = V(sizes, ops);
            options.max_bytes = V(sizes, bytes);
            options.window_ms = u64s[(ops_i + bytes_i + (size_t)shape) % (sizeof u64s / sizeof *u64s)];
            if (shape == 1) { options.pointer = "/a"; options.pointer_len = lengths[ops_i % 3]; }
            if (shape == 2) { options.version = u32s[bytes_i % (sizeof u32s / sizeof *u32s)]; }
            ags_batcher *b = NULL;
            walking("ags_batcher_open");
            if (status(ags_batcher_open(store, &options, on_batch, NULL, &b)) != AGS_OK) continue;
            S(ags_store_add(store, "/a/-", AGS_NTS, "1", AGS_NTS, NULL, NULL));
            walking("ags_batcher_poll");
            EACH(u64s, t) S(ags_batcher_poll(b, V(u64s, t)));
            walking("ags_batcher_flush"); S(ags_batcher_flush(b));
            walking("ags_batcher_stats"); S(ags_batcher_stats(b, &out, &out_len));
            walking("ags_batcher_start_timer");
            S(ags_batcher_start_timer(b, u64s[(ops_i * 7 + bytes_i) % (sizeof u64s / sizeof *u64s)]));
            S(ags_store_add(store, "/a/-", AGS_NTS, "2", AGS_NTS, NULL, NULL));
            walking("ags_batcher_close");
            ags_batcher_close(b, ints[(ops_i + bytes_i) % (sizeof ints / sizeof *ints)]);
            ags_batcher_close(b, 0);
        }
    }
    options = (ags_batcher_options)AGS_BATCHER_OPTIONS_INIT;
    EACH(null_lengths, n) {
        options.pointer = NULL;
        options.pointer_len = V(null_lengths, n);
        ags_batcher *b = NULL;
        if (status(ags_batcher_open(store, &options, on_batch, NULL, &b)) == AGS_OK) ags_batcher_close(b, 1);
    }
    ags_store_close(store);
}

static void validator_functions(void) {
    static const char *const profiles[] = { NULL, "", "client", "strict", "compat", "nope" };
    const char *events = "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}\n"
                         "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c\",\"toolCallName\":\"f\",\"parentMessageId\":\"m\"}\n";
    walking("ags_validator_options_init");
    ags_validator_options options;
    EACH(u32s, v) S(ags_validator_options_init(&options, V(u32s, v)));
    S(ags_validator_options_init(NULL, AGS_VALIDATOR_OPTIONS_VERSION));
    for (size_t p = 0; p < sizeof profiles / sizeof *profiles; p++) EACH(u32s, f) EACH(u32s, v) {
        options = (ags_validator_options){ V(u32s, v), profiles[p], profiles[p] ? lengths[(f_i + v_i) % 3] : null_lengths[(f_i + v_i) % 6], V(u32s, f), NULL, 0 };
        ags_validator *val = NULL;
        walking("ags_validator_open");
        if (status(ags_validator_open(&options, &val)) != AGS_OK) continue;
        walking("ags_validator_set_severity");
        EACH(ints, sev) S(ags_validator_set_severity(val, "text.empty-delta", AGS_NTS, V(ints, sev)));
        EACH(lengths, n) S(ags_validator_set_severity(val, "text.empty-delta", V(lengths, n), AGS_SEVERITY_ERROR));
        EACH(null_lengths, n) S(ags_validator_set_severity(val, NULL, V(null_lengths, n), AGS_SEVERITY_ERROR));
        walking("ags_validator_feed");
        EACH(lengths, n) S(ags_validator_feed(val, "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}", V(lengths, n), &out, &out_len));
        EACH(null_lengths, n) S(ags_validator_feed(val, NULL, V(null_lengths, n), &out, &out_len));
        walking("ags_validator_feed_stream");
        EACH(ints, format) EACH(lengths, n) S(ags_validator_feed_stream(val, events, V(lengths, n), (ags_stream_format)V(ints, format), &out, &out_len));
        EACH(null_lengths, n) S(ags_validator_feed_stream(val, NULL, V(null_lengths, n), AGS_STREAM_AUTO, &out, &out_len));
        EACH(u32s, g) {
            walking("ags_validator_state"); S(ags_validator_state(val, V(u32s, g), &out, &out_len));
            walking("ags_validator_activities"); S(ags_validator_activities(val, V(u32s, g), &out, &out_len));
            walking("ags_validator_messages"); S(ags_validator_messages(val, V(u32s, g), &out, &out_len));
        }
        size_t counts[4];
        walking("ags_validator_counts"); S(ags_validator_counts(val, &counts[0], &counts[1], &counts[2], &counts[3]));
        S(ags_validator_counts(val, NULL, NULL, NULL, NULL));
        walking("ags_validator_findings"); S(ags_validator_findings(val, &out, &out_len));
        walking("ags_validator_finish"); S(ags_validator_finish(val, &out, &out_len)); S(ags_validator_finish(val, &out, &out_len));
        walking("ags_validator_close"); ags_validator_close(val); ags_validator_close(val);
    }
    /* The initial state's length, with a real text and with NULL. */
    EACH(lengths, n) EACH(null_lengths, m) {
        options = (ags_validator_options)AGS_VALIDATOR_OPTIONS_INIT;
        options.initial_state = m_i % 2 ? NULL : "{\"s\":[1]}";
        options.initial_state_len = options.initial_state ? V(lengths, n) : V(null_lengths, m);
        options.flags = AGS_VALIDATE_MESSAGES;
        ags_validator *val = NULL;
        walking("ags_validator_open");
        ags_status got = status(ags_validator_open(&options, &val));
        if (!options.initial_state && options.initial_state_len && options.initial_state_len != AGS_NTS)
            expect_at(got, AGS_ERR_INVALID_ARGUMENT, __LINE__);
        if (got != AGS_OK) continue;
        S(ags_validator_feed_stream(val, events, AGS_NTS, AGS_STREAM_AUTO, &out, &out_len));
        S(ags_validator_state(val, 0, &out, &out_len));
        ags_validator_close(val);
    }
}

/* ---- collaboration: strategies, the conflict log, section locks, presence, watches ---- */

static int on_watch(void *user, const char *event, size_t len) { (void)user; (void)event; (void)len; return 0; }

static const uint64_t ttls[] = { 0, 1, AGS_MAX_TTL_MS, AGS_MAX_TTL_MS - 1, AGS_MAX_TTL_MS + 1, UINT64_MAX, UINT64_MAX - 1,
                                 (uint64_t)INT64_MAX, (uint64_t)INT64_MAX + 1, UINT32_MAX };

static void collaboration_functions(void) {
    ags_store *store = open_store();
    uint64_t version = 0;
    walking("ags_store_set_strategy");
    EACH(u32s, g) E(ags_store_set_strategy(store, V(u32s, g)), V(u32s, g) >= AGS_STRATEGY_REJECT && V(u32s, g) <= AGS_STRATEGY_CUSTOM ? AGS_OK : AGS_ERR_INVALID_ARGUMENT);
    for (ags_strategy g = 0; g <= AGS_STRATEGY_CUSTOM + 1; g++)
        E(ags_store_set_strategy(store, g), g >= AGS_STRATEGY_REJECT && g <= AGS_STRATEGY_CUSTOM ? AGS_OK : AGS_ERR_INVALID_ARGUMENT);
    S(ags_store_set_strategy(store, AGS_STRATEGY_REBASE));
    ags_strategy strategy = 0;
    walking("ags_store_strategy"); S(ags_store_strategy(store, &strategy));
    S(ags_store_strategy(store, NULL));

    /* Conflicting commits from version 0 under each strategy, so that the conflict log has records; the
     * custom ones give the resolver every answer with its value's length at the edges. */
    S(ags_store_set(store, "/c", AGS_NTS, "\"x\"", AGS_NTS, NULL, NULL));
    for (int i = 0; i < 60; i++) {
        ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
        o.base_version = 0;
        o.strategy = (ags_strategy)(i < 50 ? AGS_STRATEGY_CUSTOM : AGS_STRATEGY_REJECT + i % 5);
        o.resolver = resolve;
        o.author = "bob";
        o.author_len = AGS_NTS;
        S(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/c\",\"value\":\"y\"}]", AGS_NTS, &o, &version));
    }
    S(ags_store_version(store, &version));
    walking("ags_store_conflicts");
    EACH(u64s, a) EACH(u32s, f) S(ags_store_conflicts(store, V(u64s, a), V(u32s, f), &out, &out_len));
    S(ags_store_conflicts(store, 0, 0, NULL, NULL));
    walking("ags_store_author");
    EACH(u64s, v) S(ags_store_author(store, V(u64s, v), &out, &out_len));
    S(ags_store_author(store, version, &out, &out_len));
    S(ags_store_author(store, version + 1, &out, &out_len));
    S(ags_store_author(store, version, NULL, NULL));

    ags_watch *locks = NULL, *presence = NULL;
    walking("ags_store_watch_locks"); S(ags_store_watch_locks(store, on_watch, NULL, &locks));
    S(ags_store_watch_locks(store, NULL, NULL, &locks));
    S(ags_store_watch_locks(store, on_watch, NULL, NULL));
    walking("ags_store_watch_presence"); S(ags_store_watch_presence(store, on_watch, NULL, &presence));
    S(ags_store_watch_presence(store, NULL, NULL, &presence));
    S(ags_store_watch_presence(store, on_watch, NULL, NULL));

    EACH(ttls, t) {
        ags_status want = V(ttls, t) >= 1 && V(ttls, t) <= AGS_MAX_TTL_MS ? AGS_OK : AGS_ERR_INVALID_ARGUMENT;
        walking("ags_store_lock"); E(ags_store_lock(store, "/a", AGS_NTS, "owner", AGS_NTS, V(ttls, t)), want);
        walking("ags_store_renew_lock"); E(ags_store_renew_lock(store, "/a", AGS_NTS, "owner", AGS_NTS, V(ttls, t)), t_i ? want : -1);
        walking("ags_store_presence_set"); E(ags_store_presence_set(store, "client", AGS_NTS, "{\"at\":1}", AGS_NTS, V(ttls, t)), want);
    }
    EACH(lengths, a) EACH(lengths, b) {
        walking("ags_store_lock"); S(ags_store_lock(store, "/c", V(lengths, a), "owner2", V(lengths, b), 1000));
        walking("ags_store_renew_lock"); S(ags_store_renew_lock(store, "/c", V(lengths, a), "owner2", V(lengths, b), 1000));
        walking("ags_store_presence_set"); S(ags_store_presence_set(store, "client2", V(lengths, a), "true", V(lengths, b), 1000));
    }
    EACH(null_lengths, n) {
        walking("ags_store_lock");
        S(ags_store_lock(store, NULL, V(null_lengths, n), "owner", AGS_NTS, 1000));
        S(ags_store_lock(store, "/a", AGS_NTS, NULL, V(null_lengths, n), 1000));
        walking("ags_store_renew_lock");
        S(ags_store_renew_lock(store, NULL, V(null_lengths, n), "owner", AGS_NTS, 1000));
        S(ags_store_renew_lock(store, "/a", AGS_NTS, NULL, V(null_lengths, n), 1000));
        walking("ags_store_presence_set");
        S(ags_store_presence_set(store, NULL, V(null_lengths, n), "1", AGS_NTS, 1000));
        S(ags_store_presence_set(store, "client", AGS_NTS, NULL, V(null_lengths, n), 1000));
    }
    /* A commit by another author into the locked location, and one by the owner. */
    ags_commit_options by = AGS_COMMIT_OPTIONS_INIT;
    by.author = "intruder"; by.author_len = AGS_NTS;
    S(ags_store_add(store, "/a/0", AGS_NTS, "0", AGS_NTS, &by, NULL));
    by.author = "owner";
    S(ags_store_add(store, "/a/0", AGS_NTS, "0", AGS_NTS, &by, NULL));
    walking("ags_store_locks");
    EACH(u32s, f) S(ags_store_locks(store, V(u32s, f), &out, &out_len));
    S(ags_store_locks(store, 0, NULL, NULL));
    walking("ags_store_presence");
    EACH(u32s, f) S(ags_store_presence(store, V(u32s, f), &out, &out_len));
    S(ags_store_presence(store, 0, NULL, NULL));
    walking("ags_store_expire"); S(ags_store_expire(store));
    walking("ags_store_unlock");
    EACH(lengths, a) EACH(lengths, b) S(ags_store_unlock(store, "/a", V(lengths, a), "owner", V(lengths, b)));
    EACH(null_lengths, n) {
        S(ags_store_unlock(store, NULL, V(null_lengths, n), "owner", AGS_NTS));
        S(ags_store_unlock(store, "/c", AGS_NTS, NULL, V(null_lengths, n)));
    }
    walking("ags_store_presence_leave");
    EACH(lengths, a) S(ags_store_presence_leave(store, "client", V(lengths, a)));
    EACH(null_lengths, n) S(ags_store_presence_leave(store, NULL, V(null_lengths, n)));
    walking("ags_watch_close");
    ags_watch_close(locks); ags_watch_close(locks);
    ags_watch_close(presence); ags_watch_close(presence);
    ags_watch_close(NULL);
    ags_store_close(store);
    /* Every call on a closed store is a status. */
    S(ags_store_set_strategy(store, AGS_STRATEGY_MERGE));
    S(ags_store_lock(store, "/a", AGS_NTS, "owner", AGS_NTS, 1));
    S(ags_store_presence_set(store, "c", AGS_NTS, "1", AGS_NTS, 1));
    S(ags_store_expire(store));
}

/* ---- registries: every field of the options at its edges, then each call on the registry ---- */

static void on_log(void *user, int level, const char *record, size_t len) { (void)user; (void)level; (void)record; (void)len; }
static void on_span(void *user, const ags_span *span) { (void)user; (void)span; }

static const double doubles[] = { 0, -1, 1, 0.5, 1e-300, 4.9e-324, 1e300, 1.7976931348623157e308, 1.0 / 0.0, -1.0 / 0.0, 0.0 / 0.0 };

/* One registry, used as a caller would: stores, commits by a client, limits, sweeps and every report. */
static void use_registry(ags_registry *registry) {
    ags_store *a = NULL, *b = NULL;
    walking("ags_registry_get");
    S(ags_registry_get(registry, "a", AGS_NTS, "{\"n\":0}", AGS_NTS, &a));
    S(ags_registry_get(registry, "b", 1, NULL, 0, &b));
    ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
    o.client_id = "client";
    o.client_id_len = AGS_NTS;
    for (int i = 0; i < 3; i++) {
        S(ags_store_patch(a, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":1}]", AGS_NTS, &o, NULL));
        S(ags_store_set(b, "/x", AGS_NTS, "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"", AGS_NTS, &o, NULL));
    }
    ags_store_close(a);
    ags_store_close(b);
    size_t evicted = 0;
    walking("ags_registry_sweep"); S(ags_registry_sweep(registry, &evicted)); S(ags_registry_sweep(registry, NULL));
    walking("ags_registry_stats"); S(ags_registry_stats(registry, &out, &out_len));
    walking("ags_registry_health"); S(ags_registry_health(registry, &out, &out_len));
    walking("ags_metrics_text"); S(ags_metrics_text(registry, &out, &out_len));
    walking("ags_metrics_json"); S(ags_metrics_json(registry, &out, &out_len));
}

/* The documented ranges of ags_registry_options (opened without a storage). */
static int in_unit(double d) { return d >= 0 && d <= 1; }
static int finite_positive(double d) { return d >= 0 && d <= 1.7976931348623157e308; }
static int registry_options_in_range(const ags_registry_options *o) {
    return o->version == AGS_REGISTRY_OPTIONS_VERSION
        && !(o->flags & ~(ags_registry_flags)(AGS_REGISTRY_EVICT_WITHOUT_STORAGE | AGS_REGISTRY_PER_STORE_METRICS | AGS_REGISTRY_MEMORY_STORAGE))
        && (o->budget_bytes <= (size_t)INT64_MAX || o->budget_bytes == AGS_UNBOUNDED)
        && o->shards >= 1 && o->shards <= 4096
        && finite_positive(o->commits_per_second) && finite_positive(o->commit_burst)
        && finite_positive(o->bytes_per_second) && finite_positive(o->bytes_burst)
        && o->max_clients >= 1 && o->max_clients <= (size_t)INT64_MAX
        && in_unit(o->alert_error_rate) && finite_positive(o->alert_p95_commit_ms) && in_unit(o->alert_memory_share);
}

static void registry_functions(void) {
    walking("ags_registry_options_init");
    ags_registry_options options;
    EACH(u32s, v) S(ags_registry_options_init(&options, V(u32s, v)));
    S(ags_registry_options_init(NULL, AGS_REGISTRY_OPTIONS_VERSION));
    static const size_t shard_counts[] = { 4096, 4097 };
    /* One field at a time at its edges. */
    for (int field = 0; field < 14; field++) {
        size_t edges = field == 0 || field == 1 ? sizeof u32s / sizeof *u32s
                     : field == 2 || field == 4 || field == 9 ? sizeof sizes / sizeof *sizes + 2
                     : field == 3 ? sizeof u64s / sizeof *u64s
                     : sizeof doubles / sizeof *doubles;
        if (field == 13) edges = 8;  /* the flags one by one, with the edges of the budget that evict */
        for (size_t e = 0; e < edges; e++) {
            options = (ags_registry_options)AGS_REGISTRY_OPTIONS_INIT;
            size_t size = e < sizeof sizes / sizeof *sizes ? sizes[e] : shard_counts[e - sizeof sizes / sizeof *sizes];
            double d = doubles[e % (sizeof doubles / sizeof *doubles)];
            switch (field) {
            case 0: options.version = u32s[e]; break;
            case 1: options.flags = u32s[e]; break;
            case 2: options.budget_bytes = size; break;
            case 3: options.ttl_ms = u64s[e]; options.flags = AGS_REGISTRY_EVICT_WITHOUT_STORAGE; break;
            case 4: options.shards = size; break;
            case 5: options.commits_per_second = d; break;
            case 6: options.commits_per_second = 1; options.commit_burst = d; break;
            case 7: options.bytes_per_second = d; break;
            case 8: options.bytes_per_second = 10; options.bytes_burst = d; break;
            case 9: options.max_clients = size; options.commits_per_second = 1; break;
            case 10: options.alert_error_rate = d; break;
            case 11: options.alert_p95_commit_ms = d; break;
            case 12: options.alert_memory_share = d; break;
            default:
                options.flags = (ags_registry_flags)(e & 7);
                options.budget_bytes = e < 4 ? 0 : 1;
                options.ttl_ms = 1;
                break;
            }
            ags_registry *registry = NULL;
            walking("ags_registry_open");
            ags_status got = status(ags_registry_open(NULL, &options, &registry));
            expect_at(got, registry_options_in_range(&options) ? AGS_OK : AGS_ERR_INVALID_ARGUMENT, __LINE__);
            if (got != AGS_OK) continue;
            use_registry(registry);
            walking("ags_registry_close");
            ags_registry_close(registry);
            ags_registry_close(registry);
        }
    }
    ags_registry *registry = NULL;
    S(ags_registry_open(NULL, NULL, NULL));
    if (status(ags_registry_open(NULL, NULL, &registry)) != AGS_OK) { fail("a registry did not open"); return; }
    walking("ags_registry_get");
    EACH(lengths, a) EACH(lengths, b) {
        ags_store *s = NULL;
        if (status(ags_registry_get(registry, "id", V(lengths, a), "{}", V(lengths, b), &s)) == AGS_OK) ags_store_close(s);
    }
    EACH(null_lengths, n) {
        ags_store *s = NULL;
        S(ags_registry_get(registry, NULL, V(null_lengths, n), "{}", AGS_NTS, &s));
        if (status(ags_registry_get(registry, "other", AGS_NTS, NULL, V(null_lengths, n), &s)) == AGS_OK) ags_store_close(s);
    }
    S(ags_registry_get(registry, "id", AGS_NTS, NULL, 0, NULL));
    walking("ags_registry_limit");
    EACH(ints, id) EACH(i64s, value) {
        int64_t old = 0;
        S(ags_registry_limit(registry, V(ints, id), V(i64s, value), &old));
        E(ags_registry_limit(registry, V(ints, id), -1, NULL), V(ints, id) >= AGS_LIMIT_DEPTH && V(ints, id) <= AGS_LIMIT_ELEMENTS ? AGS_OK : AGS_ERR_INVALID_ARGUMENT);
    }
    walking("ags_registry_set_log");
    static const int levels[] = { AGS_LOG_DEBUG, AGS_LOG_INFO, AGS_LOG_WARNING, AGS_LOG_ERROR, AGS_LOG_DEBUG - 1, AGS_LOG_ERROR + 1 };
    EACH(ints, l) E(ags_registry_set_log(registry, V(ints, l), on_log, NULL), AGS_ERR_INVALID_ARGUMENT);
    EACH(levels, l) E(ags_registry_set_log(registry, V(levels, l), on_log, NULL), l_i < 4 ? AGS_OK : AGS_ERR_INVALID_ARGUMENT);
    S(ags_registry_set_log(registry, AGS_LOG_DEBUG, NULL, NULL));
    walking("ags_registry_set_span");
    S(ags_registry_set_span(registry, on_span, NULL));
    S(ags_registry_set_log(registry, AGS_LOG_DEBUG, on_log, NULL));
    use_registry(registry);
    S(ags_registry_set_span(registry, NULL, NULL));
    walking("ags_registry_close");
    ags_registry_close(registry);
    ags_registry_close(NULL);
    /* Every call on a closed registry is a status. */
    ags_store *s = NULL;
    S(ags_registry_get(registry, "a", AGS_NTS, "{}", AGS_NTS, &s));
    S(ags_registry_limit(registry, AGS_LIMIT_DEPTH, -1, NULL));
    S(ags_registry_set_log(registry, AGS_LOG_DEBUG, on_log, NULL));
    S(ags_registry_sweep(registry, NULL));
    S(ags_metrics_text(registry, &out, &out_len));
}

/* Durable storage, in a directory of its own: every field of the options and every length at its edges. */
static void storage_functions(void) {
    char dir[] = "/tmp/agstate-int-edges-XXXXXX";
    if (!mkdtemp(dir)) { fail("no temporary directory"); return; }
    char url[256], path[256];
    static const unsigned char key[32] = { 1, 2, 3 };
    walking("ags_storage_options_init");
    ags_storage_options options;
    EACH(u32s, v) S(ags_storage_options_init(&options, V(u32s, v)));
    S(ags_storage_options_init(NULL, AGS_STORAGE_OPTIONS_VERSION));
    /* One field at a time at its edges (k selects the field), each on a file of its own. */
    for (int field = 0; field < 8; field++) {
        size_t edges = field == 0 || field == 3 || field == 5 ? sizeof u32s / sizeof *u32s
                     : field == 1 ? sizeof ints / sizeof *ints
                     : field == 4 ? sizeof sizes / sizeof *sizes : sizeof u64s / sizeof *u64s;
        for (size_t e = 0; e < edges; e++) {
            options = (ags_storage_options)AGS_STORAGE_OPTIONS_INIT;
            switch (field) {
            case 0: options.version = u32s[e]; break;
            case 1: options.durability = (ags_durability)ints[e]; break;
            case 2: options.key = key; options.key_id = (uint32_t)u64s[e]; break;
            case 3: options.busy_timeout_ms = u32s[e]; break;
            case 4: options.old_keys = NULL; options.old_key_count = sizes[e]; break;
            case 5: options.key = key; options.key_id = u32s[e]; break;
            case 6: options.checkpoint_changes = u64s[e]; break;
            default: options.checkpoint_bytes = u64s[e]; break;
            }
            int n = snprintf(url, sizeof url, "sqlite:%s/f%d-%zu.db", dir, field, e);
            ags_storage *storage = NULL;
            walking("ags_storage_open");
            if (status(ags_storage_open(url, (size_t)n, &options, &storage)) != AGS_OK) continue;
            ags_store *store = NULL;
            walking("ags_storage_open_store");
            EACH(lengths, a) EACH(lengths, b) {
                if (status(ags_storage_open_store(storage, "one", V(lengths, a), "{\"n\":0}", V(lengths, b), &store)) == AGS_OK) {
                    S(ags_store_patch(store, patch, AGS_NTS, NULL, NULL));
                    ags_store_close(store);
                }
            }
            EACH(null_lengths, m) {
                S(ags_storage_open_store(storage, NULL, V(null_lengths, m), NULL, 0, &store));
                if (status(ags_storage_open_store(storage, "two", AGS_NTS, NULL, V(null_lengths, m), &store)) == AGS_OK) ags_store_close(store);
            }
            walking("ags_storage_list"); S(ags_storage_list(storage, &out, &out_len));
            walking("ags_storage_stats"); S(ags_storage_stats(storage, &out, &out_len)); S(ags_storage_stats(storage, NULL, NULL));
            if (e == 0 || e == 1) {
                /* A registry over the storage, evicting by TTL and budget at the edges. */
                ags_registry_options r = AGS_REGISTRY_OPTIONS_INIT;
                r.ttl_ms = e ? 1 : UINT64_MAX;
                r.budget_bytes = e ? 0 : SIZE_MAX - 1;
                ags_registry *registry = NULL;
                walking("ags_registry_open");
                if (status(ags_registry_open(storage, &r, &registry)) == AGS_OK) {
                    use_registry(registry);
                    ags_registry_close(registry);
                }
                r.flags = AGS_REGISTRY_MEMORY_STORAGE;
                S(ags_registry_open(storage, &r, &registry));
            }
            walking("ags_storage_export");
            EACH(lengths, a) EACH(lengths, b) {
                int m = snprintf(path, sizeof path, "%s/backup-%d-%zu-%zu-%zu", dir, field, e, a_i, b_i);
                S(ags_storage_export(storage, "one", V(lengths, a), path, V(lengths, b) == AGS_NTS ? AGS_NTS : V(lengths, b) ? (size_t)m : 0));
            }
            EACH(null_lengths, m) {
                S(ags_storage_export(storage, NULL, V(null_lengths, m), path, AGS_NTS));
                S(ags_storage_export(storage, NULL, 0, NULL, V(null_lengths, m)));
            }
            walking("ags_storage_delete");
            EACH(lengths, a) S(ags_storage_delete(storage, "two", V(lengths, a)));
            EACH(null_lengths, m) S(ags_storage_delete(storage, NULL, V(null_lengths, m)));
            walking("ags_storage_import");
            snprintf(path, sizeof path, "%s/backup-%d-%zu-0-1", dir, field, e);
            EACH(lengths, a) S(ags_storage_import(storage, path, V(lengths, a), &out, &out_len));
            EACH(null_lengths, m) S(ags_storage_import(storage, NULL, V(null_lengths, m), NULL, NULL));
            walking("ags_storage_close");
            ags_storage_close(storage);
            ags_storage_close(storage);
        }
    }
    EACH(null_lengths, m) { ags_storage *st = NULL; walking("ags_storage_open"); S(ags_storage_open(NULL, V(null_lengths, m), NULL, &st)); }
    EACH(lengths, a) {
        ags_storage *st = NULL;
        int n = snprintf(url, sizeof url, "sqlite:%s/lengths.db", dir);
        if (status(ags_storage_open(url, V(lengths, a) == SIZE_MAX ? AGS_NTS : V(lengths, a) ? (size_t)n : 0, NULL, &st)) == AGS_OK) ags_storage_close(st);
    }
    char command[512];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0) fail("the temporary directory was not removed");
}

/* Functions not walked, each with the reason; every other function of the header and of the library must
 * have been called above. Empty: every function is walked. */
static const struct { const char *name, *reason; } not_walked[] = {
    { NULL, NULL }
};

static const char *not_walked_reason(const char *name, size_t n) {
    for (size_t i = 0; not_walked[i].name; i++)
        if (strlen(not_walked[i].name) == n && strncmp(not_walked[i].name, name, n) == 0) return not_walked[i].reason;
    return NULL;
}

static int was_walked(const char *name, size_t n) {
    char key[128];
    snprintf(key, sizeof key, " %.*s ", (int)n, name);
    return strstr(walked, key) != NULL;
}

/* Whether a parameter declaration (trimmed) carries integers: an integer type, or an options struct whose
 * fields are integers. Pointers to anything else (texts, outputs, handles) and callbacks do not. */
static int carries_integers(const char *param, size_t n) {
    while (n && (param[n - 1] == ' ' || param[n - 1] == '\n')) n--;
    while (n && (*param == ' ' || *param == '\n')) { param++; n--; }
    if (n == 4 && strncmp(param, "void", 4) == 0) return 0;
    if (memchr(param, '*', n)) {
        const char *o = strstr(param, "_options *");
        return o && o < param + n;
    }
    const char *space = memchr(param, ' ', n);
    size_t type_len = space ? (size_t)(space - param) : n;
    return !(type_len > 3 && strncmp(param + type_len - 3, "_fn", 3) == 0);
}

static char header_names[16384];  /* " name name ... " of the functions declared in the header */

/* Every function declared in the header, and every ags_* function the library exports, was walked: those
 * that take an integer (or an options struct) with it at its edges, the others with each of their
 * arguments' shapes. The header is read without its comments and preprocessor lines; a declaration is a
 * name followed by "(" and its parameters are classified by type. */
static void every_function_walked(const char *header, const char *library) {
    FILE *f = fopen(header, "r");
    if (!f) { fprintf(stderr, "test_int_edges: cannot read %s\n", header); failures++; return; }
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = 0;
    /* Blank comments and preprocessor lines (with their continuations). */
    for (char *p = text; *p; p++) {
        if (p[0] == '/' && p[1] == '*') {
            char *e = strstr(p + 2, "*/");
            char *stop = e ? e + 2 : text + len;
            for (; p < stop; p++) if (*p != '\n') *p = ' ';
            p--;
        } else if (*p == '#' && (p == text || p[-1] == '\n')) {
            for (; *p && !(*p == '\n' && p[-1] != '\\'); p++) *p = ' ';
            if (!*p) break;
        }
    }
    int declared = 0, with_integers = 0;
    strcpy(header_names, " ");
    for (char *name = strstr(text, "ags_"); name; name = strstr(name + 1, "ags_")) {
        if (name > text && (isalnum((unsigned char)name[-1]) || name[-1] == '_')) continue;
        size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz_0123456789");
        const char *open = name + n;
        while (*open == ' ' || *open == '\n') open++;
        if (*open != '(') continue;
        declared++;
        char key[128];
        snprintf(key, sizeof key, "%.*s ", (int)n, name);
        strncat(header_names, key, sizeof header_names - strlen(header_names) - 1);
        int integers = 0, depth = 0;
        const char *param = open + 1;
        for (const char *c = open + 1; *c; c++) {
            if (*c == '(') depth++;
            else if (*c == ')' && depth) depth--;
            else if ((*c == ',' || *c == ')') && !depth) {
                integers |= carries_integers(param, (size_t)(c - param));
                param = c + 1;
                if (*c == ')') break;
            }
        }
        with_integers += integers;
        const char *reason = not_walked_reason(name, n);
        if (reason) fprintf(stderr, "test_int_edges: note: %.*s is not walked: %s\n", (int)n, name, reason);
        else if (!was_walked(name, n)) {
            fprintf(stderr, "test_int_edges: %.*s is declared in the header but not walked here: add it to "
                            "tests-c/test_int_edges.c%s\n", (int)n, name,
                    integers ? " with each integer parameter (and options field) at its edges" : "");
            failures++;
        }
        name += n;
    }
    if (declared < 100) { fprintf(stderr, "test_int_edges: only %d functions found in %s\n", declared, header); failures++; }
    /* The library's exports: every ags_* function must be declared (so that it is walked above). */
    char command[1024];
    snprintf(command, sizeof command, "nm -D --defined-only '%s'", library);
    FILE *nm = popen(command, "r");
    int exported = 0;
    char line[512];
    while (nm && fgets(line, sizeof line, nm)) {
        char kind = 0, symbol[256];
        if (sscanf(line, "%*s %c %255s", &kind, symbol) != 2 || (kind != 'T' && kind != 't')) continue;
        if (strncmp(symbol, "ags_", 4) != 0) continue;
        exported++;
        char key[300];
        snprintf(key, sizeof key, " %s ", symbol);
        if (!strstr(header_names, key) && !not_walked_reason(symbol, strlen(symbol))) {
            fprintf(stderr, "test_int_edges: %s is exported by the library but not declared in the header\n", symbol);
            failures++;
        } else if (!was_walked(symbol, strlen(symbol)) && !not_walked_reason(symbol, strlen(symbol))) {
            fprintf(stderr, "test_int_edges: %s is exported but not walked\n", symbol);
            failures++;
        }
    }
    if (!nm || pclose(nm) != 0 || exported == 0) {
        fprintf(stderr, "test_int_edges: cannot list the exports of %s with nm\n", library);
        failures++;
    }
    printf("integer edges: %d functions declared (%d taking integers or options), %d exported\n", declared,
           with_integers, exported);
}

int main(int argc, char **argv) {
    signal(SIGALRM, on_alarm);
    alarm(300);
    library_and_errors();
    json_functions();
    codec_functions();
    store_functions();
    batcher_functions();
    validator_functions();
    collaboration_functions();
    registry_functions();
    storage_functions();
    if (argc > 2) every_function_walked(argv[1], argv[2]);
    else { fprintf(stderr, "test_int_edges: give include/agstate.h and the library\n"); failures++; }
    if (failures) {
        fprintf(stderr, "%d failures in %d calls\n", failures, calls);
        return 1;
    }
    printf("integer edges: %d calls, each a status\n", calls);
    return 0;
}
