/*
 * An AG-UI agent's state, changed by STATE_DELTA patches: one that applies, one that is rejected.
 * Build: cc state_delta.c $(pkg-config --cflags --libs agstate)
 */
#include <stdio.h>
#include <stdlib.h>
#include "agstate.h"

static int print_state(ags_store *store, const char *label) {
    char *json = NULL;
    uint64_t version = 0;
    if (ags_store_export(store, AGS_JSON_PRETTY, &json, NULL) != AGS_OK ||
        ags_store_version(store, &version) != AGS_OK) {
        fprintf(stderr, "export failed: %s\n", ags_errlast()->message);
        return 1;
    }
    printf("%s (version %llu):\n%s\n\n", label, (unsigned long long)version, json);
    ags_free(json);
    return 0;
}

int main(void) {
    if (ags_libversion_number() != AGS_VERSION_NUMBER) {
        fprintf(stderr, "header %s does not match library %s\n", AGS_VERSION, ags_libversion());
        return 1;
    }

    /* The state a STATE_SNAPSHOT event carried. */
    const char *snapshot =
        "{\"agent\":{\"status\":\"idle\"},"
        "\"todos\":[{\"id\":1,\"title\":\"Draft the plan\",\"done\":true}]}";
    ags_store *store = NULL;
    if (ags_store_open(snapshot, AGS_NTS, &store) != AGS_OK) {
        fprintf(stderr, "open failed: %s\n", ags_errlast()->message);
        return 1;
    }
    if (print_state(store, "snapshot")) return 1;

    /* The "delta" of a STATE_DELTA event: RFC 6902 operations, applied atomically. */
    const char *delta =
        "[{\"op\":\"replace\",\"path\":\"/agent/status\",\"value\":\"working\"},"
        "{\"op\":\"add\",\"path\":\"/todos/-\",\"value\":{\"id\":2,\"title\":\"Book the venue\",\"done\":false}}]";
    uint64_t version = 0;
    if (ags_store_patch(store, delta, AGS_NTS, NULL, &version) != AGS_OK) {
        fprintf(stderr, "delta failed: %s\n", ags_errlast()->message);
        return 1;
    }
    if (print_state(store, "after the delta")) return 1;

    /* A delta whose second operation targets a path the state does not have: nothing applies. */
    const char *bad_delta =
        "[{\"op\":\"replace\",\"path\":\"/agent/status\",\"value\":\"done\"},"
        "{\"op\":\"replace\",\"path\":\"/todos/5/done\",\"value\":true}]";
    ags_status rc = ags_store_patch(store, bad_delta, AGS_NTS, NULL, &version);
    printf("rejected delta: %s (operation %lld, path %s)\n  %s\n\n", ags_status_name(rc),
           (long long)ags_errlast()->op_index, ags_errlast()->pointer ? ags_errlast()->pointer : "-", ags_errlast()->message);
    if (rc != AGS_ERR_PATH_NOT_FOUND) return 1;
    if (print_state(store, "unchanged")) return 1;

    ags_store_close(store);
    return 0;
}
