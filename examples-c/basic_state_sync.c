/*
 * Basic state sync: a store on the agent's side and a second store standing in for the client, kept equal
 * by AG-UI STATE_SNAPSHOT and STATE_DELTA events. Shows path subscriptions, a transaction, a snapshot and its
 * restore, history and versions, export and import. Exits 1 if any of it does not hold.
 * Build: cc basic_state_sync.c $(pkg-config --cflags --libs agstate)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    if (!ok) failures++;
}

/* Stops the example on a failure that no check expects. */
static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "basic_state_sync: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

static int same_json(const char *a, const char *b) {
    int equal = 0;
    must(ags_json_equal(a, AGS_NTS, b, AGS_NTS, &equal), "compare");
    return equal;
}

static char *get(ags_store *store, const char *ptr) {
    char *out = NULL;
    must(ags_store_get(store, ptr, AGS_NTS, 0, &out, NULL), "get");
    return out;
}

/* The wire: every STATE_DELTA event the server sent, in order (the example sends a handful). */
#define WIRE_MAX 64
static char *wire[WIRE_MAX];
static size_t wire_count = 0;

static int send_delta(void *user_data, uint64_t version, const char *patch, size_t patch_len) {
    (void)user_data; (void)version;
    if (wire_count == WIRE_MAX) return 1;
    return ags_delta_event(patch, patch_len, 0, &wire[wire_count++], NULL) == AGS_OK ? 0 : 1;
}

static uint64_t todo_versions[16];
static size_t todo_count = 0;

static int note_todo_change(void *user_data, uint64_t version, const char *patch, size_t patch_len) {
    (void)user_data; (void)patch; (void)patch_len;
    if (todo_count < 16) todo_versions[todo_count++] = version;
    return 0;
}

