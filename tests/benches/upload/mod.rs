//! Issue 7: a 1 GiB upload to the sandbox's storage host with the app's streaming uploader,
//! against `curl` uploading the same file to the same endpoint in the same run, and the growth
//! of this process's peak RSS across our upload.
//!
//! Both sides do the same request: a presigned video `PUT` with an exact `Content-Length`
//! (fresh URL per run), on loopback, from a sparse 1 GiB file (reads cost no disk, so the
//! figure is the HTTP path, not the disk). Runs alternate (ours, curl, ours, curl); each of ours
//! is paired with the curl run right after it and the figure is the median of the paired ratios
//! (the best of each side is printed too), so a noisy neighbour on the shared CPU hurts neither
//! side more.
//!
//! Like curl, our uploader runs in its own process (this bench binary re-run as a child with
//! `REVIEWDESK_BENCH_UPLOAD_CHILD`), so neither shares a CPU scheduler with the in-process
//! sandbox that receives the bytes, and the child's peak-RSS growth is the uploader's alone.

use super::{demo_client, Result};
use reviewdesk_media::bench::{peak_rss_bytes, upload_throughput};
use reviewdesk_sandbox::{Sandbox, SandboxConfig};
use reviewdesk_trustoo::{Auth, ClientConfig, Secret, TrustooClient};
use std::path::Path;
use std::time::Instant;

const SIZE: u64 = 1 << 30;
const RUNS: usize = 7;

fn mib_s(bytes: u64, seconds: f64) -> f64 {
    bytes as f64 / 1_048_576.0 / seconds.max(1e-9)
}

/// One `curl` PUT of `path` to a fresh presigned URL; seconds of the transfer as curl reports
/// it (`time_total`: connect to answer, without process start), like ours (without the
/// credentials call).
async fn curl_once(client: &TrustooClient, path: &Path) -> Result<f64> {
    let target = client.video_upload_url("bench.mp4", SIZE).await?;
    let content_type = if target.content_type.is_empty() {
        "video/mp4".to_owned()
    } else {
        target.content_type.clone()
    };
    let (path, url) = (path.to_path_buf(), target.upload_url.expose().to_owned());
    // A blocking child process on the blocking pool (the runtime has no process driver). The
    // signed URL goes to curl on stdin (`-K -`), not on its command line, so `ps` never shows it.
    let (out, seconds) = tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let start = Instant::now();
        let child = std::process::Command::new("curl")
            .args([
                "-sS",
                "-K",
                "-",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code} %{time_total}",
                "-X",
                "PUT",
            ])
            .arg("-H")
            .arg(format!("Content-Type: {content_type}"))
            .arg("-T")
            .arg(&path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let out = child.and_then(|mut c| {
            if let Some(mut stdin) = c.stdin.take() {
                writeln!(stdin, "url = \"{url}\"")?;
            }
            c.wait_with_output()
        });
        (out, start.elapsed().as_secs_f64())
    })
    .await?;
    let out = out?;
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let (code, total) = report.split_once(' ').unwrap_or((report.as_str(), ""));
    anyhow::ensure!(
        out.status.success() && code.starts_with('2'),
        "curl upload failed: HTTP {code} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // curl's own transfer time (process start excluded, as for ours).
    total.trim().parse().map_err(|_| {
        anyhow::anyhow!("curl printed no transfer time ({report:?}, wall {seconds:.2} s)")
    })
}

const CHILD_ENV: &str = "REVIEWDESK_BENCH_UPLOAD_CHILD";
const CHILD_TAG: &str = "UPLOAD_CHILD_RESULT ";

/// The child side: uploads the file named in `CHILD_ENV` (`<base url>\n<path>`) once and prints
/// `UPLOAD_CHILD_RESULT {seconds} {peak RSS growth bytes}`.
async fn child(spec: &str) -> Result<()> {
    let (base, path) = spec
        .split_once('\n')
        .ok_or_else(|| anyhow::anyhow!("bad child spec"))?;
    let client = TrustooClient::new(ClientConfig::new(
        url::Url::parse(base)?,
        Auth::Hmac {
            public_token: Secret::new(reviewdesk_sandbox::demo::PUBLIC_TOKEN),
            private_token: Secret::new(reviewdesk_sandbox::demo::PRIVATE_TOKEN),
        },
    ))?;
    let before = peak_rss_bytes().unwrap_or(0);
    let t = upload_throughput(&client, Path::new(path))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(t.bytes == SIZE, "uploaded {} bytes", t.bytes);
    let growth = peak_rss_bytes().unwrap_or(0).saturating_sub(before);
    println!("{CHILD_TAG}{} {growth}", t.seconds);
    Ok(())
}

/// One upload by the app's uploader in a child process: (seconds, peak RSS growth).
async fn ours_once(base: &str, path: &Path) -> Result<(f64, u64)> {
    let spec = format!("{base}\n{}", path.display());
    let exe = std::env::current_exe()?;
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(exe)
            .arg("upload")
            .env(CHILD_ENV, spec)
            .output()
    })
    .await??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix(CHILD_TAG))
        .ok_or_else(|| {
            anyhow::anyhow!(
                "upload child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let mut it = line.split_whitespace();
    let seconds: f64 = it.next().unwrap_or("").parse()?;
    let growth: u64 = it.next().unwrap_or("").parse()?;
    Ok((seconds, growth))
}

/// Prints the upload figure.
pub async fn upload_figure() -> Result<()> {
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        return child(&spec).await;
    }
    let sandbox = Sandbox::start(
        SandboxConfig {
            reviews: 10,
            ..SandboxConfig::default()
        },
        0,
    )
    .await?;
    let client = demo_client(&sandbox)?;
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bench-1gib.mp4");
    std::fs::File::create(&path)?.set_len(SIZE)?;

    let mut ours = Vec::new();
    let mut curl = Vec::new();
    let mut growth = 0u64;
    for _ in 0..RUNS {
        let (seconds, g) = ours_once(&sandbox.base_url(), &path).await?;
        ours.push(seconds);
        growth = growth.max(g);
        curl.push(curl_once(&client, &path).await?);
    }
    let best = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
    let (ours_s, curl_s) = (best(&ours), best(&curl));
    // Each of our runs is paired with the curl run right after it: the machine's speed swings
    // from one second to the next (other tenants), so the ratio within a pair, taken at the
    // median, is the figure; the ratio of the two best runs is printed beside it.
    let pairs: Vec<f64> = ours.iter().zip(&curl).map(|(o, c)| c / o).collect();
    let ratio = super::median(&pairs);
    println!(
        "Upload of a 1 GiB file to the sandbox storage host (presigned PUT, loopback, {RUNS} paired runs)"
    );
    println!(
        "  ReviewDesk uploader  {:>8.0} MiB/s  (best {:.2} s)",
        mib_s(SIZE, ours_s),
        ours_s
    );
    println!(
        "  reference: curl -T  {:>8.0} MiB/s  (best {:.2} s)",
        mib_s(SIZE, curl_s),
        curl_s
    );
    println!(
        "  throughput ratio     {ratio:>8.2}×  median of the pairs {}; best against best {:.2}×  (target ≥ 0.90) {}",
        super::list(&pairs),
        curl_s / ours_s,
        if ratio >= 0.9 { "ok" } else { "BELOW TARGET" }
    );
    println!(
        "  peak RSS growth      {:>8.1} MiB  (uploading process; target < 64 MiB) {}",
        growth as f64 / 1_048_576.0,
        if growth < 64 << 20 {
            "ok"
        } else {
            "ABOVE TARGET"
        }
    );
    println!();
    sandbox.shutdown().await;
    Ok(())
}
