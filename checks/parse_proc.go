package checks

import (
	"strconv"
	"strings"
)

// ParseCPUInfo reads /proc/cpuinfo (or the lines of it the probe keeps):
// the first "model name" (or ARM's "Processor"/"Hardware" when there is
// none), the number of "processor : N" entries and whether the first
// flags/Features line contains "aes". AES is nil when no flags line exists.
func ParseCPUInfo(data string) CPU {
	var c CPU
	var fallbackModel string
	flagsSeen := false
	for _, line := range splitLines(data) {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		v = strings.TrimSpace(v)
		switch k {
		case "processor":
			if _, err := strconv.Atoi(v); err == nil {
				c.Cores++
			}
		case "model name":
			if c.Model == "" {
				c.Model = v
			}
		case "Processor", "Hardware", "cpu model", "uarch":
			if fallbackModel == "" {
				fallbackModel = v
			}
		case "flags", "Features":
			if !flagsSeen {
				flagsSeen = true
				aes := false
				for _, f := range strings.Fields(v) {
					if f == "aes" {
						aes = true
						break
					}
				}
				c.AES = &aes
			}
		}
	}
	if c.Model == "" {
		c.Model = fallbackModel
	}
	return c
}

// ParseMeminfo returns MemTotal from /proc/meminfo in bytes (0 if absent).
func ParseMeminfo(data string) uint64 {
	for _, line := range splitLines(data) {
		k, v, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(k) != "MemTotal" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0
		}
		n, err := strconv.ParseUint(f[0], 10, 64)
		if err != nil {
			return 0
		}
		mult := uint64(1)
		if len(f) > 1 {
			switch strings.ToLower(f[1]) {
			case "kb":
				mult = 1024
			case "mb":
				mult = 1024 * 1024
			case "gb":
				mult = 1024 * 1024 * 1024
			}
		}
		if n > ^uint64(0)/mult {
			return 0
		}
		return n * mult
	}
	return 0
}

// ParseRoute returns the interfaces that carry an IPv4 default route
// (Destination and Mask 00000000) in /proc/net/route.
func ParseRoute(data string) map[string]bool {
	out := map[string]bool{}
	for i, line := range splitLines(data) {
		f := strings.Fields(line)
		if i == 0 && len(f) > 0 && f[0] == "Iface" {
			continue
		}
		if len(f) < 2 || f[1] != "00000000" {
			continue
		}
		if len(f) >= 8 && f[7] != "00000000" {
			continue
		}
		out[f[0]] = true
	}
	return out
}
