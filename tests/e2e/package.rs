//! The installed package (issue 19 §4): the `.deb` that `cargo xtask bundle` makes is installed
//! with apt on this machine, and the merchant's path is walked with the installed copy
//! (`/usr/bin/reviewdesk`), never the build tree's:
//!
//! 1. the package installs the binary, its `.desktop` file (which declares the `reviewdesk:`
//!    scheme and passes the link on with `%u`) and the icons of `icons/`, and the install alone
//!    makes that file the scheme's default handler (`xdg-mime query default`), with no help
//!    from the app;
//! 2. in a home where ReviewDesk never ran, `gio open 'reviewdesk://oauth/callback?…'` starts
//!    the installed binary through that file, with the link, and the window shows the link
//!    (refused: no sign-in was started) and carries the package's icon;
//! 3. a browser sign-in against the sandbox: the installed app opens the browser and is closed,
//!    the merchant clicks Allow, and `gio open` with the redirect starts the installed binary,
//!    which finishes the sign-in (the shop on screen, the tokens in the keyring);
//! 4. `apt-get remove` and then a purge take the program away and leave the merchant's
//!    data directory (the store, the shop list) exactly as it was.
//!
//! It installs and purges a system package, so it is ignored in a plain `cargo xtask e2e` and
//! run by `cargo xtask e2e --package` (which builds the `.deb` and names it in
//! `REVIEWDESK_E2E_DEB`, and names the installed binary in `REVIEWDESK_E2E_APP`). It refuses to
//! run where ReviewDesk is already installed, so it never removes a merchant's own copy.

