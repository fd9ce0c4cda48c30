/* Collaboration from C: patches against an older version under every strategy, a custom resolver, authors,
 * the conflict log, section locks, presence and their watches. */
#include <agstate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static int text_is(char *out, const char *expected) {
    int same = out != NULL && strcmp(out, expected) == 0;
    if (!same) fprintf(stderr, "got %s, expected %s\n", out ? out : "(null)", expected);
    ags_free(out);
    return same;
}

static int value_is(ags_store *store, const char *ptr, const char *expected) {
    char *out = NULL;
    return ags_store_get(store, ptr, AGS_NTS, 0, &out, NULL) == AGS_OK && text_is(out, expected);
}

#define BASE "{\"title\":\"T\",\"items\":[\"a\",\"b\",\"c\"]}"

/* A commits a, then B's b (made against version 0) goes in with strategy; returns B's status. */
static ags_status race(ags_store **store, const char *a, const char *b, ags_strategy strategy) {
    CHECK(ags_store_open(BASE, AGS_NTS, store) == AGS_OK);
    ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
    o.author = "A"; o.author_len = AGS_NTS;
    CHECK(ags_store_patch(*store, a, AGS_NTS, &o, NULL) == AGS_OK);
    o.author = "B"; o.base_version = 0; o.strategy = strategy;
    return ags_store_patch(*store, b, AGS_NTS, &o, NULL);
}

#define SAME_LEAF_A "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"A\"}]"
#define SAME_LEAF_B "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"B\"}]"
#define INSERT_A "[{\"op\":\"add\",\"path\":\"/items/1\",\"value\":\"A\"}]"
#define INSERT_B "[{\"op\":\"add\",\"path\":\"/items/1\",\"value\":\"B\"}]"
#define REMOVE_A "[{\"op\":\"remove\",\"path\":\"/items/1\"}]"
#define EDIT_B "[{\"op\":\"replace\",\"path\":\"/items/1\",\"value\":\"B\"}]"

static void strategies(void) {
    ags_store *s;
    CHECK(race(&s, SAME_LEAF_A, SAME_LEAF_B, AGS_STRATEGY_REJECT) == AGS_ERR_CONFLICT);
    CHECK(value_is(s, "/title", "\"A\"")); ags_store_close(s);
    CHECK(race(&s, INSERT_A, INSERT_B, AGS_STRATEGY_REBASE) == AGS_OK);
    CHECK(value_is(s, "/items", "[\"a\",\"A\",\"B\",\"b\",\"c\"]")); ags_store_close(s);
    CHECK(race(&s, REMOVE_A, EDIT_B, AGS_STRATEGY_REBASE) == AGS_ERR_CONFLICT);
    CHECK(ags_errlast()->pointer != NULL && strcmp(ags_errlast()->pointer, "/items/1") == 0); ags_store_close(s);
    CHECK(race(&s, REMOVE_A, EDIT_B, AGS_STRATEGY_LAST_WRITE_WINS) == AGS_OK);
    CHECK(value_is(s, "/items", "[\"a\",\"B\",\"c\"]")); ags_store_close(s);
    CHECK(race(&s, SAME_LEAF_A, SAME_LEAF_B, AGS_STRATEGY_FIRST_WRITE_WINS) == AGS_OK);
    CHECK(value_is(s, "/title", "\"A\"")); ags_store_close(s);
    CHECK(race(&s, SAME_LEAF_A, SAME_LEAF_B, AGS_STRATEGY_MERGE) == AGS_ERR_CONFLICT); ags_store_close(s);
    CHECK(race(&s, SAME_LEAF_A, "[{\"op\":\"add\",\"path\":\"/items/-\",\"value\":\"d\"}]", AGS_STRATEGY_MERGE) == AGS_OK);
    CHECK(value_is(s, "", "{\"title\":\"A\",\"items\":[\"a\",\"b\",\"c\",\"d\"]}")); ags_store_close(s);
    /* An unknown strategy is refused before anything happens. */
    CHECK(race(&s, SAME_LEAF_A, SAME_LEAF_B, 99) == AGS_ERR_INVALID_ARGUMENT); ags_store_close(s);

    /* The store's default applies when the call names none. */
    CHECK(ags_store_open(BASE, AGS_NTS, &s) == AGS_OK);
    ags_strategy st = 0;
    CHECK(ags_store_strategy(s, &st) == AGS_OK && st == AGS_STRATEGY_REBASE);
    CHECK(ags_store_set_strategy(s, AGS_STRATEGY_FIRST_WRITE_WINS) == AGS_OK);
    CHECK(ags_store_set_strategy(s, AGS_STRATEGY_DEFAULT) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_patch(s, SAME_LEAF_A, AGS_NTS, NULL, NULL) == AGS_OK);
    ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
    o.base_version = 0;
    CHECK(ags_store_patch(s, SAME_LEAF_B, AGS_NTS, &o, NULL) == AGS_OK);
    CHECK(value_is(s, "/title", "\"A\""));
    o.base_version = 7;
    CHECK(ags_store_patch(s, SAME_LEAF_B, AGS_NTS, &o, NULL) == AGS_ERR_INVALID_ARGUMENT);
    ags_store_close(s);
}

