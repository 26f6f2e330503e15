//! `dccp` match: DCCP ports, packet types and options (`struct
//! xt_dccp_info { __u16 dpts[2], spts[2], flags, invflags, typemask; __u8
//! option; }`), compat rev 0, 16 bytes. Ports are parsed like udp's
//! (`XTTYPE_PORTRC`); `INVALID` stands for packet types 10 to 15.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::matches::udp::parse_portrc;
use crate::tables::ext::util::{rd_u16, rd_u8, wr_u16, wr_u8};
use crate::tables::ext::xtables::{err_once, print_ports, rd_ports, save_port_range, xt_uint};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 16;
const DPTS: usize = 0;
const SPTS: usize = 4;
const FLAGS: usize = 8;
const INVFLAGS: usize = 10;
const TYPEMASK: usize = 12;
const OPTION: usize = 14;

/// `XT_DCCP_SRC_PORTS`
const SRC_PORTS: u16 = 0x01;
/// `XT_DCCP_DEST_PORTS`
const DEST_PORTS: u16 = 0x02;
/// `XT_DCCP_TYPE`
const TYPE: u16 = 0x04;
/// `XT_DCCP_OPTION`
const OPTION_F: u16 = 0x08;

/// Packet type names by number; `INVALID` (10) covers 10..=15.
static TYPES: &[&str] = &[
    "REQUEST", "RESPONSE", "DATA", "ACK", "DATAACK", "CLOSEREQ", "CLOSE", "RESET", "SYNC",
    "SYNCACK", "INVALID",
];
const INVALID: usize = 10;

/// The `dccp` match.
pub struct Dccp;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Dccp];

static OPTS: &[Opt] = &[
    Opt::req_inv("source-port").multi(),
    Opt::req_inv("sport").multi(),
    Opt::req_inv("destination-port").multi(),
    Opt::req_inv("dport").multi(),
    Opt::req_inv("dccp-types"),
    Opt::req_inv("dccp-option"),
];

fn parse_types(s: &str) -> XtResult<u16> {
    let mut m = 0u16;
    for tok in s.split(',').filter(|t| !t.is_empty()) {
        let i = TYPES
            .iter()
            .position(|n| n.eq_ignore_ascii_case(tok))
            .ok_or_else(|| XtError::param(format!("Unknown DCCP type `{tok}'")))?;
        m |= if i == INVALID { 0xfc00 } else { 1 << i };
    }
    Ok(m)
}

fn types_text(mut t: u16, numeric: bool, out: &mut String) {
    out.push(' ');
    let mut first = true;
    while t != 0 {
        let i = t.trailing_zeros() as usize;
        if !first {
            out.push(',');
        }
        first = false;
        if numeric {
            out.push_str(&i.to_string());
        } else if i >= INVALID {
            out.push_str(TYPES[INVALID]);
            break;
        } else {
            out.push_str(TYPES[i]);
        }
        t &= !(1 << i);
    }
}

fn or16(b: &mut [u8], off: usize, bit: u16) {
    let v = rd_u16(b, off) | bit;
    wr_u16(b, off, v);
}

