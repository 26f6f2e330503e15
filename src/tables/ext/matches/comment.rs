//! `comment` match: a free-text note carried in the rule (`struct
//! xt_comment_info { char comment[256]; }`), matching every packet.
//!
//! iptables-nft 1.8.9 sends it as compat `comment` rev 0 (256 bytes), not as
//! rule userdata, because match order matters for `-C`/`-D`.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_str, save_string, wr_str};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `XT_MAX_COMMENT_LEN`
const LEN: usize = 256;

/// The `comment` match.
pub struct Comment;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Comment];

static OPTS: &[Opt] = &[Opt::req("comment")];

impl Extension for Comment {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "comment"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        LEN
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        // iptables 1.8.9 keeps the first 255 bytes of a longer comment.
        let text = arg.unwrap_or("");
        wr_str(&mut st.blob, 0, LEN, text);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "comment: option \"--comment\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" /* ");
        out.push_str(&rd_str(blob, 0, LEN));
        out.push_str(" */");
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --comment ");
        save_string(&rd_str(blob, 0, LEN), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Ctx<'static> {
        Ctx {
            family: Family::V4,
            proto: 0,
            proto_invert: false,
            table: "filter",
            chain: "INPUT",
        }
    }

    #[test]
    fn parse_save_print() {
        let mut st = State {
            blob: vec![0; LEN],
            seen: 1,
            flags: 0,
        };
        Comment
            .parse(&ctx(), "comment", Some("x y"), false, &mut st)
            .unwrap();
        Comment.final_check(&ctx(), &mut st).unwrap();
        let p = PrintCtx {
            family: Family::V4,
            numeric: false,
            proto: 0,
        };
        let mut s = String::new();
        Comment.save(&p, &st.blob, &mut s);
        assert_eq!(s, " --comment \"x y\"");
        s.clear();
        Comment.print(&p, &st.blob, &mut s);
        assert_eq!(s, " /* x y */");
        assert_eq!(st.blob.len(), 256);
    }

    #[test]
    fn too_long_is_truncated() {
        let mut st = State {
            blob: vec![0; LEN],
            seen: 1,
            flags: 0,
        };
        let long = "x".repeat(256);
        Comment
            .parse(&ctx(), "comment", Some(&long), false, &mut st)
            .unwrap();
        assert_eq!(rd_str(&st.blob, 0, LEN).len(), 255);
    }
}
