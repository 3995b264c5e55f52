#![no_main]
//! Arbitrary bytes → (edit choices, document) → `Tree::parse` and
//! `edit::apply`. Errors are fine; a panic is a bug. See `premigrate_fuzz::edit`
//! for the input layout.
libfuzzer_sys::fuzz_target!(|data: &[u8]| premigrate_fuzz::edit(data));
