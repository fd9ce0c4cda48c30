/* Many processes sharing one store through a server-backed storage (PostgreSQL or Redis).
 *
 *   test_shared_storage basic URL
 *   test_shared_storage run URL PROCESSES COMMITS [STOP_COMMAND START_COMMAND]
 *
 * run: PROCESSES children each commit COMMITS changes to one store id (each change tests the counter,
 * increments it and appends {"p":P,"i":I,"t":NS} to a list), retrying on AGS_ERR_CONFLICT (a lost race)
 * and on AGS_ERR_UNAVAILABLE (the server is down). A commit that failed with AGS_ERR_UNAVAILABLE is in
 * doubt (the server may have stored it before the connection broke): before it is tried again, the child
 * waits until its store has caught up and looks for the append. Every child then waits until its store
 * holds every process's changes, checks the counter and that every append is in the list exactly once,
 * writes its state to a file, and reports the delay between another process's commit and its arrival here
 * (fan-out latency). The parent checks that all children ended with the same bytes. With STOP/START
 * commands the parent stops the server (pg_ctl stop -m immediate, or kill -9 of redis-server) in the middle
 * of the run, starts it again, and prints the circuit breaker's statistics as a child saw them.
 *
 * Without a server URL (the test command passes AGSTATE_TEST_PG_URL or AGSTATE_TEST_REDIS_URL): the test
 * is skipped (exit 77), or fails when CI is set. */
#include <agstate.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
    fprintf(stderr, __VA_ARGS__); fprintf(stderr, " (%s)\n", ags_errlast()->message); exit(1); } } while (0)

