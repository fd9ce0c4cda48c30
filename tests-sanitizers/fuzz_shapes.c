/* Structure-aware libFuzzer harness over the functions of the C ABI that take no store. The input is a
 * recipe, not JSON: it chooses a document's shape (objects of up to a few hundred members, or just around
 * 2^16 and 2^20 members; arrays as long; names plain, long, escaped or non-ASCII; a repeated name
 * anywhere; numbers at the edges of 64 bits and past them), then the integer argument of every call (0,
 * -1 as its C type, its maximum and the maximum minus one, SIZE_MAX, 2^62, powers of two and their
 * neighbours, or raw bytes), and which calls to make. Beyond "no crash, no hang", each call is checked
 * against what the document is known to be: a status that is a status code, an error recorded for every
 * failure, a repeated name refused, a document equal to itself, every member found where it was put,
 * a member removed by a merge patch's null, sorted output equal to the input, data given back by
 * decompression.
 * Build and run: tests-sanitizers/run-fuzz.sh [seconds] shapes */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

/* ---- reading the recipe ---- */

typedef struct { const uint8_t *p; size_t n; } recipe;

static uint8_t byte(recipe *r) {
    if (r->n == 0) return 0;
    r->n--;
    return *r->p++;
}

static uint64_t raw64(recipe *r) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | byte(r);
    return v;
}

/* An unsigned value of `bits` bits at one of its edges, or raw. */
static uint64_t edge_unsigned(recipe *r, int bits) {
    uint64_t max = bits == 64 ? UINT64_MAX : (UINT64_C(1) << bits) - 1;
    uint8_t k = byte(r);
    switch (k % 16) {
    case 0: return 0;
    case 1: return 1;
    case 2: return max;            /* -1 as the C type */
    case 3: return max - 1;
    case 4: return max >> 1;       /* the signed maximum */
    case 5: return (max >> 1) + 1; /* the signed minimum */
    case 6: return (UINT64_C(1) << 62) & max;
    case 7: return UINT64_C(1) << (byte(r) % bits);
    case 8: return (UINT64_C(1) << (byte(r) % bits)) - 1;
    case 9: return ((UINT64_C(1) << (byte(r) % bits)) + 1) & max;
    case 10: return 65536;
    case 11: return 1u << 20;
    default: return raw64(r) & max;
    }
}

static size_t edge_size(recipe *r) { return (size_t)edge_unsigned(r, 64); }
static int edge_int(recipe *r) { return (int)(uint32_t)edge_unsigned(r, 32); }
static uint32_t edge_u32(recipe *r) { return (uint32_t)edge_unsigned(r, 32); }
static int64_t edge_i64(recipe *r) { return (int64_t)edge_unsigned(r, 64); }

/* A small size, now and then an edge one: for lengths that must stay within the buffer they describe. */
static size_t length_within(recipe *r, size_t actual) {
    switch (byte(r) % 8) {
    case 0: return AGS_NTS;   /* read to the NUL */
    case 1: return actual ? actual - 1 : 0;
    case 2: return 0;
    default: return actual;
    }
}

/* ---- building documents ---- */

typedef struct { char *p; size_t n, cap; } text;

static void put(text *t, const char *s, size_t n) {
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p) abort();
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}
static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static const char *const numbers[] = {
    "0", "-0", "1", "-1", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "18446744073709551615", "18446744073709551616", "-9223372036854775809", "1e308", "-1e-308", "4.9e-324",
    "123456789012345678901234567890", "0.1", "1.0", "1E400", "-1e400", "2.5e-400", "1e-7",
};
#define NUMBERS (sizeof numbers / sizeof *numbers)

/* Member name i in a style: plain ASCII, long, with escapes, non-ASCII. Distinct for distinct i. */
static void name(text *t, unsigned style, size_t i) {
    char buf[96];
    switch (style % 4) {
    case 0: snprintf(buf, sizeof buf, "\"k%zu\"", i); break;
    case 1: snprintf(buf, sizeof buf, "\"a name longer than sixteen bytes %zu\"", i); break;
    case 2: snprintf(buf, sizeof buf, "\"e\\n\\u00e9\\\"%zu\"", i); break;
    default: snprintf(buf, sizeof buf, "\"\xc3\xa9\xe2\x82\xac%zu\"", i); break;
    }
    puts_(t, buf);
}

