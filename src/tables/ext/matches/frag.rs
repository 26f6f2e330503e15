//! `frag` match (ip6tables only): the IPv6 Fragment header's
//! identification (range), length, reserved field and first/more/last flags.
//!
//! Kernel struct `struct ip6t_frag { __u32 ids[2]; __u32 hdrlen; __u8 flags;
//! __u8 invflags; }`, name `frag`, revision 0, 16 bytes (XT_ALIGN of 14).

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, rd_u8, wr_u32, wr_u8};
use crate::tables::ext::xtables::{xt_range_wrapping, xt_uint_wrapping};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// `IP6T_FRAG_IDS`
const IDS: u8 = 0x01;
/// `IP6T_FRAG_LEN`
const LEN: u8 = 0x02;
/// `IP6T_FRAG_RES`
const RES: u8 = 0x04;
/// `IP6T_FRAG_FST`
const FST: u8 = 0x08;
/// `IP6T_FRAG_MF`
const MF: u8 = 0x10;
/// `IP6T_FRAG_NMF`
const NMF: u8 = 0x20;
/// `IP6T_FRAG_INV_IDS`
const INV_IDS: u8 = 0x01;
/// `IP6T_FRAG_INV_LEN`
const INV_LEN: u8 = 0x02;

/// Offsets in `struct ip6t_frag`.
const OFF_IDS: usize = 0;
const OFF_LEN: usize = 8;
const OFF_FLAGS: usize = 12;
const OFF_INV: usize = 13;

/// The `frag` match.
pub struct Frag;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Frag];

static OPTS: &[Opt] = &[
    Opt::req_inv("fragid"),
    Opt::req_inv("fraglen"),
    Opt::flag("fragres"),
    Opt::flag("fragfirst"),
    Opt::flag("fragmore"),
    Opt::flag("fraglast"),
];

impl Extension for Frag {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "frag"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        Families::V6
    }
    fn size(&self, _family: Family) -> usize {
        16
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, OFF_IDS + 4, u32::MAX);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let mut flags = rd_u8(&st.blob, OFF_FLAGS);
        let mut inv = rd_u8(&st.blob, OFF_INV);
        match opt {
            "fragid" => {
                let (from, to) = xt_range_wrapping("frag", opt, a, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_IDS, from as u32);
                wr_u32(&mut st.blob, OFF_IDS + 4, to as u32);
                flags |= IDS;
                if invert {
                    inv |= INV_IDS;
                }
            }
            "fraglen" => {
                let v = xt_uint_wrapping("frag", opt, a, 0, u32::MAX as u64)?;
                wr_u32(&mut st.blob, OFF_LEN, v as u32);
                flags |= LEN;
                if invert {
                    inv |= INV_LEN;
                }
            }
            "fragres" => flags |= RES,
            "fragfirst" => flags |= FST,
            "fragmore" => flags |= MF,
            _ => flags |= NMF,
        }
        wr_u8(&mut st.blob, OFF_FLAGS, flags);
        wr_u8(&mut st.blob, OFF_INV, inv);
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        if st.saw(self, "fragmore") && st.saw(self, "fraglast") {
            return Err(XtError::param(
                "frag: option \"--fragmore\" cannot be used together with \"--fraglast\".\n",
            ));
        }
        Ok(())
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        out.push_str(" frag ");
        let (from, to) = (rd_u32(blob, OFF_IDS), rd_u32(blob, OFF_IDS + 4));
        let bang = if inv & INV_IDS != 0 { "!" } else { "" };
        if from != 0 || to != u32::MAX || inv & INV_IDS != 0 {
            if from == to {
                out.push_str(&format!("id:{bang}{from}"));
            } else {
                out.push_str(&format!("ids:{bang}{from}:{to}"));
            }
        }
        if flags & LEN != 0 {
            let bang = if inv & INV_LEN != 0 { "!" } else { "" };
            out.push_str(&format!(" length:{bang}{}", rd_u32(blob, OFF_LEN)));
        }
        for (bit, word) in [
            (RES, " reserved"),
            (FST, " first"),
            (MF, " more"),
            (NMF, " last"),
        ] {
            if flags & bit != 0 {
                out.push_str(word);
            }
        }
        if inv & !(INV_IDS | INV_LEN) != 0 {
            out.push_str(&format!(
                " Unknown invflags: 0x{:X}",
                inv & !(INV_IDS | INV_LEN)
            ));
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let flags = rd_u8(blob, OFF_FLAGS);
        let inv = rd_u8(blob, OFF_INV);
        let (from, to) = (rd_u32(blob, OFF_IDS), rd_u32(blob, OFF_IDS + 4));
        if from != 0 || to != u32::MAX {
            out.push_str(if inv & INV_IDS != 0 { " !" } else { "" });
            if from == to {
                out.push_str(&format!(" --fragid {from}"));
            } else {
                out.push_str(&format!(" --fragid {from}:{to}"));
            }
        }
        if flags & LEN != 0 {
            out.push_str(if inv & INV_LEN != 0 { " !" } else { "" });
            out.push_str(&format!(" --fraglen {}", rd_u32(blob, OFF_LEN)));
        }
        for (bit, word) in [
            (RES, " --fragres"),
            (FST, " --fragfirst"),
            (MF, " --fragmore"),
            (NMF, " --fraglast"),
        ] {
            if flags & bit != 0 {
                out.push_str(word);
            }
        }
    }
}

