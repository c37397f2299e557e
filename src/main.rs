fn main() {
    std::process::exit(evstudy::cli::main_entry());
}
