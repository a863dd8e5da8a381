package health

import "testing"

// TestExpiryStage: the points of an expiry as the days pass, with the
// profile's thresholds 30, 14, 7 and with one threshold only (the
// reminders below it still told), and after expiry bounded at a week.
func TestExpiryStage(t *testing.T) {
	for _, c := range []struct {
		left    float64
		crossed int
		want    string
	}{
		{40, 0, ""}, {29.5, 30, "30d"}, {13, 14, "14d"}, {6.9, 7, "7d"}, {3, 7, "7d"},
		{2.99, 7, "3d"}, {1.01, 7, "3d"}, {0.99, 7, "1d"}, {0.01, 7, "1d"},
		{0, 7, "expired"}, {-0.5, 7, "expired"}, {-1, 7, "expired+1d"}, {-6.9, 7, "expired+6d"},
		{-7, 7, "expired+7d"}, {-400, 7, "expired+7d"},
		// A profile with one threshold (a warning): the reminders still.
		{20, 30, "30d"}, {2, 30, "3d"}, {0.5, 30, "1d"},
		// A last threshold of 2 days: the 3-day reminder is above it.
		{2.5, 14, "3d"}, {1.5, 2, "2d"}, {0.5, 2, "1d"},
	} {
		if got := expiryStage(c.left, c.crossed); got != c.want {
			t.Errorf("expiryStage(%v, %d) = %q, want %q", c.left, c.crossed, got, c.want)
		}
	}
}