static int64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ms(int ms) {
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

/* Fan-out latencies (ns) of changes made by other processes, seen by this one's subscriber. */
#define MAX_SAMPLES 200000
static int64_t *samples;
static size_t sample_count;
static int self_id;

/* The subscriber must hear of every version once, in order (from this process's commits and others'). */
static volatile uint64_t heard_version;
static volatile int heard_out_of_order;

static int on_change(void *user_data, uint64_t version, const char *patch, size_t len) {
    (void)user_data; (void)len;
    if (heard_version != 0 && version != heard_version + 1) heard_out_of_order = 1;   /* from the first notice on */
    heard_version = version;
    const char *p = strstr(patch, "{\"p\":");
    if (!p) return 0;
    int who = atoi(p + 5);
    const char *t = strstr(p, "\"t\":");
    if (!t || who == self_id) return 0;
    if (sample_count < MAX_SAMPLES) samples[sample_count++] = now_ns() - strtoll(t + 4, NULL, 10);
    return 0;
}

static int compare_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static char *export_state(ags_store *store) {
    char *json = NULL;
    CHECK(ags_store_export(store, 0, &json, NULL) == AGS_OK, "export");
    return json;
}

static int holds_append(ags_store *store, int p, int i) {
    char needle[64];
    snprintf(needle, sizeof needle, "{\"p\":%d,\"i\":%d,", p, i);
    char *json = export_state(store);
    int found = strstr(json, needle) != NULL;
    ags_free(json);
    return found;
}

static int child(const char *url, const char *id, int p, int processes, int commits, const char *out_path) {
    self_id = p;
    samples = malloc(sizeof(int64_t) * MAX_SAMPLES);
    ags_storage *storage;
    for (int tries = 0; ags_storage_open(url, AGS_NTS, NULL, &storage) != AGS_OK; tries++) {
        CHECK(tries < 600 && ags_errlast()->code == AGS_ERR_UNAVAILABLE, "open storage");
        sleep_ms(100);
    }
    ags_store *store;
    for (int tries = 0; ags_storage_open_store(storage, id, AGS_NTS, "{\"counter\":0,\"list\":[]}", AGS_NTS, &store) != AGS_OK; tries++) {
        CHECK(tries < 600 && ags_errlast()->code == AGS_ERR_UNAVAILABLE, "open store");
        sleep_ms(100);
    }
    ags_subscription *subscription;
    CHECK(ags_store_subscribe(store, "", 0, on_change, NULL, &subscription) == AGS_OK, "subscribe");
    uint64_t conflicts = 0, unavailable = 0;
    for (int i = 0; i < commits; i++) {
        int in_doubt = 0;
        for (;;) {
            if (in_doubt && holds_append(store, p, i)) break;
            char *counter_text = NULL;
            CHECK(ags_store_get(store, "/counter", AGS_NTS, 0, &counter_text, NULL) == AGS_OK, "get");
            long long counter = atoll(counter_text);
            ags_free(counter_text);
            char patch[256];
            snprintf(patch, sizeof patch,
                     "[{\"op\":\"test\",\"path\":\"/counter\",\"value\":%lld},{\"op\":\"replace\",\"path\":\"/counter\",\"value\":%lld},"
                     "{\"op\":\"add\",\"path\":\"/list/-\",\"value\":{\"p\":%d,\"i\":%d,\"t\":%lld}}]",
                     counter, counter + 1, p, i, (long long)now_ns());
            uint64_t version;
            ags_status status = ags_store_patch(store, patch, AGS_NTS, NULL, &version);
            if (status == AGS_OK) break;
            if (status == AGS_ERR_CONFLICT || status == AGS_ERR_TEST_FAILED) { conflicts++; continue; }
            CHECK(status == AGS_ERR_UNAVAILABLE, "commit %d of process %d: status %d", i, p, (int)status);
            unavailable++;
            in_doubt = 1;
            sleep_ms(50);
        }
    }
    /* Wait until every process's changes are here. */
    uint64_t total = (uint64_t)processes * (uint64_t)commits;
    for (int waited = 0;; waited += 10) {
        char *counter_text = NULL;
        CHECK(ags_store_get(store, "/counter", AGS_NTS, 0, &counter_text, NULL) == AGS_OK, "get");
        long long counter = atoll(counter_text);
        ags_free(counter_text);
        if ((uint64_t)counter == total) break;
        CHECK(waited < 120000, "process %d: counter %lld after 120 s, expected %llu", p, counter, (unsigned long long)total);
        sleep_ms(10);
    }
    /* The state is published before subscribers are told: wait for the last notice. */
    for (int waited = 0; heard_version < total && waited < 10000; waited++) sleep_ms(1);
    CHECK(heard_version == total && !heard_out_of_order, "process %d: the subscriber heard up to version %llu%s", p,
          (unsigned long long)heard_version, heard_out_of_order ? ", out of order or twice" : "");
    uint64_t version;
    char *json = export_state(store);
    CHECK(ags_store_version(store, &version) == AGS_OK, "version");
    CHECK(version == total, "process %d: version %llu, expected %llu", p, (unsigned long long)version, (unsigned long long)total);
    /* Every append exactly once. */
    for (int q = 0; q < processes; q++)
        for (int i = 0; i < commits; i++) {
            char needle[64];
            snprintf(needle, sizeof needle, "{\"p\":%d,\"i\":%d,", q, i);
            const char *first = strstr(json, needle);
            CHECK(first && !strstr(first + 1, needle), "process %d: append (%d, %d) is %s", p, q, i, first ? "there twice" : "missing");
        }
    FILE *f = fopen(out_path, "w");
    CHECK(f && fwrite(json, 1, strlen(json), f) == strlen(json) && fclose(f) == 0, "write %s", out_path);
    ags_free(json);
    ags_subscription_close(subscription);
    qsort(samples, sample_count, sizeof samples[0], compare_i64);
    char *stats = NULL;
    CHECK(ags_storage_stats(storage, &stats, NULL) == AGS_OK, "stats");
    printf("process %d: version %llu, %llu conflicts retried, %llu unavailable retried, fan-out latency p50 %.2f ms p99 %.2f ms (%zu changes)\n",
           p, (unsigned long long)version, (unsigned long long)conflicts, (unsigned long long)unavailable,
           sample_count ? samples[sample_count / 2] / 1e6 : 0.0, sample_count ? samples[sample_count * 99 / 100] / 1e6 : 0.0, sample_count);
    printf("process %d stats: %s\n", p, stats);
    fflush(stdout);
    ags_free(stats);
    ags_store_close(store);
    ags_storage_close(storage);
    return 0;
}

static int run(const char *url, int processes, int commits, const char *stop, const char *start) {
    char id[64], dir[] = "/tmp/agstate-shared-XXXXXX";
    snprintf(id, sizeof id, "shared-%d-%lld", (int)getpid(), (long long)now_ns());
    CHECK(mkdtemp(dir), "mkdtemp");
    pid_t pids[64];
    CHECK(processes >= 1 && processes <= 64, "1 to 64 processes");
    int64_t began = now_ns();
    for (int p = 0; p < processes; p++) {
        pids[p] = fork();
        CHECK(pids[p] >= 0, "fork");
        if (pids[p] == 0) {
            char path[128];
            snprintf(path, sizeof path, "%s/state.%d", dir, p);
            _exit(child(url, id, p, processes, commits, path));
        }
    }
    if (stop && start) {
        /* Stop the server in the middle of the run: watch the store's counter from here. */
        ags_storage *storage;
        ags_store *store;
        CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_OK, "open storage (parent)");
        for (int tries = 0; ags_storage_open_store(storage, id, AGS_NTS, "{\"counter\":0,\"list\":[]}", AGS_NTS, &store) != AGS_OK; tries++) {
            CHECK(tries < 100, "open store (parent)");
            sleep_ms(50);
        }
        uint64_t version = 0;
        while (ags_store_version(store, &version) == AGS_OK && version < (uint64_t)processes * commits / 2) sleep_ms(5);
        ags_store_close(store);
        ags_storage_close(storage);
        printf("stopping the server at version %llu: %s\n", (unsigned long long)version, stop);
        fflush(stdout);
        CHECK(system(stop) == 0, "stop command");
        sleep_ms(1500);
        printf("starting it again: %s\n", start);
        fflush(stdout);
        CHECK(system(start) == 0, "start command");
    }
    int failed = 0;
    for (int p = 0; p < processes; p++) {
        int status;
        CHECK(waitpid(pids[p], &status, 0) == pids[p], "waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) { fprintf(stderr, "process %d failed\n", p); failed = 1; }
    }
    double seconds = (now_ns() - began) / 1e9;
    CHECK(!failed, "a process failed");
    char first[128], other[128];
    snprintf(first, sizeof first, "%s/state.0", dir);
    for (int p = 1; p < processes; p++) {
        snprintf(other, sizeof other, "%s/state.%d", dir, p);
        char command[512];
        snprintf(command, sizeof command, "cmp -s %s %s", first, other);
        CHECK(system(command) == 0, "process %d ended with another state than process 0", p);
    }
    printf("%d processes x %d commits: every process at version %d with the same state, counter %d, every append once (%.1f s, %.0f commits/s)\n",
           processes, commits, processes * commits, processes * commits, seconds, processes * commits / seconds);
    char command[256];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", dir);
    return 0;
}

static int basic(const char *url) {
    ags_storage *storage;
    CHECK(ags_storage_open(url, AGS_NTS, NULL, &storage) == AGS_OK, "open %s", url);
    char id[64];
    snprintf(id, sizeof id, "basic-%d-%lld", (int)getpid(), (long long)now_ns());
    ags_store *a, *b;
    CHECK(ags_storage_open_store(storage, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &a) == AGS_OK, "open store");
    uint64_t version;
    CHECK(ags_store_patch(a, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":1}]", AGS_NTS, NULL, &version) == AGS_OK && version == 1, "commit");
    /* A second storage (another process, as far as the server knows) sees the store and races it. */
    ags_storage *second;
    CHECK(ags_storage_open(url, AGS_NTS, NULL, &second) == AGS_OK, "open second");
    CHECK(ags_storage_open_store(second, id, AGS_NTS, NULL, 0, &b) == AGS_OK, "open store in second");
    CHECK(ags_store_version(b, &version) == AGS_OK && version == 1, "second at version 1");
    CHECK(ags_store_patch(b, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", AGS_NTS, NULL, &version) == AGS_OK && version == 2, "second commits 2");
    /* a has not heard yet, or has: either way a commit of version 2 from a loses or comes after. */
    ags_status status = ags_store_patch(a, "[{\"op\":\"add\",\"path\":\"/from_a\",\"value\":true}]", AGS_NTS, NULL, &version);
    if (status == AGS_ERR_CONFLICT) {
        CHECK(ags_store_version(a, &version) == AGS_OK && version == 2, "a caught up after its conflict");
        CHECK(ags_store_patch(a, "[{\"op\":\"add\",\"path\":\"/from_a\",\"value\":true}]", AGS_NTS, NULL, &version) == AGS_OK, "retry");
    } else {
        CHECK(status == AGS_OK, "commit from a");
    }
    CHECK(version == 3, "a committed version 3");
    for (int waited = 0; ags_store_version(b, &version) == AGS_OK && version < 3; waited++) {
        CHECK(waited < 5000, "b never heard of version 3");
        sleep_ms(1);
    }
    char *ja = export_state(a), *jb = export_state(b);
    CHECK(strcmp(ja, jb) == 0 && strcmp(ja, "{\"n\":2,\"from_a\":true}") == 0, "same state: %s / %s", ja, jb);
    ags_free(ja);
    ags_free(jb);
    char *ids = NULL;
    CHECK(ags_storage_list(storage, &ids, NULL) == AGS_OK && strstr(ids, id), "list");
    ags_free(ids);
    char *stats = NULL;
    CHECK(ags_storage_stats(storage, &stats, NULL) == AGS_OK && strstr(stats, "\"state\":\"closed\""), "stats");
    ags_free(stats);
    CHECK(ags_storage_delete(storage, id, AGS_NTS) == AGS_OK, "delete");
    CHECK(ags_store_patch(a, "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]", AGS_NTS, NULL, &version) == AGS_ERR_CLOSED, "deleted store is closed");
    status = ags_store_patch(b, "[{\"op\":\"add\",\"path\":\"/x\",\"value\":1}]", AGS_NTS, NULL, &version);
    CHECK(status == AGS_ERR_CLOSED, "a store deleted by another process is closed there too (%d)", (int)status);
    CHECK(ags_storage_delete(storage, id, AGS_NTS) == AGS_ERR_PATH_NOT_FOUND, "delete twice");
    ags_store_close(a);
    ags_store_close(b);
    ags_storage_close(second);
    ags_storage_close(storage);
    int redis = strncmp(url, "redis", 5) == 0;
    CHECK(ags_storage_open(redis ? "redis://127.0.0.1:1?agstate_breaker_failures=1" : "postgres://127.0.0.1:1/none?agstate_breaker_failures=1",
                           AGS_NTS, NULL, &storage) == AGS_ERR_UNAVAILABLE, "an unreachable server is AGS_ERR_UNAVAILABLE");
    CHECK(ags_storage_open(redis ? "redis://127.0.0.1:1?agstate_pool_size=0" : "postgres://127.0.0.1:1/none?agstate_pool_size=0",
                           AGS_NTS, NULL, &storage) == AGS_ERR_INVALID_ARGUMENT, "a bad setting is AGS_ERR_INVALID_ARGUMENT");
    printf("basic: conflict and catch-up, fan-out, list, delete, stats, unreachable server: ok\n");
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) { fprintf(stderr, "usage: %s basic|run URL [PROCESSES COMMITS [STOP START]]\n", argv[0]); return 2; }
    const char *url = argv[2];
    if (url[0] == 0) {
        if (getenv("CI")) { fprintf(stderr, "FAIL: no server URL in CI (the test command starts the servers)\n"); return 1; }
        printf("skipped: no server (its AGSTATE_TEST_*_URL is unset)\n");
        return 77;
    }
    if (strcmp(argv[1], "basic") == 0) return basic(url);
    if (strcmp(argv[1], "run") == 0 && argc >= 5)
        return run(url, atoi(argv[3]), atoi(argv[4]), argc >= 7 ? argv[5] : NULL, argc >= 7 ? argv[6] : NULL);
    fprintf(stderr, "bad arguments\n");
    return 2;
}
