/*
 * agstate.h - the C interface of libagstate, the state engine for AG-UI.
 *
 * agstate keeps JSON state, changes it by JSON Pointer (RFC 6901), JSON Patch (RFC 6902) and JSON Merge
 * Patch (RFC 7386), and counts committed changes with a version number. This header is the whole public
 * interface; the Python and Go bindings are thin layers over it.
 *
 * Conventions (they hold for every function below unless its comment says otherwise):
 *
 *   Status.   A function that can fail returns an ags_status: AGS_OK (0) on success, one AGS_ERR_* code
 *             otherwise. A failed call changes no object and writes no output. The details of the last
 *             failure on the calling thread are read with ags_errlast(); a successful call leaves them as
 *             they were.
 *
 *   Input.    Text is passed as (const char *data, size_t len) in UTF-8 and need not be NUL-terminated.
 *             len may be AGS_NTS to say that data is NUL-terminated. data may be NULL only when len is 0.
 *             JSON input is strict RFC 8259 and I-JSON: UTF-8 validated, no comments, no trailing commas,
 *             no NaN or Infinity, no duplicate member names, nesting no deeper than AGS_LIMIT_DEPTH.
 *             Member names and strings are compared byte for byte (RFC 8259 section 8.3, RFC 6902
 *             section 4.6), as JavaScript, Python and Go compare them: "\u00e9" and "e\u0301" are two
 *             names in a document, a pointer and a patch, and two different strings to `test`.
 *
 *   Output.   Text is returned through (char **out, size_t *out_len): the library allocates it, adds a
 *             terminating NUL that out_len does not count, and the caller releases it with ags_free().
 *             out_len may be NULL. Output never points into the engine's own memory.
 *
 *   Numbers.  Integers that fit 64 bits stay exact; integer literals beyond 64 bits are kept exactly as
 *             their decimal digits; other numbers are IEEE doubles written in the shortest form that reads
 *             back to the same double. A number beyond the range of a double (1e400), or one that would
 *             round to zero (1e-400), is rejected as AGS_ERR_INVALID_JSON rather than changed.
 *
 *   Equality. Comparisons (the "test" operation, ags_json_equal) ignore the order of object members and
 *             compare numbers by value (1 equals 1.0). Output keeps members in insertion order.
 *
 *   Options.  A call that takes many parameters, or may take more in a later version, takes a pointer to
 *             an options struct whose first member is its version: initialise it with the AGS_*_OPTIONS_INIT
 *             macro or the ags_*_options_init() function, then set the members that matter. NULL means
 *             every default. Defaults are written once, in this header, as AGS_*_DEFAULT_* macros.
 *
 *   Flags.    Each group of flags has a type of its own (ags_json_flags, ags_patch_flags, ...); a function
 *             refuses, with AGS_ERR_INVALID_ARGUMENT, a bit that is not of its group.
 *
 *   Integers. Every integer parameter has the range its comment gives, checked on every call; a value
 *             outside it is AGS_ERR_INVALID_ARGUMENT. "No bound" is spelled AGS_UNBOUNDED.
 *
 *   Handles.  Objects such as ags_store are opaque handles checked on every call: a handle that was
 *             closed, or was never returned by the library, gives AGS_ERR_CLOSED or AGS_ERR_INVALID_ARGUMENT
 *             instead of undefined behaviour. Closing NULL or an already closed handle does nothing. Every
 *             handle may be used from many threads at once. A closed handle stays closed: no handle is ever
 *             handed out twice, however many are opened and closed.
 */
#ifndef AGSTATE_H
#define AGSTATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------------------------------------------
 * Versions
 * ------------------------------------------------------------------------------------------------ */

#define AGS_VERSION_MAJOR 0
#define AGS_VERSION_MINOR 1
#define AGS_VERSION_PATCH 0
/* The version of this header as text, and as MAJOR * 1000000 + MINOR * 1000 + PATCH. */
#define AGS_VERSION "0.1.0"
#define AGS_VERSION_NUMBER 1000

/* The version of the library that is linked, as text ("0.1.0"); the string is static. Compare it, or
 * ags_libversion_number(), with AGS_VERSION / AGS_VERSION_NUMBER to detect a header that does not match
 * the library. */
const char *ags_libversion(void);

/* The version of the library that is linked, as MAJOR * 1000000 + MINOR * 1000 + PATCH. */
int ags_libversion_number(void);

/* ---------------------------------------------------------------------------------------------------
 * Status codes and the last error
 * ------------------------------------------------------------------------------------------------ */

typedef int ags_status;

#define AGS_OK                    0  /* success */
#define AGS_ERR_INVALID_ARGUMENT  1  /* a NULL or out-of-range argument, a bad flag, a foreign handle */
#define AGS_ERR_INVALID_JSON      2  /* input text is not strict JSON (ags_errlast()->offset tells where) */
#define AGS_ERR_INVALID_POINTER   3  /* a JSON Pointer is not RFC 6901 syntax, or the root is removed */
#define AGS_ERR_INVALID_PATCH     4  /* a JSON Patch document is malformed (ags_errlast()->op_index tells which) */
#define AGS_ERR_PATH_NOT_FOUND    5  /* a pointer names no value, or a parent that is not there */
#define AGS_ERR_TEST_FAILED       6  /* a JSON Patch "test" operation did not match */
#define AGS_ERR_CONFLICT          7  /* a concurrent change conflicts with this one */
#define AGS_ERR_LIMIT_EXCEEDED    8  /* a configured limit (depth, input size, ...) would be exceeded */
#define AGS_ERR_CLOSED            9  /* the handle was closed */
#define AGS_ERR_IO               10  /* reading or writing outside the process failed */
#define AGS_ERR_NO_MEMORY        11  /* an allocation failed */
#define AGS_ERR_INTERNAL         12  /* a bug in agstate: please report it with the message */
#define AGS_ERR_NOT_IN_HISTORY   13  /* a version is no longer in the store's history: send a snapshot */
#define AGS_ERR_CORRUPT_DATA     14  /* stored or compressed data is truncated, damaged, foreign, or sealed with another key */
#define AGS_ERR_LOCKED           15  /* the location is locked by another owner */
#define AGS_ERR_RATE_LIMITED     16  /* a rate limit refused the call: retry later */
#define AGS_ERR_UNAVAILABLE      17  /* a backend (a database server) cannot be reached now */

/* The name of a status code as a static string, e.g. "AGS_ERR_INVALID_JSON"; "AGS_UNKNOWN" for a value
 * that is no status code. */
const char *ags_status_name(ags_status status);

/* The last failure on a thread. */
typedef struct ags_error {
    ags_status code;      /* AGS_OK when no call on this thread has failed (or since ags_errclear()) */
    const char *message;  /* an English message; "" when there is no failure */
    const char *pointer;  /* the JSON Pointer of the location concerned (e.g. a failing patch operation's
                             path), or NULL when it concerns no location */
    int64_t op_index;     /* the zero-based index of the patch operation that failed, or -1 */
    int64_t offset;       /* the byte offset in the input text where parsing failed, or -1 */
    uint64_t retry_after_ms; /* for AGS_ERR_RATE_LIMITED: how long to wait before the call can succeed; else 0 */
} ags_error;

/* The last failure on the calling thread; never NULL. The struct and its strings belong to the library
 * and stay valid until the next failing call (or ags_errclear()) on this thread. */
const ags_error *ags_errlast(void);

/* Forgets the last failure of the calling thread: ags_errlast()->code is then AGS_OK. */
void ags_errclear(void);

/* ---------------------------------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------------------------------ */

/* Releases text returned by the library. NULL is ignored. */
void ags_free(void *p);

/* Passed as a length: the text is NUL-terminated and its length is found with strlen. */
#define AGS_NTS ((size_t)-1)

/* Passed as a size bound (a decompression's max_size): no bound. Only a caller that trusts the data
 * should ask for it. */
#define AGS_UNBOUNDED SIZE_MAX

/* ---------------------------------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------------------------------ */

/* Deepest nesting of arrays and objects accepted in input and in the result of any change.
 * Default 512; at most 4000.
 * Stack: reading a document takes no stack per level of nesting, but comparing, writing and freeing
 * values recurse. Per level, on x86-64: about 1.5 KB for the tree comparison (ags_diff with
 * AGS_DIFF_FEWEST_BYTES or AGS_DIFF_VERIFY, ags_store_diff_snapshot), 0.9 KB for ags_json_equal, 0.85 KB
 * for ags_diff, 0.5 KB for writing JSON, 0.2 KB for freeing a value. So at the default limit a thread
 * calling agstate needs about 1 MB of stack, and at 4000 about 6 MB: raise the limit only for threads
 * that have it (glibc gives 8 MB by default; musl 128 KB). */
#define AGS_LIMIT_DEPTH        0
/* Largest input text accepted, in bytes. Default 1 GiB (1073741824). */
#define AGS_LIMIT_INPUT_BYTES  1
/* How many of the latest changes a store keeps in its history. Default 1000; 0 keeps none. */
#define AGS_LIMIT_HISTORY_VERSIONS  2
/* How many bytes (estimated) the kept changes may hold. Default 64 MiB (67108864). The oldest changes
 * are dropped first when either history limit is passed. */
#define AGS_LIMIT_HISTORY_BYTES     3

/* The defaults of the limits above, and the ceiling of AGS_LIMIT_DEPTH. */
#define AGS_DEFAULT_DEPTH             512
#define AGS_MAX_DEPTH                 4000
#define AGS_DEFAULT_INPUT_BYTES       1073741824
#define AGS_DEFAULT_HISTORY_VERSIONS  1000
#define AGS_DEFAULT_HISTORY_BYTES     67108864

/* Reads and optionally sets a process-wide default limit, used by the stateless functions and taken by
 * every store opened afterwards. When new_value is negative the limit is only read; otherwise it is set
 * (AGS_LIMIT_DEPTH from 1 to 4000, AGS_LIMIT_INPUT_BYTES at least 1, the history limits at least 0, the
 * content limits at least 0). id is one of the AGS_LIMIT_* ids (0 to 8); another is AGS_ERR_INVALID_ARGUMENT.
 * The value in force before the call is written to *old_value when old_value is not NULL. */
ags_status ags_limit(int id, int64_t new_value, int64_t *old_value);

/* ---------------------------------------------------------------------------------------------------
 * Stateless JSON functions
 * ------------------------------------------------------------------------------------------------ */

/* How JSON text is written, and for ags_json_format also read (combine with |). Output is compact when no
 * flag is given. */
typedef uint32_t ags_json_flags;
enum ags_json_flag {
    AGS_JSON_PRETTY           = 0x01u,  /* indent by two spaces, one member or element per line */
    AGS_JSON_SORT_KEYS        = 0x02u,  /* members sorted by name (UTF-8 byte order): a canonical form */
    /* Input: accept duplicate member names, the last one winning (what JavaScript's JSON.parse does).
     * Without it a duplicate name is AGS_ERR_INVALID_JSON, as I-JSON (RFC 7493) requires. */
    AGS_JSON_ALLOW_DUPLICATES = 0x100u
};

/* Checks that json is strict JSON. */
ags_status ags_json_validate(const char *json, size_t len);

/* Parses json and writes it again, compact by default or as the flags say: validates and normalises in
 * one step. Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS, AGS_JSON_ALLOW_DUPLICATES. */
