package remote

import (
	"strings"
	"testing"
)

func TestParseTarget(t *testing.T) {
	tests := []struct {
		in      string
		want    Target
		wantErr string
	}{
		{in: "root@example.org", want: Target{"root", "example.org", 22}},
		{in: "admin@10.0.0.5:2222", want: Target{"admin", "10.0.0.5", 2222}},
		{in: "  u@h  ", want: Target{"u", "h", 22}},
		{in: "u@[2001:db8::1]:22022", want: Target{"u", "2001:db8::1", 22022}},
		{in: "u@[2001:db8::1]", want: Target{"u", "2001:db8::1", 22}},
		{in: "u@2001:db8::1", want: Target{"u", "2001:db8::1", 22}},
		{in: "u@[fe80::1%eth0]:22", want: Target{"u", "fe80::1%eth0", 22}},
		{in: "first.last@host-1.example_x.kg", want: Target{"first.last", "host-1.example_x.kg", 22}},
		{in: "", wantErr: "empty"},
		{in: "example.org", wantErr: "no user"},
		{in: "@example.org", wantErr: "user is empty"},
		{in: "root@", wantErr: "no host"},
		{in: "root@host:", wantErr: "empty port"},
		{in: "root@host:0", wantErr: "1 to 65535"},
		{in: "root@host:65536", wantErr: "1 to 65535"},
		{in: "root@host:ssh", wantErr: "1 to 65535"},
		{in: "root@host:+22", wantErr: "1 to 65535"},
		{in: "root@[::1", wantErr: "missing ']'"},
		{in: "root@[::1]x", wantErr: "after ']'"},
		{in: "root@[]:22", wantErr: "empty host"},
		{in: "root@2001:db8::zz", wantErr: "not a valid IPv6"},
		{in: "root@-oProxyCommand=x", wantErr: "must not start with '-'"},
		{in: "-l@host", wantErr: "must not start with '-'"},
		{in: "ro ot@host", wantErr: "invalid character"},
		{in: "root@ho st", wantErr: "invalid character"},
		{in: "root@host/x", wantErr: "invalid character"},
	}
	for _, tc := range tests {
		got, err := ParseTarget(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseTarget(%q) = %v, %v; want error containing %q", tc.in, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseTarget(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		// String() must parse back to the same target.
		back, err := ParseTarget(got.String())
		if err != nil || back != got {
			t.Errorf("ParseTarget(%q.String()=%q) = %+v, %v", tc.in, got.String(), back, err)
		}
	}
}

func TestTargetAddrString(t *testing.T) {
	cases := []struct {
		t         Target
		addr, str string
	}{
		{Target{"root", "h", 22}, "h:22", "root@h:22"},
		{Target{"root", "h", 0}, "h:22", "root@h:22"},
		{Target{"u", "::1", 2222}, "[::1]:2222", "u@[::1]:2222"},
	}
	for _, c := range cases {
		if c.t.Addr() != c.addr || c.t.String() != c.str {
			t.Errorf("%+v: Addr=%q String=%q, want %q %q", c.t, c.t.Addr(), c.t.String(), c.addr, c.str)
		}
	}
}
