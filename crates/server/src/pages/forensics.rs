//! The forensic report under the election's heading, in the reader's language: the `ui`
//! crate's template ([`ui::forensics`]), which the command line's file shares.

use ui::{Heading, Lang, Section, T};

use super::{frame, urlencode};

/// The forensics page.
pub fn forensics(l: Lang, r: &forensics::report::Report, h: &Heading) -> String {
    let here = format!("/elections/{}/forensics", urlencode(&h.name));
    let body = ui::forensics::body(l, r);
    frame(
        l,
        &here,
        Some(h),
        Section::Forensics,
        l.t(T::NavForensics),
        body,
    )
}
