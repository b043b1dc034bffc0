//! `cargo test-all` (an alias in `.cargo/config.toml`): the README's one test command. The suite
//! runs under cargo-nextest, which runs the test binaries side by side with the time-outs of
//! `.config/nextest.toml`; a fresh machine with nothing but Rust lacks it, so the first run
//! installs it from crates.io. Arguments are passed on to `cargo nextest run`.

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let has_nextest = Command::new("cargo")
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_nextest {
        eprintln!("首次运行：从 crates.io 安装测试运行器 cargo-nextest……");
        let installed = Command::new("cargo")
            .args(["install", "--locked", "cargo-nextest"])
            .status();
        if !installed.is_ok_and(|s| s.success()) {
            eprintln!("安装 cargo-nextest 失败；也可以用 cargo test --workspace 运行测试");
            return ExitCode::FAILURE;
        }
    }
    let status = Command::new("cargo")
        .args(["nextest", "run", "--workspace", "--no-fail-fast"])
        .args(std::env::args().skip(1))
        .status();
    match status {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        Ok(s) => ExitCode::from(u8::try_from(s.code().unwrap_or(1)).unwrap_or(1)),
        Err(e) => {
            eprintln!("无法运行 cargo nextest：{e}");
            ExitCode::FAILURE
        }
    }
}
