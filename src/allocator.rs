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

/// mimalloc's option number for what it does at process exit
/// (`mi_option_destroy_on_exit` of mimalloc v3's `mimalloc.h`).
const MI_OPTION_DESTROY_ON_EXIT: libmimalloc_sys::mi_option_t = 22;

/// A value above 1 makes mimalloc's exit handler return at once
/// (`_mi_auto_process_done`): by default it collects every heap and gives each
/// page back to the system one `madvise` at a time (~60 calls on a 130 KB
/// chart) just before the kernel frees the whole address space anyway.
const SKIP_EXIT_COLLECT: std::ffi::c_long = 2;

/// Sets the purge delay and the exit behaviour, before the run allocates much.
pub fn return_freed_memory_soon() {
    // SAFETY: sets two global options; mimalloc reads its options atomically,
    // the purge delay each time it purges and the exit option once, at exit.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS);
        libmimalloc_sys::mi_option_set(MI_OPTION_DESTROY_ON_EXIT, SKIP_EXIT_COLLECT);
    }
}

/// A run is mostly small allocations (a string per scalar, a vector per
/// collection): mimalloc makes them a third cheaper than glibc's malloc.
#[global_allocator]
static GLOBAL: Mimalloc = Mimalloc;

/// The alignment every mimalloc block of at least that size has
/// (`MI_MAX_ALIGN_SIZE`, `sizeof(max_align_t)`), as C's `malloc` promises.
const MALLOC_ALIGN: usize = 16;

/// mimalloc as Rust's allocator. The `mimalloc` crate asks for every block
/// through `mi_malloc_aligned`, whose checks and slow paths were ~4% of a
/// run's instructions; a block whose alignment plain `malloc` already gives
/// (the rule std's own `System` allocator follows) is asked for plainly.
struct Mimalloc;

/// Whether plain `mi_malloc` gives `layout`'s alignment.
fn plain(layout: std::alloc::Layout) -> bool {
    layout.align() <= MALLOC_ALIGN && layout.align() <= layout.size()
}

// SAFETY: every block comes from mimalloc and goes back to it; a plain
// `mi_malloc` is used only where its blocks are aligned enough (`plain`),
// any other through mimalloc's aligned calls.
unsafe impl std::alloc::GlobalAlloc for Mimalloc {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        if plain(layout) {
            mi::mi_malloc(layout.size()).cast()
        } else {
            mi::mi_malloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        use libmimalloc_sys as mi;
        if plain(layout) {
            mi::mi_zalloc(layout.size()).cast()
        } else {
            mi::mi_zalloc_aligned(layout.size(), layout.align()).cast()
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, _layout: std::alloc::Layout) {
        libmimalloc_sys::mi_free(ptr.cast());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        use libmimalloc_sys as mi;
        let grown = std::alloc::Layout::from_size_align_unchecked(new, layout.align());
        if plain(grown) {
            mi::mi_realloc(ptr.cast(), new).cast()
        } else {
            mi::mi_realloc_aligned(ptr.cast(), new, layout.align()).cast()
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every block has its layout's alignment and keeps its bytes when it
    /// grows or shrinks, plain (align ≤ 16) and aligned (align > 16 or > size).
    #[test]
    fn blocks_are_aligned_and_keep_their_bytes() {
        use std::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};
        let layouts = [
            (1, 1),
            (8, 8),
            (24, 8),
            (16, 16),
            (32, 32),
            (64, 64),
            (4096, 64),
        ];
        for (size, align) in layouts {
            for new in [size / 2 + 1, size * 3, 1 << 20] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero sizes; each block is freed with the layout it has.
                unsafe {
                    let p = alloc_zeroed(layout);
                    assert_eq!(p as usize % align, 0, "{size}/{align}");
                    assert!((0..size).all(|i| *p.add(i) == 0));
                    std::ptr::write_bytes(p, 0xa5, size);
                    let q = realloc(p, layout, new);
                    assert_eq!(q as usize % align, 0, "{size}/{align} → {new}");
                    assert!((0..size.min(new)).all(|i| *q.add(i) == 0xa5));
                    dealloc(q, Layout::from_size_align(new, align).unwrap());
                    let r = alloc(layout);
                    assert_eq!(r as usize % align, 0);
                    dealloc(r, layout);
                }
            }
        }
    }

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

    /// The exit option's number: v3 numbers it right after
    /// `deprecated_max_segment_reclaim` (21), whose default of 10 no
    /// neighbour has (an upgrade that renumbers fails here).
    #[test]
    fn the_option_before_the_exit_option_is_the_old_reclaim_percentage() {
        if std::env::var_os("MIMALLOC_MAX_SEGMENT_RECLAIM").is_none() {
            // SAFETY: reads one global option.
            let before =
                unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_DESTROY_ON_EXIT - 1) };
            assert_eq!(before, 10);
        }
    }
}