static void value(text *t, unsigned kind, size_t i) {
    char buf[48];
    switch (kind % 4) {
    case 0: snprintf(buf, sizeof buf, "%zu", i); puts_(t, buf); break;
    case 1: puts_(t, numbers[i % NUMBERS]); break;
    case 2: snprintf(buf, sizeof buf, "{\"v\":%zu}", i); puts_(t, buf); break;
    default: puts_(t, i % 2 ? "null" : "[true,false]"); break;
    }
}

/* What the harness knows of the document it built. */
typedef struct {
    text doc;
    int object;          /* an object (else an array) */
    size_t count;        /* members or elements */
    unsigned style, kind;
    size_t repeated_at;  /* the position of a repeated name, or SIZE_MAX: the text is then invalid */
    int wide;            /* past 2^20 members or elements */
} shape;

/* A width: small, just around 2^16, or just around 2^20 (the last two about one recipe in six and one in
 * 32: an input past 2^20 members takes seconds with the sanitizers). */
static size_t width(recipe *r) {
    uint8_t c = byte(r) % 32;
    int delta = (int)(byte(r) % 16) - 8;
    if (c < 26) return byte(r) % 4 == 0 ? byte(r) : byte(r) % 24;
    if (c < 31) return (size_t)(65536 + delta);
    return (size_t)((1 << 20) + delta);
}

static void build(recipe *r, shape *s) {
    memset(s, 0, sizeof *s);
    s->object = byte(r) % 4 != 0;
    s->count = width(r);
    s->style = byte(r);
    s->kind = byte(r);
    s->wide = s->count > 100000;
    if (s->wide) {
        /* Short names and plain numbers: the widest documents stay quick to read, and valid. */
        s->style = s->style % 2 ? 3 : 0;
        if (s->kind % 4 == 1) s->kind++;
    }
    s->repeated_at = SIZE_MAX;
    if (s->object && s->count > 1 && byte(r) % 8 == 0) {
        s->repeated_at = 1 + (size_t)raw64(r) % (s->count - 1);
    }
    puts_(&s->doc, s->object ? "{" : "[");
    for (size_t i = 0; i < s->count; i++) {
        if (i) puts_(&s->doc, ",");
        if (s->object) {
            /* The repeated name repeats an earlier one, chosen by its distance back. */
            name(&s->doc, s->style, i == s->repeated_at ? i - 1 - (s->kind % i) : i);
            puts_(&s->doc, ":");
        }
        value(&s->doc, s->kind, i);
    }
    puts_(&s->doc, s->object ? "}" : "]");
}

/* ---- checking results ---- */

static void expect(int ok, const char *what) {
    if (!ok) {
        fprintf(stderr, "fuzz_shapes: %s (last error %s: %s)\n", what, ags_status_name(ags_errlast()->code),
                ags_errlast()->message);
        abort();
    }
}

/* A status is a status code, and a failure leaves its code and a message as the thread's last error. */
static ags_status checked(ags_status status) {
    expect(status >= AGS_OK && status <= AGS_ERR_UNAVAILABLE, "a status outside the status codes");
    if (status != AGS_OK) {
        const ags_error *e = ags_errlast();
        expect(e != NULL && e->code == status && e->message != NULL && e->message[0] != 0, "a failure without its error");
    }
    return status;
}

static void drop(char *out) { ags_free(out); }

/* The pointer to member or element i: "/" and the name unescaped (with ~0 ~1 escapes, none needed here). */
static void pointer_to(text *t, const shape *s, size_t i) {
    char buf[96];
    if (!s->object) {
        snprintf(buf, sizeof buf, "/%zu", i);
        puts_(t, buf);
        return;
    }
    switch (s->style % 4) {
    case 0: snprintf(buf, sizeof buf, "/k%zu", i); break;
    case 1: snprintf(buf, sizeof buf, "/a name longer than sixteen bytes %zu", i); break;
    case 2: snprintf(buf, sizeof buf, "/e\n\xc3\xa9\"%zu", i); break;
    default: snprintf(buf, sizeof buf, "/\xc3\xa9\xe2\x82\xac%zu", i); break;
    }
    puts_(t, buf);
}

