//! The binary's allocator: mimalloc, and how soon it gives freed memory back.

/// mimalloc's option number for its purge delay (`mi_option_purge_delay` of
/// mimalloc v3's `mimalloc.h`; libmimalloc-sys names only older options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory is kept before it goes back to the system, in ms.
/// mimalloc v3 keeps it for a second, longer than a whole run, so a big stream's
/// peak held everything it had freed (a 100k-key ConfigMap: 23 MB, 18 MB after
/// 10 ms). 10 ms is mimalloc v2's default: a run shorter than that purges nothing
/// and costs nothing more.
const PURGE_DELAY_MS: std::ffi::c_long = 10;

/// Sets the purge delay, before the run allocates much.
pub fn return_freed_memory_soon() {
    // SAFETY: sets one global option; mimalloc reads its options atomically,
    // and this one (when to purge) is read each time it purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}

/// A run is mostly small allocations (a string per scalar, a vector per
/// collection): mimalloc makes them a third cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(test)]
mod tests {
    /// The option number is the purge delay: its default is v3's 1000 ms, a
    /// default no other option has (an upgrade that renumbers fails here).
    #[test]
    fn the_option_set_is_the_purge_delay() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // SAFETY: reads one global option.
            let delay = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
            assert_eq!(delay, 1000);
        }
    }
}
