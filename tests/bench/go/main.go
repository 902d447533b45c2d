// Command ipk-gobench times golang.org/x/net/ipv4 Header.Parse, ParseHeader and Marshal on the same
// 20- and 60-byte headers as tests/bench/bench.c (RFC 791), printing "name<TAB>median ns/op<TAB>allocs/op".
//
// Build offline with Debian's golang-golang-x-net-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o ipk-gobench .
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"runtime"
	"sort"
	"time"

	"golang.org/x/net/ipv4"
)

var sinkInt int
var sinkHdr *ipv4.Header
var sinkBytes []byte

// The same bytes as bench.c: a 20-byte header and a 60-byte one (Router Alert, Record Route with
// eight slots, EOL), each followed by an 8-byte payload, with valid checksums.
func packet(opts []byte) []byte {
	hlen := 20 + len(opts)
	b := make([]byte, hlen+8)
	b[0] = byte(0x40 | hlen/4)
	b[1] = 0xc0
	tot := len(b)
	b[2], b[3] = byte(tot>>8), byte(tot)
	b[4], b[5] = 0x12, 0x34
	b[6] = 0x40 // DF
	b[8] = 1
	b[9] = 2
	copy(b[12:16], net.IPv4(198, 18, 0, 1).To4())
	copy(b[16:20], net.IPv4(224, 0, 0, 22).To4())
	copy(b[20:], opts)
	var sum uint32
	for i := 0; i < hlen; i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	cs := ^uint16(sum)
	b[10], b[11] = byte(cs>>8), byte(cs)
	return b
}

func opts60() []byte {
	o := []byte{0x94, 0x04, 0x00, 0x00, 7, 35, 4}
	for i := 0; i < 8; i++ {
		o = append(o, 0, 0, 0, 0)
	}
	return append(o, 0) // EOL pad to 40
}

type result struct {
	ns     float64
	allocs float64
}

// measure runs fn(n) `runs` times with n chosen so that one run takes about target, and returns
// the median ns/op and the allocations per op.
func measure(fn func(n int), runs int, target time.Duration) result {
	n := 1
	for {
		t0 := time.Now()
		fn(n)
		if d := time.Since(t0); d >= target/4 || n >= 1<<30 {
			if d <= 0 {
				d = 1
			}
			n = int(float64(n) * float64(target) / float64(d))
			if n < 1 {
				n = 1
			}
			break
		}
		n *= 2
	}
	var ms runtime.MemStats
	ns := make([]float64, runs)
	var mallocs uint64
	for r := 0; r < runs; r++ {
		runtime.ReadMemStats(&ms)
		m0 := ms.Mallocs
		t0 := time.Now()
		fn(n)
		d := time.Since(t0)
		runtime.ReadMemStats(&ms)
		mallocs += ms.Mallocs - m0
		ns[r] = float64(d.Nanoseconds()) / float64(n)
	}
	sort.Float64s(ns)
	return result{ns: ns[runs/2], allocs: float64(mallocs) / float64(runs) / float64(n)}
}

func main() {
	runs := flag.Int("runs", 31, "timed runs per operation (median reported)")
	ms := flag.Int("ms", 2, "milliseconds per run")
	flag.Parse()
	target := time.Duration(*ms) * time.Millisecond

	p20 := packet(nil)
	p60 := packet(opts60())
	for _, p := range [][]byte{p20, p60} {
		h, err := ipv4.ParseHeader(p)
		if err != nil || h.Len != len(p)-8 || h.Dst.String() != "224.0.0.22" {
			fmt.Fprintf(os.Stderr, "ipk-gobench: self-check failed: %v %v\n", h, err)
			os.Exit(1)
		}
	}

	type op struct {
		name string
		fn   func(n int)
	}
	parse := func(p []byte) func(int) {
		return func(n int) {
			h := new(ipv4.Header)
			s := 0
			for i := 0; i < n; i++ {
				if err := h.Parse(p); err != nil {
					panic(err)
				}
				s += h.TotalLen
			}
			sinkInt += s
			sinkHdr = h
		}
	}
	parseHeader := func(p []byte) func(int) {
		return func(n int) {
			s := 0
			for i := 0; i < n; i++ {
				h, err := ipv4.ParseHeader(p)
				if err != nil {
					panic(err)
				}
				s += h.TotalLen
				sinkHdr = h
			}
			sinkInt += s
		}
	}
	marshal := func(p []byte) func(int) {
		h, _ := ipv4.ParseHeader(p)
		return func(n int) {
			s := 0
			for i := 0; i < n; i++ {
				b, err := h.Marshal()
				if err != nil {
					panic(err)
				}
				s += int(b[0])
				sinkBytes = b
			}
			sinkInt += s
		}
	}
	ops := []op{
		{"go_parse20", parse(p20)},
		{"go_parse60", parse(p60)},
		{"go_parseheader20", parseHeader(p20)},
		{"go_parseheader60", parseHeader(p60)},
		{"go_marshal20", marshal(p20)},
		{"go_marshal60", marshal(p60)},
	}
	for _, o := range ops {
		r := measure(o.fn, *runs, target)
		fmt.Printf("%s\t%.2f\t%.2f allocs/op\n", o.name, r.ns, r.allocs)
	}
}