/* The JSON text of name i, for patches and merge patches. */
static void name_text(text *t, const shape *s, size_t i) { name(t, s->style, i); }

/* ---- the calls ---- */

/* Which parts of json_calls run: all of them, or for the widest documents one (each reads the document
 * a few times, and an input must stay well within the fuzzer's time limit). */
static unsigned parts = ~0u;
#define PART(k) if (parts & (1u << (k)))

static void json_calls(recipe *r, const shape *s) {
    const char *doc = s->doc.p;
    size_t n = s->doc.n;
    int valid = s->repeated_at == SIZE_MAX;
    char *out = NULL;
    size_t out_len = 0;
    int equal = -1;

    /* Numbers past the range are rejected whole: a document with them may be invalid too (the widest
     * documents are built without them, so that what they are is known without reading them). */
    int has_bad_numbers = s->kind % 4 == 1;
    int parses = valid && !has_bad_numbers;
    ags_status st = AGS_OK;
    if (!s->wide || (parts & 0x2)) {
        st = checked(ags_json_validate(doc, n));
        if (valid && !has_bad_numbers) expect(st == AGS_OK, "a valid document refused");
        if (!valid) expect(st == AGS_ERR_INVALID_JSON, "a repeated member name accepted");
        parses = st == AGS_OK;
    }

    uint32_t flags = byte(r) % 4 ? (uint32_t)(byte(r) & 0x103) : edge_u32(r);
    size_t length = length_within(r, n);
    PART(0) {
        st = checked(ags_json_format(doc, length, flags, &out, &out_len));
        if (st == AGS_OK) {
            if (parses && length == n && (flags & 0x02) && out) {
                int eq = 0;
                expect(checked(ags_json_equal(doc, n, out, out_len, &eq)) == AGS_OK && eq == 1, "sorted output differs");
            }
            drop(out);
        }
        out = NULL;
    }

    PART(1) {
        st = checked(ags_json_equal(doc, n, doc, n, &equal));
        if (parses) expect(st == AGS_OK && equal == 1, "a document differs from itself");
    }

    size_t i = s->count ? (size_t)raw64(r) % s->count : 0;
    uint32_t get_flags = byte(r) % 2 ? 0 : edge_u32(r);
    uint32_t merge_flags = byte(r) % 2 ? 0 : edge_u32(r);
    if (s->count > 0 && (!s->object || i != s->repeated_at)) {
        text p = {0};
        pointer_to(&p, s, i);
        PART(2) {
            st = checked(ags_pointer_get(doc, n, p.p, p.n, get_flags, &out, &out_len));
            if (st == AGS_OK) drop(out);
            else if (parses) expect(st == AGS_ERR_INVALID_ARGUMENT, "a member that exists not found");
            out = NULL;
        }
        if (s->object && parses) {
            /* add to an existing member replaces it; the merge patch's null removes it. */
            PART(3) {
                text patch = {0};
                puts_(&patch, "[{\"op\":\"add\",\"path\":\"");
                for (size_t k = 0; k < p.n; k++) {
                    char c = p.p[k];
                    if (c == '"' || c == '\\') put(&patch, "\\", 1);
                    if (c == '\n') { puts_(&patch, "\\n"); continue; }
                    put(&patch, &c, 1);
                }
                puts_(&patch, "\",\"value\":\"replaced\"}]");
                st = checked(ags_patch_apply(doc, n, patch.p, patch.n, 0, &out, &out_len));
                expect(st == AGS_OK, "add to an existing member failed");
                char *got = NULL;
                size_t got_len = 0;
                expect(checked(ags_pointer_get(out, out_len, p.p, p.n, 0, &got, &got_len)) == AGS_OK
                       && got_len == 10 && memcmp(got, "\"replaced\"", 10) == 0, "add did not replace the member named");
                drop(got);
                drop(out);
                out = NULL;
                free(patch.p);
            }
            text merge = {0};
            puts_(&merge, "{");
            name_text(&merge, s, i);
            puts_(&merge, ":null}");
            PART(4) {
                st = checked(ags_merge_patch_apply(doc, n, merge.p, merge.n, merge_flags, &out, &out_len));
                if (st == AGS_OK) {
                    char *got = NULL;
                    expect(checked(ags_pointer_get(out, out_len, p.p, p.n, 0, &got, NULL)) == AGS_ERR_PATH_NOT_FOUND,
                           "a merge patch's null left the member");
                    drop(out);
                }
                out = NULL;
            }
            PART(5) {
                /* The merge diff of a document with itself is empty; to a small one, it removes the rest
                 * (at any width: removing members one at a time from a wide object read once was quadratic). */
                st = checked(ags_merge_diff(doc, n, doc, n, merge_flags, &out, &out_len));
                if (st == AGS_OK) {
                    if (merge_flags == 0) expect(out_len == 2 && memcmp(out, "{}", 2) == 0, "the merge diff of a document with itself is not {}");
                    drop(out);
                }
                out = NULL;
                st = checked(ags_merge_diff(doc, n, merge.p, merge.n, merge_flags, &out, &out_len));
                if (st == AGS_OK) drop(out);
                out = NULL;
            }
            free(merge.p);
        }
        free(p.p);
    }

    ags_diff_options diff = AGS_DIFF_OPTIONS_INIT;
    if (byte(r) % 2) {
        diff.version = byte(r) % 4 ? AGS_DIFF_OPTIONS_VERSION : (unsigned)edge_u32(r);
        diff.flags = byte(r) % 2 ? (uint32_t)(byte(r) % 8) << 14 : edge_u32(r);
        diff.format = byte(r) % 2 ? (uint32_t)(byte(r) & 1) : edge_u32(r);
    }
    int with_options = byte(r) % 3;
    PART(6) {
        const char *other = "{\"k1\":\"changed\",\"new\":[1,2,3]}";
        st = checked(ags_diff(doc, n, other, AGS_NTS, with_options ? &diff : NULL, &out, &out_len));
        if (st == AGS_OK) drop(out);
        out = NULL;
        st = checked(ags_diff(doc, n, doc, n, &diff, &out, &out_len));
        if (st == AGS_OK) {
            if (parses) expect(memchr(out, '{', out_len) == NULL, "the diff of a document with itself is not empty");
            drop(out);
        }
        out = NULL;
    }
    uint32_t compact_flags = byte(r) % 2 ? 0 : edge_u32(r);
    uint32_t delta_flags = byte(r) % 2 ? 0 : edge_u32(r);
    uint32_t encode_flags = byte(r) % 2 ? 0x200u : edge_u32(r);
    PART(7) {
        st = checked(ags_compact(doc, n, compact_flags, &out, &out_len));
        if (st == AGS_OK) drop(out);
        out = NULL;
        st = checked(ags_delta_event(doc, n, delta_flags, &out, &out_len));
        if (st == AGS_OK) drop(out);
        out = NULL;
        st = checked(ags_event_encode(doc, n, encode_flags, &out, &out_len));
        if (st == AGS_OK) drop(out);
    }
}

