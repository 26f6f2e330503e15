//! `state` match: the connection tracking state (`--state NEW,...`).
//!
//! iptables-nft 1.8.9 sends it as the `conntrack` match, revision 3
//! (`struct xt_conntrack_mtinfo3`, 168 bytes), with `XT_CONNTRACK_STATE` and
//! `XT_CONNTRACK_STATE_ALIAS` (1 << 13) set in `match_flags`. This extension
//! only builds that blob; reading one back is the `conntrack` extension's
//! job (it prints alias blobs as `-m state --state X`), so
//! [`Extension::claims`] is always false here.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::conntrack::{
    find_prefix, states_text, F_STATE, F_STATE_ALIAS, INVERT_FLAGS, MATCH_FLAGS, SIZE, STATES,
    STATE_MASK,
};
use crate::tables::ext::util::{rd_u16, wr_u16};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// The `state` match.
pub struct StateMatch;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&StateMatch];

static OPTS: &[Opt] = &[Opt::req_inv("state")];

/// The names `--state` accepts (no SNAT/DNAT).
fn state_names() -> &'static [(&'static str, u16)] {
    STATES.get(..5).unwrap_or(STATES)
}

/// `state_parse_states`: a comma list; a bad token is reported from its
/// own start (`Bad state "foo,NEW"`), a trailing comma by the "requires a
/// list" message.
fn parse_states(arg: &str) -> XtResult<u16> {
    let mut mask = 0u16;
    let mut rest = arg;
    while let Some((tok, next)) = rest.split_once(',') {
        mask |= find_prefix(state_names(), tok)
            .ok_or_else(|| XtError::param(format!("Bad state \"{rest}\"")))?;
        rest = next;
    }
    if rest.is_empty() {
        return Err(XtError::param(
            "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED",
        ));
    }
    mask |= find_prefix(state_names(), rest)
        .ok_or_else(|| XtError::param(format!("Bad state \"{rest}\"")))?;
    Ok(mask)
}

impl Extension for StateMatch {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "state"
    }
    fn kernel_name(&self) -> &'static str {
        "conntrack"
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
        _opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let m = parse_states(arg.unwrap_or(""))?;
        wr_u16(&mut st.blob, STATE_MASK, m);
        wr_u16(&mut st.blob, MATCH_FLAGS, F_STATE | F_STATE_ALIAS);
        if invert {
            wr_u16(&mut st.blob, INVERT_FLAGS, F_STATE);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.seen == 0 {
            return Err(XtError::param(
                "state: option \"--state\" must be specified\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u16(blob, INVERT_FLAGS) & F_STATE != 0 {
            out.push_str(" !");
        }
        out.push_str(" state ");
        states_text(rd_u16(blob, STATE_MASK), out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u16(blob, INVERT_FLAGS) & F_STATE != 0 {
            out.push_str(" !");
        }
        out.push_str(" --state ");
        states_text(rd_u16(blob, STATE_MASK), out);
    }
    fn claims(&self, _kernel_name: &str, _rev: u32) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::matches::conntrack::corpus::{check, parse};
    use crate::tables::ext::{find_kernel, matches::conntrack::Conntrack};

    #[test]
    fn corpus_lines() {
        for l in [
            "-m state --state INVALID;=;OK",
            "-m state --state NEW,RELATED;=;OK",
            "-m state --state UNTRACKED;=;OK",
            "-m state;;FAIL",
        ] {
            check(Family::V4, "INPUT", l);
            check(Family::V6, "INPUT", l);
        }
        // `-m state wrong` is refused by the command-line parser (a stray
        // word), not by this extension.
    }

    #[test]
    fn observed() {
        let p = parse(Family::V4, "INPUT", "-m state ! --state new,inv,E,R,U").unwrap();
        assert_eq!(
            p.save,
            " -m state ! --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED"
        );
        assert_eq!(
            p.print,
            " ! state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED"
        );
        // The blob decodes through conntrack with the same texts.
        let c = PrintCtx {
            family: Family::V4,
            numeric: true,
            proto: 0,
        };
        let mut s = String::new();
        Conntrack.save(&c, &p.blob, &mut s);
        assert_eq!(s, " ! --state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED");
        s.clear();
        Conntrack.print(&c, &p.blob, &mut s);
        assert_eq!(s, " ! state INVALID,NEW,RELATED,ESTABLISHED,UNTRACKED");
        assert_eq!(Conntrack.save_name(&p.blob), "state");
        let e = find_kernel(Kind::Match, "conntrack", 3, Family::V4).unwrap();
        assert_eq!(e.name(), "conntrack");
    }

    #[test]
    fn blob_bytes() {
        // iptables -vvv -A INPUT -m state --state NEW,UNTRACKED
        let p = parse(Family::V4, "INPUT", "-m state --state NEW,UNTRACKED").unwrap();
        assert_eq!(p.blob.len(), 168);
        let mut want = vec![0u8; 168];
        want[146] = 0x01;
        want[147] = 0x20;
        want[150] = 0x08;
        want[151] = 0x01;
        assert_eq!(p.blob, want);
    }

    #[test]
    fn errors() {
        let e = |r: &str| parse(Family::V4, "INPUT", r).unwrap_err().msg;
        assert_eq!(e("-m state --state foo"), "Bad state \"foo\"");
        assert_eq!(e("-m state --state NEW,foo"), "Bad state \"foo\"");
        assert_eq!(e("-m state --state SNAT"), "Bad state \"SNAT\"");
        assert_eq!(
            e("-m state --state NEW,"),
            "\"--state\" requires a list of states with no spaces, e.g. ESTABLISHED,RELATED"
        );
        assert_eq!(
            e("-m state"),
            "state: option \"--state\" must be specified\n"
        );
    }
}
