/*
 * Collaborative editing: several users edit one document at once, each from a copy that is a few versions
 * behind; their patches carry the version they were made against and the engine carries them over what
 * happened since. Then one conflict under each resolution strategy in turn, presence with a heartbeat and
 * an expiry, and a user cut off who reconnects with edits made offline. Exits 1 if any of it does not hold.
 * Build: cc collaborative_editing.c $(pkg-config --cflags --libs agstate) -lpthread
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agstate.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "collaborative_editing: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static void sleep_ms(long ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* The value at ptr in the store, as JSON text (the caller frees it); NULL when there is none. */
static char *get(ags_store *store, const char *ptr) {
    char *out = NULL;
    return ags_store_get(store, ptr, AGS_NTS, 0, &out, NULL) == AGS_OK ? out : NULL;
}

/* Whether the value at ptr is the JSON text want ("absent" when there should be none). */
static int is(ags_store *store, const char *ptr, const char *want) {
    char *value = get(store, ptr);
    int equal = 0;
    if (!value) return strcmp(want, "absent") == 0;
    if (strcmp(want, "absent") != 0) must(ags_json_equal(value, AGS_NTS, want, AGS_NTS, &equal), "compare");
    ags_free(value);
    return equal;
}

static const char *DOC = "{\"title\":\"Launch plan\",\"tasks\":[\"draft\"],\"sections\":{\"intro\":{\"text\":\"We launch in May.\"},"
                         "\"budget\":{\"amount\":1000},\"notes\":{\"text\":\"tbd\"}}}";

static ags_store *doc;

static void *user(void *name) {
    for (int i = 0; i < 20; i++) {
        uint64_t base = 0;
        must(ags_store_version(doc, &base), "version");  /* the version this user's copy is at */
        sleep_ms(1);                                       /* others commit meanwhile */
        char patch[128];
        snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"/tasks/1\",\"value\":\"%s %d\"}]", (const char *)name, i);
        ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
        options.base_version = base;
        options.author = name;
        options.author_len = AGS_NTS;
        must(ags_store_patch(doc, patch, AGS_NTS, &options, NULL), "patch");
    }
    return NULL;
}

/* The position of the task text in the tasks, or -1. */
static int task_index(const char *text) {
    char *tasks = get(doc, "/tasks"), quoted[64];
    snprintf(quoted, sizeof quoted, "\"%s\"", text);
    int index = -1;
    for (int i = 0; index < 0; i++) {
        char ptr[32], *item = NULL;
        snprintf(ptr, sizeof ptr, "/%d", i);
        if (ags_pointer_get(tasks, AGS_NTS, ptr, AGS_NTS, 0, &item, NULL) != AGS_OK) break;
        if (strcmp(item, quoted) == 0) index = i;
        ags_free(item);
    }
    ags_free(tasks);
    return index;
}

/* The custom strategy: the two budgets are averaged; anything else stays as it is now. */
static char averaged[32];
static int32_t resolve(void *user_data, const ags_conflict *conflict, const char **value, size_t *value_len) {
    (void)user_data;
    if (conflict->path_len == strlen("/sections/budget/amount") &&
        memcmp(conflict->path, "/sections/budget/amount", conflict->path_len) == 0) {
        snprintf(averaged, sizeof averaged, "%ld", (strtol(conflict->current, NULL, 10) + strtol(conflict->proposed, NULL, 10)) / 2);
        *value = averaged;
        *value_len = AGS_NTS;
        return AGS_RESOLVE_KEEP_VALUE;
    }
    return conflict->current ? AGS_RESOLVE_KEEP_CURRENT : AGS_RESOLVE_REMOVE;
}

static char presence_events[1024];
static int note_presence(void *user_data, const char *event, size_t event_len) {
    (void)user_data;
    size_t used = strlen(presence_events);
    snprintf(presence_events + used, sizeof presence_events - used, "%.*s ", (int)event_len, event);
    return 0;
}

