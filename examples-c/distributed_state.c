/*
 * Distributed state: three processes (nodes, started by this example) share one store through PostgreSQL.
 * They write at once (a version committed first by another node is a conflict, retried at once: the store
 * has caught up by then), and every node sees every change within milliseconds through LISTEN/NOTIFY. A
 * leader, elected with a PostgreSQL advisory lock (no consensus of our own), writes a summary. The leader is
 * cut off (every connection of it killed with pg_terminate_backend): another node takes the lock, and the
 * cut-off node reconnects and catches up by itself. Then a node goes offline (its storage closed) while the
 * others write, and rejoins: it reopens the store and brings its clients up to date with one delta_since
 * patch. The server comes from AGSTATE_TEST_PG_URL (scripts/servers.sh starts a private one). Exits 1 if any
 * of it does not hold.
 * Run as `distributed_state --node NAME STORE_ID`, it is one node, driven by line commands on stdin.
 * Build: cc distributed_state.c $(pkg-config --cflags --libs agstate libpq)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include <libpq-fe.h>
#include "agstate.h"

static int failures = 0;

static void check(int ok, const char *what) {
    printf("%s%s\n", ok ? "ok    " : "FAIL  ", what);
    fflush(stdout);
    if (!ok) failures++;
}

static void must(ags_status status, const char *what) {
    if (status != AGS_OK) {
        fprintf(stderr, "distributed_state: %s: %s\n", what, ags_errlast()->message);
        exit(1);
    }
}

/* The URL with an application name, by which the operator finds a node's connections. */
static void connection_url(char *out, size_t size, const char *url, const char *application_name) {
    snprintf(out, size, "%s%c" "application_name=%s", url, strchr(url, '?') ? '&' : '?', application_name);
}

/* The first column of the one row of query (one text parameter), or NULL when the session failed. */
static char *sql_value(PGconn *db, const char *query, const char *parameter) {
    PGresult *result = PQexecParams(db, query, 1, NULL, &parameter, NULL, NULL, 0);
    char *value = NULL;
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1) value = strdup(PQgetvalue(result, 0, 0));
    PQclear(result);
    return value;
}

/* -- one node -------------------------------------------------------------------------------------------- */

static ags_store *store;
static int conflicts, unavailable;

static void commit(const char *patch, const char *name) {
    ags_commit_options options = AGS_COMMIT_OPTIONS_INIT;
    options.author = name;
    options.author_len = AGS_NTS;
    for (;;) {
        ags_status status = ags_store_patch(store, patch, AGS_NTS, &options, NULL);
        if (status == AGS_OK) return;
        if (status == AGS_ERR_CONFLICT) conflicts++;  /* another node committed this version first; caught up */
        else if (status == AGS_ERR_UNAVAILABLE) { unavailable++; usleep(50000); }  /* try again shortly */
        else must(status, "commit");
    }
}

static uint64_t version_of(ags_store *s) {
    uint64_t v = 0;
    must(ags_store_version(s, &v), "version");
    return v;
}

