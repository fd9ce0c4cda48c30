/* Transactions on one store from several threads at once, each writing in place into its own working
 * state (shared with the store and the other transactions until it changes it), with readers alongside:
 * nothing is lost, every commit is one version, conflicts are reported and retried. Run under
 * ThreadSanitizer by tests-sanitizers/run-tsan.sh as well as by ctest. */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

#define THREADS 3

static int ROUNDS = 400;  /* argv[1] may ask for more */

static ags_store *store;
static pthread_barrier_t start;  /* every thread starts at once, so that they overlap */
static int failures = 0;

static void fail(const char *what, int line) {
    fprintf(stderr, "test_concurrent_txn.c:%d: %s\n", line, what);
    __atomic_add_fetch(&failures, 1, __ATOMIC_SEQ_CST);
}

/* Each writer owns one member (/w0, /w1, ...) and counts in it, with several operations per transaction
 * (the later ones change in place what the first one copied). */
static void *writer(void *arg) {
    long w = (long)arg;
    char patch[256];
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        for (;;) {
            ags_txn *txn = NULL;
            if (ags_store_begin(store, &txn) != AGS_OK) { fail("begin", __LINE__); return NULL; }
            /* Another thread's transaction may begin, copy and commit here, before this one changes what
             * it shares with the state it began from. */
            sched_yield();
            snprintf(patch, sizeof patch,
                     "[{\"op\":\"replace\",\"path\":\"/w%ld/n\",\"value\":%d},"
                     "{\"op\":\"add\",\"path\":\"/w%ld/log/-\",\"value\":%d},"
                     "{\"op\":\"replace\",\"path\":\"/w%ld/last\",\"value\":\"r%d\"}]", w, i + 1, w, i, w, i);
            if (ags_txn_patch(txn, patch, AGS_NTS, 0) != AGS_OK) { fail("txn patch", __LINE__); ags_txn_rollback(txn); return NULL; }
            snprintf(patch, sizeof patch, "[{\"op\":\"remove\",\"path\":\"/w%ld/log/0\"}]", w);
            if (i >= 8 && ags_txn_patch(txn, patch, AGS_NTS, 0) != AGS_OK) { fail("txn patch", __LINE__); ags_txn_rollback(txn); return NULL; }
            /* Every writer also changes one shared member, twice: transactions conflict there, and one
             * changes in place what another one's copy held a moment ago. */
            if (i % 2 == 0) {
                snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"/shared/by\",\"value\":%ld},"
                         "{\"op\":\"replace\",\"path\":\"/shared/round\",\"value\":%d}]", w, i);
                if (ags_txn_patch(txn, patch, AGS_NTS, 0) != AGS_OK) { fail("txn patch", __LINE__); ags_txn_rollback(txn); return NULL; }
            }
            uint64_t version = 0;
            int status = ags_txn_commit(txn, NULL, &version);
            if (status == AGS_OK) break;
            if (status != AGS_ERR_CONFLICT) { fail("commit", __LINE__); return NULL; }
        }
    }
    return NULL;
}

/* Reads through snapshots and the store, and diffs a snapshot against the state, while transactions commit. */
static void *reader(void *arg) {
    (void)arg;
    pthread_barrier_wait(&start);
    for (int i = 0; i < ROUNDS; i++) {
        char *out = NULL;
        if (ags_store_get(store, "/shared", AGS_NTS, 0, &out, NULL) != AGS_OK) { fail("get", __LINE__); return NULL; }
        ags_free(out);
        ags_snapshot *snapshot = NULL;
        if (ags_store_snapshot(store, &snapshot) != AGS_OK) { fail("snapshot", __LINE__); return NULL; }
        if (ags_snapshot_get(snapshot, "/w1", AGS_NTS, 0, &out, NULL) != AGS_OK) { fail("snapshot get", __LINE__); return NULL; }
        ags_free(out);
        ags_snapshot_close(snapshot);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc > 1) ROUNDS = atoi(argv[1]);
    char initial[512] = "{";
    for (int w = 0; w < THREADS; w++) {
        char member[96];
        snprintf(member, sizeof member, "%s\"w%d\":{\"n\":0,\"log\":[],\"last\":\"\"}", w ? "," : "", w);
        strcat(initial, member);
    }
    strcat(initial, ",\"shared\":{\"by\":-1,\"round\":-1}}");
    if (ags_store_open(initial, AGS_NTS, &store) != AGS_OK) { fprintf(stderr, "open failed\n"); return 1; }
    pthread_t threads[THREADS + 1];
    pthread_barrier_init(&start, NULL, THREADS + 1);
    for (long w = 0; w < THREADS; w++) pthread_create(&threads[w], NULL, writer, (void *)w);
    pthread_create(&threads[THREADS], NULL, reader, NULL);
    for (int t = 0; t <= THREADS; t++) pthread_join(threads[t], NULL);
    uint64_t version = 0;
    ags_store_version(store, &version);
    if (version != (uint64_t)THREADS * (uint64_t)ROUNDS) fail("one version per committed transaction", __LINE__);
    for (int w = 0; w < THREADS; w++) {
        char path[16], *out = NULL, expected[32];
        snprintf(path, sizeof path, "/w%d/n", w);
        snprintf(expected, sizeof expected, "%d", ROUNDS);
        if (ags_store_get(store, path, AGS_NTS, 0, &out, NULL) != AGS_OK || strcmp(out, expected) != 0) fail("a write was lost", __LINE__);
        ags_free(out);
        snprintf(path, sizeof path, "/w%d/log", w);
        if (ags_store_get(store, path, AGS_NTS, 0, &out, NULL) != AGS_OK) fail("log", __LINE__);
        else {
            int commas = 0;
            for (char *c = out; *c; c++) commas += *c == ',';
            if (commas != 7) { fprintf(stderr, "log %s\n", out); fail("the log keeps the last eight", __LINE__); }
            ags_free(out);
        }
    }
    ags_store_close(store);
    if (failures) { fprintf(stderr, "%d failures\n", failures); return 1; }
    printf("concurrent transactions: %d threads x %d commits, nothing lost\n", THREADS, ROUNDS);
    return 0;
}
