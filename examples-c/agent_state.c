/*
 * An agent's state store behind an AG-UI stream: every commit becomes a STATE_DELTA frame through a
 * subscription, a client that reconnects is caught up from the version it has, a transaction groups
 * changes, and a snapshot is restored.
 * Build: cc agent_state.c $(pkg-config --cflags --libs agstate)
 */
#include <stdio.h>
#include <stdlib.h>
#include "agstate.h"

/* The subscription callback: turns each commit's operations into an SSE frame for the UI. */
static int stream_delta(void *user_data, uint64_t version, const char *patch, size_t patch_len) {
    const char *label = user_data;
    char *frame = NULL;
    if (ags_delta_event(patch, patch_len, AGS_EVENT_SSE, &frame, NULL) != AGS_OK) return 1;
    printf("%s v%llu -> %s", label, (unsigned long long)version, frame);
    ags_free(frame);
    return 0;
}

static void fail(const char *what) {
    fprintf(stderr, "%s: %s\n", what, ags_errlast()->message);
    exit(1);
}

int main(void) {
    ags_store *store = NULL;
    if (ags_store_open("{\"status\":\"idle\",\"steps\":[]}", AGS_NTS, &store) != AGS_OK) fail("open");

    ags_subscription *sse = NULL;
    if (ags_store_subscribe(store, "", 0, stream_delta, "sse", &sse) != AGS_OK) fail("subscribe");

    /* The agent works: each change is streamed as it commits. */
    ags_store_set(store, "/status", AGS_NTS, "\"planning\"", AGS_NTS, NULL, NULL);
    ags_snapshot *before_steps = NULL;
    ags_store_snapshot(store, &before_steps);
    ags_store_patch(store, "[{\"op\":\"add\",\"path\":\"/steps/-\",\"value\":{\"title\":\"search\",\"done\":false}}]",
                    AGS_NTS, NULL, NULL);

    /* A transaction: both changes commit as one version, one STATE_DELTA. */
    ags_txn *txn = NULL;
    ags_store_begin(store, &txn);
    ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/steps/0/done\",\"value\":true}]", AGS_NTS, 0);
    ags_txn_patch(txn, "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"answering\"}]", AGS_NTS, 0);
    uint64_t version = 0;
    if (ags_txn_commit(txn, NULL, &version) != AGS_OK) fail("commit");

    /* A client that has version 1 reconnects: one STATE_DELTA brings it up to date. */
    char *event = NULL;
    if (ags_store_delta_event(store, 1, 0, &event, NULL) != AGS_OK) fail("delta");
    printf("\nclient at v1 gets: %s\n", event);
    ags_free(event);
    /* One that is too far behind (or new) gets a STATE_SNAPSHOT instead. */
    if (ags_store_snapshot_event(store, 0, &event, NULL) != AGS_OK) fail("snapshot event");
    printf("a new client gets: %s\n\n", event);
    ags_free(event);

    /* Undo the steps: restoring a snapshot is an ordinary, streamed change. */
    ags_store_restore(store, before_steps, NULL, &version);
    ags_snapshot_close(before_steps);

    char *state = NULL;
    ags_store_state_at(store, 3, 0, &state, NULL);
    printf("\nthe state at v3, rebuilt from history: %s\n", state);
    ags_free(state);
    ags_store_export(store, 0, &state, NULL);
    printf("the state now (v%llu): %s\n", (unsigned long long)version, state);
    ags_free(state);

    ags_subscription_close(sse);
    ags_store_close(store);
    return 0;
}
