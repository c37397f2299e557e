//! The memory allocator of the `evstudy` binary and benches: mimalloc, told never to hand
//! freed memory back to the system.
//!
//! A study allocates and frees gigabytes of short-lived columns (ingest buffers, the pair
//! column store, output tables). With the system allocator, or mimalloc's default 1 s purge,
//! every reuse of large blocks was a fresh page fault and a zeroed page: 20–50 % of the CPU
//! time of a 50,000-event study on a virtual machine. A program opts in with
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
//! fn main() { evstudy_alloc::keep_freed_memory(); /* … */ }
//! ```
//!
//! The `evstudy` library itself never sets the global allocator.

/// `mi_option_purge_delay` in the mimalloc v3 header vendored by libmimalloc-sys 0.1.49
/// (pinned in Cargo.toml); a test checks it against the documented default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tell mimalloc to keep freed memory for reuse (purge delay −1) for the rest of the process.
/// Harmless when mimalloc is not the global allocator.
///
/// # Examples
/// ```
/// evstudy_alloc::keep_freed_memory();
/// ```
pub fn keep_freed_memory() {
    // SAFETY: sets a process-wide allocator option; valid at any time per the mimalloc API.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_option_is_the_documented_one() {
        // v3 src/options.c: `{ 1000, …, MI_OPTION_LEGACY(purge_delay,reset_delay) }`; read
        // before any test sets it.
        // SAFETY: reads an allocator option.
        let value = unsafe { libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY) };
        assert_eq!(
            value,
            1000,
            "option {} = {value}",
            super::MI_OPTION_PURGE_DELAY
        );
    }
}