static int run_node(const char *name, const char *store_id) {
    char url[2048], app[256], patch[512];
    snprintf(app, sizeof app, "%s-%s", store_id, name);
    connection_url(url, sizeof url, getenv("AGSTATE_TEST_PG_URL"), app);
    ags_storage *storage = NULL;
    must(ags_storage_open(url, AGS_NTS, NULL, &storage), "open storage");
    must(ags_storage_open_store(storage, store_id, AGS_NTS, "{\"counters\":{},\"summary\":null}", AGS_NTS, &store), "open store");
    PGconn *session = NULL;  /* the node's own database session, which holds the leader's advisory lock */
    ags_store *clients = NULL;  /* what this node's clients hold while it is offline */
    uint64_t offline_at = 0;
    int written = 0;
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        char command[32] = "";
        unsigned long long arg = 0;
        sscanf(line, "%31s %llu", command, &arg);
        if (strcmp(command, "write") == 0) {
            for (unsigned long long n = 0; n < arg; n++) {
                snprintf(patch, sizeof patch, "[{\"op\":\"add\",\"path\":\"/counters/%s\",\"value\":%d}]", name, ++written);
                commit(patch, name);
            }
            printf("{\"version\":%llu,\"conflicts\":%d,\"unavailable\":%d}\n", (unsigned long long)version_of(store),
                   conflicts, unavailable);
        } else if (strcmp(command, "wait") == 0) {  /* until the store has caught up with version arg */
            for (int i = 0; i < 1000 && version_of(store) < arg; i++) usleep(10000);
            char *state = NULL;
            must(ags_store_export(store, 0, &state, NULL), "export");
            printf("{\"version\":%llu,\"state\":%s}\n", (unsigned long long)version_of(store), state);
            ags_free(state);
        } else if (strcmp(command, "lead") == 0) {
            char *got = NULL;
            for (int attempt = 0; attempt < 2 && !got; attempt++) {
                if (!session || PQstatus(session) != CONNECTION_OK) { PQfinish(session); session = PQconnectdb(url); }
                got = sql_value(session, "SELECT pg_try_advisory_lock(hashtext($1))", store_id);
                if (!got) { PQfinish(session); session = NULL; }  /* cut off, and the lock went with it */
            }
            int leader = got && strcmp(got, "t") == 0;
            free(got);
            if (leader) {
                char *counters = NULL, *keys = NULL;
                must(ags_store_get(store, "/counters", AGS_NTS, 0, &counters, NULL), "counters");
                int total = 0, nodes = 0;
                const char *names[] = { "a", "b", "c" };
                for (int i = 0; i < 3; i++) {
                    char ptr[16];
                    snprintf(ptr, sizeof ptr, "/%s", names[i]);
                    if (ags_pointer_get(counters, AGS_NTS, ptr, AGS_NTS, 0, &keys, NULL) == AGS_OK) {
                        total += atoi(keys);
                        nodes++;
                        ags_free(keys);
                    }
                }
                ags_free(counters);
                snprintf(patch, sizeof patch, "[{\"op\":\"replace\",\"path\":\"/summary\",\"value\":{\"leader\":\"%s\","
                         "\"total\":%d,\"nodes\":%d}}]", name, total, nodes);
                commit(patch, name);
            }
            printf("{\"leader\":%s}\n", leader ? "true" : "false");
        } else if (strcmp(command, "offline") == 0) {
            char *state = NULL;
            offline_at = version_of(store);
            must(ags_store_export(store, 0, &state, NULL), "export");
            must(ags_store_open(state, AGS_NTS, &clients), "clients");
            ags_free(state);
            ags_store_close(store);
            ags_storage_close(storage);
            printf("{\"version\":%llu}\n", (unsigned long long)offline_at);
        } else if (strcmp(command, "online") == 0) {
            char *delta = NULL, *a = NULL, *b = NULL;
            int equal = 0;
            must(ags_storage_open(url, AGS_NTS, NULL, &storage), "reopen storage");
            must(ags_storage_open_store(storage, store_id, AGS_NTS, NULL, 0, &store), "reopen store");
            /* one patch from the clients' version to the current one */
            must(ags_store_delta_since(store, offline_at, 0, &delta, NULL), "delta since");
            must(ags_store_patch(clients, delta, AGS_NTS, NULL, NULL), "bring the clients up to date");
            must(ags_store_export(clients, 0, &a, NULL), "export");
            must(ags_store_export(store, 0, &b, NULL), "export");
            must(ags_json_equal(a, AGS_NTS, b, AGS_NTS, &equal), "compare");
            size_t operations = 0;
            for (const char *p = delta; (p = strstr(p, "\"op\":")); p++) operations++;
            printf("{\"from\":%llu,\"to\":%llu,\"operations\":%zu,\"clients_current\":%s}\n", (unsigned long long)offline_at,
                   (unsigned long long)version_of(store), operations, equal ? "true" : "false");
            ags_free(delta); ags_free(a); ags_free(b);
            ags_store_close(clients);
        } else if (strcmp(command, "stats") == 0) {
            char *stats = NULL;
            must(ags_storage_stats(storage, &stats, NULL), "stats");
            printf("%s\n", stats);
            ags_free(stats);
        } else {
            break;  /* quit */
        }
        fflush(stdout);
    }
    ags_store_close(store);
    ags_storage_close(storage);
    PQfinish(session);
    return 0;
}

/* -- the operator: starts the nodes, drives them and checks what they report ------------------------------ */

typedef struct { const char *name; pid_t pid; FILE *in, *out; } node;

static void start_node(node *n, const char *name, const char *store_id) {
    int to_child[2], from_child[2];
    if (pipe(to_child) || pipe(from_child)) { perror("pipe"); exit(1); }
    n->name = name;
    n->pid = fork();
    if (n->pid == 0) {
        dup2(to_child[0], 0);
        dup2(from_child[1], 1);
        close(to_child[1]);
        close(from_child[0]);
        execl("/proc/self/exe", "distributed_state", "--node", name, store_id, (char *)NULL);
        _exit(127);
    }
    close(to_child[0]);
    close(from_child[1]);
    n->in = fdopen(to_child[1], "w");
    n->out = fdopen(from_child[0], "r");
}

