//! Integration tests: real Postgres, the real router on a real port, a real Chromium.

mod bad_input;
mod browser;
mod cli;
mod evaluation;
mod login;
mod meetings;
mod members;
mod pages;
mod scope;
mod supervision;
mod support;
mod tree;