/// Test helpers shared by the IPv6 header and IPsec match tests.
#[cfg(test)]
pub(crate) mod corpus {
    use crate::tables::error::XtResult;
    use crate::tables::expr::Family;
    use crate::tables::ext::testing::{run, Parsed};
    use crate::tables::ext::Kind;

    /// Protocol numbers of the corpus' `-p` names.
    fn proto(name: &str) -> u8 {
        match name {
            "tcp" => 6,
            "udp" => 17,
            "esp" => 50,
            "ah" => 51,
            "ipcomp" => 108,
            "mobility-header" | "ipv6-mh" | "mh" => 135,
            n => n.parse().unwrap_or(0),
        }
    }

    /// Runs a corpus rule `[-p P] -m NAME ARGS...` (ignoring a trailing
    /// `-j VERDICT`) through the test driver.
    pub(crate) fn run_line(family: Family, line: &str) -> XtResult<Parsed> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut p = 0;
        if let Some(i) = words.iter().position(|w| *w == "-p") {
            p = proto(words.get(i + 1).copied().unwrap_or(""));
        }
        let m = words.iter().position(|w| *w == "-m").expect("-m");
        let name = words[m + 1];
        let end = words.iter().position(|w| *w == "-j").unwrap_or(words.len());
        run(
            Kind::Match,
            name,
            family,
            p,
            "filter",
            "INPUT",
            &words[m + 2..end],
        )
    }

    /// Checks `RULE;SAVED;RESULT` corpus lines: OK lines save as SAVED
    /// (from `-m NAME` on, `=` meaning RULE itself), FAIL lines are refused.
    pub(crate) fn check(family: Family, lines: &str) {
        for l in lines.lines().map(str::trim).filter(|l| !l.is_empty()) {
            let mut it = l.split(';');
            let (rule, saved, res) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
            let got = run_line(family, rule);
            if res == "OK" {
                let want = if saved == "=" { rule } else { saved };
                let want = &want[want.find("-m ").unwrap()..];
                let want = match want.find(" -j ") {
                    Some(j) => &want[..j],
                    None => want,
                };
                let got = got.unwrap_or_else(|e| panic!("{l}: {e:?}"));
                assert_eq!(got.save.trim_start(), want, "{l}");
            } else {
                assert!(got.is_err(), "{l}: {got:?}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::corpus::{check, run_line};
    use super::*;

    #[test]
    fn corpus_lines() {
        check(
            Family::V6,
            "-m frag --fragid 1:42;=;OK
            -m frag --fraglen 42;=;OK
            -m frag --fragres;=;OK
            -m frag --fragfirst;=;OK
            -m frag --fragmore;=;OK
            -m frag --fraglast;=;OK
            -m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst;=;OK
            -m frag --fragfirst --fragmore;=;OK
            -m frag --fragfirst --fraglast;=;OK
            -m frag --fraglast --fragmore;;FAIL
            -p udp -m frag --fragmore;=;OK
            -p udp -m frag --fraglast;=;OK",
        );
    }

    #[test]
    fn ranges_and_prints() {
        for (rule, save, print) in [
            ("-m frag --fragid 1:42", "--fragid 1:42", " frag ids:1:42"),
            ("-m frag --fraglen 42", "--fraglen 42", " frag  length:42"),
            ("-m frag", "", " frag "),
            ("-m frag ! --fragid 3:3", "! --fragid 3", " frag id:!3"),
            ("-m frag --fragid 0:4294967295", "", " frag "),
            (
                "-m frag ! --fragid 0:4294967295",
                "",
                " frag ids:!0:4294967295",
            ),
            ("-m frag --fragid :5", "--fragid 0:5", " frag ids:0:5"),
            (
                "-m frag --fragid 5:",
                "--fragid 5:4294967295",
                " frag ids:5:4294967295",
            ),
            ("-m frag --fragid :", "", " frag "),
            ("-m frag --fragid 7:3", "--fragid 7:3", " frag ids:7:3"),
            ("-m frag --fragid 0x10", "--fragid 16", " frag id:16"),
            ("-m frag --fragid +5", "--fragid 5", " frag id:5"),
            ("-m frag --fraglen 010", "--fraglen 8", " frag  length:8"),
            ("-m frag ! --fraglen 0", "! --fraglen 0", " frag  length:!0"),
            (
                "-m frag ! --fragid 1 ! --fraglen 42 --fragres --fragfirst",
                "! --fragid 1 ! --fraglen 42 --fragres --fragfirst",
                " frag id:!1 length:!42 reserved first",
            ),
            (
                "-m frag --fragfirst --fragmore",
                "--fragfirst --fragmore",
                " frag  first more",
            ),
        ] {
            let p = run_line(Family::V6, rule).unwrap();
            assert_eq!(
                p.save.trim_start(),
                format!("-m frag {save}").trim_end(),
                "{rule}"
            );
            assert_eq!(p.print, print, "{rule}");
            assert_eq!(p.print_numeric, print, "{rule}");
        }
    }

    #[test]
    fn errors() {
        for (rule, msg) in [
            ("-m frag --fragid invalid", "frag: bad value for option \"--fragid\" near \"invalid\", or out of range (0-4294967295).\n"),
            ("-m frag --fragid 0:invalid", "frag: bad value for option \"--fragid\" near \"invalid\", or out of range (0-4294967295).\n"),
            ("-m frag --fragid -1", "frag: bad value for option \"--fragid\" near \"-1\", or out of range (0-4294967295).\n"),
            ("-m frag --fragid 4294967296", "frag: bad value for option \"--fragid\" near \"4294967296\", or out of range (0-4294967295).\n"),
            ("-m frag --fragid 1:2:3", "frag: Too many components for option \"--fragid\" (max: 2)\n"),
            ("-m frag --fragid ::", "frag: Too many components for option \"--fragid\" (max: 2)\n"),
            ("-m frag --fragid 1x:2", "frag: Argument to \"--fragid\" has unexpected characters near \"x:2\".\n"),
            ("-m frag --fragid 0x", "frag: Argument to \"--fragid\" has unexpected characters near \"x\".\n"),
            ("-m frag --fraglen 1:2", "frag: bad value for option \"--fraglen\", or out of range (0-4294967295).\n"),
            ("-m frag --fraglen -1", "frag: bad value for option \"--fraglen\", or out of range (0-4294967295).\n"),
            ("-m frag ! --fragres", "frag: option \"--fragres\" cannot be inverted.\n"),
            ("-m frag --fraglast --fragmore", "frag: option \"--fragmore\" cannot be used together with \"--fraglast\".\n"),
            ("-m frag --fragmore --fraglast", "frag: option \"--fragmore\" cannot be used together with \"--fraglast\".\n"),
        ] {
            assert_eq!(run_line(Family::V6, rule).unwrap_err().msg, msg, "{rule}");
        }
    }

    #[test]
    fn blob_bytes() {
        // ip6tables -vvv -A INPUT -m frag ! --fragid 1:2 --fraglen 42 --fragres --fragfirst --fragmore
        let p = run_line(
            Family::V6,
            "-m frag ! --fragid 1:2 --fraglen 42 --fragres --fragfirst --fragmore",
        )
        .unwrap();
        assert_eq!(
            p.blob,
            [1, 0, 0, 0, 2, 0, 0, 0, 0x2a, 0, 0, 0, 0x1f, 1, 0, 0]
        );
        // -m frag
        let p = run_line(Family::V6, "-m frag").unwrap();
        assert_eq!(
            p.blob,
            [0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0]
        );
        // -m frag --fragid 5
        let p = run_line(Family::V6, "-m frag --fragid 5").unwrap();
        assert_eq!(p.blob, [5, 0, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn short_blob_does_not_panic() {
        let mut s = String::new();
        let p = PrintCtx {
            family: Family::V6,
            numeric: false,
            proto: 0,
        };
        Frag.print(&p, &[1, 2, 3], &mut s);
        Frag.save(&p, &[1, 2, 3], &mut s);
    }
}