static void send_to(node *n, const char *command) {
    fprintf(n->in, "%s\n", command);
    fflush(n->in);
}

/* One reply line of JSON (the caller frees it with free). */
static char *reply_of(node *n) {
    char *line = NULL;
    size_t size = 0;
    if (getline(&line, &size, n->out) <= 0) {
        fprintf(stderr, "distributed_state: node %s ended\n", n->name);
        exit(1);
    }
    return line;
}

static char *ask(node *n, const char *command) { send_to(n, command); return reply_of(n); }

/* The JSON text at ptr of a reply (the caller frees it with ags_free). */
static char *field(const char *reply, const char *ptr) {
    char *value = NULL;
    must(ags_pointer_get(reply, AGS_NTS, ptr, AGS_NTS, 0, &value, NULL), ptr);
    return value;
}

static long long number(const char *reply, const char *ptr) {
    char *value = field(reply, ptr);
    long long n = atoll(value);
    ags_free(value);
    return n;
}

static long long ask_number(node *n, const char *command, const char *ptr) {
    char *reply = ask(n, command);
    long long value = number(reply, ptr);
    free(reply);
    return value;
}

/* Waits until every node has the newest version and checks they hold the same state. */
static long long converge(node *nodes, int count) {
    long long newest = 0;
    char command[64], line[128];
    for (int i = 0; i < count; i++) {
        long long v = ask_number(&nodes[i], "wait 0", "/version");
        if (v > newest) newest = v;
    }
    snprintf(command, sizeof command, "wait %lld", newest);
    for (int i = 0; i < count; i++) send_to(&nodes[i], command);
    char *first = NULL;
    int same = 1;
    for (int i = 0; i < count; i++) {
        char *reply = reply_of(&nodes[i]), *state = field(reply, "/state");
        int equal = 1;
        if (first) must(ags_json_equal(first, AGS_NTS, state, AGS_NTS, &equal), "compare");
        same = same && equal && number(reply, "/version") == newest;
        if (!first) first = strdup(state);
        ags_free(state);
        free(reply);
    }
    free(first);
    snprintf(line, sizeof line, "all %d nodes hold the same state at v%lld", count, newest);
    check(same, line);
    return newest;
}

/* Asks each node in turn to lead; returns how many did, the last in *leader. */
static int elect(node **order, int count, node **leader) {
    int leaders = 0;
    for (int i = 0; i < count; i++) {
        char *reply = ask(order[i], "lead"), *value = field(reply, "/leader");
        if (strcmp(value, "true") == 0) { leaders++; *leader = order[i]; }
        ags_free(value);
        free(reply);
    }
    return leaders;
}

