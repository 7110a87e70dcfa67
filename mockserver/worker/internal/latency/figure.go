package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// figure is what one worker and endpoint measured.
type figure struct {
	label, endpoint string
	n               int
	wallMedian      time.Duration
	wallP99         time.Duration
	cpuMedian       time.Duration // per request; -1 when not measured
}

func (s samples) figure(label, endpoint string) figure {
	f := figure{
		label: label, endpoint: endpoint, n: len(s.wall),
		wallMedian: percentile(s.wall, 50), wallP99: percentile(s.wall, 99), cpuMedian: -1,
	}
	if len(s.cpu) > 0 {
		f.cpuMedian = percentile(s.cpu, 50)
	}
	return f
}

func (f figure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: wall median %s p99 %s", strings.TrimSpace(f.label+" "+f.endpoint), ms(f.wallMedian), ms(f.wallP99))
	if f.cpuMedian >= 0 {
		fmt.Fprintf(&b, ", CPU %s per request", ms(f.cpuMedian))
	}
	fmt.Fprintf(&b, " (n=%d)", f.n)
	return b.String()
}

// writeTSV writes label, endpoint, n, wall median, wall p99 and CPU per
// request (milliseconds; CPU -1 when not measured), one figure a line.
func writeTSV(path string, figs []figure) error {
	var b strings.Builder
	for _, f := range figs {
		cpu := "-1"
		if f.cpuMedian >= 0 {
			cpu = msNumber(f.cpuMedian)
		}
		fmt.Fprintf(&b, "%s\t%s\t%d\t%s\t%s\t%s\n", f.label, f.endpoint, f.n, msNumber(f.wallMedian), msNumber(f.wallP99), cpu)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// percentile is the nearest-rank percentile; 0 for no samples.
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (p*len(s)+99)/100 - 1
	return s[max(0, min(i, len(s)-1))]
}

func ms(d time.Duration) string { return msNumber(d) + " ms" }

func msNumber(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000) }
