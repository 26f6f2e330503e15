//! `connlabel` match: tests (and with `--set` sets) one of the 128
//! conntrack label bits, named in `/etc/xtables/connlabel.conf`.
//!
//! Kernel struct `xt_connlabel_mtinfo` (revision 0, 8 bytes): `u16 bit`,
//! `u16 options` (`XT_CONNLABEL_OP_INVERT` 1, `_SET` 2). iptables declares
//! no user-space part (`userspacesize` is 0), so `-C`/`-D` compare nothing
//! of it.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, wr_u16};
use crate::tables::ext::xtables::err_mandatory;
use crate::tables::ext::xtables::strtoul_full;
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const BIT: usize = 0;
const OPTIONS: usize = 2;
const SIZE: usize = 8;

const OP_INVERT: u16 = 1;
const OP_SET: u16 = 2;

/// Where libnetfilter_conntrack reads label names.
const MAP_PATH: &str = "/etc/xtables/connlabel.conf";

/// The `connlabel` match.
pub struct Connlabel;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Connlabel];

static OPTS: &[Opt] = &[Opt::req_inv("label"), Opt::flag("set")];

/// The label map (`BIT NAME` lines), or `None` after printing iptables'
/// warning when the file cannot be read.
fn label_map() -> Option<Vec<(u32, String)>> {
    match std::fs::read_to_string(MAP_PATH) {
        Ok(text) => Some(
            text.lines()
                .filter_map(|l| {
                    let l = l.trim_start();
                    if l.starts_with('#') {
                        return None;
                    }
                    let n = l.find(|c: char| !c.is_ascii_digit()).unwrap_or(l.len());
                    let bit = l.get(..n)?.parse::<u32>().ok()?;
                    let name = l.get(n..)?.trim();
                    (!name.is_empty()).then(|| (bit, name.to_string()))
                })
                .collect(),
        ),
        Err(e) => {
            let msg = e.to_string();
            let msg = msg.split(" (os error").next().unwrap_or(&msg);
            eprintln!("Warning: cannot open {MAP_PATH}: {msg}");
            None
        }
    }
}

fn label_name(bit: u16) -> Option<String> {
    label_map()?
        .into_iter()
        .find(|(b, _)| *b == u32::from(bit))
        .map(|(_, n)| n)
}

/// A label number (`strtoul` base 0, the whole word) as iptables' `int`.
fn label_value(s: &str) -> Option<i32> {
    let v = strtoul_full(s, 0, u64::MAX)? as i32;
    (v >= 0).then_some(v)
}

impl Extension for Connlabel {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "connlabel"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn userspace_size(&self, _family: Family) -> usize {
        0
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let options = rd_u16(&st.blob, OPTIONS);
        if opt == "set" {
            wr_u16(&mut st.blob, OPTIONS, options | OP_SET);
            return Ok(());
        }
        let a = arg.unwrap_or("");
        if a.is_empty() {
            return Err(XtError::param(
                "Argument must have a minimum length of 1 characters\n",
            ));
        }
        let bit = label_value(a)
            .or_else(|| {
                label_map()?
                    .into_iter()
                    .find(|(_, n)| n == a)
                    .map(|(b, _)| b as i32)
            })
            .ok_or_else(|| XtError::param(format!("label '{a}' not found or invalid value")))?;
        wr_u16(&mut st.blob, BIT, bit as u16);
        if invert {
            wr_u16(&mut st.blob, OPTIONS, options | OP_INVERT);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if !st.saw(self, "label") {
            return Err(err_mandatory("connlabel", "label"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let bit = rd_u16(blob, BIT);
        let options = rd_u16(blob, OPTIONS);
        let name = label_name(bit);
        out.push_str(" connlabel");
        if options & OP_INVERT != 0 {
            out.push_str(" !");
        }
        match name {
            Some(n) if !ctx.numeric => out.push_str(&format!(" '{n}'")),
            _ => out.push_str(&format!(" {bit}")),
        }
        if options & OP_SET != 0 {
            out.push_str(" set");
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let bit = rd_u16(blob, BIT);
        let options = rd_u16(blob, OPTIONS);
        if options & OP_INVERT != 0 {
            out.push_str(" !");
        }
        match label_name(bit) {
            Some(n) => out.push_str(&format!(" --label \"{n}\"")),
            None => out.push_str(&format!(" --label \"{bit}\"")),
        }
        if options & OP_SET != 0 {
            out.push_str(" --set");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::run;

    fn t(args: &[&str]) -> XtResult<crate::tables::ext::testing::Parsed> {
        run(
            Kind::Match,
            "connlabel",
            Family::V4,
            0,
            "filter",
            "INPUT",
            args,
        )
    }

    #[test]
    fn corpus() {
        // Without /etc/xtables/connlabel.conf, as on the reference machine.
        if std::path::Path::new(MAP_PATH).exists() {
            return;
        }
        for (args, save, print, blob) in [
            (
                &["--label", "40"][..],
                " --label \"40\"",
                " connlabel 40",
                [0x28u8, 0, 0, 0],
            ),
            (
                &["!", "--label", "40"][..],
                " ! --label \"40\"",
                " connlabel ! 40",
                [0x28, 0, 1, 0],
            ),
            (
                &["--label", "41", "--set"][..],
                " --label \"41\" --set",
                " connlabel 41 set",
                [0x29, 0, 2, 0],
            ),
            (
                &["!", "--label", "41", "--set"][..],
                " ! --label \"41\" --set",
                " connlabel ! 41 set",
                [0x29, 0, 3, 0],
            ),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -m connlabel{save}"));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
            assert_eq!(&p.blob[..4], &blob);
        }
        // 2048 parses; the kernel refuses it (ERANGE).
        assert_eq!(&t(&["--label", "2048"]).unwrap().blob[..2], &[0, 8]);
        assert_eq!(
            t(&["--label", "foobar_not_there"]).unwrap_err().msg,
            "label 'foobar_not_there' not found or invalid value"
        );
        assert_eq!(
            t(&[]).unwrap_err().msg,
            "connlabel: option \"--label\" must be specified\n"
        );
        assert_eq!(Connlabel.userspace_size(Family::V4), 0);
    }
}