static char *summary_of(node *n) {
    char *reply = ask(n, "wait 0"), *summary = field(reply, "/state/summary");
    free(reply);
    return summary;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "--node") == 0) return run_node(argv[2], argv[3]);
    const char *url = getenv("AGSTATE_TEST_PG_URL");
    if (!url) {
        fprintf(stderr, "distributed_state: set AGSTATE_TEST_PG_URL to a PostgreSQL URL (scripts/servers.sh starts one)\n");
        return 1;
    }
    char store_id[64], line[512], app[128];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    snprintf(store_id, sizeof store_id, "fleet%d%ld", (int)getpid(), now.tv_nsec);  /* a new store for every run */
    PGconn *admin = PQconnectdb(url);
    if (PQstatus(admin) != CONNECTION_OK) { fprintf(stderr, "distributed_state: %s", PQerrorMessage(admin)); return 1; }

    printf("== three nodes, one store, writing at once\n");
    fflush(stdout);
    node nodes[3];
    const char *names[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++) {
        start_node(&nodes[i], names[i], store_id);
        free(ask(&nodes[i], "wait 0"));  /* started and open (the first creates the store) */
    }
    for (int i = 0; i < 3; i++) send_to(&nodes[i], "write 40");
    long long retried[3];
    for (int i = 0; i < 3; i++) { char *r = reply_of(&nodes[i]); retried[i] = number(r, "/conflicts"); free(r); }
    printf("      conflicts retried: a %lld, b %lld, c %lld\n", retried[0], retried[1], retried[2]);
    long long version = converge(nodes, 3);
    snprintf(line, sizeof line, "120 commits from three processes are 120 versions, none lost or doubled (v%lld)", version);
    check(version == 120, line);

    printf("== a leader elected with an advisory lock writes the summary\n");
    node *order[3] = { &nodes[0], &nodes[1], &nodes[2] }, *leader = NULL, *next = NULL;
    int leaders = elect(order, 3, &leader);
    converge(nodes, 3);
    char *summary = summary_of(&nodes[0]), expected[128];
    snprintf(expected, sizeof expected, "{\"leader\":\"%s\",\"total\":120,\"nodes\":3}", leader ? leader->name : "");
    int equal = 0;
    must(ags_json_equal(summary, AGS_NTS, expected, AGS_NTS, &equal), "compare");
    snprintf(line, sizeof line, "exactly one leader (%s); its summary reached every node: %s", leader ? leader->name : "none", summary);
    check(leaders == 1 && equal, line);
    ags_free(summary);
    if (!leader) return 1;

    printf("== node %s, the leader, cut off: every connection of it killed\n", leader->name);
    snprintf(app, sizeof app, "%s-%s", store_id, leader->name);
    char *killed = sql_value(admin, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", app);
    printf("      pg_terminate_backend ended %s connections of node %s\n", killed ? killed : "no", leader->name);
    for (int i = 0; i < 3; i++) send_to(&nodes[i], "write 20");  /* the cut-off node too: its commits reconnect */
    for (int i = 0; i < 3; i++) free(reply_of(&nodes[i]));
    version = converge(nodes, 3);
    snprintf(line, sizeof line, "every node's 20 commits are in (v%lld: 120, the summary, 60); node %s reconnected", version, leader->name);
    check(killed && atoi(killed) >= 2 && version == 181, line);
    free(killed);
    char *stats = ask(leader, "stats"), *connected = field(stats, "/listener/connected");
    long long reconnects = number(stats, "/listener/reconnects");
    snprintf(line, sizeof line, "node %s's listener reconnected (%lld connects) and caught up", leader->name, reconnects);
    check(strcmp(connected, "true") == 0 && reconnects >= 2, line);
    ags_free(connected);
    free(stats);
    int k = 0;
    for (int i = 0; i < 3; i++) if (&nodes[i] != leader) order[k++] = &nodes[i];
    order[k] = leader;
    leaders = elect(order, 3, &next);
    converge(nodes, 3);
    summary = summary_of(&nodes[0]);
    char *total = field(summary, "/total"), *by = field(summary, "/leader");
    snprintf(expected, sizeof expected, "\"%s\"", next ? next->name : "");
    snprintf(line, sizeof line, "the lock went with the killed session: node %s leads now and wrote the summary %s",
             next ? next->name : "none", summary);
    check(leaders == 1 && next != leader && atoi(total) == 180 && strcmp(by, expected) == 0, line);
    ags_free(summary); ags_free(total); ags_free(by);

    printf("== a node offline while the others write, then rejoining\n");
    node *offline = NULL, *writers[2];
    k = 0;
    for (int i = 0; i < 3; i++) {
        if (!offline && &nodes[i] != next) offline = &nodes[i];
        else writers[k++] = &nodes[i];
    }
    long long at = ask_number(offline, "offline", "/version");
    for (int i = 0; i < 2; i++) send_to(writers[i], "write 25");
    for (int i = 0; i < 2; i++) free(reply_of(writers[i]));
    char *back = ask(offline, "online"), *current = field(back, "/clients_current");
    long long to = number(back, "/to"), operations = number(back, "/operations");
    printf("      node %s was at v%lld; back at v%lld, its clients brought up to date with one delta of %lld operations\n",
           offline->name, at, to, operations);
    version = converge(nodes, 3);
    snprintf(line, sizeof line, "node %s reopened the store at v%lld and its clients match it after delta_since(v%lld)",
             offline->name, version, at);
    check(to == version && version == 232 && strcmp(current, "true") == 0 && operations > 0, line);
    ags_free(current);
    free(back);

    int clean = 1;
    for (int i = 0; i < 3; i++) {
        int status = 0;
        send_to(&nodes[i], "quit");
        waitpid(nodes[i].pid, &status, 0);
        clean = clean && WIFEXITED(status) && WEXITSTATUS(status) == 0;
        fclose(nodes[i].in);
        fclose(nodes[i].out);
    }
    check(clean, "every node exited cleanly");
    PQfinish(admin);
    if (failures) printf("distributed_state: %d checks failed\n", failures);
    else printf("distributed_state: all checks passed\n");
    return failures ? 1 : 0;
}
