// Command ipk-goudpbench is the Go side of tests/bench/udp_bench.c: UDP datagrams per second with
// golang.org/x/net/ipv4 PacketConn WriteTo/ReadFrom (with ControlMessage) and WriteBatch/ReadBatch.
//
// usage: ipk-goudpbench recv MODE BATCH PORT | send MODE BATCH PORT DST IFNAME MS |
//
//	drain MODE BATCH PORT N ROUNDS | txcpu MODE BATCH PORT DST IFNAME N
//
// with the meanings of udp_bench.c (drain: the receiver side of the queue-drain protocol whose
// sender is always `ipk-udp-bench fill`; txcpu: N datagrams sent, process CPU time measured).
//
// Build offline with Debian's golang-golang-x-net-dev:
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o ipk-goudpbench .
package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/ipv4"
)

const payload = 64
const rxFlags = ipv4.FlagTTL | ipv4.FlagDst | ipv4.FlagInterface

func die(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}

func badCM(cm *ipv4.ControlMessage) int64 {
	if cm == nil || cm.TTL != 64 || cm.IfIndex == 0 || cm.Dst == nil {
		return 1
	}
	return 0
}

func recv(mode string, batch, port int) {
	c, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		die(err)
	}
	c.(*net.UDPConn).SetReadBuffer(4 << 20)
	p := ipv4.NewPacketConn(c)
	if mode != "plain" {
		if err := p.SetControlMessage(rxFlags, true); err != nil {
			die(err)
		}
	}
	ms := make([]ipv4.Message, batch)
	for i := range ms {
		ms[i].Buffers = [][]byte{make([]byte, 2048)}
		ms[i].OOB = ipv4.NewControlMessage(rxFlags)
	}
	b := make([]byte, 2048)
	var count, bad int64
	var first, last time.Time
	start := time.Now()
	fmt.Println("ready")
	for it := 0; ; it++ {
		if it&1023 == 0 { // refreshed rarely: a deadline per call would cost Go a timer update
			wait := 300 * time.Millisecond
			if count == 0 {
				wait = 20*time.Second - time.Since(start)
			}
			p.SetReadDeadline(time.Now().Add(wait))
		}
		n := 1
		switch mode {
		case "plain":
			_, _, _, err = p.ReadFrom(b)
		case "cm":
			var cm *ipv4.ControlMessage
			_, cm, _, err = p.ReadFrom(b)
			if err == nil {
				bad += badCM(cm)
			}
		default:
			n, err = p.ReadBatch(ms, 0)
			for i := 0; i < n; i++ {
				var cm ipv4.ControlMessage
				if cm.Parse(ms[i].OOB[:ms[i].NN]) != nil {
					bad++
				} else {
					bad += badCM(&cm)
				}
			}
		}
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				break
			}
			die(err)
		}
		last = time.Now()
		if count == 0 {
			first = last
			p.SetReadDeadline(last.Add(300 * time.Millisecond))
		}
		count += int64(n)
	}
	fmt.Printf("rx %d %.6f %d\n", count, last.Sub(first).Seconds(), bad)
}

// readMode is one read with mode, as read_mode in udp_bench.c: datagrams read and wrong control messages.
func readMode(p *ipv4.PacketConn, mode string, ms []ipv4.Message, b []byte) (int, int64, error) {
	switch mode {
	case "plain":
		_, _, _, err := p.ReadFrom(b)
		return 1, 0, err
	case "cm":
		_, cm, _, err := p.ReadFrom(b)
		if err != nil {
			return 0, 0, err
		}
		return 1, badCM(cm), nil
	}
	n, err := p.ReadBatch(ms, 0)
	var bad int64
	for i := 0; i < n; i++ {
		var cm ipv4.ControlMessage
		if cm.Parse(ms[i].OOB[:ms[i].NN]) != nil {
			bad++
		} else {
			bad += badCM(&cm)
		}
	}
	return n, bad, err
}

