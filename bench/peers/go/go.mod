module steady.bench/fizzbuzz_go

go 1.19
