/* AG-UI event validation through the C API: the shared rule vectors and example streams
 * (test-vectors/events), SSE split at every byte, and argument checks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agstate.h"

static int failures = 0, checks = 0;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: CHECK(%s) failed; last error: %s\n", __FILE__, __LINE__, #cond, ags_errlast()->message); } } while (0)

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot open %s\n", path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc((size_t)n + 1);
    if (fread(data, 1, (size_t)n, f) != (size_t)n) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    fclose(f);
    data[n] = 0;
    *len = (size_t)n;
    return data;
}

/* The text of a JSON string value in the store at ptr, unescaped (the vectors use only \" and \\). */
static char *get_string(ags_store *store, const char *ptr) {
    char *json = NULL;
    size_t len = 0;
    if (ags_store_get(store, ptr, AGS_NTS, 0, &json, &len) != AGS_OK) return NULL;
    char *out = malloc(len);
    size_t k = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        if (json[i] == '\\') i++;
        out[k++] = json[i];
    }
    out[k] = 0;
    ags_free(json);
    return out;
}

/* Feeds the events at /cases/<i>/<which> to a fresh validator; returns its findings (JSON). */
static char *run_case(ags_store *store, int i, const char *which, const char *profile) {
    ags_validator *v = NULL;
    if (ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, profile, AGS_NTS, 0}, &v) != AGS_OK) return NULL;
    char ptr[128];
    for (int j = 0;; j++) {
        snprintf(ptr, sizeof ptr, "/cases/%d/%s/%d", i, which, j);
        char *event = get_string(store, ptr);
        if (!event) break;
        CHECK(ags_validator_feed(v, event, strlen(event), NULL, NULL) == AGS_OK);
        free(event);
    }
    char *findings = NULL;
    CHECK(ags_validator_finish(v, NULL, NULL) == AGS_OK);
    CHECK(ags_validator_findings(v, &findings, NULL) == AGS_OK);
    ags_validator_close(v);
    return findings;
}

static void rule_vectors(const char *dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/events/rules.json", dir);
    size_t len;
    char *text = read_file(path, &len);
    ags_store *store = NULL;
    CHECK(ags_store_open(text, len, &store) == AGS_OK);
    free(text);
    int cases = 0;
    for (int i = 0;; i++) {
        char ptr[64];
        snprintf(ptr, sizeof ptr, "/cases/%d/rule", i);
        char *rule = get_string(store, ptr);
        if (!rule) break;
        snprintf(ptr, sizeof ptr, "/cases/%d/profile", i);
        char *profile = get_string(store, ptr);
        char needle[128];
        snprintf(needle, sizeof needle, "\"rule\":\"%s\"", rule);
        char *trigger = run_case(store, i, "trigger", profile);
        char *clean = run_case(store, i, "clean", profile);
        CHECK(trigger && strstr(trigger, needle) != NULL);
        CHECK(clean && strstr(clean, needle) == NULL && strstr(clean, "\"severity\":\"error\"") == NULL &&
              strstr(clean, "\"severity\":\"warning\"") == NULL);
        if (!(trigger && strstr(trigger, needle))) fprintf(stderr, "rule %s: trigger gave %s\n", rule, trigger);
        if (!(clean && !strstr(clean, needle))) fprintf(stderr, "rule %s: clean gave %s\n", rule, clean);
        ags_free(trigger);
        ags_free(clean);
        free(rule);
        free(profile);
        cases++;
    }
    CHECK(cases >= 50);
    ags_store_close(store);
}

static void example_streams(const char *dir) {
    const char *names[] = {"agentic_chat", "tool_calls", "human_in_the_loop", "shared_state",
                           "predictive_state_updates", "multiple_runs"};
    const char *profiles[] = {"client", "strict"};
    for (int n = 0; n < 6; n++) {
        for (int p = 0; p < 2; p++) {
            char path[1024];
            snprintf(path, sizeof path, "%s/events/streams/%s.ndjson", dir, names[n]);
            size_t len;
            char *data = read_file(path, &len);
            ags_validator *v = NULL;
            CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, profiles[p], AGS_NTS, 0}, &v) == AGS_OK);
            CHECK(ags_validator_feed_stream(v, data, len, 0, NULL, NULL) == AGS_OK);
            CHECK(ags_validator_finish(v, NULL, NULL) == AGS_OK);
            size_t events = 0, errors = 9, warnings = 9;
            CHECK(ags_validator_counts(v, &events, &errors, &warnings, NULL) == AGS_OK);
            CHECK(events > 3 && errors == 0 && warnings == 0);
            if (errors || warnings) fprintf(stderr, "%s (%s): %zu errors, %zu warnings\n", names[n], profiles[p], errors, warnings);
            ags_validator_close(v);
            free(data);
        }
    }
}

static const char sse[] =
    ": keep-alive\r\n\r\ndata: {\"type\":\"RUN_STARTED\",\r\ndata: \"threadId\":\"t\",\"runId\":\"r\"}\r\n\r\n"
    "data:{\"type\":\"STATE_SNAPSHOT\",\"snapshot\":{\"n\":1}}\n\n"
    "id: 3\ndata: {\"type\":\"STATE_DELTA\",\"delta\":[{\"op\":\"replace\",\"path\":\"/n\",\"value\":2}]}\r\r"
    "data: {\"type\":\"RUN_FINISHED\",\"threadId\":\"t\",\"runId\":\"r\"}\n\n";