static void codec_calls(recipe *r, const shape *s) {
    const char *data = s->doc.p;
    size_t n = s->doc.n;
    char *packed = NULL, *out = NULL;
    size_t packed_len = 0, out_len = 0;
    int codec = byte(r) % 4 ? byte(r) % 5 : edge_int(r);
    int level = byte(r) % 4 ? (int)(byte(r) % 24) - 4 : edge_int(r);
    ags_status st = checked(ags_compress(codec, level, data, n, &packed, &packed_len));
    if (st == AGS_OK) {
        size_t max = byte(r) % 2 ? AGS_UNBOUNDED : edge_size(r);
        st = checked(ags_decompress(codec, packed, packed_len, max, &out, &out_len));
        if (st == AGS_OK) {
            expect(out_len == n && memcmp(out, data, n) == 0, "decompression gave other bytes");
            drop(out);
        } else {
            expect(st == AGS_ERR_LIMIT_EXCEEDED && max < n, "decompression failed within its bound");
        }
        out = NULL;
        ags_decompressor *d = NULL;
        if (checked(ags_decompressor_open(codec, max, &d)) == AGS_OK) {
            size_t cut = packed_len ? (size_t)raw64(r) % packed_len : 0;
            if (checked(ags_decompressor_write(d, packed, cut, &out, &out_len)) == AGS_OK) drop(out);
            out = NULL;
            if (checked(ags_decompressor_write(d, packed + cut, packed_len - cut, &out, &out_len)) == AGS_OK) drop(out);
            out = NULL;
            checked(ags_decompressor_finish(d));
            ags_decompressor_close(d);
            ags_decompressor_close(d);
        }
        drop(packed);
    }
    /* Damaged or made-up compressed data with every bound. */
    st = checked(ags_decompress(codec, data, n > 64 ? 64 : n, edge_size(r), &out, &out_len));
    if (st == AGS_OK) drop(out);
    out = NULL;

    ags_compressor *c = NULL;
    if (checked(ags_compressor_open(codec, level, &c)) == AGS_OK) {
        if (checked(ags_compressor_write(c, data, n, byte(r) % 2 ? 0x800u : edge_u32(r), &out, &out_len)) == AGS_OK) drop(out);
        out = NULL;
        if (checked(ags_compressor_finish(c, &out, &out_len)) == AGS_OK) drop(out);
        out = NULL;
        ags_compressor_close(c);
    }

    ags_pack_options pack = AGS_PACK_OPTIONS_INIT;
    if (byte(r) % 2) {
        pack.version = byte(r) % 4 ? AGS_PACK_OPTIONS_VERSION : (unsigned)edge_u32(r);
        pack.codec = codec;
        pack.level = level;
        pack.threshold = edge_size(r);
        pack.flags = byte(r) % 2 ? (byte(r) % 2 ? 0x400u : 0) : edge_u32(r);
    }
    st = checked(ags_pack(data, n, &pack, &packed, &packed_len));
    if (st == AGS_OK) {
        int used = -1;
        size_t max = byte(r) % 2 ? AGS_UNBOUNDED : edge_size(r);
        st = checked(ags_unpack(packed, packed_len, max, &used, &out, &out_len));
        if (st == AGS_OK) {
            expect(out_len == n && memcmp(out, data, n) == 0, "unpacking gave other bytes");
            drop(out);
        } else {
            expect(st == AGS_ERR_LIMIT_EXCEEDED && max < n, "unpacking failed within its bound");
        }
        out = NULL;
        /* The binary form with its size field changed to an edge value. */
        if (packed_len >= 20 && packed[0] == 'A') {
            uint64_t size = edge_unsigned(r, 64);
            for (int i = 0; i < 8; i++) packed[8 + i] = (char)(size >> (8 * i));
            st = checked(ags_unpack(packed, packed_len, byte(r) % 2 ? AGS_UNBOUNDED : edge_size(r), NULL, &out, &out_len));
            if (st == AGS_OK) drop(out);
            out = NULL;
        }
        drop(packed);
    }
}

