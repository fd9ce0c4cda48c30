/* Deep nesting within the limits, on threads with the stack the header promises: 1 MB at the default
 * depth of 512, 8 MB at the ceiling of 4000. Every function that reads, compares, writes or frees deeply
 * nested values runs on such a thread; a crash here is a broken promise (see AGS_LIMIT_DEPTH). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

struct job { char *a, *b; size_t n; };

/* Two documents nested `depth` deep (arrays, or objects {"a":...}) that differ in the innermost value. */
static struct job make(int depth, int objects) {
    struct job j;
    size_t open = objects ? 5 : 1;
    j.n = (open + 1) * (size_t)depth + 1;
    j.a = malloc(j.n);
    for (int i = 0; i < depth; i++) memcpy(j.a + open * i, objects ? "{\"a\":" : "[", open);
    j.a[open * depth] = '1';
    memset(j.a + open * depth + 1, objects ? '}' : ']', depth);
    j.b = malloc(j.n);
    memcpy(j.b, j.a, j.n);
    j.b[open * depth] = '2';
    return j;
}

static void *run(void *arg) {
    struct job *j = arg;
    char *out = NULL;
    int eq = -1;
    CHECK(ags_json_validate(j->a, j->n) == AGS_OK);
    CHECK(ags_json_format(j->a, j->n, AGS_JSON_PRETTY, &out, NULL) == AGS_OK); ags_free(out);
    CHECK(ags_json_equal(j->a, j->n, j->b, j->n, &eq) == AGS_OK && eq == 0);
    CHECK(ags_diff(j->a, j->n, j->b, j->n, NULL, &out, NULL) == AGS_OK); ags_free(out);
    CHECK(ags_diff(j->a, j->n, j->b, j->n, &(ags_diff_options){AGS_DIFF_OPTIONS_VERSION, AGS_DIFF_VERIFY, 0}, &out, NULL) == AGS_OK); ags_free(out);
    CHECK(ags_diff(j->a, j->n, j->b, j->n, &(ags_diff_options){AGS_DIFF_OPTIONS_VERSION, AGS_DIFF_FEWEST_BYTES | AGS_DIFF_TEST_GUARDS, 0}, &out, NULL) == AGS_OK); ags_free(out);
    CHECK(ags_merge_patch_apply(j->a, j->n, j->b, j->n, 0, &out, NULL) == AGS_OK); ags_free(out);
    /* Events holding the deep values: a snapshot, a custom value, and a delta that replaces the state. */
    ags_validator *v = NULL;
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "strict", AGS_NTS, AGS_VALIDATE_MESSAGES}, &v) == AGS_OK);
    if (v) {
        size_t cap = j->n * 2 + 256;
        char *event = malloc(cap);
        CHECK(ags_validator_feed(v, "{\"type\":\"RUN_STARTED\",\"threadId\":\"t\",\"runId\":\"r\"}", AGS_NTS, NULL, NULL) == AGS_OK);
        snprintf(event, cap, "{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":%.*s}", (int)j->n, j->a);
        CHECK(ags_validator_feed(v, event, AGS_NTS, NULL, NULL) == AGS_OK);
        snprintf(event, cap, "{\"type\":\"CUSTOM\",\"name\":\"deep\",\"value\":%.*s}", (int)j->n, j->b);
        CHECK(ags_validator_feed(v, event, AGS_NTS, NULL, NULL) == AGS_OK);
        snprintf(event, cap, "{\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"\",\"value\":%.*s}]}", (int)j->n, j->b);
        CHECK(ags_validator_feed(v, event, AGS_NTS, NULL, NULL) == AGS_OK);
        CHECK(ags_validator_state(v, 0, &out, NULL) == AGS_OK); ags_free(out);
        ags_validator_close(v);
        free(event);
    }
    ags_store *store = NULL;
    CHECK(ags_store_open(j->a, j->n, &store) == AGS_OK);
    if (store) {
        ags_snapshot *snap = NULL;
        CHECK(ags_store_snapshot(store, &snap) == AGS_OK);
        CHECK(ags_store_set(store, "", 0, j->b, j->n, NULL, NULL) == AGS_OK);
        CHECK(ags_store_diff_snapshot(store, snap, 0, &out, NULL) == AGS_OK); ags_free(out);
        CHECK(ags_store_export(store, 0, &out, NULL) == AGS_OK); ags_free(out);
        ags_snapshot_close(snap);
        ags_store_close(store);
    }
    return NULL;
}

static void on_thread(size_t stack, struct job *j) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, stack);
    pthread_t t;
    CHECK(pthread_create(&t, &attr, run, j) == 0);
    pthread_join(t, NULL);
    pthread_attr_destroy(&attr);
}

int main(void) {
    for (int objects = 0; objects < 2; objects++) {
        struct job j = make(511, objects);  /* one level is left for the event around it */
        on_thread((size_t)1 << 20, &j);
        free(j.a); free(j.b);
    }
    int64_t old = 0;
    CHECK(ags_limit(AGS_LIMIT_DEPTH, 4000, &old) == AGS_OK);
    CHECK(ags_limit(AGS_LIMIT_DEPTH, 4001, NULL) == AGS_ERR_INVALID_ARGUMENT);
    for (int objects = 0; objects < 2; objects++) {
        struct job j = make(3999, objects);
        on_thread((size_t)8 << 20, &j);
        free(j.a); free(j.b);
    }
    ags_limit(AGS_LIMIT_DEPTH, old, NULL);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures != 0;
}
