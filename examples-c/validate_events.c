/* Validating an AG-UI event stream as it arrives: SSE bytes come in pieces that split events anywhere;
 * the validator reports each problem with its rule, severity, event index and pointer, tracks the state
 * the deltas build, and says at the end of the stream what was left open. */
#include <stdio.h>
#include <string.h>
#include "agstate.h"

static void show(const char *when, char *findings) {
    if (findings && strcmp(findings, "[]") != 0) printf("%s: %s\n", when, findings);
    ags_free(findings);
}

int main(void) {
    /* An agent's response, as the browser receives it: one SSE frame per event. */
    const char *stream =
        "data: {\"type\":\"RUN_STARTED\",\"threadId\":\"thread-1\",\"runId\":\"run-1\"}\n\n"
        "data: {\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"todos\":[]}}\n\n"
        "data: {\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m1\",\"role\":\"assistant\"}\n\n"
        "data: {\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m1\",\"delta\":\"Adding a todo.\"}\n\n"  /* no TEXT_MESSAGE_END */
        ": keep-alive\n\n"
        "data: {\"type\":\"TOOL_CALL_START\",\"toolCallId\":\"c1\",\"toolCallName\":\"add_todo\",\"parentMessageId\":\"m1\"}\n\n"
        "data: {\"type\":\"TOOL_CALL_ARGS\",\"toolCallId\":\"c1\",\"delta\":\"{\\\"title\\\": \\\"milk\"}\n\n"   /* its JSON string never ends */
        "data: {\"type\":\"TOOL_CALL_END\",\"toolCallId\":\"c1\"}\n\n"
        "data: {\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"add\",\"path\":\"/todos/-\",\"value\":\"milk\"}]}\n\n"
        "data: {\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"/todos/5\",\"value\":\"eggs\"}]}\n\n"
        "data: {\"type\":\"RUN_FINISHED\",\"threadId\":\"thread-1\",\"runId\":\"run-1\"}\n\n";

    ags_validator *validator = NULL;
    if (ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "strict", AGS_NTS, 0}, &validator) != AGS_OK) {
        fprintf(stderr, "open: %s\n", ags_errlast()->message);
        return 1;
    }
    /* Feed it the way a network delivers it: 37-byte pieces. */
    size_t len = strlen(stream);
    for (size_t at = 0; at < len; at += 37) {
        size_t n = len - at < 37 ? len - at : 37;
        char *findings = NULL;
        if (ags_validator_feed_stream(validator, stream + at, n, AGS_STREAM_SSE, &findings, NULL) != AGS_OK) {
            fprintf(stderr, "feed: %s\n", ags_errlast()->message);
            return 1;
        }
        show("while streaming", findings);
    }
    char *findings = NULL;
    ags_validator_finish(validator, &findings, NULL);
    show("at the end", findings);

    char *state = NULL;
    size_t events = 0, errors = 0, warnings = 0;
    ags_validator_state(validator, 0, &state, NULL);
    ags_validator_counts(validator, &events, &errors, &warnings, NULL);
    printf("tracked state: %s (the failed delta left it as it was)\n", state);
    printf("%zu events: %zu errors, %zu warnings\n", events, errors, warnings);
    ags_free(state);
    ags_validator_close(validator);
    return errors == 3 ? 0 : 1;  /* the three mistakes above, each found */
}