impl Extension for Dccp {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "dccp"
    }
    fn revision(&self) -> u32 {
        0
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
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let a = arg.unwrap_or("");
        let bit = match opt {
            "source-port" | "sport" => SRC_PORTS,
            "destination-port" | "dport" => DEST_PORTS,
            "dccp-types" => TYPE,
            _ => OPTION_F,
        };
        match bit {
            SRC_PORTS | DEST_PORTS => {
                let (canon, off) = if bit == SRC_PORTS {
                    ("source-port", SPTS)
                } else {
                    ("destination-port", DPTS)
                };
                if st.flags & u32::from(bit) != 0 {
                    return Err(err_once("dccp", canon));
                }
                let p = parse_portrc("dccp", canon, a)?;
                wr_u16(&mut st.blob, off, p[0]);
                wr_u16(&mut st.blob, off + 2, p[1]);
            }
            TYPE => {
                let m = parse_types(a)?;
                wr_u16(&mut st.blob, TYPEMASK, m);
            }
            _ => {
                let v = xt_uint("dccp", "dccp-option", Some(a), 1, 255)?;
                wr_u8(&mut st.blob, OPTION, v as u8);
            }
        }
        st.flags |= u32::from(bit);
        or16(&mut st.blob, FLAGS, bit);
        if invert {
            or16(&mut st.blob, INVFLAGS, bit);
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (fl, inv) = (rd_u16(blob, FLAGS), rd_u16(blob, INVFLAGS));
        out.push_str(" dccp");
        if fl & SRC_PORTS != 0 {
            print_ports(
                "spt",
                rd_ports(blob, SPTS),
                inv & SRC_PORTS != 0,
                "dccp",
                ctx.numeric,
                out,
            );
        }
        if fl & DEST_PORTS != 0 {
            print_ports(
                "dpt",
                rd_ports(blob, DPTS),
                inv & DEST_PORTS != 0,
                "dccp",
                ctx.numeric,
                out,
            );
        }
        if fl & TYPE != 0 {
            if inv & TYPE != 0 {
                out.push_str(" !");
            }
            types_text(rd_u16(blob, TYPEMASK), ctx.numeric, out);
        }
        if fl & OPTION_F != 0 {
            let o = rd_u8(blob, OPTION);
            if o != 0 || inv & OPTION_F != 0 {
                out.push_str(" option=");
                if inv & OPTION_F != 0 {
                    out.push('!');
                }
                out.push_str(&o.to_string());
            }
        }
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        let (fl, inv) = (rd_u16(blob, FLAGS), rd_u16(blob, INVFLAGS));
        if fl & SRC_PORTS != 0 {
            save_port_range("sport", rd_ports(blob, SPTS), inv & SRC_PORTS != 0, out);
        }
        if fl & DEST_PORTS != 0 {
            save_port_range("dport", rd_ports(blob, DPTS), inv & DEST_PORTS != 0, out);
        }
        if fl & TYPE != 0 {
            if inv & TYPE != 0 {
                out.push_str(" !");
            }
            out.push_str(" --dccp-types");
            types_text(rd_u16(blob, TYPEMASK), false, out);
        }
        if fl & OPTION_F != 0 {
            if inv & OPTION_F != 0 {
                out.push_str(" !");
            }
            out.push_str(&format!(" --dccp-option {}", rd_u8(blob, OPTION)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn r(args: &[&str]) -> XtResult<Parsed> {
        run(Kind::Match, "dccp", Family::V4, 33, "filter", "INPUT", args)
    }

    const ALL: &str = "REQUEST,RESPONSE,DATA,ACK,DATAACK,CLOSEREQ,CLOSE,RESET,SYNC,SYNCACK,INVALID";

    #[test]
    fn corpus() {
        // libxt_dccp.t: (args, expected save or "=" / None = FAIL)
        let all = format!("--dccp-types {ALL}");
        let nall = format!("! --dccp-types {ALL}");
        let cases: Vec<(&str, Option<&str>)> = vec![
            ("--sport 1", Some("=")),
            ("--sport 65535", Some("=")),
            ("--dport 1", Some("=")),
            ("--dport 65535", Some("=")),
            ("--sport 1:1023", Some("=")),
            ("--sport 1024:65535", Some("=")),
            ("--sport 1024:", Some("--sport 1024:65535")),
            ("! --sport 1", Some("=")),
            ("! --sport 65535", Some("=")),
            ("! --dport 1", Some("=")),
            ("! --dport 65535", Some("=")),
            ("--sport 1 --dport 65535", Some("=")),
            ("--sport 65535 --dport 1", Some("=")),
            ("! --sport 1 --dport 65535", Some("=")),
            ("! --sport 65535 --dport 1", Some("=")),
            ("--sport -1", None),
            ("--dport -1", None),
            (&all, Some("=")),
            (&nall, Some("=")),
            ("--dccp-option 255", Some("=")),
            ("--dccp-option 256", None),
            ("--dccp-option -1", None),
            ("", Some("=")),
        ];
        for (args, want) in cases {
            let w: Vec<&str> = args.split_whitespace().collect();
            match want {
                None => assert!(r(&w).is_err(), "{args}"),
                Some(s) => {
                    let s = if s == "=" { args } else { s };
                    let exp = if s.is_empty() {
                        " -m dccp".to_string()
                    } else {
                        format!(" -m dccp {s}")
                    };
                    assert_eq!(r(&w).unwrap().save, exp, "{args}");
                }
            }
        }
    }

    #[test]
    fn observed() {
        let p = r(&[
            "!",
            "--dccp-types",
            "REQUEST,SYNCACK",
            "--sport",
            "5:6",
            "!",
            "--dport",
            "7",
        ])
        .unwrap();
        assert_eq!(p.blob, [7, 0, 7, 0, 5, 0, 6, 0, 7, 0, 6, 0, 1, 2, 0, 0]);
        assert_eq!(
            p.save,
            " -m dccp --sport 5:6 ! --dport 7 ! --dccp-types REQUEST,SYNCACK"
        );
        assert_eq!(p.print, " dccp spts:5:6 dpt:!7 ! REQUEST,SYNCACK");
        assert_eq!(p.print_numeric, " dccp spts:5:6 dpt:!7 ! 0,9");
        let p = r(&["--dccp-types", "INVALID"]).unwrap();
        assert_eq!(&p.blob[8..16], &[4, 0, 0, 0, 0, 0xfc, 0, 0]);
        assert_eq!(p.print, " dccp INVALID");
        assert_eq!(p.print_numeric, " dccp 10,11,12,13,14,15");
        let p = r(&["--dccp-types", ALL]).unwrap();
        assert_eq!(p.print, format!(" dccp {ALL}"));
        assert_eq!(
            p.print_numeric,
            " dccp 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"
        );
        let p = r(&["--dccp-option", "3"]).unwrap();
        assert_eq!(&p.blob[8..16], &[8, 0, 0, 0, 0, 0, 3, 0]);
        assert_eq!(p.print, " dccp option=3");
        let p = r(&["!", "--dccp-option", "5"]).unwrap();
        assert_eq!(p.save, " -m dccp ! --dccp-option 5");
        assert_eq!(p.print, " dccp option=!5");
        let s = |a: &[&str]| r(a).unwrap().save;
        assert_eq!(s(&["--dccp-option", "0x10"]), " -m dccp --dccp-option 16");
        assert_eq!(
            s(&["--dccp-types", "request,,ack"]),
            " -m dccp --dccp-types REQUEST,ACK"
        );
        assert_eq!(s(&["--sport", "65536"]), " -m dccp --sport 0");
        assert_eq!(s(&["--sport", "5:3"]), " -m dccp --sport 5:3");
        assert_eq!(s(&["--dport", ":"]), " -m dccp --dport 0:65535");
        assert_eq!(
            s(&["--dccp-types", "invalid,request"]),
            " -m dccp --dccp-types REQUEST,INVALID"
        );
        assert_eq!(r(&["--dport", ":"]).unwrap().print, " dccp");
        let e = |a: &[&str]| r(a).unwrap_err();
        assert_eq!(
            e(&["--dccp-types", "FOO"]),
            XtError::param("Unknown DCCP type `FOO'")
        );
        assert_eq!(
            e(&["--dccp-option", "0"]),
            XtError::param(
                "dccp: bad value for option \"--dccp-option\", or out of range (1-255).\n"
            )
        );
        assert_eq!(
            e(&["--sport", "1", "--sport", "2"]),
            XtError::param("dccp: option \"--source-port\" can only be used once.\n")
        );
        assert_eq!(
            e(&["--sport", "1:2:3"]),
            XtError::param("dccp: Too many components for option \"--source-port\" (max: 2)\n")
        );
    }
}
