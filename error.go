package vigil

import (
	"errors"
	"fmt"
)

// Application error codes. They are part of the contract: HTTP statuses and
// CLI exit codes are mapped from them.
const (
	ECONFLICT       = "ECONFLICT"
	EINTERNAL       = "EINTERNAL"
	EINVALID        = "EINVALID"
	ENOTFOUND       = "ENOTFOUND"
	EUNAUTHORIZED   = "EUNAUTHORIZED"
	EFORBIDDEN      = "EFORBIDDEN"
	ETOOLARGE       = "ETOOLARGE"
	EUNAVAILABLE    = "EUNAVAILABLE"
	ETOOMANYREQUEST = "ETOOMANYREQUESTS"
)

// Error is Vigil's application error: a machine-readable code and a message
// fit to show the caller.
type Error struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("vigil error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, and a
// generic message for any other non-nil error so internals do not leak.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
