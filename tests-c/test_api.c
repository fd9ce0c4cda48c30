/* The C API's contract: argument checks, statuses, the per-thread last error, handles, limits, threads. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static char *sentinel = (char *)"untouched";

static void versions(void) {
    CHECK(ags_libversion_number() == AGS_VERSION_NUMBER);
    CHECK(strcmp(ags_libversion(), AGS_VERSION) == 0);
    CHECK(strcmp(ags_status_name(AGS_ERR_TEST_FAILED), "AGS_ERR_TEST_FAILED") == 0);
    CHECK(strcmp(ags_status_name(999), "AGS_UNKNOWN") == 0);
}

static void arguments(void) {
    char *out = sentinel;
    size_t len = 7;
    CHECK(ags_json_format(NULL, 3, 0, &out, &len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_json_format("[1]", 3, 0, NULL, &len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_json_format("[1]", (size_t)-2, 0, &out, &len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_json_format("[1]", 3, 0x80, &out, &len) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_json_format(NULL, 0, 0, &out, &len) == AGS_ERR_INVALID_JSON);
    CHECK(out == sentinel && len == 7); /* failed calls write no output */
    CHECK(ags_json_format("[1, 2.50]xyz", 9, 0, &out, &len) == AGS_OK); /* only len bytes are read */
    CHECK(strcmp(out, "[1,2.5]") == 0 && len == 7);
    ags_free(out);
    ags_free(NULL);

    CHECK(ags_json_validate("{\"a\":[1,2,]}", AGS_NTS) == AGS_ERR_INVALID_JSON);
    CHECK(ags_errlast()->code == AGS_ERR_INVALID_JSON);
    CHECK(ags_errlast()->offset == 10);
    CHECK(strstr(ags_errlast()->message, "trailing comma") != NULL);
    CHECK(ags_json_validate("{}", AGS_NTS) == AGS_OK);
    CHECK(ags_errlast()->code == AGS_ERR_INVALID_JSON); /* success leaves the last failure */
    ags_errclear();
    CHECK(ags_errlast()->code == AGS_OK && strcmp(ags_errlast()->message, "") == 0 && ags_errlast()->pointer == NULL);

    int equal = -1;
    CHECK(ags_json_equal("{\"a\":1,\"b\":[1.0]}", AGS_NTS, "{\"b\":[1],\"a\":1}", AGS_NTS, &equal) == AGS_OK && equal == 1);
    CHECK(ags_json_equal("1", AGS_NTS, "2", AGS_NTS, &equal) == AGS_OK && equal == 0);
    CHECK(ags_json_equal("1", AGS_NTS, "2", AGS_NTS, NULL) == AGS_ERR_INVALID_ARGUMENT);

    CHECK(ags_pointer_get("{\"a\":{\"b\":[7]}}", AGS_NTS, "/a/b/0", AGS_NTS, 0, &out, NULL) == AGS_OK);
    CHECK(strcmp(out, "7") == 0);
    ags_free(out);
    out = sentinel;
    CHECK(ags_pointer_get("{}", AGS_NTS, "a", AGS_NTS, 0, &out, NULL) == AGS_ERR_INVALID_POINTER);
    CHECK(ags_pointer_get("{}", AGS_NTS, "/a", AGS_NTS, 0, &out, NULL) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(out == sentinel);

    CHECK(ags_patch_apply("{\"a\":1}", AGS_NTS, "[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]", AGS_NTS, 0, &out, NULL)
          == AGS_ERR_TEST_FAILED);
    CHECK(ags_errlast()->op_index == 0 && strcmp(ags_errlast()->pointer, "/a") == 0);
    CHECK(ags_merge_patch_apply("{\"a\":1,\"b\":2}", AGS_NTS, "{\"a\":null,\"c\":3}", AGS_NTS, AGS_JSON_SORT_KEYS, &out, NULL) == AGS_OK);
    CHECK(strcmp(out, "{\"b\":2,\"c\":3}") == 0);
    ags_free(out);
}