ags_status ags_json_format(const char *json, size_t len, ags_json_flags flags, char **out, size_t *out_len);

/* Compares two JSON texts as values (member order ignored, numbers by value); *equal is set to 1 or 0. */
ags_status ags_json_equal(const char *a, size_t a_len, const char *b, size_t b_len, int *equal);

/* Resolves the JSON Pointer ptr (RFC 6901) in the document doc and writes the value found.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. AGS_ERR_PATH_NOT_FOUND when there is no such value. */
ags_status ags_pointer_get(const char *doc, size_t doc_len, const char *ptr, size_t ptr_len, ags_json_flags flags,
                           char **out, size_t *out_len);

/* Applies the JSON Patch patch (RFC 6902) to doc and writes the resulting document. All operations apply
 * or none: on failure nothing is written and ags_errlast() names the failing operation.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_patch_apply(const char *doc, size_t doc_len, const char *patch, size_t patch_len, ags_json_flags flags,
                           char **out, size_t *out_len);

/* Applies the JSON Merge Patch patch (RFC 7386) to doc and writes the resulting document.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_merge_patch_apply(const char *doc, size_t doc_len, const char *patch, size_t patch_len,
                                 ags_json_flags flags, char **out, size_t *out_len);

/* ---------------------------------------------------------------------------------------------------
 * Stores
 *
 * A store holds one JSON state and its version: 0 when opened, plus one for every committed change.
 * Every change is atomic: it commits completely as one new version or, on failure, changes nothing.
 * Writers are serialised. A writer changes the state in place, so a change copies nothing that no snapshot
 * or reader holds; readers read the latest committed state and wait meanwhile at most for the application
 * of one change, which costs what the change costs, never what the state costs.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_store ags_store;

/* How a change is applied (combine with |). */
typedef uint32_t ags_patch_flags;
enum ags_patch_flag {
    /* A "replace" of a missing path becomes an "add", and a "remove" of a missing path does nothing. For
     * deltas computed against a state the receiver never had; never the default. The change is recorded
     * (history, subscribers, events) as the operations that took effect. */
    AGS_PATCH_LENIENT = 0x1000u,
    /* Marks the change urgent, for those that batch changes (a batcher sends it at once). */
    AGS_PATCH_URGENT  = 0x2000u
};

/* Passed as expected_version: commit whatever the current version is; as base_version: the patch was made
 * against the current version. */
#define AGS_ANY_VERSION  UINT64_MAX

/* How a patch made against an older version (base_version) is applied when changes were committed since.
 * The outcomes for five concurrent-edit cases are tabled in the README ("Collaboration").
 *   REJECT            AGS_ERR_CONFLICT when a change since the base touched a location the patch reads or
 *                     writes (as transactions decide); otherwise the patch applies as written.
 *   REBASE            the patch is carried over the changes since its base: array indexes shifted by their
 *                     insertions and removals, paths followed through moves. An operation on or inside
 *                     something a later change removed or overwrote is AGS_ERR_CONFLICT; where both wrote
 *                     the same location the patch applies after. Two insertions at one index keep both,
 *                     the one committed first in front. What commits (and subscribers see) is the carried
 *                     patch.
 *   LAST_WRITE_WINS   as REBASE, and the patch wins wherever it overlaps: what a later change removed is put
 *                     back (as it was removed) with the patch's edit applied.
 *   FIRST_WRITE_WINS  as REBASE, but operations that overlap a later change are dropped (and logged); the rest
 *                     applies.
 *   MERGE             three-way merge of base, current and proposed: changes to different members or elements
 *                     combine (arrays by rebase); AGS_ERR_CONFLICT where both changed one location (or one
 *                     inside the other) differently, or one removed what the other changed.
 *   CUSTOM            the resolver (ags_commit_options.resolver) decides each conflicting location.
 * AGS_STRATEGY_DEFAULT takes the store's (ags_store_set_strategy; REBASE unless set). */
typedef uint32_t ags_strategy;
enum ags_strategy_kind {
    AGS_STRATEGY_DEFAULT          = 0,
    AGS_STRATEGY_REJECT           = 1,
    AGS_STRATEGY_REBASE           = 2,
    AGS_STRATEGY_LAST_WRITE_WINS  = 3,
    AGS_STRATEGY_FIRST_WRITE_WINS = 4,
    AGS_STRATEGY_MERGE            = 5,
    AGS_STRATEGY_CUSTOM           = 6
};

/* One conflicting location, as a custom resolver sees it. Texts are JSON (valid only during the call);
 * a value is NULL with length 0 where the location holds nothing. */
typedef struct ags_conflict {
    const char *path;     size_t path_len;      /* JSON Pointer, in the current state's terms */
    const char *base;     size_t base_len;      /* the value in the base version */
    const char *current;  size_t current_len;   /* the value now */
    const char *proposed; size_t proposed_len;  /* the value the patch would leave */
} ags_conflict;

/* What a resolver returns. */
typedef int32_t ags_resolution;
enum ags_resolution_kind {
    AGS_RESOLVE_REFUSE        = 0,  /* the commit fails with AGS_ERR_CONFLICT */
    AGS_RESOLVE_KEEP_BASE     = 1,
    AGS_RESOLVE_KEEP_CURRENT  = 2,
    AGS_RESOLVE_KEEP_PROPOSED = 3,
    AGS_RESOLVE_REMOVE        = 4,  /* leave nothing at the location */
    AGS_RESOLVE_KEEP_VALUE    = 5   /* keep the JSON text written to *value, *value_len */
};

/* A custom resolver: called during the commit, on the committing thread, while the store's write lock is
 * held (it must not commit to the same store), once per conflicting location. It returns an
 * ags_resolution (AGS_RESOLVE_*). For AGS_RESOLVE_KEEP_VALUE
 * it points *value at JSON text (len may be AGS_NTS) that stays valid until the commit call returns;
 * text that is not JSON, or any other answer, refuses. */
typedef int32_t (*ags_resolve_fn)(void *user_data, const ags_conflict *conflict, const char **value,
                                         size_t *value_len);

/* Options of every call that commits a change (ags_store_set, _add, _remove, _patch, _merge, _restore,
 * _apply_event, ags_txn_commit). NULL means the defaults of AGS_COMMIT_OPTIONS_INIT. */
typedef struct ags_commit_options {
    unsigned int version;       /* AGS_COMMIT_OPTIONS_VERSION */
    ags_patch_flags flags;      /* AGS_PATCH_LENIENT, AGS_PATCH_URGENT; default 0 */
    /* Compare-and-set: commit only when the store is at this version, otherwise AGS_ERR_CONFLICT (a client
     * that works optimistically sends the version it read). Default AGS_ANY_VERSION: no check. */
    uint64_t expected_version;
    /* The version the change was made against (a client's last seen version); AGS_ANY_VERSION (default):
     * the current one. Older: resolved by strategy; AGS_ERR_NOT_IN_HISTORY when the changes since it are
     * no longer kept (resync from a snapshot); newer than the store: AGS_ERR_INVALID_ARGUMENT. Calls that
     * commit JSON Patch operations take it into account (ags_store_patch, _add, _remove, _restore,
     * _apply_event); ags_store_set and _merge work out their operations from the current state, and
     * ags_txn_commit has its own base (the version it began at), so they ignore it. */
    uint64_t base_version;
    /* AGS_STRATEGY_DEFAULT to AGS_STRATEGY_CUSTOM (else AGS_ERR_INVALID_ARGUMENT, whatever the call);
     * default AGS_STRATEGY_DEFAULT (the store's). */
    ags_strategy strategy;
    /* Who commits (a client id, UTF-8, len may be AGS_NTS; NULL/0: nobody): recorded in history
     * ("author" in ags_store_history), in the conflict log, and checked against section locks. */
    const char *author;
    size_t author_len;
    /* For AGS_STRATEGY_CUSTOM: the resolver and its user_data. */
    ags_resolve_fn resolver;
    void *resolver_data;
    /* The committing client's id (UTF-8, client_id_len bytes, or AGS_NTS), for a registry's rate limits per
     * client (ags_registry_options); NULL (default): no client, no rate limit. A refusal is
     * AGS_ERR_RATE_LIMITED with ags_errlast()->retry_after_ms, and nothing is applied. */
    const char *client_id;
    size_t client_id_len;
} ags_commit_options;

#define AGS_COMMIT_OPTIONS_VERSION 1
#define AGS_COMMIT_OPTIONS_INIT { AGS_COMMIT_OPTIONS_VERSION, 0, AGS_ANY_VERSION, AGS_ANY_VERSION, \
                                  AGS_STRATEGY_DEFAULT, NULL, 0, NULL, NULL, NULL, 0 }

/* Initialises options to the defaults of version (AGS_COMMIT_OPTIONS_VERSION); AGS_ERR_INVALID_ARGUMENT for a
 * version this library does not know. */
ags_status ags_commit_options_init(ags_commit_options *options, unsigned int version);

/* Opens a store holding the JSON document json, or {} when json is NULL and len is 0. The store takes the
 * process-wide limits in force now (see ags_limit). On success *store is a handle to close with
 * ags_store_close(). */
ags_status ags_store_open(const char *json, size_t len, ags_store **store);

/* Closes a store and releases it once calls running on other threads have returned. NULL, or a store
 * already closed, is ignored. Any later call with the handle gives AGS_ERR_CLOSED, and so does every later
 * commit through what still holds the store (a transaction begun before it: ags_txn_commit). It waits
 * only for a commit in progress on another thread, never for a callback: it may be called from inside a
 * subscription or batcher callback. A handle from ags_storage_open_store or ags_registry_get shares its
 * store with every other handle to that id: closing it ends that handle (and releases a registry's hold),
 * and the store stays open for the others. */
void ags_store_close(ags_store *store);

/* Writes the current version to *version. */
ags_status ags_store_version(ags_store *store, uint64_t *version);

/* Writes the value at the JSON Pointer ptr in the current state ("" or NULL/0 for the whole state).
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_store_get(ags_store *store, const char *ptr, size_t ptr_len, ags_json_flags flags,
                         char **out, size_t *out_len);

/* Writes the whole current state; the same as ags_store_get with the pointer "". */
ags_status ags_store_export(ags_store *store, ags_json_flags flags, char **out, size_t *out_len);

/* Every call below that commits takes options (NULL for the defaults) and writes the version it committed
 * to *version when version is not NULL. */

/* Sets the value at ptr to the JSON text value: replaces it when it exists, otherwise adds it (an object
 * member, or an array element at "-" or at the array's length). The parent must exist: nothing is
 * created on the way. Commits one version. */
ags_status ags_store_set(ags_store *store, const char *ptr, size_t ptr_len, const char *value, size_t value_len,
                         const ags_commit_options *options, uint64_t *version);

/* RFC 6902 "add" of the JSON text value at ptr (inserts into arrays; "-" appends). Commits one version. */
ags_status ags_store_add(ags_store *store, const char *ptr, size_t ptr_len, const char *value, size_t value_len,
                         const ags_commit_options *options, uint64_t *version);

/* RFC 6902 "remove" at ptr; the value must exist (with AGS_PATCH_LENIENT a missing one is no error), and the
 * root cannot be removed. Commits one version. */
ags_status ags_store_remove(ags_store *store, const char *ptr, size_t ptr_len, const ags_commit_options *options,
                            uint64_t *version);

