package enroll

// Damaged is a file of the store or the outbox that is there and cannot
// be read as what it should be (truncated, garbage, of another type, not
// readable). It is listed with its path, never silently skipped, and
// never deleted or written over: the user looks at it and moves it.
type Damaged struct {
	Path string
	Err  error
}
