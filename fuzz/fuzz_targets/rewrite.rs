#![no_main]
//! Arbitrary bytes → `premigrate::rewrite` with the default config and with
//! `--target hooks`. Errors are fine; a panic is a bug.
libfuzzer_sys::fuzz_target!(|data: &[u8]| premigrate_fuzz::rewrite(data));
