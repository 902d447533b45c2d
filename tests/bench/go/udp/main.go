// Command ipk-goudpbench is the Go side of tests/bench/udp_bench.c: UDP datagrams per second with
// golang.org/x/net/ipv4 PacketConn WriteTo/ReadFrom (with ControlMessage) and WriteBatch/ReadBatch.
//
// usage: ipk-goudpbench recv MODE BATCH PORT | send MODE BATCH PORT DST IFNAME MS (as udp_bench.c)
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
	if len(a) < 8 {
		die(errors.New("send needs DST IFNAME MS"))
	}
	ms, _ := strconv.Atoi(a[7])
	send(a[2], batch, port, a[5], a[6], ms)
}
