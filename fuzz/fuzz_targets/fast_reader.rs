#![no_main]
//! Arbitrary bytes → `Tree::parse_fast`; where it reads, its tree must be
//! libyaml's, and its value the tree's reading (`premigrate_fuzz::fast_reader`).
libfuzzer_sys::fuzz_target!(|data: &[u8]| premigrate_fuzz::fast_reader(data));
