// fizzbuzz_go: lesson 02B's FizzBuzz pipeline written with Go channels, as a peer for bench/
// (bench/README.md, "Lesson 02B against its peers").
//
//	heartbeat --beats--> worker <--batches-- generator
//	                       |
//	                       +--batches--> logger
//
// The same work as examples/lesson-02b-performant: the generator counts 0, 1, 2, ... in
// batches of 4096 values (a new slice each), the worker encodes every value in place with the
// lesson's FizzBuzz encoder (the kind in the top two bits; runs of 15 consecutive values take
// the repeating pattern, anything else value by value), the logger counts the four kinds from
// the bits. Channels hold 256 batches (1M values, as the lesson's 1M-slot channels). After
// --beats beats of --rate ms the heartbeat asks for the stop; the generator stops after its
// current batch, the channels drain, and the logger's line counts every value sent. The last
// line is the whole process's rate (start-up and drain included), in the lesson's format.
// Built with Debian's golang-go, no modules beyond the standard library.
package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

const (
	batchLen       = 4096
	channelBatches = 256
	kindShift      = 62
	valueMask      = uint64(1)<<kindShift - 1
)

// encode: v is a multiple of the odd d exactly when v * inverse(d) (mod 2^64) <= MaxUint64 / d.
func encode(v uint64) uint64 {
	var fizz, buzz uint64
	if v*0xAAAAAAAAAAAAAAAB <= math.MaxUint64/3 {
		fizz = 1
	}
	if v*0xCCCCCCCCCCCCCCCD <= math.MaxUint64/5 {
		buzz = 1
	}
	return v&valueMask | fizz<<kindShift | buzz<<(kindShift+1)
}

// encodeBatch encodes in place; every output equals encode(input). Fast when the values are
// consecutive.
func encodeBatch(values []uint64) {
	i, n := 0, len(values)
	if n >= 15 {
		base := values[0]
		var pattern [15]uint64
		for j := range pattern {
			pattern[j] = encode((base+uint64(j))%15) &^ valueMask
		}
		for ; i+15 <= n; i, base = i+15, base+15 {
			run := values[i : i+15 : i+15]
			var bad uint64
			for j, v := range run {
				bad |= v ^ (base + uint64(j))
			}
			if bad != 0 {
				break // not consecutive: the rest, value by value
			}
			for j := range run {
				run[j] = (base + uint64(j)) | pattern[j]
			}
		}
	}
	for ; i < n; i++ {
		values[i] = encode(values[i])
	}
}

const usage = `usage: fizzbuzz_go [--rate MS] [--beats N]
  --rate MS    heartbeat period in milliseconds (default 1000)
  --beats N    beats before the stop (default 10)
Lesson 02B's FizzBuzz pipeline over Go channels of 4096-value slices.`

func parseArgs(argv []string) (rateMs, beats uint64, err error) {
	rateMs, beats = 1000, 10
	for _, a := range argv {
		if a == "--help" || a == "-h" {
			fmt.Println(usage)
			os.Exit(0)
		}
	}
	for i := 0; i < len(argv); i += 2 {
		var slot *uint64
		switch argv[i] {
		case "--rate":
			slot = &rateMs
		case "--beats":
			slot = &beats
		default:
			return 0, 0, fmt.Errorf("unknown option '%s'", argv[i])
		}
		if i+1 >= len(argv) {
			return 0, 0, fmt.Errorf("%s needs a positive whole number", argv[i])
		}
		v, e := strconv.ParseUint(argv[i+1], 10, 64)
		if e != nil || v == 0 {
			return 0, 0, fmt.Errorf("%s needs a positive whole number", argv[i])
		}
		*slot = v
	}
	return rateMs, beats, nil
}

func generator(out chan<- []uint64, stop *atomic.Bool) uint64 {
	next := uint64(0)
	for !stop.Load() {
		batch := make([]uint64, batchLen)
		for j := range batch {
			batch[j] = next + uint64(j)
		}
		next += batchLen
		out <- batch
	}
	close(out)
	fmt.Fprintf(os.Stderr, "Generator shutting down. Sent: %d\n", next)
	return next
}

func worker(in <-chan []uint64, beats <-chan uint64, out chan<- []uint64) {
	var nBeats, values uint64
	drainBeats := func() {
		for {
			select {
			case <-beats:
				nBeats++
			default:
				return
			}
		}
	}
	for batch := range in {
		drainBeats()
		encodeBatch(batch)
		values += uint64(len(batch))
		out <- batch
	}
	drainBeats()
	close(out)
	fmt.Fprintf(os.Stderr, "Worker shutting down. Beats: %d, values: %d\n", nBeats, values)
}

func logger(in <-chan []uint64) uint64 {
	var n, fizz, buzz, both uint64
	for batch := range in {
		for _, m := range batch {
			f, b := (m>>kindShift)&1, m>>(kindShift+1)
			fizz += f
			buzz += b
			both += f & b
		}
		n += uint64(len(batch))
	}
	fmt.Fprintf(os.Stderr, "Logger shutting down. Total: %d (F:%d, B:%d, FB:%d, V:%d)\n",
		n, fizz-both, buzz-both, both, n-fizz-buzz+both)
	return n
}

func main() {
	t0 := time.Now()
	rateMs, nBeats, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintf(os.Stderr, "fizzbuzz_go: %v\n%s\n", err, usage)
		os.Exit(2)
	}
	var stop atomic.Bool
	beats := make(chan uint64, 8)
	values := make(chan []uint64, channelBatches)
	out := make(chan []uint64, channelBatches)
	var wg sync.WaitGroup
	var sent uint64
	wg.Add(3)
	go func() {
		defer wg.Done()
		for b := uint64(1); b <= nBeats; b++ {
			time.Sleep(time.Duration(rateMs) * time.Millisecond)
			beats <- b
		}
		stop.Store(true)
	}()
	go func() { defer wg.Done(); sent = generator(values, &stop) }()
	go func() { defer wg.Done(); worker(values, beats, out) }()
	total := logger(out)
	wg.Wait()
	secs := time.Since(t0).Seconds()
	fmt.Printf("fizzbuzz_go: %d messages in %.3f s: %.1f M msg/s (batch %d, channels of %d batches)\n",
		total, secs, float64(total)/secs/1e6, batchLen, channelBatches)
	if total != sent {
		fmt.Fprintf(os.Stderr, "fizzbuzz_go: the logger counted %d of %d sent\n", total, sent)
		os.Exit(1)
	}
}
