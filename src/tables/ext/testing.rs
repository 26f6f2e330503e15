//! A small driver for extension unit tests: parses one extension's options
//! the way the command line does (`! --opt ARG`), runs the final check, and
//! returns the save and `-L` texts, so each extension file can test its
//! corpus lines without a kernel.

use crate::tables::error::{XtError, XtResult};
use crate::tables::expr::Family;
use crate::tables::ext::{find, Arg, Ctx, Ext, Kind, PrintCtx, State};

/// The result of parsing one extension instance.
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The extension.
    pub ext: Ext,
    /// The blob after `final_check`.
    pub blob: Vec<u8>,
    /// The save text, with the leading ` -m NAME` / ` -j NAME`.
    pub save: String,
    /// The `-L` text (`numeric = false`).
    pub print: String,
    /// The `-L -n` text.
    pub print_numeric: String,
}

/// Parses `args` (the words after `-m NAME` or `-j NAME`) for the extension
/// `name` in a rule with protocol `proto` (0 = none) and family `family`.
/// Options are matched by their full names only.
pub fn run(
    kind: Kind,
    name: &str,
    family: Family,
    proto: u8,
    table: &str,
    chain: &str,
    args: &[&str],
) -> XtResult<Parsed> {
    let ext = find(kind, name, family).ok_or_else(|| super::not_found(kind, name))?;
    let ctx = Ctx {
        family,
        proto,
        proto_invert: false,
        table,
        chain,
    };
    let mut st = State {
        blob: vec![0; ext.size(family)],
        seen: 0,
        flags: 0,
    };
    ext.init(&ctx, &mut st);
    let mut i = 0;
    while i < args.len() {
        let mut invert = false;
        if args[i] == "!" {
            invert = true;
            i += 1;
        }
        let word = args
            .get(i)
            .ok_or_else(|| XtError::param("no option after `!'"))?;
        let oname = word
            .strip_prefix("--")
            .ok_or_else(|| XtError::param(format!("Bad argument `{word}'")))?;
        let (idx, opt) = ext
            .options()
            .iter()
            .enumerate()
            .find(|(_, o)| o.name == oname)
            .ok_or_else(|| XtError::param(format!("unknown option \"{word}\"")))?;
        if st.seen & (1 << idx) != 0 && !opt.multi {
            return Err(XtError::param(format!(
                "{}: option \"--{}\" can only be used once.\n",
                ext.name(),
                opt.name
            )));
        }
        if invert && !opt.invert {
            return Err(XtError::param(format!(
                "{}: option \"--{}\" cannot be inverted.\n",
                ext.name(),
                opt.name
            )));
        }
        st.seen |= 1 << idx;
        i += 1;
        let arg = match opt.arg {
            Arg::None => None,
            Arg::Required => {
                let a = args.get(i).ok_or_else(|| {
                    XtError::param(format!("option \"--{}\" requires an argument", opt.name))
                })?;
                i += 1;
                Some(*a)
            }
            Arg::Optional => match args.get(i) {
                Some(a) if !a.starts_with('-') && *a != "!" => {
                    i += 1;
                    Some(*a)
                }
                _ => None,
            },
        };
        ext.parse(&ctx, opt.name, arg, invert, &mut st)?;
    }
    ext.final_check(&ctx, &mut st)?;
    let p = |numeric| PrintCtx {
        family,
        numeric,
        proto,
    };
    let mut save = String::new();
    save.push_str(match kind {
        Kind::Match => " -m ",
        Kind::Target => " -j ",
    });
    save.push_str(ext.save_name(&st.blob));
    ext.save(&p(true), &st.blob, &mut save);
    let mut print = String::new();
    ext.print(&p(false), &st.blob, &mut print);
    let mut print_numeric = String::new();
    ext.print(&p(true), &st.blob, &mut print_numeric);
    Ok(Parsed {
        ext,
        blob: st.blob,
        save,
        print,
        print_numeric,
    })
}

/// Shorthand: a filter/INPUT match in family `ip`; returns the save text.
pub fn save_v4(name: &str, proto: u8, args: &[&str]) -> XtResult<String> {
    run(
        Kind::Match,
        name,
        Family::V4,
        proto,
        "filter",
        "INPUT",
        args,
    )
    .map(|p| p.save)
}