int main(void) {
    char line[512];
    const char *names[3] = { "ada", "grace", "linus" };

    printf("== three users edit at once, each from a stale copy\n");
    must(ags_store_open(DOC, AGS_NTS, &doc), "open");
    pthread_t threads[3];
    for (int i = 0; i < 3; i++) pthread_create(&threads[i], NULL, user, (void *)names[i]);
    for (int i = 0; i < 3; i++) pthread_join(threads[i], NULL);
    char *last = get(doc, "/tasks/60");
    int landed = is(doc, "/tasks/0", "\"draft\"") && last != NULL && is(doc, "/tasks/61", "absent"), ordered = 1;
    ags_free(last);
    for (int n = 0; n < 3; n++) {
        for (int i = 0; i < 20; i++) {
            char a[32], b[32];
            snprintf(a, sizeof a, "%s %d", names[n], i);
            landed = landed && task_index(a) >= 0;
            snprintf(b, sizeof b, "%s %d", names[n], i + 1);
            if (i < 19) ordered = ordered && task_index(b) < task_index(a);
        }
    }
    uint64_t version = 0;
    must(ags_store_version(doc, &version), "version");
    char *author = NULL;
    must(ags_store_author(doc, version, &author, NULL), "author");
    printf("      v%llu: 61 tasks; the last commit by %s\n", (unsigned long long)version, author);
    ags_free(author);
    check(landed, "every user's 20 insertions landed, none lost or overwritten");
    check(ordered, "each user's insertions kept their order (rebased over the others' insertions)");

    printf("== one conflict under each strategy\n");
    /* Since the base version, one user raised the budget and removed the notes; another, still at the base,
     * lowers the budget, rewrites the notes and renames the document. */
    const char *stale_edit = "[{\"op\":\"replace\",\"path\":\"/sections/budget/amount\",\"value\":900},"
                             "{\"op\":\"replace\",\"path\":\"/sections/notes/text\",\"value\":\"see the budget\"},"
                             "{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"Launch plan v2\"}]";
    struct { const char *name; ags_strategy strategy; int applies; const char *budget, *notes, *title; } cases[6] = {
        { "reject", AGS_STRATEGY_REJECT, 0, "1200", "absent", "\"Launch plan\"" },
        { "rebase", AGS_STRATEGY_REBASE, 0, "1200", "absent", "\"Launch plan\"" },
        { "last-write-wins", AGS_STRATEGY_LAST_WRITE_WINS, 1, "900", "{\"text\":\"see the budget\"}", "\"Launch plan v2\"" },
        { "first-write-wins", AGS_STRATEGY_FIRST_WRITE_WINS, 1, "1200", "absent", "\"Launch plan v2\"" },
        { "merge", AGS_STRATEGY_MERGE, 0, "1200", "absent", "\"Launch plan\"" },
        { "custom", AGS_STRATEGY_CUSTOM, 1, "1050", "absent", "\"Launch plan v2\"" },
    };
    for (int c = 0; c < 6; c++) {
        ags_store *store = NULL;
        must(ags_store_open(DOC, AGS_NTS, &store), "open");
        ags_commit_options by_ada = AGS_COMMIT_OPTIONS_INIT;
        by_ada.author = "ada";
        by_ada.author_len = AGS_NTS;
        must(ags_store_patch(store, "[{\"op\":\"replace\",\"path\":\"/sections/budget/amount\",\"value\":1200},"
                                    "{\"op\":\"remove\",\"path\":\"/sections/notes\"}]", AGS_NTS, &by_ada, NULL), "patch");
        ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
        options.base_version = 0;
        options.strategy = cases[c].strategy;
        options.author = "grace";
        options.author_len = AGS_NTS;
        if (cases[c].strategy == AGS_STRATEGY_CUSTOM) options.resolver = resolve;
        ags_status status = ags_store_patch(store, stale_edit, AGS_NTS, &options, NULL);
        if (status != AGS_OK && status != AGS_ERR_CONFLICT) must(status, "stale patch");
        char *log = NULL, *record = NULL;
        must(ags_store_conflicts(store, 0, 0, &log, NULL), "conflicts");
        must(ags_pointer_get(log, AGS_NTS, "/0/conflicts", AGS_NTS, 0, &record, NULL), "conflict record");
        printf("      %-17s %-8s %s\n", cases[c].name, status == AGS_OK ? "applied" : "refused", record);
        ags_free(record);
        ags_free(log);
        snprintf(line, sizeof line, "%s: %s as documented", cases[c].name, cases[c].applies ? "applied" : "refused, nothing changed");
        check((status == AGS_OK) == cases[c].applies && is(store, "/sections/budget/amount", cases[c].budget) &&
              is(store, "/sections/notes", cases[c].notes) && is(store, "/title", cases[c].title), line);
        ags_store_close(store);
    }

    printf("== presence\n");
    ags_watch *watch = NULL;
    must(ags_store_watch_presence(doc, note_presence, NULL, &watch), "watch");
    must(ags_store_presence_set(doc, "ada", AGS_NTS, "{\"cursor\":\"/sections/intro\"}", AGS_NTS, 60000), "presence");
    must(ags_store_presence_set(doc, "grace", AGS_NTS, "{\"cursor\":\"/tasks/3\"}", AGS_NTS, 60000), "presence");
    must(ags_store_presence_set(doc, "linus", AGS_NTS, "{\"cursor\":\"/title\"}", AGS_NTS, 50), "presence"); /* his heartbeat stops */
    must(ags_store_presence_set(doc, "ada", AGS_NTS, "{\"cursor\":\"/sections/budget\"}", AGS_NTS, 60000), "presence");
    must(ags_store_presence_leave(doc, "grace", AGS_NTS), "leave");
    sleep_ms(100);
    must(ags_store_expire(doc), "expire");
    char *present = NULL;
    int equal = 0;
    must(ags_store_presence(doc, 0, &present, NULL), "presence");
    printf("      events: %s\n      present now: %s\n", presence_events, present);
    must(ags_json_equal(present, AGS_NTS, "{\"ada\":{\"cursor\":\"/sections/budget\"}}", AGS_NTS, &equal), "compare");
    check(equal, "ada is present at her new cursor; grace left; linus expired");
    check(strstr(presence_events, "\"left\"") && strstr(presence_events, "\"expired\""), "watchers heard the joins, the leave and the expiry");
    ags_free(present);
    ags_watch_close(watch);

    printf("== a user cut off, reconnecting with stale edits\n");
    uint64_t offline_at = 0, committed = 0;
    must(ags_store_version(doc, &offline_at), "version");
    const char *queued = "[{\"op\":\"replace\",\"path\":\"/tasks/0\",\"value\":\"draft (linus reviewed)\"},"
                         "{\"op\":\"add\",\"path\":\"/tasks/1\",\"value\":\"linus offline\"},"
                         "{\"op\":\"replace\",\"path\":\"/sections/intro/text\",\"value\":\"We launch in June.\"}]";
    for (int i = 0; i < 5; i++) { /* the others go on meanwhile */
        char patch[128];
        snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"/tasks/0\",\"value\":\"urgent %d\"}]", i);
        must(ags_store_patch(doc, patch, AGS_NTS, NULL, NULL), "patch");
    }
    must(ags_store_set(doc, "/sections/budget/amount", AGS_NTS, "1500", AGS_NTS, NULL, NULL), "set");
    ags_commit_options by_linus = AGS_COMMIT_OPTIONS_INIT;
    by_linus.base_version = offline_at;
    by_linus.author = "linus";
    by_linus.author_len = AGS_NTS;
    must(ags_store_patch(doc, queued, AGS_NTS, &by_linus, &committed), "reconnect"); /* the queued edits, rebased */
    char *old = NULL, *event = NULL, *mine = NULL, *theirs = NULL;
    ags_store *local = NULL;
    must(ags_store_state_at(doc, offline_at, 0, &old, NULL), "state at");
    must(ags_store_open(old, AGS_NTS, &local), "open");
    must(ags_store_delta_event(doc, offline_at, 0, &event, NULL), "delta event");
    must(ags_store_apply_event(local, event, AGS_NTS, NULL, NULL), "catch up"); /* his copy, with one delta */
    printf("      his edits made at v%llu committed as v%llu\n", (unsigned long long)offline_at, (unsigned long long)committed);
    check(is(doc, "/tasks/0", "\"urgent 4\"") && is(doc, "/tasks/4", "\"urgent 0\"") && is(doc, "/tasks/5", "\"draft (linus reviewed)\"") &&
          is(doc, "/tasks/6", "\"linus offline\""), "his edits moved past the 5 insertions made while he was away");
    check(is(doc, "/sections/intro/text", "\"We launch in June.\"") && is(doc, "/sections/budget/amount", "1500"),
          "his section edit and the budget change both stand");
    must(ags_store_export(local, 0, &mine, NULL), "export");
    must(ags_store_export(doc, 0, &theirs, NULL), "export");
    must(ags_json_equal(mine, AGS_NTS, theirs, AGS_NTS, &equal), "compare");
    must(ags_store_author(doc, committed, &author, NULL), "author");
    check(equal && strcmp(author, "linus") == 0, "his copy caught up with one STATE_DELTA, and the history names him as the author");
    ags_free(author); ags_free(old); ags_free(event); ags_free(mine); ags_free(theirs);
    ags_store_close(local);
    ags_store_close(doc);
    if (failures) printf("collaborative_editing: %d checks failed\n", failures);
    else printf("collaborative_editing: all checks passed\n");
    return failures ? 1 : 0;
}
