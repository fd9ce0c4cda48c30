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
 *             failure on the calling thread are read with ags_errcode(), ags_errmsg(), ags_errpointer(),
 *             ags_errop() and ags_erroffset(); a successful call leaves them as they were.
 *
 *   Input.    Text is passed as (const char *data, size_t len) in UTF-8 and need not be NUL-terminated.
 *             len may be AGS_NTS to say that data is NUL-terminated. data may be NULL only when len is 0.
 *             JSON input is strict RFC 8259 and I-JSON: UTF-8 validated, no comments, no trailing commas,
 *             no NaN or Infinity, no duplicate member names, nesting no deeper than AGS_LIMIT_DEPTH.
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
 *   Handles.  Objects such as ags_store are opaque handles checked on every call: a handle that was
 *             closed, or was never returned by the library, gives AGS_ERR_CLOSED or AGS_ERR_INVALID_ARGUMENT
 *             instead of undefined behaviour. Closing NULL or an already closed handle does nothing. Every
 *             handle may be used from many threads at once.
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
#define AGS_ERR_INVALID_JSON      2  /* input text is not strict JSON (ags_erroffset() tells where) */
#define AGS_ERR_INVALID_POINTER   3  /* a JSON Pointer is not RFC 6901 syntax, or the root is removed */
#define AGS_ERR_INVALID_PATCH     4  /* a JSON Patch document is malformed (ags_errop() tells which op) */
#define AGS_ERR_PATH_NOT_FOUND    5  /* a pointer names no value, or a parent that is not there */
#define AGS_ERR_TEST_FAILED       6  /* a JSON Patch "test" operation did not match */
#define AGS_ERR_CONFLICT          7  /* a concurrent change conflicts with this one */
#define AGS_ERR_LIMIT_EXCEEDED    8  /* a configured limit (depth, input size, ...) would be exceeded */
#define AGS_ERR_CLOSED            9  /* the handle was closed */
#define AGS_ERR_IO               10  /* reading or writing outside the process failed */
#define AGS_ERR_NO_MEMORY        11  /* an allocation failed */
#define AGS_ERR_INTERNAL         12  /* a bug in agstate: please report it with the message */

/* The name of a status code as a static string, e.g. "AGS_ERR_INVALID_JSON"; "AGS_UNKNOWN" for a value
 * that is no status code. */
const char *ags_status_name(ags_status status);

/* The code of the last failure on the calling thread, or AGS_OK when no call on this thread has failed
 * (or since ags_errclear()). */
ags_status ags_errcode(void);

/* The English message of the last failure on the calling thread, "" when there is none. The string
 * belongs to the library and stays valid until the next failing call on this thread. */
const char *ags_errmsg(void);

/* The JSON Pointer of the location the last failure concerns (for example the path of the failing
 * patch operation), or NULL when it concerns no location. Valid like ags_errmsg(). */
const char *ags_errpointer(void);

/* The zero-based index of the patch operation that caused the last failure, or -1. */
int64_t ags_errop(void);

/* The byte offset in the input text where parsing failed for the last failure, or -1. */
int64_t ags_erroffset(void);

/* Forgets the last failure of the calling thread: ags_errcode() then returns AGS_OK. */
void ags_errclear(void);

/* ---------------------------------------------------------------------------------------------------
 * Memory
 * ------------------------------------------------------------------------------------------------ */

/* Releases text returned by the library. NULL is ignored. */
void ags_free(void *p);

/* Passed as a length: the text is NUL-terminated and its length is found with strlen. */
#define AGS_NTS ((size_t)-1)

/* ---------------------------------------------------------------------------------------------------
 * Limits
 * ------------------------------------------------------------------------------------------------ */

/* Deepest nesting of arrays and objects accepted in input and in the result of any change.
 * Default 512; at most 10000. */
#define AGS_LIMIT_DEPTH        0
/* Largest input text accepted, in bytes. Default 1 GiB (1073741824). */
#define AGS_LIMIT_INPUT_BYTES  1

/* Reads and optionally sets a process-wide default limit, used by the stateless functions and taken by
 * every store opened afterwards. When new_value is negative the limit is only read; otherwise it is set
 * (it must be at least 1, and AGS_LIMIT_DEPTH at most 10000). The value in force before the call is
 * written to *old_value when old_value is not NULL. */
ags_status ags_limit(int id, int64_t new_value, int64_t *old_value);

/* ---------------------------------------------------------------------------------------------------
 * Stateless JSON functions
 * ------------------------------------------------------------------------------------------------ */

/* Output flags (combine with |). Output is compact when no flag is given. */
#define AGS_JSON_PRETTY            0x01u  /* indent by two spaces, one member or element per line */
#define AGS_JSON_SORT_KEYS         0x02u  /* members sorted by name (UTF-8 byte order): a canonical form */
/* Input flag: accept duplicate member names, the last one winning (what JavaScript's JSON.parse does).
 * Without it a duplicate name is AGS_ERR_INVALID_JSON, as I-JSON (RFC 7493) requires. */
