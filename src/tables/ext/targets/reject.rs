//! `REJECT` target for `ip`: drops the packet and answers with an ICMP
//! error or a TCP reset (`--reject-with TYPE`).
//!
//! Kernel struct `struct ipt_reject_info { enum ipt_reject_with with; }`,
//! rev 0, 8 bytes (`XT_ALIGN(4)`); default `icmp-port-unreachable` (3).
//! Types are matched case-insensitively by prefix against names and aliases
//! in table order (so `icmp-net` and even the empty word pick
//! `icmp-net-unreachable`), as libipt_REJECT does. `tcp-reset` without
//! `-p tcp` parses, and the kernel then refuses the rule (EINVAL).
//! The `ip6` variant is [`super::reject6`]; both share [`RejectTarget`].

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::util::{rd_u32, wr_u32};
use crate::tables::ext::{Ctx, Ext, Extension, Families, Kind, Opt, PrintCtx, State};

/// A `REJECT` target for one family: its reject types in table order.
pub(crate) struct RejectTarget {
    /// `ip` or `ip6`.
    pub families: Families,
    /// `(value, name, alias)` in libxt's table order.
    pub table: &'static [(u32, &'static str, &'static str)],
    /// The value `init` stores.
    pub default: u32,
    /// Print iptables' `--reject-with echo-reply no longer supported`
    /// warning before refusing `echo-reply` (IPv4 only).
    pub echo_warning: bool,
}

static OPTS: &[Opt] = &[Opt::req("reject-with")];

/// `strncasecmp(name, arg, strlen(arg)) == 0`
fn prefix_ci(name: &str, arg: &str) -> bool {
    arg.len() <= name.len() && name.as_bytes()[..arg.len()].eq_ignore_ascii_case(arg.as_bytes())
}

impl RejectTarget {
    fn name_of(&self, v: u32) -> &'static str {
        self.table
            .iter()
            .find(|(w, _, _)| *w == v)
            .map_or("(null)", |(_, n, _)| n)
    }
}

impl Extension for RejectTarget {
    fn kind(&self) -> Kind {
        Kind::Target
    }
    fn name(&self) -> &'static str {
        "REJECT"
    }
    fn revision(&self) -> u32 {
        0
    }
    fn families(&self) -> Families {
        self.families
    }
    fn size(&self, _family: Family) -> usize {
        8
    }
    fn options(&self) -> &'static [Opt] {
        OPTS
    }
    fn init(&self, _ctx: &Ctx<'_>, st: &mut State) {
        wr_u32(&mut st.blob, 0, self.default);
    }
    fn parse(
        &self,
        _ctx: &Ctx<'_>,
        _opt: &'static str,
        arg: Option<&str>,
        _invert: bool,
        st: &mut State,
    ) -> XtResult<()> {
        let arg = arg.unwrap_or("");
        if let Some((v, _, _)) = self
            .table
            .iter()
            .find(|(_, n, a)| prefix_ci(n, arg) || prefix_ci(a, arg))
        {
            wr_u32(&mut st.blob, 0, *v);
            return Ok(());
        }
        if self.echo_warning && (prefix_ci("echo-reply", arg) || prefix_ci("echoreply", arg)) {
            // iptables writes this line to stderr before the error.
            eprintln!("--reject-with echo-reply no longer supported");
        }
        Err(XtError::param(format!("unknown reject type \"{arg}\"")))
    }
    fn print(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" reject-with ");
        out.push_str(self.name_of(rd_u32(blob, 0)));
    }
    fn save(&self, _ctx: &PrintCtx, blob: &[u8], out: &mut String) {
        out.push_str(" --reject-with ");
        out.push_str(self.name_of(rd_u32(blob, 0)));
    }
}

/// `REJECT` for `ip`.
pub(crate) static REJECT4: RejectTarget = RejectTarget {
    families: Families::V4,
    table: &[
        (0, "icmp-net-unreachable", "net-unreach"),
        (1, "icmp-host-unreachable", "host-unreach"),
        (2, "icmp-proto-unreachable", "proto-unreach"),
        (3, "icmp-port-unreachable", "port-unreach"),
        (5, "icmp-net-prohibited", "net-prohib"),
        (6, "icmp-host-prohibited", "host-prohib"),
        (7, "tcp-reset", "tcp-rst"),
        (8, "icmp-admin-prohibited", "admin-prohib"),
    ],
    default: 3,
    echo_warning: true,
};

/// The extensions this file provides.
pub(crate) static EXTS: &[Ext] = &[&REJECT4];

#[cfg(test)]
mod tests {
    use crate::tables::expr::Family;
    use crate::tables::ext::targets::dnat::tests::{corpus, tg};

    #[test]
    fn corpus_v4() {
        let lines: Vec<(u8, &str, Option<&str>)> = vec![
            (0, "", Some("--reject-with icmp-port-unreachable")),
            (0, "--reject-with icmp-net-unreachable", Some("=")),
            (0, "--reject-with icmp-host-unreachable", Some("=")),
            (0, "--reject-with icmp-port-unreachable", Some("=")),
            (0, "--reject-with icmp-proto-unreachable", Some("=")),
            (0, "--reject-with icmp-net-prohibited", Some("=")),
            (0, "--reject-with icmp-host-prohibited", Some("=")),
            (0, "--reject-with icmp-admin-prohibited", Some("=")),
            // observed
            (6, "--reject-with tcp-reset", Some("=")),
            (6, "--reject-with tcp", Some("--reject-with tcp-reset")),
            (
                0,
                "--reject-with net-unreach",
                Some("--reject-with icmp-net-unreachable"),
            ),
            (
                0,
                "--reject-with admin-prohib",
                Some("--reject-with icmp-admin-prohibited"),
            ),
            (
                0,
                "--reject-with ICMP-HOST",
                Some("--reject-with icmp-host-unreachable"),
            ),
            (
                0,
                "--reject-with icmp-net",
                Some("--reject-with icmp-net-unreachable"),
            ),
            (0, "--reject-with foo", None),
            (0, "--reject-with icmp6-no-route", None),
            (0, "--reject-with icmp-port-unreachablex", None),
        ];
        corpus(Family::V4, "filter", "INPUT", "REJECT", &lines);
    }

    #[test]
    fn print_and_blob() {
        let p = tg(Family::V4, "filter", "INPUT", 0, "REJECT", "").unwrap();
        assert_eq!(p.print, " reject-with icmp-port-unreachable");
        assert_eq!(p.blob, [3, 0, 0, 0, 0, 0, 0, 0]);
        let p = tg(
            Family::V4,
            "filter",
            "INPUT",
            6,
            "REJECT",
            "--reject-with tcp-reset",
        )
        .unwrap();
        assert_eq!(p.print_numeric, " reject-with tcp-reset");
        assert_eq!(p.blob, [7, 0, 0, 0, 0, 0, 0, 0]);
        let e = tg(
            Family::V4,
            "filter",
            "INPUT",
            0,
            "REJECT",
            "--reject-with foo",
        )
        .unwrap_err();
        assert_eq!(e.msg, "unknown reject type \"foo\"");
    }
}
