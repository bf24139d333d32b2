//! Dintero PSP test cards and what each one does in the emulator.

/// The behaviour a test card triggers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CardKind {
    /// Approves and succeeds at every later operation.
    #[default]
    Approve,
    /// Declined at authorization (3DS required, code `1A`): `error=failed`.
    Decline,
    /// 3DS verification failed: the customer did not authorize, `error=authorization`.
    ThreeDsFailed,
    /// Authorization times out.
    AuthTimeout,
    /// Capture times out.
    CaptureTimeout,
    /// Refund times out.
    RefundTimeout,
    /// Auto-capture (at payment) times out.
    AutoCaptureTimeout,
    /// Void (cancel) times out.
    VoidTimeout,
}

impl CardKind {
    /// The behaviour's stable name, as the catalog and every testing helper spell it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CardKind::Approve => "approve",
            CardKind::Decline => "decline",
            CardKind::ThreeDsFailed => "three_ds_failed",
            CardKind::AuthTimeout => "auth_timeout",
            CardKind::CaptureTimeout => "capture_timeout",
            CardKind::RefundTimeout => "refund_timeout",
            CardKind::AutoCaptureTimeout => "auto_capture_timeout",
            CardKind::VoidTimeout => "void_timeout",
        }
    }
}

/// A recognised test card.
#[derive(Debug, Clone)]
pub(crate) struct TestCard {
    pub number: String,
    pub kind: CardKind,
    pub brand: &'static str,
    /// Short description for events and error messages.
    pub scenario: &'static str,
}

impl TestCard {
    /// `400000******0002`
    pub fn masked_pan(&self) -> String {
        let n = &self.number;
        format!("{}******{}", &n[..6], &n[n.len() - 4..])
    }
}

/// One published test card: a stable name (the same in every language's testing helper), the
/// number, the behaviour and a short description.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CardSpec {
    pub name: &'static str,
    pub number: &'static str,
    pub kind: CardKind,
    pub scenario: &'static str,
}

const fn card(
    name: &'static str,
    number: &'static str,
    kind: CardKind,
    scenario: &'static str,
) -> CardSpec {
    CardSpec {
        name,
        number,
        kind,
        scenario,
    }
}

use CardKind::*;

/// Every test card the emulator knows: Dintero PSP's published test cards. The testing
/// helpers of every language read this list (through [`crate::catalog`]); it is the only copy.
pub(crate) const CARDS: &[CardSpec] = &[
    card("approve", "4000000000000002", Approve, "3DS frictionless"),
    card(
        "approve_mastercard",
        "5200000000000007",
        Approve,
        "3DS frictionless",
    ),
    card(
        "approve_challenge",
        "4000100000000000",
        Approve,
        "3DS method call and challenge",
    ),
    card(
        "approve_challenge_mastercard",
        "5200000000000015",
        Approve,
        "3DS method call and challenge",
    ),
    card(
        "approve_attempt",
        "4000200000000008",
        Approve,
        "3DS proof of attempt",
    ),
    card(
        "approve_attempt_mastercard",
        "5200000000000023",
        Approve,
        "3DS proof of attempt",
    ),
    card(
        "three_ds_failed",
        "4000300000000006",
        ThreeDsFailed,
        "3DS verification failed",
    ),
    card(
        "three_ds_failed_mastercard",
        "5200000000000031",
        ThreeDsFailed,
        "3DS verification failed",
    ),
    card(
        "decline",
        "4100000000000076",
        Decline,
        "declined: 3DS authentication required (1A)",
    ),
    card(
        "auth_timeout",
        "4100000000000001",
        AuthTimeout,
        "authorization times out",
    ),
    card(
        "auth_timeout_mastercard",
        "5100000000000008",
        AuthTimeout,
        "authorization times out",
    ),
    card(
        "capture_timeout",
        "4100000000000019",
        CaptureTimeout,
        "capture times out",
    ),
    card(
        "capture_timeout_mastercard",
        "5100000000000016",
        CaptureTimeout,
        "capture times out",
    ),
    card(
        "refund_timeout",
        "4100000000000027",
        RefundTimeout,
        "refund times out",
    ),
    card(
        "refund_timeout_mastercard",
        "5100000000000024",
        RefundTimeout,
        "refund times out",
    ),
    card(
        "auto_capture_timeout",
        "4100000000000035",
        AutoCaptureTimeout,
        "auto-capture times out",
    ),
    card(
        "auto_capture_timeout_mastercard",
        "5100000000000032",
        AutoCaptureTimeout,
        "auto-capture times out",
    ),
    card(
        "void_timeout",
        "4100000000000043",
        VoidTimeout,
        "void times out",
    ),
    card(
        "void_timeout_mastercard",
        "5100000000000040",
        VoidTimeout,
        "void times out",
    ),
    card(
        "token_timeout",
        "4100000000000050",
        Approve,
        "provisioning token times out",
    ),
    card(
        "token_timeout_mastercard",
        "5100000000000057",
        Approve,
        "provisioning token times out",
    ),
];

/// The brand of a card number.
pub(crate) fn brand(number: &str) -> &'static str {
    if number.starts_with('4') {
        "Visa"
    } else {
        "Mastercard"
    }
}

/// Looks a card number up; spaces and dashes are ignored. `None` for an unknown card.
pub(crate) fn lookup(raw: &str) -> Option<TestCard> {
    let number: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let spec = CARDS.iter().find(|c| c.number == number)?;
    Some(TestCard {
        brand: brand(spec.number),
        number,
        kind: spec.kind,
        scenario: spec.scenario,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_kinds() {
        let c = lookup("4000 0000 0000 0002").unwrap();
        assert_eq!(c.kind, CardKind::Approve);
        assert_eq!(c.masked_pan(), "400000******0002");
        assert_eq!(c.brand, "Visa");
        assert_eq!(lookup("5200-0000-0000-0007").unwrap().brand, "Mastercard");
        assert_eq!(lookup("4100000000000076").unwrap().kind, CardKind::Decline);
        assert_eq!(
            lookup("5100 0000 0000 0040").unwrap().kind,
            CardKind::VoidTimeout
        );
        assert!(lookup("4111 1111 1111 1111").is_none());
        assert!(lookup("").is_none());
        assert!(lookup("💳💳💳💳💳💳💳💳💳💳💳💳💳💳💳💳").is_none());
    }
}
