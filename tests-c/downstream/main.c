/* A program built against an installed agstate. */
#include <stdio.h>
#include <string.h>
#include "agstate.h"

int main(void) {
    char *out = NULL;
    if (ags_patch_apply("{\"a\":1}", AGS_NTS, "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]", AGS_NTS, 0, &out, NULL) != AGS_OK)
        return 1;
    int ok = strcmp(out, "{\"a\":1,\"b\":2}") == 0 && strcmp(ags_libversion(), AGS_VERSION) == 0;
    printf("downstream: %s (agstate %s)\n", out, ags_libversion());
    ags_free(out);
    return ok ? 0 : 1;
}
