//! `multiport` match: up to 15 source, destination or either-side ports and
//! port ranges (`struct xt_multiport_v1 { __u8 flags, count; __u16
//! ports[15]; __u8 pflags[15]; __u8 invert; }`, ports in host order), compat
//! rev 1, 48 bytes. A range takes two slots; `pflags` is set on its first.
//!
//! Needs `-p tcp|udp|udplite|sctp|dccp` when its options are parsed.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{
    parse_port, port_text, proto_service_name, rd_u16, rd_u8, service_name, wr_u16, wr_u8,
};
use crate::tables::ext::xtables::{err_excl, err_once};
use crate::tables::ext::{Ctx, Ext, Extension, Kind, Opt, PrintCtx, State};

const SIZE: usize = 48;
/// `XT_MULTI_PORTS`
const MAX: usize = 15;
const FLAGS: usize = 0;
const COUNT: usize = 1;
const PORTS: usize = 2;
const PFLAGS: usize = 32;
const INVERT: usize = 47;

/// `XT_MULTIPORT_SOURCE`
const SOURCE: u8 = 0;
/// `XT_MULTIPORT_DESTINATION`
const DESTINATION: u8 = 1;
/// `XT_MULTIPORT_EITHER`
const EITHER: u8 = 2;

/// The `multiport` match.
pub struct Multiport;

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&Multiport];

static OPTS: &[Opt] = &[
    Opt::req_inv("source-ports").multi(),
    Opt::req_inv("sports").multi(),
    Opt::req_inv("destination-ports").multi(),
    Opt::req_inv("dports").multi(),
    Opt::req_inv("ports").multi(),
];

/// Option ids (libxt_multiport's `O_*`) and the first option name of each,
/// which is how libxtables names them in messages.
const CANON: [&str; 3] = ["source-ports", "destination-ports", "ports"];

