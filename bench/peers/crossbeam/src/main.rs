//! fizzbuzz_crossbeam: lesson 02B's FizzBuzz pipeline written with crossbeam-channel, as a
//! peer for bench/ (bench/README.md, "Lesson 02B against its peers").
//!
//!   heartbeat --beats--> worker <--batches-- generator
//!                          |
//!                          +--batches--> logger
//!
//! The same work as examples/lesson-02b-performant: the generator counts 0, 1, 2, ... in
//! batches of 4096 values (a Vec each), the worker encodes every value in place with the
//! lesson's FizzBuzz encoder (the kind in the top two bits; runs of 15 consecutive values
//! take the repeating pattern, anything else value by value), the logger counts the four
//! kinds from the bits. Channels are crossbeam bounded channels of 256 batches (1M values,
//! as the lesson's 1M-slot channels). After --beats beats of --rate ms the heartbeat asks for
//! the stop; the generator stops after its current batch, the channels drain, and the logger's
//! line counts every value sent. The last line is the whole process's rate (start-up and drain
//! included), in the lesson's format, so one script checks and times both.

use crossbeam_channel::{bounded, Receiver, Sender};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const BATCH: usize = 4096;
const CHANNEL_BATCHES: usize = 256;
const KIND_SHIFT: u32 = 62;
const VALUE_MASK: u64 = (1u64 << KIND_SHIFT) - 1;

/// v is a multiple of the odd d exactly when v * inverse(d) (mod 2^64) <= u64::MAX / d.
fn encode(v: u64) -> u64 {
    let fizz = (v.wrapping_mul(0xAAAA_AAAA_AAAA_AAAB) <= u64::MAX / 3) as u64;
    let buzz = (v.wrapping_mul(0xCCCC_CCCC_CCCC_CCCD) <= u64::MAX / 5) as u64;
    (v & VALUE_MASK) | (fizz << KIND_SHIFT) | (buzz << (KIND_SHIFT + 1))
}

/// Encodes in place; every output equals encode(input). Fast when the values are consecutive.
fn encode_batch(values: &mut [u64]) {
    let n = values.len();
    let mut i = 0;
    if n >= 15 {
        let mut base = values[0];
        let mut pattern = [0u64; 15];
        for (j, p) in pattern.iter_mut().enumerate() {
            *p = encode(base.wrapping_add(j as u64) % 15) & !VALUE_MASK;
        }
        while i + 15 <= n {
            let run = &mut values[i..i + 15];
            let mut bad = 0u64;
            for (j, v) in run.iter().enumerate() {
                bad |= *v ^ base.wrapping_add(j as u64);
            }
            if bad != 0 {
                break; // not consecutive: the rest, value by value
            }
            for (j, v) in run.iter_mut().enumerate() {
                *v = base.wrapping_add(j as u64) | pattern[j];
            }
            i += 15;
            base = base.wrapping_add(15);
        }
    }
    for v in &mut values[i..] {
        *v = encode(*v);
    }
}

struct Args {
    rate_ms: u64,
    beats: u64,
}

const USAGE: &str = concat!(
    "usage: fizzbuzz_crossbeam [--rate MS] [--beats N]\n",
    "  --rate MS    heartbeat period in milliseconds (default 1000)\n",
    "  --beats N    beats before the stop (default 10)\n",
    "Lesson 02B's FizzBuzz pipeline over crossbeam-channel, batches of 4096 values in a Vec."
);

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        rate_ms: 1000,
        beats: 10,
    };
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.iter().any(|s| s == "--help" || s == "-h") {
        println!("{}", USAGE);
        std::process::exit(0);
    }
    let mut it = argv.iter();
    while let Some(opt) = it.next() {
        let slot = match opt.as_str() {
            "--rate" => &mut a.rate_ms,
            "--beats" => &mut a.beats,
            _ => return Err(format!("unknown option '{}'", opt)),
        };
        *slot = match it.next().map(|v| v.parse::<u64>()) {
            Some(Ok(v)) if v > 0 => v,
            _ => return Err(format!("{} needs a positive whole number", opt)),
        };
    }
    Ok(a)
}

fn heartbeat(args: &Args, beats: Sender<u64>, stop: &AtomicBool) {
    for beat in 1..=args.beats {
        thread::sleep(Duration::from_millis(args.rate_ms));
        let _ = beats.send(beat);
    }
    stop.store(true, Ordering::Relaxed);
}

fn generator(out: Sender<Vec<u64>>, stop: &AtomicBool) -> u64 {
    let mut next = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let batch: Vec<u64> = (next..next + BATCH as u64).collect();
        next += BATCH as u64;
        if out.send(batch).is_err() {
            break;
        }
    }
    eprintln!("Generator shutting down. Sent: {}", next);
    next
}

fn worker(input: Receiver<Vec<u64>>, beats: Receiver<u64>, out: Sender<Vec<u64>>) {
    let (mut n_beats, mut values) = (0u64, 0u64);
    for mut batch in input {
        while beats.try_recv().is_ok() {
            n_beats += 1;
        }
        encode_batch(&mut batch);
        values += batch.len() as u64;
        if out.send(batch).is_err() {
            break;
        }
    }
    n_beats += beats.try_iter().count() as u64;
    eprintln!(
        "Worker shutting down. Beats: {}, values: {}",
        n_beats, values
    );
}

fn logger(input: Receiver<Vec<u64>>) -> [u64; 4] {
    let (mut n, mut fizz, mut buzz, mut both) = (0u64, 0u64, 0u64, 0u64);
    for batch in input {
        for m in &batch {
            let f = (m >> KIND_SHIFT) & 1;
            let b = m >> (KIND_SHIFT + 1);
            fizz += f;
            buzz += b;
            both += f & b;
        }
        n += batch.len() as u64;
    }
    let c = [n - fizz - buzz + both, fizz - both, buzz - both, both];
    eprintln!(
        "Logger shutting down. Total: {} (F:{}, B:{}, FB:{}, V:{})",
        n, c[1], c[2], c[3], c[0]
    );
    c
}

fn main() {
    let t0 = Instant::now();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fizzbuzz_crossbeam: {}\n{}", e, USAGE);
            std::process::exit(2);
        }
    };
    let stop = Arc::new(AtomicBool::new(false));
    let (beat_tx, beat_rx) = bounded::<u64>(8);
    let (values_tx, values_rx) = bounded::<Vec<u64>>(CHANNEL_BATCHES);
    let (out_tx, out_rx) = bounded::<Vec<u64>>(CHANNEL_BATCHES);
    let hb = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || heartbeat(&args, beat_tx, &stop))
    };
    let gen = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || generator(values_tx, &stop))
    };
    let wk = thread::spawn(move || worker(values_rx, beat_rx, out_tx));
    let counts = logger(out_rx);
    let sent = gen.join().expect("generator");
    wk.join().expect("worker");
    hb.join().expect("heartbeat");
    let total: u64 = counts.iter().sum();
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "fizzbuzz_crossbeam: {} messages in {:.3} s: {:.1} M msg/s (batch {}, channels of {} batches)",
        total,
        secs,
        total as f64 / secs / 1e6,
        BATCH,
        CHANNEL_BATCHES
    );
    if total != sent {
        eprintln!(
            "fizzbuzz_crossbeam: the logger counted {} of {} sent",
            total, sent
        );
        std::process::exit(1);
    }
}