use crate::support::{toast_containing, SignInRig, WAIT};
use reviewdesk_sandbox::demo;
use reviewdesk_tests::app::{each_process, shell_quote, stop_app_instances, AppUnderTest, Harness};
use reviewdesk_tests::merchant::{files_under, keyring_secret};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The Debian package's name: tauri's bundler names it after `productName` in kebab case.
const PACKAGE: &str = "review-desk";
/// Where the package puts the program (`mainBinaryName` under `/usr/bin`).
const INSTALLED_APP: &str = "/usr/bin/reviewdesk";
/// The scheme the app registers (tauri.conf.json, `plugins.deep-link`).
const SCHEME_MIME: &str = "x-scheme-handler/reviewdesk";
/// The app's identifier, which names its data directory under `$XDG_DATA_HOME`.
const IDENTIFIER: &str = "io.reviewdesk.desktop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "installs a .deb on this machine: run it with `cargo xtask e2e --package`"]
async fn the_installed_package_opens_sign_in_links_and_leaves_the_merchants_data_on_removal() {
    let deb = std::env::var_os("REVIEWDESK_E2E_DEB")
        .map(PathBuf::from)
        .expect(
            "REVIEWDESK_E2E_DEB names the .deb: run this test with `cargo xtask e2e --package`",
        );
    let harness = Harness::from_env().unwrap_or_else(|e| panic!("{e:#}"));
    assert_eq!(
        harness.app,
        Path::new(INSTALLED_APP),
        "the app under test is the installed one (REVIEWDESK_E2E_APP)"
    );
    assert!(
        !installed(),
        "{PACKAGE} is already installed on this machine; this test installs and purges it, \
         so remove it first (`apt-get remove {PACKAGE}`)"
    );
    let guard = Installation;
    apt(&["install", "-y", &deb.display().to_string()]);
    assert!(installed(), "apt-get installed {PACKAGE}");

    // 1. What the package put on the machine.
    let files = package_files();
    assert!(
        files.iter().any(|f| f == Path::new(INSTALLED_APP)),
        "the package ships {INSTALLED_APP}: {files:?}"
    );
    let desktop = files
        .iter()
        .find(|f| {
            f.starts_with("/usr/share/applications")
                && f.extension().is_some_and(|e| e == "desktop")
        })
        .unwrap_or_else(|| panic!("the package ships a .desktop file: {files:?}"))
        .clone();
    let entry = std::fs::read_to_string(&desktop).expect("the installed .desktop file");
    let key = |name: &str| {
        entry
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name}=")))
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        key("MimeType").split(';').any(|m| m == SCHEME_MIME),
        "{} declares {SCHEME_MIME}:\n{entry}",
        desktop.display()
    );
    let exec = key("Exec");
    let mut words = exec.split_whitespace();
    let program = words.next().unwrap_or_default();
    assert!(
        program == INSTALLED_APP || which(program).as_deref() == Some(Path::new(INSTALLED_APP)),
        "Exec= runs {INSTALLED_APP}: {exec}"
    );
    assert!(
        words.any(|w| w == "%u" || w == "%U"),
        "Exec= hands the link to the app (%u), or a link that starts ReviewDesk is lost: {exec}"
    );
    let validate = Command::new("desktop-file-validate")
        .arg(&desktop)
        .output()
        .expect("desktop-file-validate");
    assert!(
        validate.status.success(),
        "{} is a valid desktop entry: {}",
        desktop.display(),
        String::from_utf8_lossy(&validate.stdout)
    );
    // The icons of icons/, as they are, under the name the entry asks for.
    let icon = key("Icon");
    let sources = Path::new(env!("CARGO_MANIFEST_DIR")).join("../icons");
    for (dir, source) in [
        ("32x32", "32x32.png"),
        ("128x128", "128x128.png"),
        ("256x256@2", "128x128@2x.png"),
        ("512x512", "icon.png"),
    ] {
        let installed = PathBuf::from(format!("/usr/share/icons/hicolor/{dir}/apps/{icon}.png"));
        let bytes = std::fs::read(&installed)
            .unwrap_or_else(|e| panic!("{} is installed: {e}", installed.display()));
        let expected = std::fs::read(sources.join(source)).expect("the source icon");
        assert!(
            bytes == expected,
            "{} is icons/{source}",
            installed.display()
        );
    }

    // The install alone made the entry the scheme's handler: a home where ReviewDesk never ran.
    let fresh = fresh_home("fresh");
    let desktop_name = desktop
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    assert_eq!(
        default_handler(fresh.path()),
        desktop_name,
        "xdg-mime names the package's entry as the handler of {SCHEME_MIME}"
    );

    // 2. A link that starts the app, through the package's entry: the installed binary runs
    // with the link, and its window tells the merchant about it.
    let rig = SignInRig::start(300).await;
    let forged = "reviewdesk://oauth/callback?code=AAAA&state=package-forged";
    let app = open_through_the_os("package-forged", &rig.env, fresh, forged).await;
    let toast = toast_containing(&app, "ignored a sign-in link").await;
    assert!(
        toast.contains("No sign-in is in progress"),
        "the installed app got the link and says why it refused it: {toast}"
    );
    let pid = started_with(forged).await;
    assert_eq!(
        window_icon_size(pid).await,
        Some((256, 256)),
        "the window carries the first PNG of bundle.icon (icons/128x128@2x.png)"
    );
    app.screenshot("package-1-forged-link").await.expect("shot");
    app.quit().await;
    stop_app_instances().await;

    // 3. A browser sign-in with the installed app, finished by a link the OS hands to it.
    let (home, redirect) = rig.sign_in_then_close("package-sign-in").await;
    let mut app = open_through_the_os("package-signed-in", &rig.env, home, &redirect).await;
    started_with(&redirect).await;
    let shop = app.text_of("shop-name", WAIT).await.expect("signed in");
    assert_eq!(shop, demo::SHOP_NAME);
    app.text_of("rating-average", WAIT)
        .await
        .expect("the shop's data");
    assert!(
        keyring_secret(&format!("{}/oauth", demo::SHOP_DOMAIN))
            .expect("secret-tool")
            .is_some(),
        "the tokens are in the keyring"
    );
    app.screenshot("package-2-signed-in").await.expect("shot");
    let home = app.keep_home();
    app.quit().await;
    stop_app_instances().await;

    // 4. Removing the program leaves the merchant's data alone.
    let data = home.path().join("data").join(IDENTIFIER);
    assert!(
        data.join("reviewdesk.db").is_file(),
        "the app keeps its store in {}",
        data.display()
    );
    let before = snapshot(&data);
    apt(&["remove", "-y", PACKAGE]);
    assert!(
        !Path::new(INSTALLED_APP).exists(),
        "remove takes the program away"
    );
    assert!(!desktop.exists(), "remove takes the .desktop file away");
    assert_ne!(
        default_handler(fresh_home("removed").path()),
        desktop_name,
        "after the remove no handler of {SCHEME_MIME} is left behind"
    );
    assert!(
        snapshot(&data) == before,
        "apt-get remove left {} as it was",
        data.display()
    );
    assert!(!installed(), "apt-get remove uninstalled {PACKAGE}");
    // A package without configuration files is gone whole after a remove (apt then no longer
    // knows its name); dpkg purges what may be left either way.
    let purge = as_root("dpkg", &["--purge", PACKAGE])
        .output()
        .expect("dpkg --purge");
    assert!(purge.status.success(), "dpkg --purge {PACKAGE}");
    assert!(
        Command::new("dpkg-query")
            .args(["-W", PACKAGE])
            .output()
            .is_ok_and(|out| !out.status.success()),
        "nothing of {PACKAGE} is left in dpkg's database"
    );
    assert!(
        snapshot(&data) == before,
        "purging left {} as it was",
        data.display()
    );
    drop(guard);
    rig.sandbox.shutdown().await;
}

/// Purges the package when the test ends, passed or not, so the machine is left as it was.
struct Installation;

impl Drop for Installation {
    fn drop(&mut self) {
        if installed() {
            let _ = as_root("dpkg", &["--purge", PACKAGE]).status();
        }
    }
}

fn installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", PACKAGE])
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
}