int main(void) {
    char line[256];
    ags_store *server = NULL, *client = NULL;
    must(ags_store_open("{\"title\":\"trip\",\"todos\":[],\"owner\":{\"name\":\"ada\"}}", AGS_NTS, &server), "open");
    must(ags_store_open(NULL, 0, &client), "open client");

    /* The client starts from a STATE_SNAPSHOT, then follows every commit as a STATE_DELTA. */
    char *event = NULL;
    must(ags_store_snapshot_event(server, 0, &event, NULL), "snapshot event");
    must(ags_store_apply_event(client, event, AGS_NTS, NULL, NULL), "apply snapshot");
    ags_free(event);
    ags_subscription *stream = NULL, *todos = NULL;
    must(ags_store_subscribe(server, "", 0, send_delta, NULL, &stream), "subscribe");

    /* A path subscription hears only the changes at, inside or above its location. */
    must(ags_store_subscribe(server, "/todos", AGS_NTS, note_todo_change, NULL, &todos), "subscribe /todos");
    must(ags_store_add(server, "/todos/-", AGS_NTS, "{\"text\":\"book flights\",\"done\":false}", AGS_NTS, NULL, NULL), "add");
    must(ags_store_set(server, "/owner/name", AGS_NTS, "\"grace\"", AGS_NTS, NULL, NULL), "set");
    must(ags_store_add(server, "/todos/-", AGS_NTS, "{\"text\":\"pack\",\"done\":false}", AGS_NTS, NULL, NULL), "add");
    check(todo_count == 2 && todo_versions[0] == 1 && todo_versions[1] == 3,
          "the /todos subscriber heard versions 1 and 3 (not the owner's change, v2)");

    /* A transaction: two changes, one version, one STATE_DELTA. */
    uint64_t before = 0, committed = 0;
    must(ags_store_version(server, &before), "version");
    ags_txn *txn = NULL;
    must(ags_store_begin(server, &txn), "begin");
    must(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/todos/0/done\",\"value\":true}]", AGS_NTS, 0), "txn patch");
    must(ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/title\",\"value\":\"trip to Lisbon\"}]", AGS_NTS, 0), "txn patch");
    must(ags_txn_commit(txn, NULL, &committed), "commit");
    snprintf(line, sizeof line, "the transaction committed as one version (v%llu)", (unsigned long long)committed);
    check(committed == before + 1, line);

    /* A failed patch changes nothing: no version, no event. */
    ags_status status = ags_store_patch(server,
        "[{\"op\":\"replace\",\"path\":\"/todos/1/done\",\"value\":true},{\"op\":\"remove\",\"path\":\"/missing\"}]",
        AGS_NTS, NULL, NULL);
    int64_t failed_op = ags_errlast()->op_index;
    uint64_t now = 0;
    must(ags_store_version(server, &now), "version");
    char *done = get(server, "/todos/1/done");
    snprintf(line, sizeof line, "a patch failing at operation %lld changed nothing", (long long)failed_op);
    check(status == AGS_ERR_PATH_NOT_FOUND && now == committed && strcmp(done, "false") == 0, line);
    ags_free(done);

    /* A snapshot, more changes, and the restore (itself an ordinary, streamed change). */
    ags_snapshot *snap = NULL;
    must(ags_store_snapshot(server, &snap), "snapshot");
    must(ags_store_remove(server, "/todos/1", AGS_NTS, NULL, NULL), "remove");
    must(ags_store_merge(server, "{\"owner\":{\"name\":\"linus\",\"team\":\"kernel\"}}", AGS_NTS, NULL, NULL), "merge");
    uint64_t restored = 0;
    must(ags_store_restore(server, snap, NULL, &restored), "restore");
    char *state = NULL, *snapped = NULL;
    must(ags_store_export(server, 0, &state, NULL), "export");
    must(ags_snapshot_get(snap, "", 0, 0, &snapped, NULL), "snapshot get");
    check(same_json(state, snapped), "restoring the snapshot gave its state back");
    ags_free(snapped);
    ags_snapshot_close(snap);

    /* The client applies the events it was sent and ends with the same state. */
    for (size_t i = 0; i < wire_count; i++) must(ags_store_apply_event(client, wire[i], AGS_NTS, NULL, NULL), "apply delta");
    printf("      %zu STATE_DELTA events on the wire, e.g. %s\n", wire_count, wire[0]);
    char *client_state = NULL;
    must(ags_store_export(client, 0, &client_state, NULL), "export client");
    check(same_json(client_state, state), "the client store applied the events and equals the server's state");
    ags_free(client_state);

    /* History: versions, the state at an old version, one delta to catch up a client at an old version. */
    uint64_t oldest = 0, newest = 0;
    must(ags_store_history_range(server, &oldest, &newest), "history range");
    snprintf(line, sizeof line, "history reaches v%llu..v%llu", (unsigned long long)oldest, (unsigned long long)newest);
    check(oldest == 0 && newest == restored, line);
    char *at_two = NULL, *name = NULL;
    must(ags_store_state_at(server, 2, 0, &at_two, NULL), "state at");
    must(ags_pointer_get(at_two, AGS_NTS, "/owner/name", AGS_NTS, 0, &name, NULL), "pointer");
    check(strcmp(name, "\"grace\"") == 0, "the state at v2 is rebuilt from history");
    ags_free(name);
    ags_free(at_two);
    char *at_three = NULL, *late_state = NULL;
    ags_store *late = NULL;
    must(ags_store_state_at(server, 3, 0, &at_three, NULL), "state at");
    must(ags_store_open(at_three, AGS_NTS, &late), "open late client");
    must(ags_store_delta_event(server, 3, 0, &event, NULL), "delta event");
    must(ags_store_apply_event(late, event, AGS_NTS, NULL, NULL), "apply catch-up");
    must(ags_store_export(late, 0, &late_state, NULL), "export late");
    printf("      the catch-up event for a client at v3: %s\n", event);
    check(same_json(late_state, state), "a client at v3 is caught up by one STATE_DELTA");
    ags_free(event);
    ags_free(late_state);
    ags_free(at_three);
    ags_store_close(late);
    char *history = NULL;
    must(ags_store_history(server, 4, 0, &history, NULL), "history");
    check(strncmp(history, "[{\"version\":5,", 14) == 0, "the history lists the changes after v4, oldest first");
    ags_free(history);

    /* Export and import: the JSON text of the state opens an equal store. */
    ags_store *imported = NULL;
    char *imported_state = NULL;
    must(ags_store_open(state, AGS_NTS, &imported), "import");
    must(ags_store_export(imported, 0, &imported_state, NULL), "export imported");
    snprintf(line, sizeof line, "export (%zu bytes) and import give the same state, members in the same order", strlen(state));
    check(strcmp(imported_state, state) == 0, line);
    ags_free(imported_state);
    ags_store_close(imported);

    ags_free(state);
    for (size_t i = 0; i < wire_count; i++) ags_free(wire[i]);
    ags_subscription_close(stream);
    ags_subscription_close(todos);
    ags_store_close(client);
    ags_store_close(server);
    if (failures) printf("basic_state_sync: %d checks failed\n", failures);
    else printf("basic_state_sync: all checks passed\n");
    return failures ? 1 : 0;
}
