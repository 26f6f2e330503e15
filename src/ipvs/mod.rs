//! Typed IPVS over generic netlink: the model, the wire codec, the client,
//! and the connection table.

pub mod client;
pub mod conn;
pub mod model;
pub mod wire;

pub use client::Client;
pub use model::*;
pub use wire::Request;
