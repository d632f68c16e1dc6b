//! How WebKitGTK paints the window on a computer without a GPU.
//!
//! WebKitGTK composites the page with OpenGL. Without a GPU (a virtual machine, a remote
//! desktop, Xvfb) that OpenGL is Mesa's llvmpipe, which runs every layer's painting and
//! compositing on the CPU and compiles shaders with LLVM while the page runs. Measured with
//! `cargo xtask bench app` on such a machine (2 cores, Xvfb), against WebKit's own painting
//! without compositing (`WEBKIT_DISABLE_COMPOSITING_MODE=1`), 100,000 reviews: holding `j`,
//! 57 of 270 frames over 50 ms → 1 of 666; PageDown, 110 of 166 → 4 of 565; longest frame of a
//! first sync 718 → 255 ms; WebKit's web process 293 → 198 MiB. With a GPU nothing changes.

use std::path::Path;

/// The variable WebKitGTK reads; a merchant's own setting always wins.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Turns WebKit's compositing off when the machine has no GPU render node (`/dev/dri/renderD*`)
/// and the merchant did not choose either way. Runs first in `run`, before any thread exists
/// (it sets an environment variable).
pub fn paint_on_the_cpu_without_a_gpu() {
    if cfg!(target_os = "linux")
        && std::env::var_os(DISABLE_COMPOSITING).is_none()
        && !has_render_node(Path::new("/dev/dri"))
    {
        std::env::set_var(DISABLE_COMPOSITING, "1");
    }
}

/// Whether `dri` (normally `/dev/dri`) holds a render node, the device a GPU's OpenGL uses.
fn has_render_node(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_means_a_gpu_and_none_or_no_directory_means_none() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(!has_render_node(&dir.path().join("missing")), "no /dev/dri");
        assert!(!has_render_node(dir.path()), "an empty /dev/dri");
        std::fs::write(dir.path().join("card0"), b"").expect("card0");
        assert!(!has_render_node(dir.path()), "a display node alone");
        std::fs::write(dir.path().join("renderD128"), b"").expect("renderD128");
        assert!(has_render_node(dir.path()));
    }
}
