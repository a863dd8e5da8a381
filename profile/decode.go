package profile

// Decoding a profile file a person wrote or edited: each way the file
// itself is wrong (a byte order mark from a Windows editor, text after
// the JSON, a value of the wrong type, broken syntax) is one line naming
// where, not Go's decoder's words.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
)

// decodeStrict decodes data into p: unknown fields, trailing data and a
// BOM are errors.
func decodeStrict(data []byte, p *Profile) *Error {
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		return &Error{Field: "(file)", Problem: "starts with a byte order mark (BOM): save it as UTF-8 without BOM"}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(p); err != nil {
		return decodeError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Error{Field: "(file)", Problem: fmt.Sprintf("has more after the JSON object ends (line %d)", lineAt(data, dec.InputOffset()))}
	}
	return nil
}

func decodeError(data []byte, err error) *Error {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		return &Error{Field: te.Field, Problem: fmt.Sprintf("want %s, got %s", kindWord(te.Type), jsonWord(te.Value))}
	case errors.As(err, &se):
		return &Error{Field: "(file)", Problem: fmt.Sprintf("is not valid JSON at line %d: %v", lineAt(data, se.Offset), se)}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Field: "(file)", Problem: "ends before the JSON object does"}
	}
	return &Error{Field: jsonField(err), Problem: err.Error()}
}

// kindWord names a Go type as a JSON writer thinks of it.
func kindWord(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number not below 0"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list [...]"
	case reflect.Map, reflect.Struct:
		return "an object {...}"
	}
	return t.String()
}

// jsonWord names what the file held (UnmarshalTypeError.Value).
func jsonWord(v string) string {
	switch v {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "array":
		return "a list"
	case "object":
		return "an object"
	case "number":
		return "a number"
	}
	return v // "number -1", "number 1.5": the value itself
}

// lineAt is the 1-based line of byte offset off.
func lineAt(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}