/* Applies the JSON Patch patch atomically and commits it as one version (also when it changes nothing,
 * e.g. only "test" operations). On failure the state and version are unchanged and ags_errlast() names the
 * failing operation. */
ags_status ags_store_patch(ags_store *store, const char *patch, size_t patch_len, const ags_commit_options *options,
                           uint64_t *version);

/* Applies the JSON Merge Patch patch to the whole state and commits it as one version. */
ags_status ags_store_merge(ags_store *store, const char *patch, size_t patch_len, const ags_commit_options *options,
                           uint64_t *version);

/* Reads and optionally sets a limit of this store (AGS_LIMIT_*), as ags_limit() does for the process-wide
 * defaults. A state that is already deeper than a lowered AGS_LIMIT_DEPTH stays as it is; changes that
 * would exceed the limit fail. */
ags_status ags_store_limit(ags_store *store, int id, int64_t new_value, int64_t *old_value);

/* ---------------------------------------------------------------------------------------------------
 * Snapshots
 *
 * A snapshot is the state of a store at one version. Taking one costs O(1) whatever the size of the
 * state; later changes to the store do not affect it. A snapshot stays readable after its store closes.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_snapshot ags_snapshot;

/* Takes a snapshot of the current state. Close it with ags_snapshot_close(). */
ags_status ags_store_snapshot(ags_store *store, ags_snapshot **snapshot);

/* Releases a snapshot. NULL, or a snapshot already closed, is ignored. */
void ags_snapshot_close(ags_snapshot *snapshot);

/* Writes the version the snapshot was taken at. */
ags_status ags_snapshot_version(ags_snapshot *snapshot, uint64_t *version);

/* Writes the value at ptr ("" or NULL/0 for the whole state) in the snapshot. Flags as ags_store_get. */
ags_status ags_snapshot_get(ags_snapshot *snapshot, const char *ptr, size_t ptr_len, ags_json_flags flags,
                            char **out, size_t *out_len);

/* Makes the snapshot's state current again. This is an ordinary change: it commits a new version, is
 * recorded in the history as a "replace" of the root, and subscribers hear of it. The snapshot may come
 * from another store. */
ags_status ags_store_restore(ags_store *store, ags_snapshot *snapshot, const ags_commit_options *options,
                             uint64_t *version);

/* ---------------------------------------------------------------------------------------------------
 * History and time travel
 *
 * A store keeps its latest changes as the operations applied and the operations that undo them (never
 * copies of the state), bounded by AGS_LIMIT_HISTORY_VERSIONS and AGS_LIMIT_HISTORY_BYTES. The state of
 * any version from the oldest kept to the current one can be rebuilt, and a client that says which version
 * it has can be brought up to date with one patch.
 * ------------------------------------------------------------------------------------------------ */

/* Writes the oldest version whose state can be rebuilt, and the current version. */
ags_status ags_store_history_range(ags_store *store, uint64_t *oldest, uint64_t *newest);

/* Writes the kept changes after since_version as a JSON array, oldest first:
 * [{"version":5,"patch":[...RFC 6902 operations...]}, ...]. AGS_ERR_NOT_IN_HISTORY when some of those
 * changes are no longer kept; AGS_ERR_INVALID_ARGUMENT when since_version is newer than the store. */
ags_status ags_store_history(ags_store *store, uint64_t since_version, ags_json_flags flags, char **out, size_t *out_len);

/* Writes the state as it was at version (rebuilt from the current state by undoing later changes), member
 * order included. AGS_ERR_NOT_IN_HISTORY when that version is older than the history reaches;
 * AGS_ERR_INVALID_ARGUMENT when it is newer than the store (any uint64_t value is accepted). */
ags_status ags_store_state_at(ags_store *store, uint64_t version, ags_json_flags flags, char **out, size_t *out_len);

/* Writes one JSON Patch that takes the state of version to the current state: the operations of every
 * later change, in order ("[]" when version is current). AGS_ERR_NOT_IN_HISTORY when the history no
 * longer reaches back to version: send a snapshot instead. */
ags_status ags_store_delta_since(ags_store *store, uint64_t version, ags_json_flags flags, char **out, size_t *out_len);

/* ---------------------------------------------------------------------------------------------------
 * Transactions
 *
 * A transaction groups changes that commit as one version, or not at all. Beginning one is O(1). Reads
 * see the transaction's own writes. Commit fails with AGS_ERR_CONFLICT when a change committed since the
 * transaction began wrote a location the transaction read or wrote, or one inside or around it (an
 * insertion into or removal from an array counts as a change of the whole array); changes elsewhere do not
 * conflict, and the transaction's operations are then applied on top of them.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_txn ags_txn;

/* Begins a transaction on the current state. End it with ags_txn_commit() or ags_txn_rollback(). */
ags_status ags_store_begin(ags_store *store, ags_txn **txn);

/* Writes the value at ptr as the transaction sees it; the location counts as read. */
ags_status ags_txn_get(ags_txn *txn, const char *ptr, size_t ptr_len, ags_json_flags flags, char **out, size_t *out_len);

/* Applies a JSON Patch to the transaction's state, atomically, under the store's limits (flags: 0 or
 * AGS_PATCH_LENIENT). "test" targets and "move"/"copy" sources count as read. */
ags_status ags_txn_patch(ags_txn *txn, const char *patch, size_t patch_len, ags_patch_flags flags);

/* Commits the transaction as one version (options: AGS_PATCH_URGENT; an expected_version other than
 * AGS_ANY_VERSION must be the version the transaction began at, or it is AGS_ERR_CONFLICT). The transaction
 * ends and its handle is released whatever the result: after AGS_ERR_CONFLICT, begin again.
 * AGS_ERR_CLOSED when its store was closed meanwhile (nothing is written). */
ags_status ags_txn_commit(ags_txn *txn, const ags_commit_options *options, uint64_t *version);

/* Ends the transaction without committing and releases its handle. NULL, or a transaction already
 * ended, is ignored. */
void ags_txn_rollback(ags_txn *txn);

/* ---------------------------------------------------------------------------------------------------
 * Subscriptions
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_subscription ags_subscription;

/* Called after a commit that touches the subscribed location: a change of the location itself, of
 * anything inside it, or of an ancestor (a subscriber to "/a/b" hears of a "replace" of "/a"; an insertion
 * into an array reaches the subscribers of its elements). patch holds the commit's operations that concern
 * the subscription, as a JSON Patch (NUL-terminated; valid only during the call). Return 0; any other
 * value reports a failure, which is counted (ags_subscription_failures) while the commit stands.
 *
 * Threads and order: the callback runs on the thread that committed, before that commit returns, with no
 * lock of the library held. While one thread delivers, a commit on another thread waits until its own
 * change has been delivered, so every subscriber hears of the commits in commit order, each once. The
 * callback may read the store and commit changes: those are delivered after the callback returns (at most
 * 10000 such commits per delivery run; more fail with AGS_ERR_LIMIT_EXCEEDED). */
typedef int (*ags_change_fn)(void *user_data, uint64_t version, const char *patch, size_t patch_len);

/* Subscribes fn to changes at or around the JSON Pointer ptr ("" for every change). */
ags_status ags_store_subscribe(ags_store *store, const char *ptr, size_t ptr_len, ags_change_fn fn, void *user_data,
                               ags_subscription **subscription);

/* Ends a subscription at once: when this returns, no call of its callback is running on another thread
 * and none will start (called from inside its own callback, it returns at once). NULL, or a subscription
 * already closed, is ignored. */
void ags_subscription_close(ags_subscription *subscription);

/* Writes how many times the subscription's callback reported a failure. */
ags_status ags_subscription_failures(ags_subscription *subscription, uint64_t *count);

/* ---------------------------------------------------------------------------------------------------
 * AG-UI state events
 *
 * STATE_SNAPSHOT {"type":"STATE_SNAPSHOT","snapshot":<state>} and STATE_DELTA
 * {"type":"STATE_DELTA","delta":[<RFC 6902 operations>]}, as compact JSON, or with AGS_EVENT_SSE as one
 * Server-Sent Events frame "data: <json>\n\n" (the framing of the official Python SDK's EventEncoder).
 * ------------------------------------------------------------------------------------------------ */

/* How an event is written. */
typedef uint32_t ags_event_flags;
enum ags_event_flag {
    AGS_EVENT_SSE = 0x200u  /* frame the event for Server-Sent Events */
};

/* Writes any AG-UI event given as JSON text as compact JSON, or with AGS_EVENT_SSE as one SSE frame. The
 * event must be a JSON object; its contents are not validated (see ags_validator_feed for that). */
ags_status ags_event_encode(const char *event, size_t len, ags_event_flags flags, char **out, size_t *out_len);

/* Writes a STATE_SNAPSHOT event of the current state. Flags: AGS_EVENT_SSE. */
ags_status ags_store_snapshot_event(ags_store *store, ags_event_flags flags, char **out, size_t *out_len);

/* Writes a STATE_DELTA event that takes a client at since_version to the current state (see
 * ags_store_delta_since; AGS_ERR_NOT_IN_HISTORY means: send ags_store_snapshot_event instead).
 * Flags: AGS_EVENT_SSE. */
ags_status ags_store_delta_event(ags_store *store, uint64_t since_version, ags_event_flags flags, char **out,
                                 size_t *out_len);

/* Wraps a JSON Patch (for example the one a subscription callback received) in a STATE_DELTA event.
 * Flags: AGS_EVENT_SSE. */
ags_status ags_delta_event(const char *patch, size_t patch_len, ags_event_flags flags, char **out, size_t *out_len);

/* Applies a STATE_SNAPSHOT event (replacing the whole state) or a STATE_DELTA event (atomically) given as
 * JSON text, as one change. Other members of the event (timestamp, rawEvent, ...) are ignored; another
 * event type is AGS_ERR_INVALID_ARGUMENT. A delta that does not apply is rejected with the failing
 * operation's index and path, and the state stays as it was. */
ags_status ags_store_apply_event(ags_store *store, const char *event, size_t event_len,
                                 const ags_commit_options *options, uint64_t *version);

/* ---------------------------------------------------------------------------------------------------
 * Compression
 *
 * gzip (RFC 1952), zlib (RFC 1950) and raw deflate (RFC 1951) through the system's zlib, at levels 1 to 9;
 * Zstandard through the system's libzstd at its levels (negative fast levels to 22), with a content
 * checksum. Level 0 means the codec's default: 6, or 3 for zstd.
 *
 * Decompression is always bounded: it fails with AGS_ERR_LIMIT_EXCEEDED as soon as the output would pass
 * max_size bytes, and never allocates beyond that. Truncated input, a bad checksum, trailing bytes and data
 * of another codec each fail with AGS_ERR_CORRUPT_DATA and a message saying which. Concatenated gzip
 * members and zstd frames are read as one stream, as gzip -d and zstd -d read them.
 *
 * Compressed output is binary: out_len counts it, and the NUL after it is only for convenience.
 * ------------------------------------------------------------------------------------------------ */

#define AGS_CODEC_IDENTITY  0  /* no compression (an envelope's stored form) */
#define AGS_CODEC_GZIP      1
#define AGS_CODEC_ZLIB      2
#define AGS_CODEC_DEFLATE   3  /* raw deflate: no header, no checksum */
#define AGS_CODEC_ZSTD      4

