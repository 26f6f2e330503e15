//! `netlb`: the library behind `rvsadm` (a drop-in ipvsadm).
//!
//! - [`ipvs`]: typed IPVS over generic netlink (model, codec, client).
//! - [`ipvsadm`]: ipvsadm's command-line grammar, checks, text and JSON output.
//! - [`netlink`]: the generic netlink message codec and socket.
//! - [`names`]: host and service name lookups, as ipvsadm does them.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod ipvs;
pub mod ipvsadm;
pub mod names;
pub mod netlink;
