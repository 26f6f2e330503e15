//! nfnetlink socket (being written).
