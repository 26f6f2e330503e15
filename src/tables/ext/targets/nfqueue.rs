//! `NFQUEUE` target: hands packets to a userspace queue (`struct
//! xt_NFQ_info_v3 { __u16 queuenum, queues_total, flags; }`, revision 3,
//! 8 bytes; flags `NFQ_FLAG_BYPASS` 1, `NFQ_FLAG_CPU_FANOUT` 2).
//! `--queue-balance A:B` stores `queuenum` A and `queues_total` B-A+1;
//! a plain queue has `queues_total` 1.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u16, wr_u16};
use crate::tables::ext::xtables::{strtoul_prefix, xt_fcheck_also, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

/// `NFQ_FLAG_BYPASS`
const BYPASS: u16 = 1;
/// `NFQ_FLAG_CPU_FANOUT`
const CPU_FANOUT: u16 = 2;

/// The `NFQUEUE` target.
pub struct Nfqueue;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Nfqueue];

static OPTS: &[Opt] = &[
    Opt::req("queue-num"),
    Opt::req("queue-balance"),
    Opt::flag("queue-bypass"),
    Opt::flag("queue-cpu-fanout"),
];
static IDS: &[u32] = &[0, 1, 2, 3];
static EXCL: &[u32] = &[2, 1, 0, 0];
static ALSO: &[u32] = &[0, 0, 0, 2];

/// libxtables' `XTTYPE_UINT16RC` (`A:B`, either side may be empty: 0 and
/// 65535); returns the components read.
fn parse_range(opt: &str, arg: &str) -> XtResult<Vec<u16>> {
    let mut vals = Vec::new();
    let mut rest = arg;
    loop {
        if vals.len() == 2 {
            return Err(XtError::param(format!(
                "NFQUEUE: Too many components for option \"--{opt}\" (max: 2)\n"
            )));
        }
        let (v, end) = if rest.is_empty() || rest.starts_with(':') {
            (if vals.len() == 1 { 65535 } else { 0 }, rest)
        } else {
            let (v, end) = strtoul_prefix(rest)
                .filter(|(v, _)| *v <= 65535)
                .ok_or_else(|| {
                    XtError::param(format!(
                        "NFQUEUE: bad value for option \"--{opt}\" near \"{rest}\", or out of range (0-65535).\n"
                    ))
                })?;
            if !end.is_empty() && !end.starts_with(':') {
                return Err(XtError::param(format!(
                    "NFQUEUE: Argument to \"--{opt}\" has unexpected characters near \"{end}\".\n"
                )));
            }
            (v as u16, end)
        };
        vals.push(v);
        match end.strip_prefix(':') {
            Some(r) => rest = r,
            None => break,
        }
    }
    Ok(vals)
}