/* Compresses data with codec (AGS_CODEC_IDENTITY to AGS_CODEC_ZSTD) at level: 0 for the codec's default, 1 to
 * 9 for gzip, zlib and deflate, ZSTD_minCLevel() to ZSTD_maxCLevel() (negative fast levels to 22) for zstd;
 * identity ignores it. Another codec or level is AGS_ERR_INVALID_ARGUMENT. */
ags_status ags_compress(int codec, int level, const char *data, size_t len, char **out, size_t *out_len);

/* The decompression bound the bindings use when their caller gives none: 256 MiB. */
#define AGS_DEFAULT_MAX_DECOMPRESSED_SIZE 268435456

/* Decompresses data written with codec, producing at most max_size bytes (AGS_UNBOUNDED: no bound). */
ags_status ags_decompress(int codec, const char *data, size_t len, size_t max_size, char **out, size_t *out_len);

typedef struct ags_compressor ags_compressor;
typedef struct ags_decompressor ags_decompressor;

/* How a compression stream writes. */
typedef uint32_t ags_compress_flags;
enum ags_compress_flag {
    /* After this data, flush, so that everything written so far can be decoded by the receiver now (zlib's
     * sync flush, zstd's flush). An SSE response compressed this way delivers each event as soon as it is
     * written. */
    AGS_FLUSH = 0x800u
};

/* Opens a compression stream; codec and level as for ags_compress. */
ags_status ags_compressor_open(int codec, int level, ags_compressor **compressor);

/* Compresses data and writes the output that is ready (possibly none: *out_len 0). Flags: 0 or AGS_FLUSH. */
ags_status ags_compressor_write(ags_compressor *compressor, const char *data, size_t len, ags_compress_flags flags,
                                char **out, size_t *out_len);

/* Ends the stream and writes the rest of the output (trailer and checksum). Later writes fail. */
ags_status ags_compressor_finish(ags_compressor *compressor, char **out, size_t *out_len);

/* Releases a compression stream. NULL, or a stream already closed, is ignored. */
void ags_compressor_close(ags_compressor *compressor);

/* Opens a decompression stream that produces at most max_size bytes in all (AGS_UNBOUNDED: no bound). */
ags_status ags_decompressor_open(int codec, size_t max_size, ags_decompressor **decompressor);

/* Decompresses data and writes the output it completes (possibly none). */
ags_status ags_decompressor_write(ags_decompressor *decompressor, const char *data, size_t len,
                                  char **out, size_t *out_len);

/* Checks that the stream ended where its codec says it ends: AGS_ERR_CORRUPT_DATA when it was cut short. */
ags_status ags_decompressor_finish(ags_decompressor *decompressor);

/* Releases a decompression stream. NULL, or a stream already closed, is ignored. */
void ags_decompressor_close(ags_decompressor *decompressor);

/* The envelope: a compressed event or delta that a receiver recognises without guessing.
 *
 * Binary form (integers little-endian): bytes 0-3 "AGSE"; byte 4 format version 1; byte 5 the codec
 * (AGS_CODEC_*); bytes 6-7 reserved, 0; bytes 8-15 the original size; bytes 16-19 the CRC-32 (as zlib's
 * crc32) of the original bytes; then the payload, the original bytes compressed with the codec.
 *
 * JSON form, for transports that carry text:
 * {"envelope":"agstate/1","codec":"gzip","size":1234,"crc32":"8a9136aa","data":"<base64 payload>"}
 *
 * Data shorter than the threshold, or that compression would not make smaller, is stored with
 * AGS_CODEC_IDENTITY. */
#define AGS_ENVELOPE_THRESHOLD  1024  /* the usual threshold, in bytes */

/* The form of an envelope. */
typedef uint32_t ags_envelope_flags;
enum ags_envelope_flag {
    AGS_ENVELOPE_JSON = 0x400u  /* write the JSON form */
};

typedef struct ags_pack_options {
    unsigned int version;        /* AGS_PACK_OPTIONS_VERSION */
    int codec;                   /* AGS_CODEC_*; default AGS_CODEC_GZIP */
    int level;                   /* 0 for the codec's default (the default), else the codec's levels */
    size_t threshold;            /* data shorter than this is stored; default AGS_ENVELOPE_THRESHOLD */
    ags_envelope_flags flags;    /* 0 (binary form, the default) or AGS_ENVELOPE_JSON */
} ags_pack_options;

#define AGS_PACK_OPTIONS_VERSION 1
#define AGS_PACK_OPTIONS_INIT { AGS_PACK_OPTIONS_VERSION, AGS_CODEC_GZIP, 0, AGS_ENVELOPE_THRESHOLD, 0 }

/* Initialises options to the defaults of version (AGS_PACK_OPTIONS_VERSION). */
ags_status ags_pack_options_init(ags_pack_options *options, unsigned int version);

/* Packs data in an envelope, compressed with the options' codec at its level when data is at least threshold
 * bytes and compression saves bytes. options NULL: the defaults. */
ags_status ags_pack(const char *data, size_t len, const ags_pack_options *options, char **out, size_t *out_len);

/* Unpacks an envelope in either form (JSON when it starts with '{'), checking its size and checksum, and
 * producing at most max_size bytes (AGS_UNBOUNDED: no bound; a larger recorded size fails before any work). The codec the envelope
 * used is written to *codec when codec is not NULL. A recorded size the payload contradicts, or past
 * 2^63 - 1, is AGS_ERR_CORRUPT_DATA. */
ags_status ags_unpack(const char *envelope, size_t len, size_t max_size, int *codec, char **out, size_t *out_len);

/* Writes the bytes in and out per codec since the process started (or the last reset), as JSON:
 * {"gzip":{"compress":{"in":N,"out":N,"ratio":R},"decompress":{"in":N,"out":N,"ratio":R}},...}.
 * For compression ratio is in/out, for decompression out/in: both say how many times smaller the
 * compressed form is. */
ags_status ags_codec_stats(char **out, size_t *out_len);

/* Sets every codec counter back to 0. */
void ags_codec_stats_reset(void);

/* ---------------------------------------------------------------------------------------------------
 * Diff and compaction
 * ------------------------------------------------------------------------------------------------ */

/* What a diff computes. */
typedef uint32_t ags_diff_flags;
enum ags_diff_flag {
    /* Where replacing a whole object or array takes fewer bytes than the operations inside it, replace it.
     * Without it every operation targets the deepest place that changed. */
    AGS_DIFF_FEWEST_BYTES = 0x4000u,
    /* Put a "test" of the old value before every "replace" and "remove", so that the patch refuses to apply
     * to a document other than the one it was made from. */
    AGS_DIFF_TEST_GUARDS  = 0x8000u,
    /* Apply the patch to a and compare the result with b before writing it (the algorithm is checked by
     * property tests; this checks each result once more, at about twice the cost). */
    AGS_DIFF_VERIFY       = 0x10000u
};

typedef struct ags_diff_options {
    unsigned int version;     /* AGS_DIFF_OPTIONS_VERSION */
    ags_diff_flags flags;     /* default 0 */
    ags_json_flags format;    /* how the patch is written: AGS_JSON_PRETTY; default 0 (compact) */
} ags_diff_options;

#define AGS_DIFF_OPTIONS_VERSION 1
#define AGS_DIFF_OPTIONS_INIT { AGS_DIFF_OPTIONS_VERSION, 0, 0 }

/* Initialises options to the defaults of version (AGS_DIFF_OPTIONS_VERSION). */
ags_status ags_diff_options_init(ags_diff_options *options, unsigned int version);

/* Writes a JSON Patch that turns a into b: applying it to a gives b exactly (numbers written alike too),
 * always. Objects are compared member by member; arrays by a longest common subsequence (up to a bound on
 * the work, beyond which the differing part is replaced). options NULL: the defaults.
 * Cost: the two texts are read side by side; where they agree byte for byte only a is read (validated, not
 * built), so two large states that differ in a few places cost about one scan of a. Values are built only
 * where the texts differ. Member names with escapes or non-ASCII bytes, AGS_DIFF_FEWEST_BYTES and
 * AGS_DIFF_VERIFY take the slower way (both documents parsed whole); the patch is the same either way. */
ags_status ags_diff(const char *a, size_t a_len, const char *b, size_t b_len, const ags_diff_options *options,
                    char **out, size_t *out_len);

/* Writes the JSON Merge Patch (RFC 7386) that turns a into b. AGS_ERR_INVALID_ARGUMENT when none exists:
 * a merge patch cannot set a member to null. Flags: AGS_JSON_PRETTY. */
ags_status ags_merge_diff(const char *a, size_t a_len, const char *b, size_t b_len, ags_json_flags flags,
                          char **out, size_t *out_len);

/* Writes one JSON Patch equivalent to a sequence of patches, usually shorter: for every document the
 * sequence applies to, the result gives the same document. patches is either one JSON Patch or a JSON array
 * of JSON Patches. Folds successive replaces of a path, changes under a path that is later replaced or
 * removed, changes inside a value that was just added, and "test"s those make pointless. Flags:
 * AGS_JSON_PRETTY. */
ags_status ags_compact(const char *patches, size_t len, ags_json_flags flags, char **out, size_t *out_len);

/* Writes a JSON Patch that takes the state of version from_version to the state of to_version (either may
 * be the older): the recorded changes between them, compacted, so its cost follows the size of the changes
 * and not of the state. AGS_ERR_NOT_IN_HISTORY when the history does not reach both;
 * AGS_ERR_INVALID_ARGUMENT when either is newer than the store (any two uint64_t values are accepted). */
ags_status ags_store_diff(ags_store *store, uint64_t from_version, uint64_t to_version, ags_json_flags flags,
                          char **out, size_t *out_len);

/* Writes a JSON Patch that takes the state of snapshot to the current state of store: from the recorded
 * changes when the history still reaches the snapshot's version, otherwise by comparing the two states (and
 * skipping every subtree they still share). The snapshot may come from another store. */
ags_status ags_store_diff_snapshot(ags_store *store, ags_snapshot *snapshot, ags_json_flags flags, char **out, size_t *out_len);

/* ---------------------------------------------------------------------------------------------------
 * Delta batcher
 *
 * A batcher watches a store (or one location of it) and sends its commits as one compacted STATE_DELTA:
 * when max_operations operations or max_bytes bytes of JSON are pending, when window_ms milliseconds have
 * passed since the first pending change, or at once for a change committed with AGS_PATCH_URGENT. Time is
 * given by the caller (ags_batcher_poll), or by a thread the batcher owns (ags_batcher_start_timer).
 *
 * The callback is never called twice at once, and with no lock of the library held. With the timer
 * thread, every batch is sent from that thread: a commit that makes a batch due only wakes it, so a slow
 * consumer never holds up writers; changes arriving meanwhile coalesce into the next batch, and a backlog
 * beyond 16 times the bounds is replaced by one "replace" of the watched value (both counted in the
 * statistics). Without it, a batch made due by a commit is sent on the committing thread before the commit
 * returns, and one made due by time is sent by ags_batcher_poll.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_batcher ags_batcher;

/* Receives one batch: the STATE_DELTA event (compact JSON, NUL-terminated, valid only during the call) that
 * takes a client from from_version to to_version. Return 0; any other value is counted as a failed send. */
typedef int (*ags_batch_fn)(void *user_data, uint64_t from_version, uint64_t to_version, const char *event,
                            size_t event_len);

