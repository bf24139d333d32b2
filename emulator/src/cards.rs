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

/// Looks a card number up; spaces and dashes are ignored. `None` for an unknown card.
pub(crate) fn lookup(raw: &str) -> Option<TestCard> {
    let number: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if number.len() != 16 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    use CardKind::*;
    let (kind, scenario) = match number.as_str() {
        "4000000000000002" | "5200000000000007" => (Approve, "3DS frictionless"),
        "4000100000000000" | "5200000000000015" => (Approve, "3DS method call and challenge"),
        "4000200000000008" | "5200000000000023" => (Approve, "3DS proof of attempt"),
        "4000300000000006" | "5200000000000031" => (ThreeDsFailed, "3DS verification failed"),
        "4100000000000076" => (Decline, "declined: 3DS authentication required (1A)"),
        "4100000000000001" | "5100000000000008" => (AuthTimeout, "authorization times out"),
        "4100000000000019" | "5100000000000016" => (CaptureTimeout, "capture times out"),
        "4100000000000027" | "5100000000000024" => (RefundTimeout, "refund times out"),
        "4100000000000035" | "5100000000000032" => (AutoCaptureTimeout, "auto-capture times out"),
        "4100000000000043" | "5100000000000040" => (VoidTimeout, "void times out"),
        "4100000000000050" | "5100000000000057" => (Approve, "provisioning token times out"),
        _ => return None,
    };
    let brand = if number.starts_with('4') {
        "Visa"
    } else {
        "Mastercard"
    };
    Some(TestCard {
        number,
        kind,
        brand,
        scenario,
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