static void sse_split_everywhere(void) {
    size_t n = strlen(sse);
    for (size_t cut = 0; cut <= n; cut++) {
        ags_validator *v = NULL;
        CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "strict", AGS_NTS, 0}, &v) == AGS_OK);
        CHECK(ags_validator_feed_stream(v, sse, cut, AGS_STREAM_SSE, NULL, NULL) == AGS_OK);
        CHECK(ags_validator_feed_stream(v, sse + cut, n - cut, AGS_STREAM_SSE, NULL, NULL) == AGS_OK);
        char *findings = NULL, *state = NULL;
        CHECK(ags_validator_finish(v, &findings, NULL) == AGS_OK && findings == NULL);
        size_t events = 0, errors = 1;
        CHECK(ags_validator_counts(v, &events, &errors, NULL, NULL) == AGS_OK && events == 4 && errors == 0);
        CHECK(ags_validator_state(v, 0, &state, NULL) == AGS_OK && strcmp(state, "{\"n\":2}") == 0);
        ags_free(findings);
        ags_free(state);
        ags_validator_close(v);
    }
}

static void api(void) {
    ags_validator *v = NULL;
    char *out = NULL;
    size_t len = 0;
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "lenient", AGS_NTS, 0}, &v) == AGS_ERR_INVALID_ARGUMENT && v == NULL);
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "client", AGS_NTS, 0x1}, &v) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, NULL, 0, AGS_VALIDATE_MESSAGES}, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_feed(NULL, "{}", 2, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, NULL, 0, AGS_VALIDATE_MESSAGES}, &v) == AGS_OK);
    CHECK(ags_validator_set_severity(v, "no.such-rule", AGS_NTS, AGS_SEVERITY_ERROR) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_set_severity(v, "run.first-event", AGS_NTS, 7) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_set_severity(v, "run.first-event", AGS_NTS, AGS_SEVERITY_WARNING) == AGS_OK);
    CHECK(ags_validator_feed(v, NULL, 5, &out, &len) == AGS_ERR_INVALID_ARGUMENT && out == NULL);
    /* not JSON: a finding, not a failure */
    CHECK(ags_validator_feed(v, "{\"type\":", AGS_NTS, &out, &len) == AGS_OK && strstr(out, "\"rule\":\"json.invalid\"") &&
          strstr(out, "\"eventIndex\":0") && len == strlen(out));
    ags_free(out);
    const char *msg = "{\"type\":\"TEXT_MESSAGE_START\",\"messageId\":\"m\"}";
    CHECK(ags_validator_feed(v, msg, strlen(msg), &out, NULL) == AGS_OK &&
          strcmp(out, "[{\"rule\":\"run.first-event\",\"severity\":\"warning\",\"message\":\"the first event must be RUN_STARTED (or RUN_ERROR), "
                      "not TEXT_MESSAGE_START\",\"eventIndex\":1,\"pointer\":\"/type\"}]") == 0);
    ags_free(out);
    CHECK(ags_validator_feed(v, "{\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m\",\"delta\":\"hi\"}", AGS_NTS, &out, NULL) == AGS_OK &&
          out == NULL);
    ags_free(out);
    CHECK(ags_validator_feed_stream(v, "x", 1, 3, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    /* NULL when the event produced nothing, the findings otherwise */
    out = (char *)1;
    CHECK(ags_validator_feed(v, "{\"type\":\"TEXT_MESSAGE_CONTENT\",\"messageId\":\"m\",\"delta\":\"!\"}", AGS_NTS, &out, &len) == AGS_OK &&
          out == NULL && len == 0);
    CHECK(ags_validator_feed(v, "[]", 2, &out, &len) == AGS_OK && out && strstr(out, "event.not-object") && len == strlen(out));
    ags_free(out);
    CHECK(ags_validator_messages(v, 0, &out, NULL) == AGS_OK && strcmp(out, "[{\"id\":\"m\",\"role\":\"assistant\",\"content\":\"hi!\"}]") == 0);
    ags_free(out);
    CHECK(ags_validator_finish(v, &out, NULL) == AGS_OK);
    ags_free(out);
    CHECK(ags_validator_feed(v, "{}", 2, NULL, NULL) == AGS_ERR_INVALID_ARGUMENT);
    CHECK(ags_validator_finish(v, &out, NULL) == AGS_OK && out == NULL);
    ags_free(out);
    CHECK(ags_validator_findings(v, &out, NULL) == AGS_OK && strstr(out, "json.invalid"));
    ags_free(out);
    ags_validator_close(v);
    CHECK(ags_validator_state(v, 0, &out, NULL) == AGS_ERR_CLOSED);
    ags_validator_close(v);
    ags_validator_close(NULL);
    CHECK(ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, "strict", AGS_NTS, 0}, &v) == AGS_OK);
    CHECK(ags_validator_messages(v, 0, &out, NULL) == AGS_ERR_INVALID_ARGUMENT);
    ags_validator_close(v);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "test-vectors";
    rule_vectors(dir);
    example_streams(dir);
    sse_split_everywhere();
    api();
    printf("test_validate: %d checks, %d failures\n", checks, failures);
    return failures ? 1 : 0;
}
