//! The lingji binary's tests as one binary: the CLI's commands, the audit proofs, serving flags and tokens, two servers, the crash and outage drills.

mod common;

mod cli;
mod crash_drill;
mod outage;
mod provable;
mod serve_flags;
mod tokens;
mod two_servers;
