//! `rcompare`: one load-balancing picture from IPVS and from iptables, side
//! by side.
//!
//! - [`model`]: the normalized picture (virtual services, backends, shares).
//! - [`ipvs`]: the IPVS side (`ipvsadm -S` text, rvsadm JSON, the kernel).
//! - [`iptables`]: the iptables side (save text, rtables JSON, the kernel),
//!   walked the way a new connection's first packet goes.
//! - [`diff`]: service-by-service classification.
//! - [`translate`]: each side written for the other.
//! - [`cost`]: rules matched before the DNAT versus IPVS's lookup.
//! - [`render`]: table, diff lines and JSON.
//! - [`cli`]: the command line and the program; [`docs`]: man page and
//!   completions.
//! - [`error`]: what goes wrong, and where.

pub mod cli;
pub mod cost;
pub mod diff;
pub mod docs;
pub mod error;
pub mod iptables;
pub mod ipvs;
pub mod model;
pub mod render;
pub mod translate;

pub use error::{Error, Result};
