#include <sqlite3.h>

/* SQLITE_TRANSIENT is a cast of -1 to a function pointer, which Swift cannot express: bind copies. */
static inline int agstate_sqlite3_bind_blob_copy(sqlite3_stmt *statement, int index, const void *data, int length) {
    return sqlite3_bind_blob(statement, index, data, length, SQLITE_TRANSIENT);
}

static inline int agstate_sqlite3_bind_text_copy(sqlite3_stmt *statement, int index, const char *text, int length) {
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}