fn proto_name(ctx: &Ctx<'_>) -> XtResult<&'static str> {
    const ONLY: &str = "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP";
    if ctx.proto_invert {
        return Err(XtError::param(ONLY));
    }
    match proto_service_name(ctx.proto) {
        Some(p) => Ok(p),
        None if ctx.proto == 0 => Err(XtError::param(
            "multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'",
        )),
        None => Err(XtError::param(ONLY)),
    }
}

/// `parse_multi_ports_v1`: `P[,P|LO:HI]...` into the blob.
fn parse_ports(s: &str, proto: &str, blob: &mut [u8]) -> XtResult<()> {
    let too_many = || XtError::param("too many ports specified");
    for i in 0..MAX {
        wr_u8(blob, PFLAGS + i, 0);
    }
    let mut toks = s.split(',').peekable();
    let mut i = 0usize;
    while i < MAX {
        let Some(tok) = toks.next() else { break };
        let (lo, hi) = match tok.split_once(':') {
            Some((lo, hi)) => {
                if i == MAX - 1 {
                    return Err(too_many());
                }
                (lo, Some(hi))
            }
            None => (tok, None),
        };
        wr_u16(blob, PORTS + 2 * i, parse_port(lo, Some(proto))?);
        if let Some(hi) = hi {
            wr_u8(blob, PFLAGS + i, 1);
            i += 1;
            let h = parse_port(hi, Some(proto))?;
            wr_u16(blob, PORTS + 2 * i, h);
            if rd_u16(blob, PORTS + 2 * (i - 1)) >= h {
                return Err(XtError::param("invalid portrange specified"));
            }
        }
        i += 1;
    }
    wr_u8(blob, COUNT, i as u8);
    if toks.peek().is_some() {
        return Err(too_many());
    }
    Ok(())
}

fn port_str(port: u16, proto: u8, numeric: bool) -> String {
    if numeric {
        return port.to_string();
    }
    match proto_service_name(proto) {
        Some(p) => port_text(port, Some(p), false),
        // getservbyport(port, NULL): any protocol.
        None => service_name(port, "tcp")
            .or_else(|| service_name(port, "udp"))
            .map(str::to_string)
            .unwrap_or_else(|| port.to_string()),
    }
}

fn port_list(blob: &[u8], proto: u8, numeric: bool, out: &mut String) {
    let count = usize::from(rd_u8(blob, COUNT)).min(MAX);
    let mut i = 0;
    while i < count {
        if i != 0 {
            out.push(',');
        }
        out.push_str(&port_str(rd_u16(blob, PORTS + 2 * i), proto, numeric));
        if rd_u8(blob, PFLAGS + i) != 0 {
            out.push(':');
            i += 1;
            // Reads past ports[] into pflags[] like the C code would.
            out.push_str(&port_str(rd_u16(blob, PORTS + 2 * i), proto, numeric));
        }
        i += 1;
    }
}

impl Extension for Multiport {
    fn kind(&self) -> Kind {
        Kind::Match
    }
    fn name(&self) -> &'static str {
        "multiport"
    }
    fn revision(&self) -> u32 {
        1
    }
    fn size(&self, _family: Family) -> usize {
        SIZE
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    /// Needs `ctx.proto`/`ctx.proto_invert` as known when the option is
    /// parsed (`-p` must come before).
    fn parse(
        &self,
        ctx: &Ctx<'_>,
        opt: &'static str,
        arg: Option<&str>,
        invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let (id, flag) = match opt {
            "source-ports" | "sports" => (0, SOURCE),
            "destination-ports" | "dports" => (1, DESTINATION),
            _ => (2, EITHER),
        };
        if st.flags & (1 << id) != 0 {
            return Err(err_once("multiport", CANON[id]));
        }
        st.flags |= 1 << id;
        let proto = proto_name(ctx)?;
        parse_ports(arg.unwrap_or(""), proto, &mut st.blob)?;
        wr_u8(&mut st.blob, FLAGS, flag);
        if invert {
            wr_u8(&mut st.blob, INVERT, 1);
        }
        Ok(())
    }
    fn final_check(&self, _ctx: &Ctx<'_>, st: &mut State) -> XtResult<()> {
        // libxtables' exclusion check: first given option in table order
        // against the others in id order.
        if let Some(a) = (0..3).find(|i| st.flags & (1 << i) != 0) {
            if let Some(b) = (0..3).find(|&i| i != a && st.flags & (1 << i) != 0) {
                return Err(err_excl("multiport", CANON[a], CANON[b]));
            }
        }
        if st.flags & 7 == 0 {
            return Err(XtError::param("multiport expection an option"));
        }
        Ok(())
    }
    fn print(&self, ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" multiport ");
        out.push_str(match rd_u8(blob, FLAGS) {
            SOURCE => "sports ",
            DESTINATION => "dports ",
            EITHER => "ports ",
            _ => "ERROR ",
        });
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        port_list(blob, ctx.proto, ctx.numeric, out);
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        if rd_u8(blob, INVERT) != 0 {
            out.push_str(" !");
        }
        out.push_str(match rd_u8(blob, FLAGS) {
            SOURCE => " --sports ",
            DESTINATION => " --dports ",
            EITHER => " --ports ",
            _ => "",
        });
        port_list(blob, 0, true, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::ext::testing::{run, Parsed};

    fn runp(proto: u8, args: &[&str]) -> XtResult<Parsed> {
        run(
            Kind::Match,
            "multiport",
            Family::V4,
            proto,
            "filter",
            "INPUT",
            args,
        )
    }

    /// Corpus `libxt_multiport.t`: (proto, args, OK?).
    static CORPUS: &[(u8, &str, bool)] = &[
        (6, "--sports 53,1024:65535", true),
        (6, "--dports 53,1024:65535", true),
        (17, "--sports 53,1024:65535", true),
        (17, "--dports 53,1024:65535", true),
        (17, "--ports 53,1024:65535", true),
        (132, "--sports 53,1024:65535", true),
        (132, "--dports 53,1024:65535", true),
        (33, "--sports 53,1024:65535", true),
        (33, "--dports 53,1024:65535", true),
        (136, "--sports 53,1024:65535", true),
        (136, "--dports 53,1024:65535", true),
        (6, "--sports 1024:65536", false),
        (17, "--sports 1024:65536", false),
        (6, "--ports 1024:65536", false),
        (17, "--ports 1024:65536", false),
        (6, "--ports 1,2,3,4,6,7,8,9,10,11,12,13,14,15", true),
        (0, "", false),
    ];

    #[test]
    fn corpus() {
        for (proto, args, ok) in CORPUS {
            let words: Vec<&str> = args.split_whitespace().collect();
            let r = runp(*proto, &words);
            if *ok {
                let p = r.unwrap_or_else(|e| panic!("{args}: {e:?}"));
                assert_eq!(p.save, format!(" -m multiport {args}"));
            } else {
                assert!(r.is_err(), "{args}");
            }
        }
    }

    #[test]
    fn blob_print_save() {
        // Observed with -vvv: `! --dports 80,1000:2000,5`.
        let p = runp(6, &["!", "--dports", "80,1000:2000,5"]).unwrap();
        let mut want = vec![0u8; 48];
        want[..10].copy_from_slice(&[1, 4, 0x50, 0, 0xe8, 3, 0xd0, 7, 5, 0]);
        want[33] = 1;
        want[47] = 1;
        assert_eq!(p.blob, want);
        assert_eq!(p.save, " -m multiport ! --dports 80,1000:2000,5");
        assert_eq!(p.print, " multiport dports  !http,1000:cisco-sccp,5");
        assert_eq!(p.print_numeric, " multiport dports  !80,1000:2000,5");
        let p = runp(6, &["--dports", "80,443,8000:8080"]).unwrap();
        assert_eq!(p.print, " multiport dports http,https,8000:http-alt");
        let p = runp(17, &["--sports", "53,1024:65535"]).unwrap();
        assert_eq!(p.print, " multiport sports domain,1024:65535");
        let p = runp(6, &["--ports", "1:2,3:4,5:6,7:8,9:10,11:12,13:14,15"]).unwrap();
        assert_eq!(
            p.print,
            " multiport ports tcpmux:2,3:4,5:6,echo:8,discard:10,systat:12,daytime:14,netstat"
        );
        let p = runp(6, &["!", "--dports", "22,ssh"]).unwrap();
        assert_eq!(p.save, " -m multiport ! --dports 22,22");
        let p = runp(6, &["--source-ports", "1"]).unwrap();
        assert_eq!(p.save, " -m multiport --sports 1");
    }

    #[test]
    fn errors() {
        let e = |proto: u8, args: &[&str]| runp(proto, args).unwrap_err();
        let m = XtError::param;
        assert_eq!(
            e(6, &["--ports", "1:2,3:4,5:6,7:8,9:10,11:12,13:14,15:16"]),
            m("too many ports specified")
        );
        assert_eq!(
            e(6, &["--ports", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"]),
            m("too many ports specified")
        );
        assert_eq!(
            e(0, &["--dports", "1"]),
            m("multiport needs `-p tcp', `-p udp', `-p udplite', `-p sctp' or `-p dccp'")
        );
        assert_eq!(
            e(1, &["--dports", "1"]),
            m("multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP")
        );
        assert_eq!(e(6, &[]), m("multiport expection an option"));
        assert_eq!(
            e(6, &["--dports", "1", "--sports", "2"]),
            m("multiport: option \"--source-ports\" cannot be used together with \"--destination-ports\".\n")
        );
        assert_eq!(
            e(6, &["--ports", "1", "--dports", "2"]),
            m("multiport: option \"--destination-ports\" cannot be used together with \"--ports\".\n")
        );
        assert_eq!(
            e(6, &["--sports", "1", "--sports", "2"]),
            m("multiport: option \"--source-ports\" can only be used once.\n")
        );
        assert_eq!(e(6, &["--dports", "5:3"]), m("invalid portrange specified"));
        assert_eq!(e(6, &["--dports", "5:5"]), m("invalid portrange specified"));
        assert_eq!(
            e(6, &["--dports", "1:2:3"]),
            m("invalid port/service `2:3' specified")
        );
        assert_eq!(
            e(6, &["--dports", "80,"]),
            m("invalid port/service `' specified")
        );
        assert_eq!(
            e(6, &["--dports", ":5"]),
            m("invalid port/service `' specified")
        );
        let mut st = State {
            blob: vec![0; 48],
            seen: 0,
            flags: 0,
        };
        let ctx = Ctx {
            family: Family::V4,
            proto: 6,
            proto_invert: true,
            table: "filter",
            chain: "INPUT",
        };
        assert_eq!(
            Multiport.parse(&ctx, "dports", Some("1"), false, &mut st),
            Err(m(
                "multiport only works with TCP, UDP, UDPLITE, SCTP and DCCP"
            ))
        );
    }
}
