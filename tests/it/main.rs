//! Integration tests: real Postgres, the real router on a real port, a real Chromium.

// Probing and signalling processes (the test cluster, `chibo serve`) needs libc.
#![allow(unsafe_code)]
// Tests report what they saved (PDFs, screenshots) on stderr.
#![allow(clippy::print_stderr)]

mod adoption;
mod architecture;
mod attendance;
mod audit;
mod authority;
mod bad_input;
mod branch_months;
mod browser;
mod browser_attendance;
mod browser_documents;
mod browser_month;
mod browser_valid;
mod cli;
mod dated_tree;
mod documents;
mod evaluation;
mod fixtures;
mod home_work;
mod ht17;
mod lockout;
mod login;
mod matrix;
mod meeting_counts;
mod meetings;
mod members;
mod members_import;
mod month_flow;
mod oversized;
mod pages;
mod production;
mod property;
mod registry_history;
mod resilience;
mod rubric_ownership;
mod scope;
mod statements;
mod supervision;
mod supervision_forms;
mod support;
mod tree;
