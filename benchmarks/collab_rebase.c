/*
 * Collaboration: rebasing a 1-operation patch over 100 intervening 1-operation changes on the 2.2 MB state
 * of state_gen.h (the goal: under 50 µs).
 *
 * Each round commits one more 1-operation change (alternately a price replaced and a message inserted at
 * the front of the 500-message array, which shifts every index), then times one ags_store_patch of a
 * 1-operation patch (a replace of /messages/250/content) made against the version 100 changes back, with
 * AGS_STRATEGY_REBASE: the patch is carried over the 100 changes (the 50 insertions shift its index) and
 * committed. Reported: the median and the 90th percentile over 2,000 rounds, next to the same patch
 * committed against the current version (no rebase).
 */
#include <stdint.h>
#include <time.h>
#include "agstate.h"
#include "state_gen.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void must(ags_status status) {
    if (status != AGS_OK) { fprintf(stderr, "failed: %s\n", ags_errlast()->message); exit(1); }
}

#define ROUNDS 2000
#define BEHIND 100

int main(void) {
    size_t len = 0;
    long items = 0;
    char *json = make_state(2200000, &len, &items);
    ags_store *store = NULL;
    must(ags_store_open(json, len, &store));
    char change[256];
    uint64_t version = 0;
    long k = 0;
    /* One intervening change: a price, or an insertion at the front of the messages. */
#define INTERVENE() do { \
        if (k % 2) snprintf(change, sizeof change, "[{\"op\":\"replace\",\"path\":\"/items/item%ld/price\",\"value\":%ld}]", (k * 7919) % items, k); \
        else snprintf(change, sizeof change, "[{\"op\":\"add\",\"path\":\"/messages/0\",\"value\":{\"id\":\"n%ld\",\"role\":\"user\",\"content\":\"new\"}}]", k); \
        k++; \
        must(ags_store_patch(store, change, AGS_NTS, NULL, &version)); \
    } while (0)
    for (int i = 0; i < BEHIND; i++) INTERVENE();
    const char *patch = "[{\"op\":\"replace\",\"path\":\"/messages/250/content\",\"value\":\"edited while offline\"}]";
    static double rebased[ROUNDS], direct[ROUNDS];
    ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
    options.strategy = AGS_STRATEGY_REBASE;
    options.author = "bench";
    options.author_len = AGS_NTS;
    for (int r = 0; r < ROUNDS; r++) {
        INTERVENE();
        options.base_version = version - BEHIND;
        double t0 = now_ns();
        must(ags_store_patch(store, patch, AGS_NTS, &options, &version));
        rebased[r] = now_ns() - t0;
        /* The rebased commit is itself one of the next round's 100. */
        INTERVENE();
        t0 = now_ns();
        must(ags_store_patch(store, patch, AGS_NTS, NULL, &version));
        direct[r] = now_ns() - t0;
    }
    qsort(rebased, ROUNDS, sizeof *rebased, compare);
    qsort(direct, ROUNDS, sizeof *direct, compare);
    printf("state: %zu bytes of JSON, %ld items\n", len, items);
    printf("rebase over %d changes: median %.1f us, p90 %.1f us\n", BEHIND, rebased[ROUNDS / 2] / 1e3,
           rebased[ROUNDS * 9 / 10] / 1e3);
    printf("same patch, no rebase:  median %.1f us, p90 %.1f us\n", direct[ROUNDS / 2] / 1e3, direct[ROUNDS * 9 / 10] / 1e3);
    ags_store_close(store);
    free(json);
    return 0;
}
