//! The `evstudy` binary: dispatches to the command modules of [`evstudy::cli`].

/// mimalloc, told never to hand freed memory back to the system: a study allocates and frees
/// gigabytes of short-lived columns, and with the system allocator (or mimalloc's default
/// 1 s purge) every reuse was a fresh page fault and a zeroed page — 20–50 % of the CPU
/// time of a 50,000-event study.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the mimalloc v3 header vendored by libmimalloc-sys 0.1.49
/// (pinned in Cargo.toml); the test below checks it against the documented default.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // SAFETY: sets a process-wide allocator option; valid at any time per the mimalloc API.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    std::process::exit(evstudy::cli::main_entry());
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_option_is_the_documented_one() {
        // v3 src/options.c: `{ 1000, …, MI_OPTION_LEGACY(purge_delay,reset_delay) }`
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
