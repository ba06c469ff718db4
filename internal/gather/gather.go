// Package gather gathers records from a channel into batches: the one
// "take what is already waiting" loop under consume's pump and verify's
// consumers.
package gather

// Buffered appends to b the values already waiting in ch, without
// blocking, until b holds max values, ch is empty or ch is closed.
func Buffered[T any](ch <-chan T, b []T, max int) []T {
	for len(b) < max {
		select {
		case v, ok := <-ch:
			if !ok {
				return b
			}
			b = append(b, v)
		default:
			return b
		}
	}
	return b
}
