/* libFuzzer harness over the C ABI: any bytes, split into two inputs, through the parser, pointers,
 * patch, merge patch, diff, compaction, a store, the envelope and decompression. Any crash is a bug.
 * Build and run: tests-sanitizers/run.sh [seconds] */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

/* The diff read from the two texts side by side must agree with the diff of the parsed documents (forced
 * by AGS_DIFF_VERIFY): same status, same patch. The second text is the first with the bytes of `edits`
 * written over it in places, so that the two mostly agree, as the texts of two versions of a state do. */
static void differential_diff(const char *a, size_t alen, const char *edits, size_t elen) {
    if (alen == 0) return;
    char *b = malloc(alen);
    memcpy(b, a, alen);
    for (size_t i = 0; i + 1 < elen; i += 2) b[(unsigned char)edits[i] * 7919u % alen] = edits[i + 1];
    char *fast = NULL, *tree = NULL;
    size_t fn = 0, tn = 0;
    int fs = ags_diff(a, alen, b, alen, NULL, &fast, &fn);
    int ts = ags_diff(a, alen, b, alen, &(ags_diff_options){AGS_DIFF_OPTIONS_VERSION, AGS_DIFF_VERIFY, 0}, &tree, &tn);
    if (fs != ts || (fs == AGS_OK && (fn != tn || memcmp(fast, tree, fn) != 0))) abort();
    if (fs == AGS_OK) { ags_free(fast); ags_free(tree); }
    free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    size_t cut = size ? data[0] % (size + 1) : 0;
    const char *a = (const char *)data, *b = (const char *)data + cut;
    size_t alen = cut, blen = size - cut;
    char *out = NULL;
    size_t n = 0;
    int eq = 0;
    ags_json_validate(a, alen);
    if (ags_json_format(a, alen, AGS_JSON_PRETTY | AGS_JSON_SORT_KEYS, &out, &n) == AGS_OK) ags_free(out);
    if (ags_pointer_get(b, blen, a, alen, 0, &out, &n) == AGS_OK) ags_free(out);
    if (ags_patch_apply(a, alen, b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    if (ags_merge_patch_apply(a, alen, b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    ags_json_equal(a, alen, b, blen, &eq);
    if (ags_diff(a, alen, b, blen, &(ags_diff_options){AGS_DIFF_OPTIONS_VERSION, AGS_DIFF_VERIFY, 0}, &out, &n) == AGS_OK) ags_free(out);
    differential_diff(a, alen, b, blen);
    if (ags_merge_diff(a, alen, b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    if (ags_compact(b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    ags_store *store = NULL;
    if (ags_store_open(a, alen, &store) == AGS_OK) {
        /* A patch that fails is undone in place: the state must be byte for byte what it was, strict or
         * lenient. */
        for (int lenient = 0; lenient < 2; lenient++) {
            char *before = NULL, *after = NULL;
            size_t bn = 0, an = 0;
            if (ags_store_export(store, 0, &before, &bn) != AGS_OK) abort();
            if (ags_store_patch(store, b, blen, &(ags_commit_options){AGS_COMMIT_OPTIONS_VERSION, lenient ? AGS_PATCH_LENIENT : 0, AGS_ANY_VERSION, AGS_ANY_VERSION, AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL}, NULL) != AGS_OK) {
                if (ags_store_export(store, 0, &after, &an) != AGS_OK || an != bn || memcmp(before, after, bn) != 0) abort();
                ags_free(after);
            }
            ags_free(before);
        }
        ags_store_apply_event(store, b, blen, NULL, NULL);
        if (ags_store_state_at(store, 0, 0, &out, &n) == AGS_OK) ags_free(out);
        if (ags_store_delta_since(store, 0, 0, &out, &n) == AGS_OK) ags_free(out);
        ags_store_close(store);
    }
    /* The event validator: a as one event, then a and b as pieces of a stream (both profiles with
     * messages rebuilt, the format chosen by a byte of the input). */
    ags_validator *validator = NULL;
    if (ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, size && data[size - 1] & 1 ? "strict" : "client", AGS_NTS, AGS_VALIDATE_MESSAGES}, &validator) == AGS_OK) {
        if (ags_validator_feed(validator, a, alen, &out, &n) == AGS_OK) ags_free(out);
        uint32_t format = size > 1 ? (data[1] % 3 == 1 ? AGS_STREAM_NDJSON : data[1] % 3 == 2 ? AGS_STREAM_SSE : 0) : 0;
        if (ags_validator_feed_stream(validator, a, alen, format, &out, &n) == AGS_OK) ags_free(out);
        if (ags_validator_feed_stream(validator, b, blen, format, &out, &n) == AGS_OK) ags_free(out);
        if (ags_validator_finish(validator, &out, &n) == AGS_OK) ags_free(out);
        if (ags_validator_state(validator, 0, &out, &n) == AGS_OK) ags_free(out);
        if (ags_validator_messages(validator, 0, &out, &n) == AGS_OK) ags_free(out);
        ags_validator_close(validator);
    }
    if (ags_unpack(a, alen, 1 << 20, NULL, &out, &n) == AGS_OK) ags_free(out);
    for (int codec = 1; codec <= 4; codec++)
        if (ags_decompress(codec, b, blen, 1 << 20, &out, &n) == AGS_OK) ags_free(out);
    return 0;
}
