//! `socket` match: matches packets that belong to a local socket (for
//! transparent proxying), optionally only transparent or non-wildcard
//! sockets, and can copy the socket mark to the packet.
//!
//! Kernel struct `xt_socket_mtinfo3` (revision 3, 8 bytes): `u8 flags`
//! (`XT_SOCKET_TRANSPARENT` 1, `_NOWILDCARD` 2, `_RESTORESKMARK` 4). The
//! kernel allows it in the mangle table's PREROUTING and INPUT chains.

use crate::tables::error::XtResult;
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u8, wr_u8};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 8;

const FLAGS: [(u8, &str); 3] = [(1, "transparent"), (2, "nowildcard"), (4, "restore-skmark")];

/// The `socket` match (revision 3).
pub struct Socket;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Socket];

static OPTS: &[Opt] = &[
    Opt::flag("transparent"),
    Opt::flag("nowildcard"),
    Opt::flag("restore-skmark"),
];

impl Extension for Socket {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "socket"
    }
    fn revision(&self) -> u32 {
        3
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        _arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let bit = FLAGS.iter().find(|(_, n)| *n == opt).map_or(0, |(b, _)| *b);
        let f = rd_u8(&st.blob, 0);
        wr_u8(&mut st.blob, 0, f | bit);
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" socket");
        self.save(ctx, blob, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let f = rd_u8(blob, 0);
        for (bit, name) in FLAGS {
            if f & bit != 0 {
                out.push_str(" --");
                out.push_str(name);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    #[test]
    fn corpus() {
        for (rule, blob) in [
            ("", 0u8),
            ("--transparent --nowildcard", 3),
            ("--transparent --nowildcard --restore-skmark", 7),
            ("--transparent --restore-skmark", 5),
            ("--nowildcard --restore-skmark", 6),
            ("--restore-skmark", 4),
        ] {
            let w: Vec<&str> = rule.split_whitespace().collect();
            for fam in [Family::V4, Family::V6] {
                let p = run(Kind::Match, "socket", fam, 0, "mangle", "PREROUTING", &w).unwrap();
                let sep = if rule.is_empty() { "" } else { " " };
                assert_eq!(p.save, format!(" -m socket{sep}{rule}"));
                assert_eq!(p.print, format!(" socket{sep}{rule}"));
                assert_eq!(p.print_numeric, p.print);
                // iptables -vvv -t mangle -A PREROUTING -m socket ...
                assert_eq!(p.blob, vec![blob, 0, 0, 0, 0, 0, 0, 0]);
            }
        }
    }
}
