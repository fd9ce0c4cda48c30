/*
 * Enhanced collaborative editing: a document on durable SQLite storage edited by three users at once, a
 * section lock that keeps the others out of one section while its owner edits it, the lock and conflict
 * activity watched as it happens, a restart that brings the document back with its authors, and a summary
 * at the end: commits per user, conflicts and how they were resolved. Exits 1 if any of it does not hold.
 * Build: cc enhanced_collaborative_editing.c $(pkg-config --cflags --libs agstate) -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agstate.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "enhanced_collaborative_editing: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static void sleep_ms(long ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* Whether the value at ptr is the JSON text want. */
static int is(ags_store *store, const char *ptr, const char *want) {
    char *value = NULL;
    int equal = 0;
    if (ags_store_get(store, ptr, AGS_NTS, 0, &value, NULL) != AGS_OK) return 0;
    must(ags_json_equal(value, AGS_NTS, want, AGS_NTS, &equal), "compare");
    ags_free(value);
    return equal;
}

static ags_status commit(ags_store *store, const char *patch, const char *author, uint64_t base, ags_strategy strategy) {
    ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
    options.author = author;
    options.author_len = AGS_NTS;
    options.base_version = base;
    options.strategy = strategy;
    return ags_store_patch(store, patch, AGS_NTS, &options, NULL);
}

static const char *users[3] = { "ada", "grace", "linus" };
static const ags_strategy strategies[3] = { AGS_STRATEGY_REBASE, AGS_STRATEGY_LAST_WRITE_WINS, AGS_STRATEGY_FIRST_WRITE_WINS };
static ags_store *doc;

static void *edit(void *arg) {
    int n = (int)(intptr_t)arg;
    for (int i = 0; i < 15; i++) {
        uint64_t base = 0;
        must(ags_store_version(doc, &base), "version");  /* this user's copy */
        sleep_ms(1);
        char patch[128];
        snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"/sections/plan/items/1\",\"value\":\"%s %d\"}]", users[n], i);
        must(commit(doc, patch, users[n], base, strategies[n]), "insert");
    }
    return NULL;
}

static char lock_events[512];
static int note_lock(void *user_data, const char *event, size_t event_len) {
    (void)user_data;
    size_t used = strlen(lock_events);
    snprintf(lock_events + used, sizeof lock_events - used, "%.*s ", (int)event_len, event);
    return 0;
}

