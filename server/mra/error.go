package mra

import "fmt"

// Code is one of the contract's error codes.
type Code string

// The contract's error codes.
const (
	CodeBadRequest      Code = "bad_request"
	CodeUnauthenticated Code = "unauthenticated"
	CodeForbidden       Code = "forbidden"
	CodeNotFound        Code = "not_found"
	CodeConflict        Code = "conflict"
	CodeStale           Code = "stale"
	CodeNotReady        Code = "not_ready"
	CodeFrozen          Code = "frozen"
	CodeSigning         Code = "signing"
	CodeTooLarge        Code = "too_large"
	CodeRateLimited     Code = "rate_limited"
	CodeInternal        Code = "internal"
)

// Error is an expected failure, told to the client as it is: its message
// names what was wrong and never holds internals or another party's data.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *Error { return Errorf(CodeBadRequest, format, args...) }