static int resolver_calls = 0;
static ags_resolution longest(void *user_data, const ags_conflict *c, const char **value, size_t *value_len) {
    (void)user_data;
    resolver_calls++;
    if (c->current == NULL || c->proposed == NULL) return AGS_RESOLVE_REFUSE;
    if (strncmp(c->path, "/title", c->path_len) != 0 || strcmp(c->base, "\"T\"") != 0) return AGS_RESOLVE_REFUSE;
    if (c->proposed_len > c->current_len) return AGS_RESOLVE_KEEP_PROPOSED;
    *value = "\"both\"";
    *value_len = AGS_NTS;
    return AGS_RESOLVE_KEEP_VALUE;
}

static void custom(void) {
    ags_store *s;
    CHECK(ags_store_open(BASE, AGS_NTS, &s) == AGS_OK);
    CHECK(ags_store_patch(s, SAME_LEAF_A, AGS_NTS, NULL, NULL) == AGS_OK);
    ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
    o.base_version = 0; o.strategy = AGS_STRATEGY_CUSTOM; o.resolver = longest;
    CHECK(ags_store_patch(s, SAME_LEAF_B, AGS_NTS, &o, NULL) == AGS_OK);
    CHECK(value_is(s, "/title", "\"both\""));
    CHECK(ags_store_patch(s, "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"longer\"}]", AGS_NTS, &o, NULL) == AGS_OK);
    CHECK(value_is(s, "/title", "\"longer\""));
    CHECK(ags_store_patch(s, REMOVE_A, AGS_NTS, NULL, NULL) == AGS_OK);
    CHECK(ags_store_patch(s, EDIT_B, AGS_NTS, &o, NULL) == AGS_ERR_CONFLICT); /* removed: refused */
    CHECK(resolver_calls == 3);
    o.resolver = NULL;
    CHECK(ags_store_patch(s, SAME_LEAF_B, AGS_NTS, &o, NULL) == AGS_ERR_CONFLICT);
    ags_store_close(s);
}

