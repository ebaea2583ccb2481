//! Meetings: kinds, attendance, votes, tasks and minutes. This first part holds the rules;
//! the pages come with the meetings issue.

pub mod domain;