impl Extension for Nfqueue {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "NFQUEUE"
    }
    fn revision(&self) -> u32 {
        3
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u16(&mut st.blob, 2, 1);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let b = &mut st.blob;
        match opt {
            "queue-num" => {
                let v = xt_uint("NFQUEUE", opt, arg, 0, 65535)?;
                wr_u16(b, 0, v as u16);
            }
            "queue-balance" => {
                let arg = arg.unwrap_or("");
                let v = parse_range(opt, arg)?;
                let (first, last) = match v.as_slice() {
                    [a, b] => (*a, *b),
                    _ => return Err(XtError::param(format!("Bad range \"{arg}\""))),
                };
                if first >= last {
                    return Err(XtError::param(format!(
                        "{first} should be less than {last}"
                    )));
                }
                wr_u16(b, 0, first);
                // 0:65535 wraps to 0 queues, as in iptables (the kernel refuses it).
                wr_u16(b, 2, (last - first).wrapping_add(1));
            }
            "queue-bypass" => {
                let f = rd_u16(b, 4) | BYPASS;
                wr_u16(b, 4, f);
            }
            _ => {
                let f = rd_u16(b, 4) | CPU_FANOUT;
                wr_u16(b, 4, f);
            }
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        xt_fcheck_also("NFQUEUE", OPTS, IDS, EXCL, ALSO, 0, st.seen)
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        write_opts(blob, false, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        write_opts(blob, true, out);
    }
}

/// The `-L` (` NFQUEUE num 0 bypass`) or save (` --queue-num 0
/// --queue-bypass`) text.
fn write_opts(blob: &[u8], save: bool, out: &mut String) {
    let (num, total, flags) = (rd_u16(blob, 0), rd_u16(blob, 2), rd_u16(blob, 4));
    let pre = if save { "--queue-" } else { "" };
    if !save {
        out.push_str(" NFQUEUE");
    }
    if total > 1 {
        let last = u32::from(num) + u32::from(total) - 1;
        out.push_str(&format!(" {pre}balance {num}:{last}"));
    } else {
        out.push_str(&format!(" {pre}num {num}"));
    }
    if flags & BYPASS != 0 {
        out.push_str(&format!(" {pre}bypass"));
    }
    if flags & CPU_FANOUT != 0 {
        out.push_str(&format!(" {pre}cpu-fanout"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn t(args: &str) -> XtResult<Parsed> {
        let a: Vec<&str> = args.split(' ').filter(|s| !s.is_empty()).collect();
        run(
            Kind::Target,
            "NFQUEUE",
            Family::V4,
            0,
            "filter",
            "INPUT",
            &a,
        )
    }

    #[test]
    fn corpus() {
        for (args, saved) in [
            ("", "--queue-num 0"),
            ("--queue-num 0", "--queue-num 0"),
            ("--queue-num 65535", "--queue-num 65535"),
            ("--queue-balance 0:65534", "--queue-balance 0:65534"),
            (
                "--queue-num 10 --queue-bypass",
                "--queue-num 10 --queue-bypass",
            ),
            (
                "--queue-balance 0:6 --queue-cpu-fanout --queue-bypass",
                "--queue-balance 0:6 --queue-bypass --queue-cpu-fanout",
            ),
            (
                "--queue-bypass --queue-balance 0:6 --queue-cpu-fanout",
                "--queue-balance 0:6 --queue-bypass --queue-cpu-fanout",
            ),
            (
                "--queue-balance 0:6 --queue-bypass",
                "--queue-balance 0:6 --queue-bypass",
            ),
            ("--queue-bypass", "--queue-num 0 --queue-bypass"),
        ] {
            let p = t(args).unwrap();
            assert_eq!(p.save, format!(" -j NFQUEUE {saved}"), "{args}");
            let print = format!(" NFQUEUE {}", saved.replace("--queue-", ""));
            assert_eq!(p.print, print);
            assert_eq!(p.print_numeric, print);
        }
        for args in [
            "--queue-num 65536",
            "--queue-num -1",
            "--queue-balance 0:65536",
            "--queue-balance -1:65535",
        ] {
            assert!(t(args).is_err(), "{args}");
        }
        // The corpus expects 0:65535 to fail: the kernel refuses 0 queues.
        assert_eq!(t("--queue-balance 0:65535").unwrap().blob, [0; 8]);
    }

    #[test]
    fn observed() {
        assert_eq!(t("").unwrap().blob, [0, 0, 1, 0, 0, 0, 0, 0]);
        assert_eq!(
            t("--queue-balance 0:6 --queue-cpu-fanout --queue-bypass")
                .unwrap()
                .blob,
            [0, 0, 7, 0, 3, 0, 0, 0]
        );
        assert_eq!(
            t("--queue-balance :3").unwrap().save,
            " -j NFQUEUE --queue-balance 0:3"
        );
        assert_eq!(
            t("--queue-balance 3:").unwrap().save,
            " -j NFQUEUE --queue-balance 3:65535"
        );
        assert_eq!(
            t("--queue-balance 0x10:0x20").unwrap().save,
            " -j NFQUEUE --queue-balance 16:32"
        );
        for (args, msg) in [
            ("--queue-balance 5:5", "5 should be less than 5"),
            ("--queue-balance 5:4", "5 should be less than 4"),
            ("--queue-balance 3", "Bad range \"3\""),
            (
                "--queue-balance 1:2:3",
                "NFQUEUE: Too many components for option \"--queue-balance\" (max: 2)\n",
            ),
            (
                "--queue-balance 1x:3",
                "NFQUEUE: Argument to \"--queue-balance\" has unexpected characters near \"x:3\".\n",
            ),
            (
                "--queue-balance -1:65535",
                "NFQUEUE: bad value for option \"--queue-balance\" near \"-1:65535\", or out of range (0-65535).\n",
            ),
            (
                "--queue-cpu-fanout",
                "NFQUEUE: option \"--queue-cpu-fanout\" also requires \"--queue-balance\".\n",
            ),
            (
                "--queue-num 1 --queue-balance 2:3",
                "NFQUEUE: option \"--queue-num\" cannot be used together with \"--queue-balance\".\n",
            ),
            (
                "--queue-num 65536",
                "NFQUEUE: bad value for option \"--queue-num\", or out of range (0-65535).\n",
            ),
        ] {
            assert_eq!(t(args).unwrap_err().msg, msg, "{args}");
        }
    }
}
