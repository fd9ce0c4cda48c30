/* Native validation speed: one NDJSON buffer of AG-UI events (written by benchmarks/validate.py) fed to
 * ags_validator_feed_stream in one call, per profile. Prints the median of several rounds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "agstate.h"

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s EVENTS.ndjson [rounds]\n", argv[0]); return 2; }
    int rounds = argc > 2 ? atoi(argv[2]) : 9;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *data = malloc(len);
    if (fread(data, 1, len, f) != len) { perror("read"); return 2; }
    fclose(f);
    const char *profiles[] = {"client", "strict"};
    for (int p = 0; p < 2; p++) {
        double times[64];
        size_t events = 0, errors = 0, warnings = 0;
        for (int r = 0; r < rounds && r < 64; r++) {
            ags_validator *v = NULL;
            if (ags_validator_open(&(ags_validator_options){AGS_VALIDATOR_OPTIONS_VERSION, profiles[p], AGS_NTS, 0}, &v) != AGS_OK) { fprintf(stderr, "%s\n", ags_errlast()->message); return 1; }
            double t0 = now();
            ags_validator_feed_stream(v, data, len, AGS_STREAM_NDJSON, NULL, NULL);
            ags_validator_finish(v, NULL, NULL);
            times[r] = now() - t0;
            ags_validator_counts(v, &events, &errors, &warnings, NULL);
            ags_validator_close(v);
        }
        qsort(times, (size_t)rounds, sizeof times[0], cmp);
        double median = times[rounds / 2];
        printf("native %-6s %zu events, %.1f MB: %.1f ms, %.2f M events/s, %.0f ns/event, %.0f MB/s (%zu errors, %zu warnings)\n",
               profiles[p], events, len / 1e6, median * 1e3, events / median / 1e6, median / events * 1e9, len / median / 1e6,
               errors, warnings);
    }
    free(data);
    return 0;
}
