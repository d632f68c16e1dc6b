//! The reference app of `cargo xtask bench app`: one window with one static page, built with the
//! same tauri (and so the same WebKit) as ReviewDesk, so the bench can print ReviewDesk's launch
//! and memory beside what any Tauri app on this machine costs.

/// The page calls this once its text is painted; the bench reads the line from stdout (the same
/// wording as ReviewDesk's `first rows painted` log line, which it parses the same way).
#[tauri::command]
fn painted(at: u64) {
    println!("first rows painted at_unix_ms={at}");
}

fn main() {
    if let Err(err) = tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!())
    {
        eprintln!("hello: {err}");
        std::process::exit(1);
    }
}
