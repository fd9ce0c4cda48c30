// C glue for subscriptions: the library calls agstate_go_change, which hands the call to the exported Go
// function with the cgo.Handle that user_data carries. Kept in a .c file because a Go file with //export
// may only declare C functions in its preamble.
#include <stdint.h>
#include "agstate.h"
#include "_cgo_export.h"

static int agstate_go_change(void *user_data, uint64_t version, const char *patch, size_t patch_len) {
    return agstateGoChange((uintptr_t)user_data, version, (char *)patch, patch_len);
}

ags_status agstate_go_subscribe(ags_store *store, const char *ptr, size_t ptr_len, uintptr_t handle,
                                ags_subscription **subscription) {
    return ags_store_subscribe(store, ptr, ptr_len, agstate_go_change, (void *)handle, subscription);
}

static int agstate_go_batch(void *user_data, uint64_t from, uint64_t to, const char *event, size_t event_len) {
    return agstateGoBatch((uintptr_t)user_data, from, to, (char *)event, event_len);
}

ags_status agstate_go_batcher_open(ags_store *store, const ags_batcher_options *options, uintptr_t handle,
                                   ags_batcher **batcher) {
    return ags_batcher_open(store, options, agstate_go_batch, (void *)handle, batcher);
}

static int32_t agstate_go_resolve(void *user_data, const ags_conflict *conflict, const char **value, size_t *value_len) {
    return agstateGoResolve((uintptr_t)user_data, (void *)conflict, (char **)value, value_len);
}

void agstate_go_set_resolver(ags_commit_options *options, uintptr_t handle) {
    options->resolver = agstate_go_resolve;
    options->resolver_data = (void *)handle;
}

static int agstate_go_watch(void *user_data, const char *event, size_t event_len) {
    return agstateGoWatch((uintptr_t)user_data, (char *)event, event_len);
}

ags_status agstate_go_watch_locks(ags_store *store, uintptr_t handle, ags_watch **watch) {
    return ags_store_watch_locks(store, agstate_go_watch, (void *)handle, watch);
}

ags_status agstate_go_watch_presence(ags_store *store, uintptr_t handle, ags_watch **watch) {
    return ags_store_watch_presence(store, agstate_go_watch, (void *)handle, watch);
}
