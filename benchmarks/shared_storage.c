/* Commits per second through a server storage (PostgreSQL or Redis): PROCESSES processes, each
 * committing one-operation patches (a counter's replace) to a store of its own for SECONDS seconds.
 *
 *   bench_shared_storage URL PROCESSES SECONDS
 *
 * benchmarks/postgres.sh runs it beside pgbench's simple-update test, benchmarks/redis.sh beside
 * redis-benchmark, each on the same private server in the same run. */
#include <agstate.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int worker(const char *url, int p, double seconds, int out) {
    ags_storage *storage;
    ags_store *store;
    char id[64];
    snprintf(id, sizeof id, "bench-%d-%d-%ld", (int)getppid(), p, (long)time(NULL));
    if (ags_storage_open(url, AGS_NTS, NULL, &storage) != AGS_OK
        || ags_storage_open_store(storage, id, AGS_NTS, "{\"n\":0}", AGS_NTS, &store) != AGS_OK) {
        fprintf(stderr, "open: %s\n", ags_errlast()->message);
        return 1;
    }
    long commits = 0;
    double end = now() + seconds;
    char patch[96];
    while (now() < end) {
        snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"/n\",\"value\":%ld}]", commits + 1);
        if (ags_store_patch(store, patch, AGS_NTS, NULL, NULL) != AGS_OK) {
            fprintf(stderr, "commit: %s\n", ags_errlast()->message);
            return 1;
        }
        commits++;
    }
    if (write(out, &commits, sizeof commits) != sizeof commits) return 1;
    ags_storage_delete(storage, id, AGS_NTS);
    ags_store_close(store);
    ags_storage_close(storage);
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s URL PROCESSES SECONDS\n", argv[0]); return 2; }
    int processes = atoi(argv[2]);
    double seconds = atof(argv[3]);
    int fds[2];
    if (pipe(fds) != 0) return 1;
    for (int p = 0; p < processes; p++)
        if (fork() == 0) _exit(worker(argv[1], p, seconds, fds[1]));
    close(fds[1]);
    long total = 0, commits;
    int failed = 0;
    for (int p = 0; p < processes; p++) {
        int status;
        wait(&status);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed = 1;
    }
    while (read(fds[0], &commits, sizeof commits) == sizeof commits) total += commits;
    if (failed) { fprintf(stderr, "a process failed\n"); return 1; }
    printf("agstate through %s: %d process(es), %.0f commits/s\n", strncmp(argv[1], "redis", 5) == 0 ? "Redis" : "PostgreSQL",
           processes, total / seconds);
    return 0;
}