#define AGS_BATCHER_DEFAULT_MAX_OPERATIONS  200
#define AGS_BATCHER_DEFAULT_MAX_BYTES       65536
#define AGS_BATCHER_DEFAULT_WINDOW_MS       100
/* The largest max_operations and max_bytes accepted: 2^40. */
#define AGS_BATCHER_MAX_BOUND               1099511627776ull

typedef struct ags_batcher_options {
    unsigned int version;     /* AGS_BATCHER_OPTIONS_VERSION */
    const char *pointer;      /* the location watched; NULL (the default) or "" for the whole state */
    size_t pointer_len;       /* its length, or AGS_NTS */
    size_t max_operations;    /* 1 to AGS_BATCHER_MAX_BOUND; default AGS_BATCHER_DEFAULT_MAX_OPERATIONS */
    size_t max_bytes;         /* 1 to AGS_BATCHER_MAX_BOUND; default AGS_BATCHER_DEFAULT_MAX_BYTES */
    /* Any value; default AGS_BATCHER_DEFAULT_WINDOW_MS. 0: the pending changes go at the next poll; a window
     * longer than the process lives sends only by size, urgency or flush. */
    uint64_t window_ms;
} ags_batcher_options;

#define AGS_BATCHER_OPTIONS_VERSION 1
#define AGS_BATCHER_OPTIONS_INIT { AGS_BATCHER_OPTIONS_VERSION, NULL, 0, AGS_BATCHER_DEFAULT_MAX_OPERATIONS, \
                                   AGS_BATCHER_DEFAULT_MAX_BYTES, AGS_BATCHER_DEFAULT_WINDOW_MS }

/* Initialises options to the defaults of version (AGS_BATCHER_OPTIONS_VERSION). */
ags_status ags_batcher_options_init(ags_batcher_options *options, unsigned int version);

/* Opens a batcher on store with options (NULL: the defaults); fn must not be NULL. */
ags_status ags_batcher_open(ags_store *store, const ags_batcher_options *options, ags_batch_fn fn, void *user_data,
                            ags_batcher **batcher);

/* Tells the batcher the time in milliseconds (any clock that only goes forward; the same one every call)
 * and sends the pending changes if window_ms has passed since the first of them. A change is stamped with
 * the latest time the batcher was told. */
ags_status ags_batcher_poll(ags_batcher *batcher, uint64_t now_ms);

/* Sends what is pending now, if anything. */
ags_status ags_batcher_flush(ags_batcher *batcher);

/* Starts the batcher's own thread, which checks every tick_ms (0: a quarter of the window, at least 1 ms; any
 * uint64_t value is accepted, and closing the batcher wakes the thread however long its tick) and sends every
 * batch from then on, using the system's monotonic clock. Stopped by ags_batcher_close. */
ags_status ags_batcher_start_timer(ags_batcher *batcher, uint64_t tick_ms);

/* Writes the batcher's counts as JSON: {"batches":N,"changes":N,"operationsIn":N,"operationsOut":N,
 * "coalesced":N,"resynced":N,"failedSends":N}. */
ags_status ags_batcher_stats(ags_batcher *batcher, char **out, size_t *out_len);

/* Stops the batcher (and its thread, waiting for it). With flush non-zero, what is pending is sent first;
 * otherwise it is dropped. NULL, or a batcher already closed, is ignored.
 * From inside the batcher's own callback it waits for nothing (the batch being sent is the caller's): it
 * returns at once, the callback's batch is the last but one, and with flush non-zero what is pending is
 * sent right after the callback returns, on its thread; with 0 it is dropped. From the timer thread, the
 * thread ends after that round. Elsewhere it waits for a batch being sent on another thread; so a batcher
 * whose callback commits to the watched store must not be closed from one of that store's subscription
 * callbacks while a batch may be in flight on another thread (the close waits for the callback, whose commit
 * waits for the subscription callback to return): close it after the commit that delivered it. */
void ags_batcher_close(ags_batcher *batcher, int flush);

/* ---------------------------------------------------------------------------------------------------
 * AG-UI event validation
 *
 * A validator checks a stream of AG-UI events in one pass: each event against the AG-UI 1.0 event
 * schema (every event type, its required members and their JSON types; unknown members are tolerated;
 * STATE_DELTA.delta and ACTIVITY_DELTA.patch as RFC 6902 documents), and the order of events against the
 * sequence rules of a profile:
 *
 *   "client"  exactly what the official TypeScript client's verifier checks, after its expansion of
 *             TEXT_MESSAGE_CHUNK / TOOL_CALL_CHUNK / REASONING_MESSAGE_CHUNK into start/content/end;
 *   "strict"  client plus the conformance rules the client lacks (one terminal event per run, a run
 *             ended by end of stream, ids unique within a run, tool-call arguments that are JSON,
 *             results of known tool calls, reasoning and subagent pairing, deltas that apply to the
 *             tracked state, ...); the deprecated THINKING_* events are errors;
 *   "compat"  strict, with the THINKING_* events accepted (reported as information).
 *
 * Findings are JSON arrays of objects {"rule","severity","message","eventIndex","pointer"}: a stable
 * rule id (README lists them), "error" / "warning" / "info", a message, the 0-based index of the event
 * in the stream (-1 for end of stream) and a JSON Pointer into the event, or null. A line that is not
 * JSON, or not an event, is a finding, never a failed call. Unlike the client, which stops at its first
 * error, the validator goes on; an event rejected by a rule changes nothing it tracks. Ids (of runs,
 * messages, tool calls, steps, reasoning and subagents) are compared byte for byte, as the client's Map
 * compares them: two spellings of one Unicode text, composed and decomposed, are two ids.
 *
 * The validator tracks the state (the starting state given in its options, a STATE_SNAPSHOT, or
 * RUN_STARTED.input.state, then every STATE_DELTA applied atomically: one that does not apply leaves the
 * state as it was) and the activity contents, and with AGS_VALIDATE_MESSAGES rebuilds the messages.
 *
 * Memory is bounded on an endless stream: open messages, tool calls, steps, reasoning and subagents at
 * most 65,536 of each (beyond: a "stream.limit" finding); ids of ended tool calls, used message ids and
 * known message ids of ended runs are remembered up to the latest 65,536 (an id forgotten passes the
 * checks that need it); tool-call arguments kept for the JSON check up to 16 MiB a call; 4,096
 * activities; 10,000 messages and 10,000 tool calls on them in all (the oldest go first, also from a
 * message that stays), each message's content and each call's arguments up to 16 MiB (the first bytes
 * kept, cut at a character); 10,000 findings kept and returned per call (the rest counted); one event
 * or SSE frame up to 256 MiB, the unfinished last frame of a feed included.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_validator ags_validator;

/* What a validator does beside checking. */
typedef uint32_t ags_validator_flags;
enum ags_validator_flag {
    AGS_VALIDATE_MESSAGES = 0x20000u  /* rebuild the messages (ags_validator_messages) */
};

/* The framing of a stream given to ags_validator_feed_stream. */
typedef enum ags_stream_format {
    AGS_STREAM_AUTO   = 0,  /* detected from the first bytes ("{" or "[": NDJSON; otherwise SSE) */
    AGS_STREAM_NDJSON = 1,  /* one event a line */
    AGS_STREAM_SSE    = 2   /* Server-Sent Events */
} ags_stream_format;

#define AGS_SEVERITY_OFF      0  /* the rule is not checked */
#define AGS_SEVERITY_INFO     1
#define AGS_SEVERITY_WARNING  2
#define AGS_SEVERITY_ERROR    3

typedef struct ags_validator_options {
    unsigned int version;        /* AGS_VALIDATOR_OPTIONS_VERSION */
    const char *profile;         /* "client" (NULL or "", the default), "strict" or "compat" */
    size_t profile_len;          /* its length, or AGS_NTS */
    ags_validator_flags flags;   /* 0 (the default) or AGS_VALIDATE_MESSAGES */
    /* The state the stream starts from, as JSON text (what the client sent as RunAgentInput.state):
     * STATE_DELTAs apply to it until a STATE_SNAPSHOT (or RUN_STARTED.input.state) replaces it, and one
     * that does not apply is "state.delta-failed". NULL (the default): unknown; a STATE_DELTA before any
     * snapshot then applies to {} as written where it can, else leniently (a replace of a missing member
     * adds it, a remove of one does nothing), and is reported at most as information
     * ("state.delta-before-snapshot"). Text that is not one JSON document is AGS_ERR_INVALID_JSON from
     * ags_validator_open. */
    const char *initial_state;
    /* Its length, or AGS_NTS. With initial_state NULL: 0 or AGS_NTS (any other length is
     * AGS_ERR_INVALID_ARGUMENT). */
    size_t initial_state_len;
} ags_validator_options;

#define AGS_VALIDATOR_OPTIONS_VERSION 1
#define AGS_VALIDATOR_OPTIONS_INIT { AGS_VALIDATOR_OPTIONS_VERSION, NULL, 0, 0, NULL, 0 }

/* Initialises options to the defaults of version (AGS_VALIDATOR_OPTIONS_VERSION). */
ags_status ags_validator_options_init(ags_validator_options *options, unsigned int version);

/* Opens a validator with options (NULL: the defaults). Nesting depth inside events follows AGS_LIMIT_DEPTH. */
ags_status ags_validator_open(const ags_validator_options *options, ags_validator **validator);

/* Sets the severity of one rule (AGS_SEVERITY_OFF to AGS_SEVERITY_ERROR), e.g. "text.empty-delta" to
 * AGS_SEVERITY_ERROR, or AGS_SEVERITY_OFF to silence it. An unknown rule id or another severity is
 * AGS_ERR_INVALID_ARGUMENT. */
ags_status ags_validator_set_severity(ags_validator *validator, const char *rule, size_t rule_len, int severity);

/* Validates one event given as JSON text, or as one Server-Sent Events frame ("data: {...}\n\n", as an
 * SDK's encoder writes it; a frame of comments only holds no event). When findings is not NULL it receives
 * the findings this event produced as a JSON array to free with ags_free, or NULL (and 0 in *findings_len)
 * when there are none, so that the usual case allocates nothing; findings NULL skips writing them. */
ags_status ags_validator_feed(ags_validator *validator, const char *event, size_t len, char **findings,
                              size_t *findings_len);

/* Validates the events in a piece of a stream: NDJSON (one event a line; blank lines and "\r\n" fine)
 * or Server-Sent Events ("data:" lines joined by newlines, an event ending at a blank line; comments,
 * "event:", "id:" and "retry:" lines ignored; "\n", "\r\n" or "\r" line ends), as format says.
 * A frame may be split anywhere between calls: its start is kept until a later call completes it.
 * findings as for ags_validator_feed, for the events completed by this call. */
ags_status ags_validator_feed_stream(ags_validator *validator, const char *data, size_t len, ags_stream_format format,
                                     char **findings, size_t *findings_len);

/* Ends the stream: validates a last NDJSON line that had no newline (an SSE event cut before its blank
 * line is validated too and reported as "stream.truncated"), then writes the end-of-stream findings (a
 * run still active, ...). After it, feeding is AGS_ERR_INVALID_ARGUMENT; a second call finds nothing. findings as for
 * ags_validator_feed. */
ags_status ags_validator_finish(ags_validator *validator, char **findings, size_t *findings_len);

/* Writes every finding kept so far (the first 10,000) as a JSON array. */
ags_status ags_validator_findings(ags_validator *validator, char **out, size_t *out_len);

