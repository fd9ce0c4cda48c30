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
