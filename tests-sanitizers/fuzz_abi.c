/* libFuzzer harness over the C ABI: any bytes, split into two inputs, through the parser, pointers,
 * patch, merge patch, diff, compaction, a store, the envelope and decompression. Any crash is a bug.
 * Build and run: tests-sanitizers/run.sh [seconds] */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

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
    if (ags_diff(a, alen, b, blen, AGS_DIFF_VERIFY, &out, &n) == AGS_OK) ags_free(out);
    if (ags_merge_diff(a, alen, b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    if (ags_compact(b, blen, 0, &out, &n) == AGS_OK) ags_free(out);
    ags_store *store = NULL;
    if (ags_store_open(a, alen, &store) == AGS_OK) {
        ags_store_patch_ex(store, b, blen, AGS_PATCH_LENIENT, AGS_ANY_VERSION, NULL);
        ags_store_apply_event(store, b, blen, 0, NULL);
        if (ags_store_state_at(store, 0, 0, &out, &n) == AGS_OK) ags_free(out);
        if (ags_store_delta_since(store, 0, 0, &out, &n) == AGS_OK) ags_free(out);
        ags_store_close(store);
    }
    /* The event validator: a as one event, then a and b as pieces of a stream (both profiles with
     * messages rebuilt, the format chosen by a byte of the input). */
    ags_validator *validator = NULL;
    if (ags_validator_open(size && data[size - 1] & 1 ? "strict" : "client", AGS_NTS, AGS_VALIDATE_MESSAGES, &validator) == AGS_OK) {
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
