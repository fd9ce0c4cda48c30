/* Reads objects of the indexed form (more than 16 members) with ags_json_validate: "medium" is an array of
 * N objects of 40 members (default 20,000), "wide" one object of N members (default 2^20). Prints the best
 * wall time of 5 reads, or with a third argument reads once (for callgrind, whose instruction counts do not
 * move with the machine's load):
 *   valgrind --tool=callgrind build/benchmarks/bench_parse_objects medium 2000 once */
#include <agstate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    int wide = argc > 1 && strcmp(argv[1], "wide") == 0;
    size_t count = argc > 2 ? strtoull(argv[2], NULL, 10) : wide ? 1048576 : 20000;
    size_t cap = wide ? count * 24 + 16 : count * 40 * 24 + 16, k = 0;
    char *doc = malloc(cap);
    if (!doc) return 1;
    if (wide) {
        doc[k++] = '{';
        for (size_t i = 0; i < count; i++) k += (size_t)sprintf(doc + k, i ? ",\"m%zu\":%zu" : "\"m%zu\":%zu", i, i);
        doc[k++] = '}';
    } else {
        doc[k++] = '[';
        for (size_t o = 0; o < count; o++) {
            if (o) doc[k++] = ',';
            doc[k++] = '{';
            for (size_t i = 0; i < 40; i++) k += (size_t)sprintf(doc + k, i ? ",\"field_%zu_%zu\":%zu" : "\"field_%zu_%zu\":%zu", i, o % 7, i);
            doc[k++] = '}';
        }
        doc[k++] = ']';
    }
    int rounds = argc > 3 ? 1 : 5;
    double best = 1e9;
    for (int r = 0; r < rounds; r++) {
        double t0 = now();
        if (ags_json_validate(doc, k) != AGS_OK) {
            fprintf(stderr, "%s\n", ags_errlast()->message);
            return 1;
        }
        double t = now() - t0;
        if (t < best) best = t;
    }
    printf("%s, %zu: %.1f ms for %zu bytes\n", wide ? "wide" : "medium", count, best * 1e3, k);
    free(doc);
    return 0;
}