#define AGS_JSON_ALLOW_DUPLICATES  0x100u

/* Checks that json is strict JSON. */
ags_status ags_json_validate(const char *json, size_t len);

/* Parses json and writes it again, compact by default or as the flags say: validates and normalises in
 * one step. Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS, AGS_JSON_ALLOW_DUPLICATES. */
ags_status ags_json_format(const char *json, size_t len, uint32_t flags, char **out, size_t *out_len);

/* Compares two JSON texts as values (member order ignored, numbers by value); *equal is set to 1 or 0. */
ags_status ags_json_equal(const char *a, size_t a_len, const char *b, size_t b_len, int *equal);

/* Resolves the JSON Pointer ptr (RFC 6901) in the document doc and writes the value found.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. AGS_ERR_PATH_NOT_FOUND when there is no such value. */
ags_status ags_pointer_get(const char *doc, size_t doc_len, const char *ptr, size_t ptr_len, uint32_t flags,
                           char **out, size_t *out_len);

/* Applies the JSON Patch patch (RFC 6902) to doc and writes the resulting document. All operations apply
 * or none: on failure nothing is written and ags_errop() / ags_errpointer() name the failing operation.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_patch_apply(const char *doc, size_t doc_len, const char *patch, size_t patch_len, uint32_t flags,
                           char **out, size_t *out_len);

/* Applies the JSON Merge Patch patch (RFC 7386) to doc and writes the resulting document.
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_merge_patch_apply(const char *doc, size_t doc_len, const char *patch, size_t patch_len,
                                 uint32_t flags, char **out, size_t *out_len);

/* ---------------------------------------------------------------------------------------------------
 * Stores
 *
 * A store holds one JSON state and its version: 0 when opened, plus one for every committed change.
 * Every change is atomic: it commits completely as one new version or, on failure, changes nothing.
 * Writers are serialised; readers read the latest committed state and never wait for a writer's work.
 * ------------------------------------------------------------------------------------------------ */

typedef struct ags_store ags_store;

/* Opens a store holding the JSON document json, or {} when json is NULL and len is 0. The store takes the
 * process-wide limits in force now (see ags_limit). On success *store is a handle to close with
 * ags_store_close(). */
ags_status ags_store_open(const char *json, size_t len, ags_store **store);

/* Closes a store and releases it once calls running on other threads have returned. NULL, or a store
 * already closed, is ignored. Any later call with the handle gives AGS_ERR_CLOSED. */
void ags_store_close(ags_store *store);

/* Writes the current version to *version. */
ags_status ags_store_version(ags_store *store, uint64_t *version);

/* Writes the value at the JSON Pointer ptr in the current state ("" or NULL/0 for the whole state).
 * Flags: AGS_JSON_PRETTY, AGS_JSON_SORT_KEYS. */
ags_status ags_store_get(ags_store *store, const char *ptr, size_t ptr_len, uint32_t flags,
                         char **out, size_t *out_len);

/* Writes the whole current state; the same as ags_store_get with the pointer "". */
ags_status ags_store_export(ags_store *store, uint32_t flags, char **out, size_t *out_len);

/* Sets the value at ptr to the JSON text value: replaces it when it exists, otherwise adds it (an object
 * member, or an array element at "-" or at the array's length). The parent must exist: nothing is
 * created on the way. Commits one version, written to *version when version is not NULL. */
ags_status ags_store_set(ags_store *store, const char *ptr, size_t ptr_len, const char *value, size_t value_len,
                         uint64_t *version);

/* RFC 6902 "add" of the JSON text value at ptr (inserts into arrays; "-" appends). Commits one version. */
ags_status ags_store_add(ags_store *store, const char *ptr, size_t ptr_len, const char *value, size_t value_len,
                         uint64_t *version);

/* RFC 6902 "remove" at ptr; the value must exist, and the root cannot be removed. Commits one version. */
ags_status ags_store_remove(ags_store *store, const char *ptr, size_t ptr_len, uint64_t *version);

/* Applies the JSON Patch patch atomically and commits it as one version (also when it changes nothing,
 * e.g. only "test" operations). On failure the state and version are unchanged and ags_errop() names the
 * failing operation. */
ags_status ags_store_patch(ags_store *store, const char *patch, size_t patch_len, uint64_t *version);

/* Applies the JSON Merge Patch patch to the whole state and commits it as one version. */
ags_status ags_store_merge(ags_store *store, const char *patch, size_t patch_len, uint64_t *version);

/* Reads and optionally sets a limit of this store (AGS_LIMIT_*), as ags_limit() does for the process-wide
 * defaults. A state that is already deeper than a lowered AGS_LIMIT_DEPTH stays as it is; changes that
 * would exceed the limit fail. */
ags_status ags_store_limit(ags_store *store, int id, int64_t new_value, int64_t *old_value);

#ifdef __cplusplus
}
#endif

#endif /* AGSTATE_H */
