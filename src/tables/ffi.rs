//! libnftnl wrapper (being written).
