package main

// A database session of the example's own, through libpq (Debian's libpq-dev): the leader's advisory lock
// lives in one, and the operator kills connections from one. The store's own connections are the engine's.

/*
#cgo pkg-config: libpq
#include <stdlib.h>
#include <libpq-fe.h>
*/
import "C"

import (
	"errors"
	"unsafe"
)

type session struct{ conn *C.PGconn }

func connect(url string) (*session, error) {
	curl := C.CString(url)
	defer C.free(unsafe.Pointer(curl))
	conn := C.PQconnectdb(curl)
	if C.PQstatus(conn) != C.CONNECTION_OK {
		message := C.GoString(C.PQerrorMessage(conn))
		C.PQfinish(conn)
		return nil, errors.New(message)
	}
	return &session{conn}, nil
}

// value runs query with one text parameter and returns the first column of its one row.
func (s *session) value(query, parameter string) (string, error) {
	cquery, cparam := C.CString(query), C.CString(parameter)
	defer C.free(unsafe.Pointer(cquery))
	defer C.free(unsafe.Pointer(cparam))
	result := C.PQexecParams(s.conn, cquery, 1, nil, &cparam, nil, nil, 0)
	defer C.PQclear(result)
	if C.PQresultStatus(result) != C.PGRES_TUPLES_OK || C.PQntuples(result) != 1 {
		return "", errors.New(C.GoString(C.PQerrorMessage(s.conn)))
	}
	return C.GoString(C.PQgetvalue(result, 0, 0)), nil
}

func (s *session) close() { C.PQfinish(s.conn) }
