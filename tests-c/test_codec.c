/* Compression through the C API: round trips, bounded decompression, damage, streams, the envelope. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static char *sample(size_t n) {
    char *data = malloc(n + 64);
    size_t len = 0;
    for (int i = 0; len < n; i++) len += (size_t)snprintf(data + len, 64, "{\"id\":%d,\"name\":\"item %d\"},", i, i);
    return data;
}

int main(void) {
    const int codecs[] = {AGS_CODEC_GZIP, AGS_CODEC_ZLIB, AGS_CODEC_DEFLATE, AGS_CODEC_ZSTD};
    size_t n = 200000;
    char *data = sample(n);
    for (int c = 0; c < 4; c++) {
        int codec = codecs[c];
        for (int level = 0; level <= 9; level++) {
            char *packed = NULL, *back = NULL;
            size_t packed_len = 0, back_len = 0;
            CHECK(ags_compress(codec, level, data, n, &packed, &packed_len) == AGS_OK && packed_len < n / 4);
            CHECK(ags_decompress(codec, packed, packed_len, n, &back, &back_len) == AGS_OK);
            CHECK(back_len == n && memcmp(back, data, n) == 0);
            ags_free(back);
            back = (char *)"untouched";
            /* One byte under the size: refused, no output written. */
            CHECK(ags_decompress(codec, packed, packed_len, n - 1, &back, &back_len) == AGS_ERR_LIMIT_EXCEEDED);
            CHECK(strcmp(back, "untouched") == 0);
            CHECK(ags_decompress(codec, packed, packed_len / 2, n, &back, &back_len) == AGS_ERR_CORRUPT_DATA);
            ags_free(packed);
        }
        /* A flushed stream: each piece decodes at once. */
        ags_compressor *comp = NULL;
        ags_decompressor *decomp = NULL;
        CHECK(ags_compressor_open(codec, 0, &comp) == AGS_OK);
        CHECK(ags_decompressor_open(codec, 1 << 20, &decomp) == AGS_OK);
        for (int i = 0; i < 20; i++) {
            char frame[128], *wire = NULL, *plain = NULL;
            size_t wire_len = 0, plain_len = 0;
            int len = snprintf(frame, sizeof frame, "data: {\"type\":\"TEXT_MESSAGE_CONTENT\",\"delta\":\"token %d\"}\n\n", i);
            CHECK(ags_compressor_write(comp, frame, (size_t)len, AGS_FLUSH, &wire, &wire_len) == AGS_OK);
            CHECK(ags_decompressor_write(decomp, wire, wire_len, &plain, &plain_len) == AGS_OK);
            CHECK(plain_len == (size_t)len && memcmp(plain, frame, plain_len) == 0);
            ags_free(wire);
            ags_free(plain);
        }
        CHECK(ags_decompressor_finish(decomp) == AGS_ERR_CORRUPT_DATA); /* no trailer yet */
        char *tail = NULL, *rest = NULL;
        size_t tail_len = 0, rest_len = 0;
        CHECK(ags_compressor_finish(comp, &tail, &tail_len) == AGS_OK);
        CHECK(ags_decompressor_write(decomp, tail, tail_len, &rest, &rest_len) == AGS_OK && rest_len == 0);
        CHECK(ags_decompressor_finish(decomp) == AGS_OK);
        ags_free(tail);
        ags_free(rest);
        CHECK(ags_compressor_finish(comp, &tail, &tail_len) == AGS_ERR_CLOSED);
        ags_compressor_close(comp);
        ags_compressor_close(comp);
        ags_decompressor_close(decomp);
        CHECK(ags_decompressor_finish(decomp) == AGS_ERR_CLOSED);

        /* The envelope, both forms. */
        for (int json = 0; json < 2; json++) {
            char *env = NULL, *back = NULL;
            size_t env_len = 0, back_len = 0;
            int used = -1;
            CHECK(ags_pack(data, n, &(ags_pack_options){AGS_PACK_OPTIONS_VERSION, codec, 0, AGS_ENVELOPE_THRESHOLD, json ? AGS_ENVELOPE_JSON : 0}, &env, &env_len) == AGS_OK);
            CHECK(json ? env[0] == '{' : memcmp(env, "AGSE", 4) == 0);
            CHECK(ags_unpack(env, env_len, n, &used, &back, &back_len) == AGS_OK && used == codec);
            CHECK(back_len == n && memcmp(back, data, n) == 0);
            ags_free(back);
            CHECK(ags_unpack(env, env_len, 100, &used, &back, &back_len) == AGS_ERR_LIMIT_EXCEEDED);
            ags_free(env);
        }
    }
    char *out = NULL;
    size_t out_len = 0;
    int used = -1;
    char *tiny = NULL;
    size_t tiny_len = 0;
    CHECK(ags_pack("tiny", 4, &(ags_pack_options){AGS_PACK_OPTIONS_VERSION, AGS_CODEC_GZIP, 0, AGS_ENVELOPE_THRESHOLD, 0}, &tiny, &tiny_len) == AGS_OK && tiny_len == 24);
    CHECK(ags_unpack(tiny, tiny_len, 10, &used, &out, &out_len) == AGS_OK && used == AGS_CODEC_IDENTITY && out_len == 4);
    ags_free(tiny);
    ags_free(out);
    CHECK(ags_compress(99, 0, "x", 1, &out, &out_len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_compress(AGS_CODEC_GZIP, 10, "x", 1, &out, &out_len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_compress(AGS_CODEC_GZIP, 0, NULL, 1, &out, &out_len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_decompress(AGS_CODEC_ZSTD, "\x1f\x8b\x08\x00\x00\x00", 6, 100, &out, &out_len) == AGS_ERR_CORRUPT_DATA);
    CHECK(strstr(ags_errlast()->message, "looks like gzip") != NULL);
    CHECK(ags_unpack("nope", 4, 100, NULL, &out, &out_len) == AGS_ERR_CORRUPT_DATA);
    CHECK(ags_codec_stats(&out, &out_len) == AGS_OK && strstr(out, "\"zstd\":{\"compress\"") != NULL);
    ags_free(out);
    free(data);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