func drain(mode string, batch, port int, want int64, rounds int) {
	c, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", port))
	if err != nil {
		die(err)
	}
	ctl, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", port+1))
	if err != nil {
		die(err)
	}
	rc, err := c.(*net.UDPConn).SyscallConn()
	if err != nil {
		die(err)
	}
	rc.Control(func(fd uintptr) { // the same queue size as udp_bench.c
		if syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUFFORCE, int(want*2048)) != nil {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, int(want*2048))
		}
	})
	p := ipv4.NewPacketConn(c)
	if mode != "plain" {
		if err := p.SetControlMessage(rxFlags, true); err != nil {
			die(err)
		}
	}
	ms := make([]ipv4.Message, batch)
	for i := range ms {
		ms[i].Buffers = [][]byte{make([]byte, 2048)}
		ms[i].OOB = ipv4.NewControlMessage(rxFlags)
	}
	b := make([]byte, 2048)
	cb := make([]byte, 32)
	fmt.Println("ready")
	for r := 0; r < rounds; r++ {
		ctl.SetReadDeadline(time.Now().Add(10 * time.Second))
		k, from, err := ctl.ReadFrom(cb)
		if err != nil {
			die(fmt.Errorf("drain: no word from the sender: %v", err))
		}
		n, _ := strconv.ParseInt(strings.TrimPrefix(string(cb[:k]), "done "), 10, 64)
		p.SetReadDeadline(time.Now().Add(time.Second)) // once per round, before the clock (a drain of N never takes 1 s)
		var got, bad int64
		c0, t0 := cpuNow(), time.Now()
		for got < n {
			m := ms
			if int64(len(m)) > n-got {
				m = m[:n-got]
			}
			k, nb, err := readMode(p, mode, m, b)
			got += int64(k)
			bad += nb
			if err != nil {
				break
			}
		}
		t1, c1 := time.Now(), cpuNow()
		fmt.Printf("round %d %d %.6f %d %.6f\n", got, n, t1.Sub(t0).Seconds(), bad, c1-c0)
		for { // late leftovers of a short round, so the next round starts empty
			p.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, _, _, err := p.ReadFrom(b); err != nil {
				break
			}
		}
		ctl.WriteTo([]byte("go"), from)
	}
}

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// txcpu sends want datagrams with mode and prints "txcpu SENT CPU WALL" as udp_bench.c does; CPU
// is the whole process (every Go runtime thread), measured around the send loop only.
func txcpu(mode string, batch, port int, dst, ifname string, want int64) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		die(err)
	}
	c, err := net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		die(err)
	}
	p := ipv4.NewPacketConn(c)
	to := &net.UDPAddr{IP: net.ParseIP(dst).To4(), Port: port}
	cm := &ipv4.ControlMessage{IfIndex: ifi.Index}
	b := make([]byte, payload)
	ms := make([]ipv4.Message, batch)
	for i := range ms {
		ms[i].Buffers = [][]byte{b}
		ms[i].OOB = cm.Marshal()
		ms[i].Addr = to
	}
	var sent int64
	c0, t0 := cpuNow(), time.Now()
	for sent < want {
		switch mode {
		case "plain":
			if _, err := p.WriteTo(b, nil, to); err == nil {
				sent++
			}
		case "cm":
			if _, err := p.WriteTo(b, cm, to); err == nil {
				sent++
			}
		default:
			if n, err := p.WriteBatch(ms, 0); err == nil || n > 0 {
				sent += int64(n)
			}
		}
	}
	c1, t1 := cpuNow(), time.Now()
	fmt.Printf("txcpu %d %.6f %.6f\n", sent, c1-c0, t1.Sub(t0).Seconds())
}

func send(mode string, batch, port int, dst, ifname string, msec int) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		die(err)
	}
	c, err := net.ListenPacket("udp4", "0.0.0.0:0")
	if err != nil {
		die(err)
	}
	p := ipv4.NewPacketConn(c)
	to := &net.UDPAddr{IP: net.ParseIP(dst).To4(), Port: port}
	cm := &ipv4.ControlMessage{IfIndex: ifi.Index}
	b := make([]byte, payload)
	ms := make([]ipv4.Message, batch)
	for i := range ms {
		ms[i].Buffers = [][]byte{b}
		ms[i].OOB = cm.Marshal()
		ms[i].Addr = to
	}
	end := time.Now().Add(time.Duration(msec) * time.Millisecond)
	var count int64
	for it := 0; ; it++ {
		if it&255 == 0 && !time.Now().Before(end) {
			break
		}
		switch mode {
		case "plain":
			if _, err := p.WriteTo(b, nil, to); err == nil {
				count++
			}
		case "cm":
			if _, err := p.WriteTo(b, cm, to); err == nil {
				count++
			}
		default:
			if n, err := p.WriteBatch(ms, 0); err == nil || n > 0 {
				count += int64(n)
			}
		}
	}
	fmt.Printf("tx %d\n", count)
}

func main() {
	a := os.Args
	if len(a) < 5 {
		die(errors.New("usage: ipk-goudpbench recv MODE BATCH PORT | send MODE BATCH PORT DST IFNAME MS"))
	}
	batch, _ := strconv.Atoi(a[3])
	port, _ := strconv.Atoi(a[4])
	if batch < 1 {
		batch = 1
	}
	if a[1] == "recv" {
		recv(a[2], batch, port)
		return
	}
	if a[1] == "drain" {
		if len(a) < 7 {
			die(errors.New("drain needs N ROUNDS"))
		}
		n, _ := strconv.ParseInt(a[5], 10, 64)
		rounds, _ := strconv.Atoi(a[6])
		if n < 1 || n > 1<<19 {
			die(errors.New("drain: N out of range"))
		}
		drain(a[2], batch, port, n, rounds)
		return
	}
	if len(a) < 8 {
		die(errors.New("send needs DST IFNAME MS"))
	}
	if a[1] == "txcpu" {
		n, _ := strconv.ParseInt(a[7], 10, 64)
		txcpu(a[2], batch, port, a[5], a[6], n)
		return
	}
	ms, _ := strconv.Atoi(a[7])
	send(a[2], batch, port, a[5], a[6], ms)
}
