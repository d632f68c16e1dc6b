//! Stand-ins for what the merchant does outside the app: clicking Allow or Deny on the
//! sandbox's consent page in a browser, and the OS handing the redirect to the app.

use anyhow::{bail, Context, Result};
use std::path::Path;
use std::time::{Duration, Instant};

/// Opens the authorize URL like a browser, fills the consent form as rendered (hidden fields
/// and the preselected shop) and presses `decision` (`allow` or `deny`). Returns the redirect
/// (`reviewdesk://oauth/callback?…`) the browser would hand to the OS.
pub async fn answer_consent(authorize_url: &str, decision: &str) -> Result<String> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let url = url::Url::parse(authorize_url).context("authorize URL")?;
    let page = http.get(url.clone()).send().await?;
    if !page.status().is_success() {
        bail!("the consent page answered {}", page.status());
    }
    let html = page.text().await?;
    let mut form = hidden_inputs(&html);
    if let Some(shop) = selected_option(&html) {
        form.push(("shop_id".to_owned(), shop));
    }
    form.push(("decision".to_owned(), decision.to_owned()));
    let action = url.join("/api/v1/openapi/oauth/authorize")?;
    let answer = http.post(action).form(&form).send().await?;
    if answer.status() != reqwest::StatusCode::FOUND {
        bail!("consent answered {} instead of a redirect", answer.status());
    }
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("no Location on the consent redirect")?;
    Ok(location.to_owned())
}

fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|chunk| {
            let attr = |name: &str| {
                chunk
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|s| s.split('"').next())
                    .map(unescape)
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

fn selected_option(html: &str) -> Option<String> {
    html.split("<option value=\"")
        .skip(1)
        .find(|c| c.split('>').next().is_some_and(|h| h.contains("selected")))
        .and_then(|c| c.split('"').next())
        .map(unescape)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A "browser" for the app under test: a script the app runs with the URL it wants opened,
/// which appends it to a file the test reads.
pub struct RecordingBrowser {
    /// The script to pass as `REVIEWDESK_BROWSER`.
    pub program: std::path::PathBuf,
    log: std::path::PathBuf,
}

impl RecordingBrowser {
    /// Writes the script into `dir`.
    pub fn new(dir: &Path) -> Result<Self> {
        let program = dir.join("browser.sh");
        let log = dir.join("opened-urls.txt");
        std::fs::write(
            &program,
            format!("#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n", log.display()),
        )?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755))?;
        }
        Ok(Self { program, log })
    }

    /// Every URL opened so far.
    pub fn opened(&self) -> Vec<String> {
        std::fs::read_to_string(&self.log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Waits for the `n`-th URL (1-based) to be opened.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Result<String> {
        let start = Instant::now();
        loop {
            if let Some(url) = self.opened().get(n - 1) {
                return Ok(url.clone());
            }
            if start.elapsed() > within {
                bail!("the app did not open a browser within {within:?}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// Hands `url` to the OS the way a browser does (`gio open`), with the app's XDG directories so
/// the handler the app registered is the one found.
pub fn os_open(url: &str, home: &Path, extra_env: &[(&str, String)]) -> Result<()> {
    let mut cmd = std::process::Command::new("gio");
    cmd.args(["open", url])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let status = cmd.status().context("running gio open")?;
    if !status.success() {
        bail!("gio open failed with {status}");
    }
    Ok(())
}

/// Reads one ReviewDesk secret from the Secret Service with `secret-tool` (what any program
/// of the user could see), or `None` when there is no such entry.
pub fn keyring_secret(user: &str) -> Result<Option<String>> {
    let out = std::process::Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            "io.reviewdesk.desktop",
            "username",
            user,
        ])
        .output()
        .context("running secret-tool")?;
    if out.status.success() && !out.stdout.is_empty() {
        Ok(Some(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Ok(None)
    }
}

/// Every readable file under `dir`, with its bytes (a secret search, a before/after
/// comparison of a data directory).
pub fn files_under(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                files.push((path, bytes));
            }
        }
    }
    files
}

/// Every file under `dir` whose bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|(_, bytes)| {
            bytes
                .windows(needle.len().max(1))
                .any(|w| w == needle.as_bytes())
        })
        .map(|(path, _)| path)
        .collect()
}

/// Signs in on the Trustpilot sandbox's authenticate page like a merchant in the browser (the
/// form as the authorize URL describes it, then "Log in"). Returns where Trustpilot sends the
/// browser: the application's redirect URI with `?code=` or `#access_token=`.
pub async fn trustpilot_authenticate(
    authorize_url: &str,
    email: &str,
    password: &str,
) -> Result<url::Url> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Mozilla/5.0 (X11; Linux x86_64) reviewdesk-e2e-browser")
        .build()?;
    let authorize = url::Url::parse(authorize_url).context("authorize URL")?;
    let page = http.get(authorize.clone()).send().await?;
    if !page.status().is_success() {
        bail!("the authenticate page answered {}", page.status());
    }
    let mut form: Vec<(String, String)> = authorize.query_pairs().into_owned().collect();
    form.push(("email".into(), email.into()));
    form.push(("password".into(), password.into()));
    form.push(("decision".into(), "login".into()));
    let mut action = authorize.clone();
    action.set_query(None);
    let answer = http.post(action).form(&form).send().await?;
    if answer.status() != reqwest::StatusCode::FOUND {
        bail!(
            "the authenticate page answered {} instead of a redirect",
            answer.status()
        );
    }
    let location = answer
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .context("no Location on the authenticate redirect")?;
    Ok(url::Url::parse(location)?)
}

/// What ReviewDesk's redirect page (hosted by the merchant at the redirect URI) does in the
/// browser with the address Trustpilot sent it to: its own script, run by node, builds the
/// `reviewdesk://trustpilot/callback` link the browser hands to the OS.
pub fn trustpilot_redirect_page(location: &url::Url) -> Result<String> {
    let page = reviewdesk_auth::trustpilot::TRUSTPILOT_REDIRECT_PAGE;
    let script = page
        .split("<script>")
        .nth(1)
        .and_then(|s| s.split("</script>").next())
        .context("the redirect page has a script")?;
    let harness = format!(
        "{script}\nconsole.log(JSON.stringify(reviewdeskLink(process.argv[1], process.argv[2])));"
    );
    let search = location
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    let hash = location
        .fragment()
        .map(|f| format!("#{f}"))
        .unwrap_or_default();
    let out = std::process::Command::new("node")
        .arg("-e")
        .arg(&harness)
        .arg(&search)
        .arg(&hash)
        .output()
        .context("node runs the redirect page's script")?;
    if !out.status.success() {
        bail!(
            "the redirect page's script failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let link: Option<String> = serde_json::from_slice(&out.stdout)?;
    link.context("the redirect page made no link")
}
