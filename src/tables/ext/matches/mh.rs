//! `mh` match: not implemented yet.

use crate::tables::ext::Ext;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[];
