//! Work on documents spread over the cores: each thread takes a run of
//! documents of about equal bytes. Results come back in document order, so
//! the first failure in order is the same whichever thread met it.

/// Below this many bytes of documents, one thread does it (starting more costs more).
pub(crate) const PARALLEL_FROM: usize = 256 * 1024;

/// How many threads to use: asked once, as on Linux the answer costs about
/// twenty system calls (cgroup quota files) every time.
fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get().min(8)))
}

/// `f` of each item of `todo` (document numbers, in order), with its item,
/// in order. `bytes(i)` weighs item `i`. A thread the system refuses (a
/// sandbox's limit) leaves its run to the calling thread; a panic in one is
/// passed on as is.
pub(crate) fn map<T: Send>(
    todo: &[usize],
    bytes: impl Fn(usize) -> usize,
    f: impl Fn(usize) -> T + Sync,
) -> Vec<(usize, T)> {
    let total: usize = todo.iter().map(|&i| bytes(i)).sum();
    if todo.len() < 2 || total < PARALLEL_FROM || threads() < 2 {
        return todo.iter().map(|&i| (i, f(i))).collect();
    }
    let threads = threads();
    let share = total.div_ceil(threads);
    let mut runs: Vec<&[usize]> = Vec::new();
    let (mut start, mut filled) = (0, 0);
    for (k, &i) in todo.iter().enumerate() {
        if filled >= share {
            runs.push(&todo[start..k]);
            (start, filled) = (k, 0);
        }
        filled += bytes(i);
    }
    runs.push(&todo[start..]);
    let run = |items: &[usize]| items.iter().map(|&i| (i, f(i))).collect::<Vec<_>>();
    // The last run is the calling thread's own: one thread fewer to start
    // (and to give a stack) per call.
    let (own, others) = runs.split_last().expect("at least one run");
    std::thread::scope(|s| {
        let started: Vec<_> = others
            .iter()
            .map(|&items| {
                let thread = std::thread::Builder::new().spawn_scoped(s, || run(items));
                (items, thread)
            })
            .collect();
        let mine = run(own);
        started
            .into_iter()
            .flat_map(|(items, thread)| match thread {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => run(items),
            })
            .chain(mine)
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_order() {
        let todo: Vec<usize> = (0..1000).filter(|i| i % 3 != 0).collect();
        let out = super::map(&todo, |_| 4096, |i| i * 2);
        assert_eq!(out.len(), todo.len());
        assert!(out
            .iter()
            .zip(&todo)
            .all(|((i, v), t)| i == t && *v == t * 2));
        assert_eq!(super::map(&[7], |_| 1 << 30, |i| i), vec![(7, 7)]);
        assert!(super::map(&[], |_| 1, |i| i).is_empty());
    }
}