static void authors_and_log(void) {
    ags_store *s;
    CHECK(race(&s, SAME_LEAF_A, SAME_LEAF_B, AGS_STRATEGY_FIRST_WRITE_WINS) == AGS_OK);
    char *out = NULL;
    CHECK(ags_store_author(s, 1, &out, NULL) == AGS_OK && text_is(out, "A"));
    CHECK(ags_store_author(s, 2, &out, NULL) == AGS_OK && text_is(out, "B"));
    CHECK(ags_store_author(s, 3, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_history(s, 1, 0, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"version\":2,\"patch\":[],\"author\":\"B\"}]"));
    CHECK(ags_store_conflicts(s, 0, 0, &out, NULL) == AGS_OK &&
          text_is(out, "[{\"sequence\":1,\"author\":\"B\",\"base_version\":0,\"version\":2,\"strategy\":\"first-write-wins\","
                       "\"outcome\":\"applied\",\"conflicts\":[{\"path\":\"/title\",\"outcome\":\"dropped\"}]}]"));
    CHECK(ags_store_conflicts(s, 1, 0, &out, NULL) == AGS_OK && text_is(out, "[]"));
    ags_store_close(s);

    /* A base version that left the history. */
    CHECK(ags_store_open("{\"n\":0}", AGS_NTS, &s) == AGS_OK);
    int64_t old;
    CHECK(ags_store_limit(s, AGS_LIMIT_HISTORY_VERSIONS, 2, &old) == AGS_OK);
    for (int i = 0; i < 5; i++) CHECK(ags_store_set(s, "/n", AGS_NTS, "1", AGS_NTS, NULL, NULL) == AGS_OK);
    ags_commit_options o = AGS_COMMIT_OPTIONS_INIT;
    o.base_version = 1;
    CHECK(ags_store_patch(s, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]", AGS_NTS, &o, NULL) == AGS_ERR_NOT_IN_HISTORY);
    ags_store_close(s);
}

static char events[4096];
static int watch_fn(void *user_data, const char *event, size_t len) {
    (void)user_data;
    if (strlen(events) + len + 2 < sizeof events) { strncat(events, event, len); strcat(events, "\n"); }
    return 0;
}

static void locks_and_presence(void) {
    ags_store *s;
    CHECK(ags_store_open("{\"doc\":{\"body\":1},\"x\":0}", AGS_NTS, &s) == AGS_OK);
    ags_watch *w = NULL;
    CHECK(ags_store_watch_locks(s, watch_fn, NULL, &w) == AGS_OK);
    CHECK(ags_store_lock(s, "/doc/body", AGS_NTS, "alice", AGS_NTS, 60000) == AGS_OK);
    ags_commit_options bob = AGS_COMMIT_OPTIONS_INIT, alice = AGS_COMMIT_OPTIONS_INIT;
    bob.author = "bob"; bob.author_len = 3;
    alice.author = "alice"; alice.author_len = AGS_NTS;
    CHECK(ags_store_set(s, "/doc", AGS_NTS, "2", AGS_NTS, &bob, NULL) == AGS_ERR_LOCKED);
    CHECK(strstr(ags_errlast()->message, "alice") != NULL);
    CHECK(ags_store_set(s, "/doc/body", AGS_NTS, "2", AGS_NTS, NULL, NULL) == AGS_ERR_LOCKED);
    CHECK(ags_store_set(s, "/x", AGS_NTS, "2", AGS_NTS, &bob, NULL) == AGS_OK);
    CHECK(ags_store_set(s, "/doc/body", AGS_NTS, "3", AGS_NTS, &alice, NULL) == AGS_OK);
    CHECK(ags_store_lock(s, "/doc", AGS_NTS, "bob", AGS_NTS, 1000) == AGS_ERR_LOCKED);
    CHECK(ags_store_lock(s, "/doc", AGS_NTS, "bob", AGS_NTS, 0) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_renew_lock(s, "/doc/body", AGS_NTS, "alice", AGS_NTS, 30000) == AGS_OK);
    CHECK(ags_store_renew_lock(s, "/doc/body", AGS_NTS, "bob", AGS_NTS, 30000) == AGS_ERR_PATH_NOT_FOUND);
    char *out = NULL;
    CHECK(ags_store_locks(s, 0, &out, NULL) == AGS_OK && strstr(out, "\"owner\":\"alice\"") != NULL);
    ags_free(out);
    CHECK(ags_store_unlock(s, "/doc/body", AGS_NTS, "bob", AGS_NTS) == AGS_ERR_LOCKED);
    CHECK(ags_store_unlock(s, "/doc/body", AGS_NTS, "alice", AGS_NTS) == AGS_OK);
    CHECK(ags_store_set(s, "/doc/body", AGS_NTS, "4", AGS_NTS, &bob, NULL) == AGS_OK);
    /* A lease expires. */
    CHECK(ags_store_lock(s, "/x", AGS_NTS, "bob", AGS_NTS, 1) == AGS_OK);
    ags_commit_options none = AGS_COMMIT_OPTIONS_INIT;
    for (int spin = 0; spin < 200000000; spin++) {
        if (ags_store_set(s, "/x", AGS_NTS, "5", AGS_NTS, &none, NULL) == AGS_OK) break;
    }
    CHECK(ags_store_expire(s) == AGS_OK);
    ags_watch_close(w);
    ags_watch_close(NULL);
    CHECK(ags_store_lock(s, "/y", AGS_NTS, "bob", AGS_NTS, 10) == AGS_OK);
    CHECK(strcmp(events,
        "{\"kind\":\"locked\",\"path\":\"/doc/body\",\"owner\":\"alice\"}\n"
        "{\"kind\":\"renewed\",\"path\":\"/doc/body\",\"owner\":\"alice\"}\n"
        "{\"kind\":\"unlocked\",\"path\":\"/doc/body\",\"owner\":\"alice\"}\n"
        "{\"kind\":\"locked\",\"path\":\"/x\",\"owner\":\"bob\"}\n"
        "{\"kind\":\"expired\",\"path\":\"/x\",\"owner\":\"bob\"}\n") == 0);
    if (failures) fprintf(stderr, "%s", events);

    events[0] = 0;
    CHECK(ags_store_watch_presence(s, watch_fn, NULL, &w) == AGS_OK);
    CHECK(ags_store_presence_set(s, "alice", AGS_NTS, "{\"cursor\":1}", AGS_NTS, 60000) == AGS_OK);
    CHECK(ags_store_presence_set(s, "bob", AGS_NTS, "{\"cursor\":2}", AGS_NTS, 60000) == AGS_OK);
    CHECK(ags_store_presence_set(s, "bob", AGS_NTS, "{\"cursor\":3}", AGS_NTS, 60000) == AGS_OK);
    CHECK(ags_store_presence_set(s, "bob", AGS_NTS, "{\"cursor\":", AGS_NTS, 60000) == AGS_ERR_INVALID_JSON);
    CHECK(ags_store_presence(s, 0, &out, NULL) == AGS_OK && text_is(out, "{\"alice\":{\"cursor\":1},\"bob\":{\"cursor\":3}}"));
    CHECK(ags_store_presence_leave(s, "alice", AGS_NTS) == AGS_OK);
    CHECK(ags_store_presence_leave(s, "alice", AGS_NTS) == AGS_ERR_PATH_NOT_FOUND);
    CHECK(ags_store_presence(s, 0, &out, NULL) == AGS_OK && text_is(out, "{\"bob\":{\"cursor\":3}}"));
    uint64_t v = 0;
    CHECK(ags_store_version(s, &v) == AGS_OK && v == 4);
    ags_watch_close(w);
    CHECK(strcmp(events,
        "{\"kind\":\"joined\",\"client\":\"alice\",\"value\":{\"cursor\":1}}\n"
        "{\"kind\":\"joined\",\"client\":\"bob\",\"value\":{\"cursor\":2}}\n"
        "{\"kind\":\"updated\",\"client\":\"bob\",\"value\":{\"cursor\":3}}\n"
        "{\"kind\":\"left\",\"client\":\"alice\",\"value\":null}\n") == 0);
    CHECK(ags_store_lock(NULL, "/x", AGS_NTS, "bob", AGS_NTS, 10) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_store_lock(s, "/x", AGS_NTS, "\xff", AGS_NTS, 10) == AGS_ERR_INVALID_ARGUMENT);
    ags_store_close(s);
}

int main(void) {
    strategies();
    custom();
    authors_and_log();
    locks_and_presence();
    printf("%d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