/* Writes the tracked state (AGS_JSON_PRETTY / AGS_JSON_SORT_KEYS apply); {} before any snapshot. */
ags_status ags_validator_state(ags_validator *validator, ags_json_flags flags, char **out, size_t *out_len);

/* Writes the tracked activities: {"<messageId>": {"activityType": ..., "content": ...}, ...}. */
ags_status ags_validator_activities(ags_validator *validator, ags_json_flags flags, char **out, size_t *out_len);

/* Writes the messages rebuilt from the message events, in the order they began, as AG-UI messages
 * ({"id","role","content"}, tool calls on their assistant message, tool results, activities); a
 * MESSAGES_SNAPSHOT replaces them. Only for a validator opened with AGS_VALIDATE_MESSAGES. */
ags_status ags_validator_messages(ags_validator *validator, ags_json_flags flags, char **out, size_t *out_len);

/* Counts so far: events seen (lines that were not events included) and findings by severity (all of
 * them, also those beyond the 10,000 kept). Any pointer may be NULL. */
ags_status ags_validator_counts(ags_validator *validator, size_t *events, size_t *errors, size_t *warnings,
                                size_t *infos);

/* Closes the validator. NULL, or a validator already closed, is ignored. */
void ags_validator_close(ags_validator *validator);

/* ---------------------------------------------------------------------------------------------------
 * Durable storage
 *
 * A storage is one database file holding any number of stores, each keyed by a store id (an AG-UI
 * threadId, say). A store opened from it is an ordinary ags_store (snapshots, history, transactions,
 * subscriptions, events) whose every commit (patch, set, add, remove, merge, restore, transaction commit,
 * applied event) returns only once its change is in the database. When that write fails (disk full, file
 * size limit, read-only file, I/O error, database locked by another process past the busy timeout) the
 * commit returns AGS_ERR_IO with the database's message, and the store's state, version and history stay
 * exactly as they were; the store stays usable and the next commit succeeds once the cause is gone.
 *
 * The embedded default is SQLite (the system library) in WAL mode. Every N changes, or M bytes of changes,
 * the whole state is written as a checkpoint (zstd-compressed) in the same transaction as the change that
 * triggers it; changes older than the store's history bound (AGS_LIMIT_HISTORY_VERSIONS) are deleted.
 * Reopening a store reads one checkpoint and replays the changes after it, so history, state_at and
 * delta_since answer across a restart within the bound. Concurrent commits on one storage share one
 * transaction and one sync (group commit). Used from several processes at once, each store should be
 * written by one process only.
 *
 * A file that is not an SQLite database, a truncated database, another program's database, or a storage
 * written by a newer schema is AGS_ERR_CORRUPT_DATA at open, and the file is left as it is. A damaged
 * page or row found later (SQLite's "malformed", a checksum or decryption failure) is AGS_ERR_CORRUPT_DATA
 * too, naming the store and version when a row is at fault; other stores of the file stay usable.
 *
 * PostgreSQL ("postgres://..." or "postgresql://...", a libpq connection URI): many processes share one
 * database and may all open and write the same store id. A commit is a row keyed by (store id, version),
 * written before the commit returns (durable as the server's synchronous_commit says: with its default,
 * "on", a commit survives a crash of the server). When another process committed that version first,
 * the commit fails with AGS_ERR_CONFLICT and changes nothing, and the store has by then caught up with
 * the stored changes, so the caller can retry at once. Every commit notifies (LISTEN/NOTIFY) the other
 * processes, whose storages apply the change to their open stores within milliseconds, in version order,
 * once each: their subscribers are told on the storage's listener thread. A store is linearizable: one
 * version, one change, for every process. While the server cannot be reached, a commit fails with
 * AGS_ERR_UNAVAILABLE and changes nothing; after AGS_PG_DEFAULT_BREAKER_FAILURES such failures in a row
 * the circuit breaker opens and commits fail at once, until a probe after the open interval succeeds.
 * A connection lost during a commit is retried with exponential backoff and jitter; a retry that finds
 * its own row already written counts as a success, so an acknowledged commit is stored exactly once.
 * The library creates and migrates its tables (agstate_schema, agstate_stores, agstate_changes,
 * agstate_checkpoints) and refuses a newer schema with AGS_ERR_CORRUPT_DATA. Query parameters of the URL
 * named agstate_* configure the storage and are removed before the URL reaches libpq (integer values):
 *   agstate_pool_size (1..256, default 4), agstate_idle_timeout_ms (a pooled connection idle longer is
 *   closed; default 60000), agstate_health_check_ms (one idle longer is checked with a round trip before
 *   use; default 5000), agstate_connect_timeout_s (default 2), agstate_retries (default 3),
 *   agstate_backoff_ms (first backoff, doubled each retry; default 20), agstate_backoff_max_ms (default
 *   1000), agstate_breaker_failures (default 5), agstate_breaker_open_ms (default 1000).
 *
 * Redis ("redis://[[user]:password@][host][:port][/db]", by default 127.0.0.1:6379 db 0, or
 * "redis+unix://[[user]:password@]/path/to/socket[?db=N]"; hiredis; one server or a primary, not Redis
 * Cluster): the same semantics as PostgreSQL, with the same agstate_* parameters and defaults. A store is a
 * stream of changes (agstate:changes:<id>, entry id "<version>-0"), a hash of checkpoints and a hash with
 * its last version; a commit is one Lua script, which the server runs atomically, appending version v only
 * when the store's last version is v - 1: a lost race is AGS_ERR_CONFLICT after which the store has caught
 * up. The script publishes (store id, version) on a pub/sub channel; a listener thread per storage applies
 * the others' changes (in version order, once each; also once a second, for messages lost while it
 * reconnected). Durability is the server's, which acknowledges a commit once it has run the script in
 * memory: with appendonly yes and appendfsync always, an acknowledged commit survives a crash of the
 * server and of the machine; with appendfsync everysec (Redis's default once appendonly is on), a crash
 * may lose up to about the last two seconds of acknowledged commits (the server syncs once a second, and
 * delays its writes to the file while a sync is slow); without appendonly (snapshots only, Redis's
 * default), a restart may lose every change since the last snapshot. Replicas are asynchronous: a failover
 * to one may lose what it had not received. A server found behind a version a process holds (it lost
 * acknowledged changes) makes that store's commits there fail with AGS_ERR_CORRUPT_DATA rather than
 * overwrite them. The server must not evict keys (maxmemory-policy noeviction, its default: a write it has
 * no memory for fails with AGS_ERR_IO); an evicted store reads as deleted or damaged. ags_storage_stats
 * shows the server's appendonly, appendfsync and maxmemory-policy settings as seen at open.
 *
 * Backups (ags_storage_export/import) are for SQLite storages; a server has its own backup tools.
 *
 * Hybrid ("hybrid:PRIMARY|FALLBACK"): a PostgreSQL primary and a local SQLite fallback, for example
 * "hybrid:postgresql://db/app?agstate_breaker_open_ms=500|sqlite:/var/lib/app/fallback.db". The URL is
 * split at its first "|": PRIMARY is a postgres:// or postgresql:// URL as above (a "|" inside it must be
 * percent-encoded as %7C, as in any URL), FALLBACK a sqlite:PATH or file:PATH URL (its path may hold "|").
 * Python's agstate.Storage(url) and Go's OpenStorage(url) take the same text. While the primary answers,
 * a store behaves exactly as on PostgreSQL. When a commit finds the primary unavailable (a lost
 * connection after the retries, or its circuit breaker open), the store moves to the fallback: its state
 * before that commit becomes the fallback's copy at the primary's version, and this commit and the later
 * ones are written to the fallback (acknowledged once it has them, durable as SQLite storages are) and
 * marked pending; the store keeps working, and no other process's changes reach it meanwhile. A store
 * opened while the primary cannot be reached is opened from the fallback (created there when the
 * fallback has no copy). A background thread of the storage probes the primary once per breaker open
 * interval (agstate_breaker_open_ms); when it answers, each open store's pending changes are replayed to
 * it in version order, each as its own version, and the store is back on the primary, its state equal to
 * the primary's. Pending changes are rows of the fallback file: they survive a restart of the process
 * and are replayed when the store is opened again with the primary reachable. A store keeps at most
 * 1,000,000 pending changes; past that, commits fail with AGS_ERR_UNAVAILABLE.
 *
 * Consistency: one writer per store during a failover is the supported case, and then nothing is lost or
 * reordered: the primary ends with exactly the changes the store acknowledged, in order. When another
 * process committed to the same store on the primary meanwhile, the replay meets its changes (a replay
 * conflict): the primary's changes since the pending ones began (as one patch, computed from the two
 * states) and the pending changes (as one patch made against that base version) are resolved by the
 * store's default strategy (ags_store_set_strategy; rebase unless set; custom has no resolver on replay
 * and refuses) and committed on the primary as one version, or refused (then the pending changes are not
 * on the primary). Either way the store takes the primary's state and version (which may be lower than
 * its own; its history restarts there and subscribers are told of one replacement of the whole state),
 * the conflict is counted in the statistics, and it is recorded in the store's conflict log
 * (ags_store_conflicts) with "kind":"replay" and both sides, so that nothing is dropped unseen. Several
 * processes on the fallback at once each keep their own fallback, so they diverge until their replays,
 * where each later replay is such a conflict. A process that crashes after a resolved replay reached the
 * primary but before its fallback rows were cleared replays the resolved change again when it reopens.
 * ags_storage_list and ags_storage_delete need the primary (AGS_ERR_UNAVAILABLE without it); backups are
 * not made from a hybrid storage.
 * ------------------------------------------------------------------------------------------------ */

#define AGS_PG_DEFAULT_POOL_SIZE 4
#define AGS_PG_DEFAULT_BREAKER_FAILURES 5
#define AGS_PG_DEFAULT_BREAKER_OPEN_MS 1000

typedef struct ags_storage ags_storage;

/* How far a commit's write goes before the commit returns. */
typedef enum ags_durability {
    /* Every commit is synced to the disk: it survives a killed process and a power loss. */
    AGS_DURABILITY_FULL = 0,
    /* Every commit is handed to the operating system: it survives a killed process (kill -9), but the
     * latest commits may be lost in a power loss or an operating-system crash. Much faster. */
    AGS_DURABILITY_NORMAL = 1
} ags_durability;

/* A key for reading rows sealed by an earlier key (key rotation). */
typedef struct ags_storage_key {
    uint32_t id;
    unsigned char key[32];
} ags_storage_key;

#define AGS_STORAGE_OPTIONS_VERSION 1
/* Default wait for another connection's lock before a write fails with AGS_ERR_IO, in milliseconds. */
#define AGS_STORAGE_DEFAULT_BUSY_TIMEOUT_MS 5000
/* Default: a checkpoint after this many changes... */
#define AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES 10000
/* ... or after this many bytes of stored changes (16 MiB), whichever comes first. */
#define AGS_STORAGE_DEFAULT_CHECKPOINT_BYTES 16777216
/* Most old keys accepted. */
#define AGS_STORAGE_MAX_OLD_KEYS 256
/* Longest store id, in bytes (UTF-8, no NUL). */
#define AGS_STORAGE_MAX_ID_BYTES 1024

