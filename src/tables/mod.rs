//! `tables`: iptables-nft–compatible rules on nf_tables.
//!
//! - [`expr`]: what the kernel holds (tables, chains, rules, expressions).
//! - [`ffi`]: the only `unsafe` code: libnftnl (through `nftnl-sys`) turns
//!   [`expr`] values into netlink messages and back.
//! - [`socket`]: the nfnetlink socket: dumps, the generation id, and
//!   all-or-nothing batches that carry it.
//! - [`ext`]: iptables extensions, one file each, behind one trait.
//! - [`error`]: iptables' messages and exit statuses.

pub mod app;
pub mod builtin;
pub mod cli;
pub mod compat;
pub mod docs;
pub mod engine;
pub mod error;
pub mod expr;
pub mod ext;
pub mod ffi;
pub mod json;
pub mod render;
pub mod restore;
pub mod rule;
pub mod socket;
