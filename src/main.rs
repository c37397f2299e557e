//! The `evstudy` binary: dispatches to the command modules of [`evstudy::cli`].

/// See [`evstudy::allocator`]: mimalloc, keeping freed memory for reuse.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    evstudy::allocator::keep_freed_memory();
    std::process::exit(evstudy::cli::main_entry());
}