typedef struct ags_storage_options {
    unsigned int version;           /* AGS_STORAGE_OPTIONS_VERSION */
    ags_durability durability;      /* AGS_DURABILITY_FULL (default) or AGS_DURABILITY_NORMAL */
    /* Encryption at rest: NULL (default) stores rows in the clear; otherwise 32 bytes, and every change
     * and checkpoint is sealed with XChaCha20-Poly1305 (libsodium), the store id and version as associated
     * data. Reading a row with a wrong key, a tampered or truncated row is AGS_ERR_CORRUPT_DATA naming the
     * store id and version. */
    const unsigned char *key;
    uint32_t key_id;                /* recorded in every row sealed with key */
    /* Earlier keys, for reading rows they sealed (key rotation: rows written from now on use key, or are
     * written in the clear when key is NULL; old rows go away as checkpoints replace them and the history
     * bound passes them). At most AGS_STORAGE_MAX_OLD_KEYS. */
    const ags_storage_key *old_keys;
    size_t old_key_count;
    uint32_t busy_timeout_ms;       /* 0 to INT32_MAX; default AGS_STORAGE_DEFAULT_BUSY_TIMEOUT_MS */
    uint64_t checkpoint_changes;    /* at least 1; default AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES */
    uint64_t checkpoint_bytes;      /* at least 1; default AGS_STORAGE_DEFAULT_CHECKPOINT_BYTES */
} ags_storage_options;

#define AGS_STORAGE_OPTIONS_INIT { AGS_STORAGE_OPTIONS_VERSION, AGS_DURABILITY_FULL, NULL, 0, NULL, 0, \
    AGS_STORAGE_DEFAULT_BUSY_TIMEOUT_MS, AGS_STORAGE_DEFAULT_CHECKPOINT_CHANGES, AGS_STORAGE_DEFAULT_CHECKPOINT_BYTES }

/* Fills options with the defaults of AGS_STORAGE_OPTIONS_INIT. version must be AGS_STORAGE_OPTIONS_VERSION. */
ags_status ags_storage_options_init(ags_storage_options *options, unsigned int version);

/* Opens (creating when missing) the storage at url: "sqlite:PATH" or "file:PATH" (the same),
 * "postgres://..." / "postgresql://..." (see above; the tables are created or migrated), "redis://..." /
 * "redis+unix://..." (see above), or "hybrid:PRIMARY|FALLBACK" (see above; opens with the primary
 * unreachable, on the fallback). options may
 * be NULL for the defaults (durability applies to SQLite; the key seals rows on every backend). Fails
 * with AGS_ERR_CORRUPT_DATA for a bad file or a newer schema, AGS_ERR_IO when the file cannot be opened
 * or created, AGS_ERR_UNAVAILABLE when the server cannot be reached. */
ags_status ags_storage_open(const char *url, size_t url_len, const ags_storage_options *options,
                            ags_storage **storage);

/* Opens the durable store id (1 to AGS_STORAGE_MAX_ID_BYTES bytes of UTF-8): its last checkpoint is
 * loaded and the changes after it replayed; or, when the storage has no such store, it is created with the
 * JSON state initial_json (NULL with initial_len 0: an empty object) at version 0. Opening a store that is
 * open already gives another handle to the same store. Close the handle with ags_store_close. A store row
 * that does not decrypt or does not replay is AGS_ERR_CORRUPT_DATA naming the store and version. */
ags_status ags_storage_open_store(ags_storage *storage, const char *id, size_t id_len, const char *initial_json,
                                  size_t initial_len, ags_store **store);

/* Writes the ids of the stores in the storage as a JSON array of strings, sorted. */
ags_status ags_storage_list(ags_storage *storage, char **out, size_t *out_len);

/* Deletes the store id and all its rows. A handle still open on it keeps reading; its commits fail with
 * AGS_ERR_CLOSED. AGS_ERR_PATH_NOT_FOUND when there is no such store. */
ags_status ags_storage_delete(ags_storage *storage, const char *id, size_t id_len);

/* Backs up the store id (id NULL and id_len 0: every store) to a new file at path (replaced atomically):
 * one self-describing file, zstd-compressed, sealed with the storage's key when it has one, holding each
 * store's state, version and kept history. */
ags_status ags_storage_export(ags_storage *storage, const char *id, size_t id_len, const char *path, size_t path_len);

/* Creates the stores of a backup file written by ags_storage_export, all or none: AGS_ERR_CONFLICT when
 * one of its ids exists already, AGS_ERR_CORRUPT_DATA for a damaged file or a wrong key. When ids is not
 * NULL it receives the imported ids as a JSON array (free with ags_free). */
ags_status ags_storage_import(ags_storage *storage, const char *path, size_t path_len, char **ids, size_t *ids_len);

/* Writes the storage's counters as a JSON object: {"backend":"sqlite"} for SQLite; for PostgreSQL
 * "pool" {size, open, idle, connects}, "retries", "breaker" {state: "closed" | "open" | "half_open",
 * consecutive_failures, opened, half_opened, closed (times it entered each state), rejected (commits
 * failed at once while open)}, "listener" {connected, reconnects, notifications}, "open_stores",
 * "conflicts", "applied_from_others", "catch_up_errors", "last_catch_up_error"; for Redis the same with
 * "backend":"redis" and "server" {appendonly, appendfsync, maxmemory_policy} (null when the server
 * refuses CONFIG GET). For a hybrid storage:
 * "backend":"hybrid", "active" ("primary", or "fallback" while the primary's breaker is not closed or a
 * store is on the fallback), "breaker" (the primary's state; "open" while it was never reached),
 * "pending_replay" (changes in the fallback not yet on the primary, of every store), "stores_on_fallback",
 * "failovers", "replays", "replayed_changes", "replay_conflicts", "replay_errors", "last_replay_error",
 * and "primary" (the PostgreSQL counters above, null while it was never reached). */
ags_status ags_storage_stats(ags_storage *storage, char **out, size_t *out_len);

/* Closes the storage. Stores opened from it stay readable; their commits then fail with AGS_ERR_CLOSED.
 * NULL, or a storage already closed, is ignored. */
void ags_storage_close(ags_storage *storage);

/* ---------------------------------------------------------------------------------------------------
 * Collaboration: strategies, the conflict log, section locks and presence
 *
 * Patches made against an older version take base_version and strategy in ags_commit_options; every
 * commit may name its author. Locks and presence are not versioned and not persisted; their times are
 * milliseconds on a monotonic clock, and an expiry is noticed by the next call that reads or changes them
 * (or ags_store_expire).
 * ------------------------------------------------------------------------------------------------ */

/* Sets the store's default strategy (AGS_STRATEGY_REJECT to _CUSTOM, else AGS_ERR_INVALID_ARGUMENT; a custom
 * default still needs a resolver in each commit's options). */
ags_status ags_store_set_strategy(ags_store *store, ags_strategy strategy);

/* Writes the store's default strategy. */
ags_status ags_store_strategy(ags_store *store, ags_strategy *strategy);

/* Writes the conflict records after after_sequence (0: all kept; any uint64_t value, [] past the latest),
 * oldest first, as a JSON array of
 * {"sequence","author","base_version","version" (null when refused),"strategy","outcome" ("applied" or
 * "refused"),"conflicts":[{"path","outcome"}]}; a conflict's outcome is "kept", "dropped", "restored",
 * "resolved" or "refused". A conflict met when a hybrid storage replayed changes made on its fallback
 * (see "Hybrid" above) adds "kind":"replay", "primary_version" (the primary's version then), "theirs" (the
 * primary's changes since base_version, as one JSON Patch) and "mine" (the replayed changes, as
 * [{"version","author","patch"}]); each side larger than 64 KiB of JSON is given as {"omitted":true,"limit_bytes":65536}.
 * The log keeps the latest 1000 records (AGS_CONFLICT_LOG_DEFAULT_CAPACITY). */
#define AGS_CONFLICT_LOG_DEFAULT_CAPACITY 1000
ags_status ags_store_conflicts(ags_store *store, uint64_t after_sequence, ags_json_flags flags, char **out,
                               size_t *out_len);

/* Writes the author of version (from the history; "" when it had none): a subscriber learns who made a
 * change. version is 1 to the store's version: AGS_ERR_NOT_IN_HISTORY when it is no longer kept,
 * AGS_ERR_INVALID_ARGUMENT for 0 (no change made version 0) or a version newer than the store. */
ags_status ags_store_author(ags_store *store, uint64_t version, char **out, size_t *out_len);

/* Longest lease or presence ttl: a day. */
#define AGS_MAX_TTL_MS 86400000u

/* Takes a lease on the location ptr for owner (len may be AGS_NTS) for ttl_ms (1 to AGS_MAX_TTL_MS), or
 * renews the owner's. While it holds, a commit whose author is not owner and that writes at, inside or
 * above ptr fails with AGS_ERR_LOCKED, naming the owner (an insertion into or removal from the array
 * holding a locked element counts: it would shift the element). AGS_ERR_LOCKED when another owner holds
 * a lease at, inside or above ptr. */
ags_status ags_store_lock(ags_store *store, const char *ptr, size_t ptr_len, const char *owner, size_t owner_len,
                          uint64_t ttl_ms);

/* Extends owner's lease on ptr to ttl_ms from now; AGS_ERR_PATH_NOT_FOUND when it holds none (expired). */
ags_status ags_store_renew_lock(ags_store *store, const char *ptr, size_t ptr_len, const char *owner,
                                size_t owner_len, uint64_t ttl_ms);

/* Releases owner's lease on ptr: AGS_ERR_LOCKED when another owner holds it, AGS_ERR_PATH_NOT_FOUND when
 * none is held there. */
ags_status ags_store_unlock(ags_store *store, const char *ptr, size_t ptr_len, const char *owner, size_t owner_len);

/* Writes the leases in force as a JSON array of {"path","owner","expires_in_ms"}. */
ags_status ags_store_locks(ags_store *store, ags_json_flags flags, char **out, size_t *out_len);

/* Sets, or renews with a heartbeat, client's presence (len may be AGS_NTS) to the JSON text value (at most
 * about 4096 bytes, AGS_ERR_LIMIT_EXCEEDED beyond) for ttl_ms (1 to AGS_MAX_TTL_MS). */
ags_status ags_store_presence_set(ags_store *store, const char *client, size_t client_len, const char *value,
                                  size_t value_len, uint64_t ttl_ms);

/* Removes client's presence (it left); AGS_ERR_PATH_NOT_FOUND when it had none. */
ags_status ags_store_presence_leave(ags_store *store, const char *client, size_t client_len);

/* Writes who is present as a JSON object {client: value, ...}, clients in byte order. */
ags_status ags_store_presence(ags_store *store, ags_json_flags flags, char **out, size_t *out_len);

/* Drops the leases and presence entries whose time is up, telling their watchers. */
ags_status ags_store_expire(ags_store *store);

typedef struct ags_watch ags_watch;

/* Called with one lock or presence event as JSON text (valid only during the call): for locks
 * {"kind":"locked"|"renewed"|"unlocked"|"expired","path":..,"owner":..}, for presence
 * {"kind":"joined"|"updated"|"left"|"expired","client":..,"value":..|null}. Runs on the thread whose call
 * made the change, with no lock of the library held; it may call the library. The return value is ignored. */
typedef int (*ags_watch_fn)(void *user_data, const char *event, size_t event_len);

/* Watches the store's section locks. */
ags_status ags_store_watch_locks(ags_store *store, ags_watch_fn fn, void *user_data, ags_watch **watch);

