// C glue for a registry's log and span hooks: the library calls these, which hand the call to the exported
// Go functions with the cgo.Handle that user_data carries.
#include <stdint.h>
#include "agstate.h"
#include "_cgo_export.h"

static void agstate_go_log(void *user_data, int level, const char *record, size_t record_len) {
    agstateGoLog((uintptr_t)user_data, level, (char *)record, record_len);
}

ags_status agstate_go_set_log(ags_registry *registry, int min_level, uintptr_t handle) {
    return ags_registry_set_log(registry, min_level, agstate_go_log, (void *)handle);
}

static void agstate_go_span(void *user_data, const ags_span *span) {
    agstateGoSpan((uintptr_t)user_data, (ags_span *)span);
}

ags_status agstate_go_set_span(ags_registry *registry, uintptr_t handle) {
    return ags_registry_set_span(registry, agstate_go_span, (void *)handle);
}