/// `program args…` as root (through sudo for anyone else), never asking questions.
fn as_root(program: &str, args: &[&str]) -> Command {
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| String::from_utf8_lossy(&out.stdout).trim() == "0");
    let mut cmd = if root {
        Command::new(program)
    } else {
        let mut sudo = Command::new("sudo");
        sudo.args(["DEBIAN_FRONTEND=noninteractive", program]);
        sudo
    };
    cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

/// `apt-get args…`, waiting for the package database when another apt holds it.
fn apt(args: &[&str]) {
    let mut all = vec!["-o", "DPkg::Lock::Timeout=300"];
    all.extend_from_slice(args);
    let out = as_root("apt-get", &all).output().expect("running apt-get");
    assert!(
        out.status.success(),
        "apt-get {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file the installed package owns (`dpkg -L`).
fn package_files() -> Vec<PathBuf> {
    let out = Command::new("dpkg")
        .args(["-L", PACKAGE])
        .output()
        .expect("dpkg -L");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(PathBuf::from)
        .filter(|p| p.is_file())
        .collect()
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

/// An empty home for one launch (`data`, `config` and `cache` as the harness lays them out).
fn fresh_home(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("reviewdesk-e2e-{name}-"))
        .tempdir()
        .expect("home")
}

/// What `xdg-mime` answers for the scheme with `home`'s XDG directories (the user's choices
/// first, then the system's).
fn default_handler(home: &Path) -> String {
    let out = Command::new("xdg-mime")
        .args(["query", "default", SCHEME_MIME])
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .expect("xdg-mime");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Hands `link` to the OS with `gio open`, as a browser does, from a launcher that WebDriver
/// starts: the copy of ReviewDesk the OS starts for the link inherits the launcher's
/// environment, so it is the one the session drives. The launcher stays until that copy exits.
async fn open_through_the_os(
    name: &str,
    env: &[(&'static str, String)],
    home: tempfile::TempDir,
    link: &str,
) -> AppUnderTest {
    let link = shell_quote(link.as_bytes());
    let body = [
        b"running() { for p in /proc/[0-9]*; do [ \"$(readlink $p/exe)\" = \"$APP\" ] && return 0; done; return 1; }\n\
          gio open "
            .as_slice(),
        &link,
        b" || exit 1\n\
          n=0; until running || [ $n -ge 300 ]; do sleep 0.1; n=$((n+1)); done\n\
          while running; do sleep 0.2; done\n",
    ]
    .concat();
    AppUnderTest::relaunch_through(name, env, home, &body)
        .await
        .unwrap_or_else(|e| panic!("the OS starts ReviewDesk for {name}: {e:#}"))
}

/// The process the OS started for `link`: every ReviewDesk process with the link among its
/// arguments runs the installed binary (by `/proc/<pid>/exe`), and there is one. Returns its
/// pid.
async fn started_with(link: &str) -> u32 {
    let deadline = Instant::now() + WAIT;
    loop {
        let found: Vec<(u32, PathBuf)> = reviewdesk_processes()
            .into_iter()
            .filter(|(pid, _)| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                    cmdline
                        .split(|b| *b == 0)
                        .skip(1)
                        .any(|arg| arg == link.as_bytes())
                })
            })
            .collect();
        if let Some((pid, _)) = found.first() {
            for (pid, exe) in &found {
                assert_eq!(
                    exe.as_path(),
                    Path::new(INSTALLED_APP),
                    "process {pid} got the link: it must run the installed binary"
                );
            }
            return *pid;
        }
        assert!(
            Instant::now() < deadline,
            "no ReviewDesk process was started with {link}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every running process whose executable is called `reviewdesk`, wherever it lives.
fn reviewdesk_processes() -> Vec<(u32, PathBuf)> {
    each_process(|pid, dir| {
        let exe = std::fs::read_link(dir.join("exe")).ok()?;
        let name = exe.file_name()?.to_string_lossy().into_owned();
        name.starts_with("reviewdesk").then_some((pid, exe))
    })
}

/// The size of the icon on `pid`'s window, as the window manager reads it (`_NET_WM_ICON`).
async fn window_icon_size(pid: u32) -> Option<(u32, u32)> {
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline {
        let windows = Command::new("xdotool")
            .args(["search", "--pid", &pid.to_string()])
            .output()
            .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
            .unwrap_or_default();
        for window in windows.split_whitespace() {
            let out = Command::new("xprop")
                .args(["-id", window, "-notype", "32c", "_NET_WM_ICON"])
                .output()
                .map(|out| String::from_utf8_lossy(&out.stdout).into_owned())
                .unwrap_or_default();
            // `_NET_WM_ICON = width, height, pixels…` (absent: `_NET_WM_ICON:  not found.`)
            let mut numbers = out
                .split_once(" = ")
                .map(|(_, values)| values)
                .unwrap_or_default()
                .split(',')
                .map(|n| n.trim().parse::<u32>().ok());
            let size = match (numbers.next().flatten(), numbers.next().flatten()) {
                (Some(w), Some(h)) => Some((w, h)),
                _ => None,
            };
            if size.is_some() {
                return size;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// Every file under `dir` with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    files_under(dir).into_iter().collect()
}