/* Watches the store's presence. */
ags_status ags_store_watch_presence(ags_store *store, ags_watch_fn fn, void *user_data, ags_watch **watch);

/* Ends a watch: no call of its function starts after this returns. NULL, or a watch already closed, is
 * ignored. */
void ags_watch_close(ags_watch *watch);

/* ---------------------------------------------------------------------------------------------------
 * Registries: many stores per process
 *
 * A registry hands out stores by id (a conversation thread's id, say): it opens each on first use (from
 * storage, or created from an initial state), keeps it resident while used, and lets go of idle ones:
 * after a TTL, and least recently used first when the engine's byte estimate of all resident stores
 * (states and histories, as for AGS_LIMIT_HISTORY_BYTES) passes the budget. A store a caller holds (a
 * handle from ags_registry_get not yet closed) stays resident until released. Ids are spread over
 * shards with a lock each, so lookups of different ids do not wait for one another.
 *
 * Evicting loses nothing only when the stores are durable. Without durable storage, a registry evicts
 * only when asked to (AGS_REGISTRY_EVICT_WITHOUT_STORAGE: the evicted states are dropped), and a
 * registry over its budget refuses new stores with AGS_ERR_LIMIT_EXCEEDED instead.
 *
 * Every store of a registry has the registry's limits (ags_registry_limit), checked wherever a value
 * enters: ags_store_set, _add, _patch, _merge, _restore, _apply_event, ags_txn_commit. A refusal is
 * AGS_ERR_LIMIT_EXCEEDED whose message starts with the limit's name (e.g. "AGS_LIMIT_STRING_BYTES:"),
 * with the pointer and operation index in ags_errlast(); nothing is applied.
 * ------------------------------------------------------------------------------------------------ */

/* Limits of a store's content (ags_limit, ags_store_limit, ags_registry_limit), each AGS_LIMIT_UNBOUNDED
 * by default, at least 0 when set. */
#define AGS_LIMIT_STATE_BYTES   4  /* the engine's byte estimate of the whole state */
#define AGS_LIMIT_OPERATIONS    5  /* operations in one commit (a patch, or what a merge or transaction comes to) */
#define AGS_LIMIT_STRING_BYTES  6  /* UTF-8 bytes of one string value or member name */
#define AGS_LIMIT_MEMBERS       7  /* members of one object */
#define AGS_LIMIT_ELEMENTS      8  /* elements of one array */
/* The value of a content limit that is not bounded. */
#define AGS_LIMIT_UNBOUNDED     0x7FFFFFFFFFFFFFFFLL  /* INT64_MAX */

typedef struct ags_registry ags_registry;

typedef uint32_t ags_registry_flags;
enum ags_registry_flag {
    /* Evict even without durable storage: an evicted store's state is dropped (for caches of states that
     * can be rebuilt). */
    AGS_REGISTRY_EVICT_WITHOUT_STORAGE = 0x1u,
    /* Add per-store series (label store="id", for the resident stores) to the metrics. Off by default:
     * store ids are unbounded, and a Prometheus series per id is what label cardinality warns against. */
    AGS_REGISTRY_PER_STORE_METRICS     = 0x2u,
    /* Keep evicted stores in process memory and reload them from there with their exact state and
     * version: durable for the life of the process only, a stand-in for storage in tests. */
    AGS_REGISTRY_MEMORY_STORAGE        = 0x4u
};

/* Bounds and hooks of a registry. Rates are token buckets per client id (the client_id of
 * ags_commit_options); a commit without a client id is not rate-limited. */
typedef struct ags_registry_options {
    unsigned int version;        /* AGS_REGISTRY_OPTIONS_VERSION */
    ags_registry_flags flags;    /* AGS_REGISTRY_*; default 0 */
    /* Byte estimate of the resident stores: 0 to INT64_MAX, or AGS_UNBOUNDED (default) for none. */
    size_t budget_bytes;
    uint64_t ttl_ms;             /* evict a store unused and unheld this long (any value); 0 (default): no TTL */
    size_t shards;               /* 1 to 4096; default 16 */
    /* The rates, bursts and the latency threshold are finite and at least 0 (not NaN). */
    double commits_per_second;   /* per client; 0 (default): no limit */
    double commit_burst;         /* commits a client may make at once; 0: one second's worth (at least 1) */
    double bytes_per_second;     /* input bytes per client; 0 (default): no limit */
    double bytes_burst;          /* input bytes a client may send at once; 0: one second's worth */
    size_t max_clients;          /* client buckets kept (least recently seen dropped): 1 to INT64_MAX; default 100000 */
    /* The two shares are 0 to 1. */
    double alert_error_rate;     /* health: failed share of the last 1024 commits above it is degraded; 1 (default): off */
    double alert_p95_commit_ms;  /* health: p95 commit latency above it is degraded; 0 (default): off */
    double alert_memory_share;   /* health: resident bytes / budget above it is degraded; 1 (default): off */
} ags_registry_options;

#define AGS_REGISTRY_OPTIONS_VERSION 1
#define AGS_REGISTRY_DEFAULT_SHARDS 16
#define AGS_REGISTRY_DEFAULT_MAX_CLIENTS 100000
#define AGS_REGISTRY_OPTIONS_INIT { AGS_REGISTRY_OPTIONS_VERSION, 0, AGS_UNBOUNDED, 0, AGS_REGISTRY_DEFAULT_SHARDS, \
                                    0, 0, 0, 0, AGS_REGISTRY_DEFAULT_MAX_CLIENTS, 1, 0, 1 }

/* Initialises options to the defaults of version; AGS_ERR_INVALID_ARGUMENT for a version this library does
 * not know. */
ags_status ags_registry_options_init(ags_registry_options *options, unsigned int version);

/* Opens a registry. storage: durable storage for its stores (ags_storage_open; it must outlive the
 * registry), whose every commit is in the database before it returns, so evicted stores come back with
 * their exact state, version and history; or NULL (see AGS_REGISTRY_MEMORY_STORAGE, which cannot be
 * combined with a storage). options: NULL for the defaults. The registry's stores take the
 * process-wide limits in force now (ags_limit); change them with ags_registry_limit. */
ags_status ags_registry_open(ags_storage *storage, const ags_registry_options *options, ags_registry **registry);

/* Lets go of every store (stores still held stay usable through their handles) and closes the registry.
 * NULL, or a registry already closed, is ignored. */
void ags_registry_close(ags_registry *registry);

/* Writes to *store a handle to the store with the UTF-8 id (id_len bytes), held for the caller until
 * ags_store_close(*store). A resident store is a hit; otherwise the store is opened (loaded from storage, or
 * created holding the JSON text initial). initial NULL with initial_len 0: the store must exist
 * (AGS_ERR_PATH_NOT_FOUND otherwise). AGS_ERR_LIMIT_EXCEEDED: over the budget with no eviction allowed,
 * or the initial state passes a limit. Several handles may hold the same store. */
ags_status ags_registry_get(ags_registry *registry, const char *id, size_t id_len, const char *initial,
                            size_t initial_len, ags_store **store);

/* Evicts every store unused past the TTL and unheld now (lookups also do this for their own shard);
 * writes how many to *evicted when not NULL. Call it from a timer to let go of idle stores. */
ags_status ags_registry_sweep(ags_registry *registry, size_t *evicted);

/* Reads and optionally sets a limit (AGS_LIMIT_*) of the registry's stores, for those resident now and
 * those it opens later; as ags_store_limit otherwise. */
ags_status ags_registry_limit(ags_registry *registry, int id, int64_t new_value, int64_t *old_value);

/* Writes the statistics as JSON: {"hits","misses","load_failures","evictions","evictions_by_cause":
 * {"ttl","budget","close"},"resident","resident_bytes","held","commits","commit_failures",
 * "limit_refusals","rate_refusals","refused_over_budget","subscriber_failures"} (misses are the stores
 * opened). */
ags_status ags_registry_stats(ags_registry *registry, char **out, size_t *out_len);

/* Writes the registry's metrics in the Prometheus text exposition format (0.0.4): lookups, evictions by
 * cause, refusals, commits, resident stores and bytes, latency histograms (commit, load, eviction), and for
 * the whole process event validation and compression latency, validator findings by rule id and codec bytes;
 * per-store series with AGS_REGISTRY_PER_STORE_METRICS. The text is written by the engine itself:
 * swift-prometheus cannot read its values back, which the JSON form, the statistics and the health
 * report need, and would bring two more packages into the library. */
ags_status ags_metrics_text(ags_registry *registry, char **out, size_t *out_len);

/* The same metrics as JSON: {"statistics":{...},"budget_bytes","uptime_seconds","latency":{"commit":
 * {"count","sum_seconds","bounds_seconds":[...],"counts":[...],"p95_seconds"},"load","eviction","validation",
 * "compression","decompression"},"validator_findings":{rule:count},"codec_bytes":{...},
 * "stores":{id:{"commits","resident_bytes"}}}. */
ags_status ags_metrics_json(ags_registry *registry, char **out, size_t *out_len);

/* Writes a health report as JSON: {"status":"ok"|"degraded"|"failing","storage_reachable":true|false|null,
 * "resident_bytes","budget_bytes","memory_share","error_rate","p95_commit_ms","last_error":{"code",
 * "message","time_ms"}|null,"uptime_seconds","thresholds":{...},"crossed":["error_rate",
 * "p95_commit_latency","memory_share"]}. failing: storage unreachable; degraded: a threshold crossed. */
ags_status ags_registry_health(ags_registry *registry, char **out, size_t *out_len);

/* Log levels. */
#define AGS_LOG_DEBUG    10
#define AGS_LOG_INFO     20
#define AGS_LOG_WARNING  30
#define AGS_LOG_ERROR    40

/* Receives a log record: its level and a JSON object {"level","message","time_ms", fields...} (record_len
 * bytes, NUL-terminated, valid during the call). Records: evictions (debug), limit and rate refusals,
 * subscription callbacks that failed, a registry over its budget, a health report that is not ok
 * (warning). Called on the thread whose operation it reports, with no lock held. */
typedef void (*ags_log_fn)(void *user_data, int level, const char *record, size_t record_len);

/* Sets the log hook for records at min_level (one of the AGS_LOG_* values above, else
 * AGS_ERR_INVALID_ARGUMENT) and above; fn NULL removes it. Nothing is logged without
 * one. fn and user_data must stay valid until replaced or the registry closed. */
ags_status ags_registry_set_log(ags_registry *registry, int min_level, ags_log_fn fn, void *user_data);

/* A finished operation, for a tracer; strings valid during the call only. */
typedef struct ags_span {
    const char *operation;   /* "commit", "load", "evict" */
    const char *store_id;    /* NUL-terminated, store_id_len bytes */
    size_t store_id_len;
    uint64_t version;        /* the store's version after the operation */
    uint64_t duration_ns;
    ags_status status;       /* AGS_OK or the failure */
} ags_span;

/* Receives one span per commit, store load and eviction, on the thread that did it, with no lock held. */
typedef void (*ags_span_fn)(void *user_data, const ags_span *span);

/* Sets the span hook; fn NULL removes it. fn and user_data must stay valid until replaced or the registry
 * closed. */
ags_status ags_registry_set_span(ags_registry *registry, ags_span_fn fn, void *user_data);

#ifdef __cplusplus
}
#endif

#endif /* AGSTATE_H */