static void handles(void) {
    ags_store *store = NULL;
    uint64_t version = 99;
    CHECK(ags_store_open(NULL, 0, &store) == AGS_OK);
    CHECK(ags_store_version(store, &version) == AGS_OK && version == 0);
    CHECK(ags_store_set(store, "/a", AGS_NTS, "[1]", AGS_NTS, NULL, &version) == AGS_OK && version == 1);
    CHECK(ags_store_add(store, "/a/0", AGS_NTS, "0", AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_store_remove(store, "", 0, NULL, &version) == AGS_ERR_INVALID_POINTER && version == 1);
    CHECK(ags_store_set(store, "/x/y", AGS_NTS, "1", AGS_NTS, NULL, &version) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(ags_store_patch(store, "not json", AGS_NTS, NULL, &version) == AGS_ERR_INVALID_JSON);
    CHECK(ags_store_merge(store, "{\"b\":true}", AGS_NTS, NULL, &version) == AGS_OK && version == 3);
    char *out = NULL;
    CHECK(ags_store_get(store, NULL, 0, 0, &out, NULL) == AGS_OK && strcmp(out, "{\"a\":[0,1],\"b\":true}") == 0);
    ags_free(out);
    CHECK(ags_store_get(store, "/a/1", AGS_NTS, 0, &out, NULL) == AGS_OK && strcmp(out, "1") == 0);
    ags_free(out);
    CHECK(ags_store_version(store, NULL) == AGS_ERR_INVALID_ARGUMENT);

    ags_store_close(store);
    ags_store_close(store); /* closing twice does nothing */
    ags_store_close(NULL);
    CHECK(ags_store_version(store, &version) == AGS_ERR_CLOSED);
    CHECK(ags_store_patch(store, "[]", AGS_NTS, NULL, &version) == AGS_ERR_CLOSED);
    CHECK(ags_store_version(NULL, &version) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_version((ags_store *)&version, &version) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_open("[1,", AGS_NTS, &store) == AGS_ERR_INVALID_JSON);
    CHECK(ags_store_open("{}", AGS_NTS, NULL) == AGS_ERR_INVALID_ARGUMENT);
}

static void limits(void) {
    int64_t old = 0;
    CHECK(ags_limit(AGS_LIMIT_DEPTH, -1, &old) == AGS_OK && old == 512);
    CHECK(ags_limit(AGS_LIMIT_DEPTH, 0, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_limit(AGS_LIMIT_DEPTH, 10001, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_limit(42, -1, &old) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_limit(AGS_LIMIT_INPUT_BYTES, 8, &old) == AGS_OK && old == 1073741824);
    CHECK(ags_json_validate("[1,2,3,4,5]", AGS_NTS) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_limit(AGS_LIMIT_INPUT_BYTES, old, NULL) == AGS_OK);

    ags_store *store = NULL;
    CHECK(ags_store_open("{\"a\":{}}", AGS_NTS, &store) == AGS_OK);
    CHECK(ags_store_limit(store, AGS_LIMIT_DEPTH, 3, &old) == AGS_OK && old == 512);
    CHECK(ags_store_set(store, "/a/b", AGS_NTS, "[1]", AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_store_set(store, "/a/c", AGS_NTS, "[[1]]", AGS_NTS, NULL, NULL) == AGS_ERR_LIMIT_EXCEEDED);
    CHECK(ags_store_patch(store, "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/a/b/0\"}]", AGS_NTS, NULL, NULL) == AGS_ERR_LIMIT_EXCEEDED);
    ags_store_close(store);
}

/* Threads: each has its own last error; writers lose nothing. */
static ags_store *shared_store;
enum { WRITERS = 4, WRITES = 500 };

static void *writer(void *arg) {
    long id = (long)arg;
    char value[32];
    for (int i = 0; i < WRITES; i++) {
        snprintf(value, sizeof value, "%ld", id * 100000 + i);
        if (ags_store_add(shared_store, "/log/-", AGS_NTS, value, AGS_NTS, NULL, NULL) != AGS_OK) return (void *)1;
        char *out = NULL;
        if (ags_store_get(shared_store, "/log/0", AGS_NTS, 0, &out, NULL) != AGS_OK) return (void *)1;
        ags_free(out);
    }
    return NULL;
}

static void *fail_on_thread(void *arg) {
    (void)arg;
    ags_json_validate("[", 1);
    return (void *)(long)ags_errlast()->code;
}

static void threads(void) {
    ags_errclear();
    pthread_t t;
    void *result = NULL;
    pthread_create(&t, NULL, fail_on_thread, NULL);
    pthread_join(t, &result);
    CHECK((long)result == AGS_ERR_INVALID_JSON);
    CHECK(ags_errlast()->code == AGS_OK); /* the other thread's failure is not ours */

    CHECK(ags_store_open("{\"log\":[]}", AGS_NTS, &shared_store) == AGS_OK);
    pthread_t writers[WRITERS];
    for (long i = 0; i < WRITERS; i++) pthread_create(&writers[i], NULL, writer, (void *)i);
    for (int i = 0; i < WRITERS; i++) { pthread_join(writers[i], &result); CHECK(result == NULL); }
    uint64_t version = 0;
    CHECK(ags_store_version(shared_store, &version) == AGS_OK && version == WRITERS * WRITES);
    char *out = NULL;
    char ptr[32];
    snprintf(ptr, sizeof ptr, "/log/%d", WRITERS * WRITES - 1);
    CHECK(ags_store_get(shared_store, ptr, AGS_NTS, 0, &out, NULL) == AGS_OK);
    ags_free(out);
    snprintf(ptr, sizeof ptr, "/log/%d", WRITERS * WRITES);
    CHECK(ags_store_get(shared_store, ptr, AGS_NTS, 0, &out, NULL) == AGS_ERR_PATH_NOT_FOUND);
    ags_store_close(shared_store);
}

int main(void) {
    versions();
    arguments();
    handles();
    limits();
    threads();
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures ? 1 : 0;
}
