/* Deterministic AG-UI-like states for the benchmarks: an object of items (nested objects, strings,
 * numbers, small arrays) and a message array. */
#ifndef AGSTATE_BENCH_STATE_GEN_H
#define AGSTATE_BENCH_STATE_GEN_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { char *data; size_t len, cap; } text_buffer;

static void tb_append(text_buffer *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data) { perror("realloc"); exit(1); }
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = 0;
}

/* A state of about target_bytes of compact JSON; *items receives the number of items. */
static char *make_state(size_t target_bytes, size_t *len, long *items) {
    text_buffer b = {0};
    char piece[512];
    tb_append(&b, "{\"items\":{", 10);
    long i = 0;
    while (b.len < target_bytes * 9 / 10) {
        int n = snprintf(piece, sizeof piece,
            "%s\"item%ld\":{\"id\":%ld,\"name\":\"Item number %ld\",\"price\":%ld.%02ld,\"tags\":[\"t%ld\",\"t%ld\",\"shared\"],"
            "\"meta\":{\"active\":%s,\"score\":%ld,\"owner\":{\"name\":\"user%ld\",\"role\":\"editor\"}}}",
            i ? "," : "", i, i, i, i % 1000, i % 100, i % 7, i % 13, (i % 3) ? "true" : "false", i * 7 % 101, i % 50);
        tb_append(&b, piece, (size_t)n);
        i++;
    }
    tb_append(&b, "},\"messages\":[", 14);
    for (long m = 0; m < 500; m++) {
        int n = snprintf(piece, sizeof piece, "%s{\"id\":\"msg-%ld\",\"role\":\"%s\",\"content\":\"Message %ld of the conversation, with some text.\"}",
                         m ? "," : "", m, (m % 2) ? "assistant" : "user", m);
        tb_append(&b, piece, (size_t)n);
    }
    tb_append(&b, "]}", 2);
    *len = b.len;
    *items = i;
    return b.data;
}
#endif
