//! `netlb`: the library behind `rvsadm` (a drop-in ipvsadm) and `rtables`
//! (a drop-in iptables-nft).
//!
//! - [`ipvs`]: typed IPVS over generic netlink (model, codec, client).
//! - [`ipvsadm`]: ipvsadm's command-line grammar, checks, text and JSON output.
//! - [`tables`]: iptables-nft's rules on nf_tables (model, extensions,
//!   libnftnl wrapper, commands, output).
//! - [`netlink`]: the generic netlink message codec and socket.
//! - [`names`]: host and service name lookups, as ipvsadm does them.
#![warn(missing_docs)]
// `unsafe` is allowed in exactly one module, `tables::ffi`, the libnftnl
// wrapper; every block there carries a SAFETY comment.
#![deny(unsafe_code)]

pub mod compare;
pub mod ipvs;
pub mod ipvsadm;
pub mod names;
pub mod netlink;
pub mod tables;