int main(void) {
    char line[512], folder[] = "/tmp/agstate-collab-XXXXXX", path[256], url[300];
    if (!mkdtemp(folder)) { perror("mkdtemp"); return 1; }
    snprintf(path, sizeof path, "%s/documents.db", folder);
    snprintf(url, sizeof url, "sqlite:%s", path);
    ags_storage *storage = NULL;
    must(ags_storage_open(url, AGS_NTS, NULL, &storage), "open storage");
    must(ags_storage_open_store(storage, "launch-plan", AGS_NTS,
                                "{\"title\":\"Launch plan\",\"sections\":{\"intro\":{\"text\":\"We launch in May.\"},"
                                "\"budget\":{\"amount\":1000},\"plan\":{\"items\":[\"draft\"]}}}", AGS_NTS, &doc), "open store");

    /* Monitoring: every lock event as it happens. */
    ags_watch *watch = NULL;
    must(ags_store_watch_locks(doc, note_lock, NULL, &watch), "watch");

    printf("== a section lock\n");
    must(ags_store_lock(doc, "/sections/budget", AGS_NTS, "ada", AGS_NTS, 5000), "lock");
    uint64_t before = 0, after = 0;
    must(ags_store_version(doc, &before), "version");
    ags_status status = commit(doc, "[{\"op\":\"replace\",\"path\":\"/sections/budget/amount\",\"value\":1}]", "grace", AGS_ANY_VERSION, 0);
    snprintf(line, sizeof line, "grace's edit of the budget, locked by ada, is refused and changes nothing (%s)", ags_errlast()->message);
    must(ags_store_version(doc, &after), "version");
    check(status == AGS_ERR_LOCKED && after == before && is(doc, "/sections/budget/amount", "1000"), line);
    must(commit(doc, "[{\"op\":\"replace\",\"path\":\"/sections/budget/amount\",\"value\":1250}]", "ada", AGS_ANY_VERSION, 0), "edit");
    must(ags_store_unlock(doc, "/sections/budget", AGS_NTS, "ada", AGS_NTS), "unlock");
    must(commit(doc, "[{\"op\":\"replace\",\"path\":\"/sections/budget/amount\",\"value\":1300}]", "grace", AGS_ANY_VERSION, 0), "edit");
    check(is(doc, "/sections/budget/amount", "1300"), "ada edited it under her lock; after she unlocked, grace could");

    printf("== three users at once, each with a strategy, from stale copies\n");
    pthread_t threads[3];
    for (int n = 0; n < 3; n++) pthread_create(&threads[n], NULL, edit, (void *)(intptr_t)n);
    for (int n = 0; n < 3; n++) pthread_join(threads[n], NULL);
    char *items = NULL;
    size_t count = 0;
    must(ags_store_get(doc, "/sections/plan/items", AGS_NTS, 0, &items, NULL), "items");
    for (char *p = items; *p; p++) count += *p == '"';
    ags_free(items);
    check(count == 2 * 46, "all 45 insertions landed, carried over each other");

    printf("== everyone renames the document from the same version\n");
    uint64_t base = 0;
    must(ags_store_version(doc, &base), "version");
    for (int n = 0; n < 3; n++) {  /* ada first: nothing changed since the base; then grace and linus overlap her */
        char patch[128];
        snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"Launch plan by %s\"}]", users[n]);
        status = commit(doc, patch, users[n], base, strategies[n]);
        if (status != AGS_OK && status != AGS_ERR_CONFLICT) must(status, "rename"); /* a refusal is logged */
    }
    check(is(doc, "/title", "\"Launch plan by grace\""), "grace's last-write-wins rename stands; linus's first-write-wins rename was dropped");
    ags_watch_close(watch);

    /* The summary, from the history (authors) and the conflict log. */
    uint64_t final_version = 0;
    must(ags_store_version(doc, &final_version), "version");
    int commits[3] = { 0, 0, 0 };
    for (uint64_t v = 1; v <= final_version; v++) {
        char *author = NULL;
        must(ags_store_author(doc, v, &author, NULL), "author");
        for (int n = 0; n < 3; n++) commits[n] += strcmp(author, users[n]) == 0;
        ags_free(author);
    }
    char *log = NULL, *final_state = NULL, *last_author = NULL;
    must(ags_store_conflicts(doc, 0, 0, &log, NULL), "conflicts");
    must(ags_store_export(doc, 0, &final_state, NULL), "export");
    must(ags_store_author(doc, final_version, &last_author, NULL), "author");
    printf("== summary\n      commits per user: ada %d, grace %d, linus %d\n      conflict log: %s\n      lock events: %s\n",
           commits[0], commits[1], commits[2], log, lock_events);
    snprintf(line, sizeof line, "every one of the %llu commits has its author in the history", (unsigned long long)final_version);
    check(commits[0] + commits[1] + commits[2] == (int)final_version && commits[2] >= 1, line);
    check(strstr(log, "\"last-write-wins\"") && strstr(log, "\"first-write-wins\"") && strstr(log, "\"dropped\""),
          "the overlapping renames met conflicts, each logged with its author, strategy and outcome");
    check(strstr(lock_events, "\"locked\"") && strstr(lock_events, "\"unlocked\""), "the lock watch saw the lock taken and released");
    ags_free(log);
    ags_store_close(doc);
    ags_storage_close(storage);

    printf("== restart\n");
    must(ags_storage_open(url, AGS_NTS, NULL, &storage), "reopen storage");
    must(ags_storage_open_store(storage, "launch-plan", AGS_NTS, NULL, 0, &doc), "reopen store");
    uint64_t version = 0;
    char *state = NULL, *author = NULL;
    int equal = 0;
    must(ags_store_version(doc, &version), "version");
    must(ags_store_export(doc, 0, &state, NULL), "export");
    must(ags_json_equal(state, AGS_NTS, final_state, AGS_NTS, &equal), "compare");
    must(ags_store_author(doc, version, &author, NULL), "author");
    snprintf(line, sizeof line, "the document came back from documents.db at v%llu with its state and authors", (unsigned long long)version);
    check(version == final_version && equal && strcmp(author, last_author) == 0, line);
    ags_free(state); ags_free(author); ags_free(final_state); ags_free(last_author);
    ags_store_close(doc);
    ags_storage_close(storage);
    const char *suffixes[] = { "", "-wal", "-shm" };
    for (int i = 0; i < 3; i++) {
        char name[300];
        snprintf(name, sizeof name, "%.255s%s", path, suffixes[i]);
        unlink(name);
    }
    rmdir(folder);
    if (failures) printf("enhanced_collaborative_editing: %d checks failed\n", failures);
    else printf("enhanced_collaborative_editing: all checks passed\n");
    return failures ? 1 : 0;
}