static void validator_calls(recipe *r, const shape *s) {
    ags_validator_options options = AGS_VALIDATOR_OPTIONS_INIT;
    static const char *const profiles[] = { "client", "strict", "compat", "", "nonsense" };
    options.profile = profiles[byte(r) % 5];
    options.profile_len = length_within(r, strlen(options.profile));
    options.flags = byte(r) % 2 ? 0x20000u : edge_u32(r);
    if (byte(r) % 8 == 0) options.version = (unsigned)edge_u32(r);
    ags_validator *v = NULL;
    if (checked(ags_validator_open(&options, &v)) != AGS_OK) return;
    char *out = NULL;
    size_t out_len = 0, events = 0;
    checked(ags_validator_set_severity(v, "text.empty-delta", AGS_NTS, edge_int(r)));
    /* The document as an event's payload: a STATE_SNAPSHOT, then a tool-call storm on one parent. */
    text event = {0};
    puts_(&event, "{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":");
    put(&event, s->doc.p, s->doc.n);
    puts_(&event, "}\n");
    if (checked(ags_validator_feed(v, event.p, event.n, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    free(event.p);
    text storm = {0};
    puts_(&storm, "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\",\"role\":\"assistant\"}\n"
                  "{\"type\":\"TEXT_MESSAGE_END\",\"messageId\":\"m\"}\n");
    size_t calls = byte(r);
    for (size_t i = 0; i < calls; i++) {
        char line[200];
        snprintf(line, sizeof line, "{\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c%zu\",\"toolCallName\":\"f\","
                 "\"parentMessageId\":\"m\"}\n{\"type\":\"TOOL_CALL_END\",\"toolCallId\":\"c%zu\"}\n", i, i);
        puts_(&storm, line);
    }
    int format = byte(r) % 2 ? byte(r) % 3 : edge_int(r);
    if (checked(ags_validator_feed_stream(v, storm.p, storm.n, (ags_stream_format)format, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    free(storm.p);
    uint32_t flags = byte(r) % 2 ? byte(r) & 3 : edge_u32(r);
    if (checked(ags_validator_state(v, flags, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    if (checked(ags_validator_messages(v, flags, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    if (checked(ags_validator_activities(v, flags, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    checked(ags_validator_counts(v, &events, NULL, NULL, NULL));
    if (checked(ags_validator_finish(v, &out, &out_len)) == AGS_OK) drop(out);
    out = NULL;
    if (checked(ags_validator_findings(v, &out, &out_len)) == AGS_OK) drop(out);
    ags_validator_close(v);
    ags_validator_close(v);
}

static void small_calls(recipe *r) {
    ags_status_name(edge_int(r));
    ags_commit_options commit;
    checked(ags_commit_options_init(&commit, (unsigned)edge_u32(r)));
    ags_pack_options pack;
    checked(ags_pack_options_init(&pack, (unsigned)edge_u32(r)));
    ags_diff_options diff;
    checked(ags_diff_options_init(&diff, (unsigned)edge_u32(r)));
    ags_batcher_options batcher;
    checked(ags_batcher_options_init(&batcher, (unsigned)edge_u32(r)));
    ags_validator_options validator;
    checked(ags_validator_options_init(&validator, (unsigned)edge_u32(r)));
    /* A process-wide limit set to an edge value, then put back, so that one input does not change the next. */
    int id = byte(r) % 2 ? byte(r) % 4 : edge_int(r);
    int64_t old = 0;
    if (checked(ags_limit(id, -1, &old)) == AGS_OK) {
        int64_t wanted = edge_i64(r);
        if (checked(ags_limit(id, wanted, NULL)) == AGS_OK) expect(checked(ags_limit(id, old, NULL)) == AGS_OK, "a limit not put back");
    }
    char *out = NULL;
    if (checked(ags_codec_stats(&out, NULL)) == AGS_OK) drop(out);
    ags_errclear();
    expect(ags_errlast()->code == AGS_OK, "ags_errclear left an error");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    recipe r = { data, size };
    shape s;
    build(&r, &s);
    uint8_t which = byte(&r);
    /* The widest documents are slow to build and read: each goes through one part of the calls only. */
    int wide = s.wide;
    parts = wide ? 1u << (which % 10) : ~0u;
    if (!wide || which % 10 < 8) json_calls(&r, &s);
    if (!wide || which % 10 == 8) codec_calls(&r, &s);
    if (!wide || which % 10 == 9) validator_calls(&r, &s);
    small_calls(&r);
    /* The rest of the input as text, for what the recipe cannot build (not beside the widest documents). */
    if (r.n > 0 && !wide) {
        char *out = NULL;
        size_t out_len = 0;
        if (checked(ags_json_format((const char *)r.p, r.n, 0x02, &out, &out_len)) == AGS_OK) drop(out);
        out = NULL;
        if (checked(ags_patch_apply(s.doc.p, s.doc.n, (const char *)r.p, r.n, 0, &out, &out_len)) == AGS_OK) drop(out);
        out = NULL;
        if (checked(ags_merge_patch_apply(s.doc.p, s.doc.n, (const char *)r.p, r.n, 0, &out, &out_len)) == AGS_OK) drop(out);
    }
    free(s.doc.p);
    return 0;
}
