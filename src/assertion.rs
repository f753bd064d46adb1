//! The catalogue of distinct checks the steps make. Each has an id, shown
//! at the end of its failure message (`... [sso.token-fields]`), so a report
//! reader can tell which check fired and the assertion-coverage test
//! (tests/fault_matrix.rs) can prove that some fault of the reference makes
//! each one fire: a check no defect can trip proves nothing.
//!
//! The catalogue knows no error type: `client::check` and `Assertion::fail`
//! (client/error.rs) turn a check into the client's error.
//!
//! Preconditions that are not verdicts on the target (an actor the scenario
//! never introduced, a profile without a platform double) stay plain
//! `ClientError::Expectation`s and carry no id.
use std::fmt;

macro_rules! assertions {
    ($($variant:ident => $id:literal : $doc:literal,)*) => {
        /// One distinct check a step makes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Assertion { $($variant,)* }

        impl Assertion {
            pub const ALL: &'static [Assertion] = &[$(Assertion::$variant,)*];

            /// The id shown in failure messages, `area.what`.
            pub fn id(self) -> &'static str {
                match self { $(Assertion::$variant => $id,)* }
            }

            /// One line: what the check requires of the target.
            pub fn describe(self) -> &'static str {
                match self { $(Assertion::$variant => $doc,)* }
            }
        }
    };
}

assertions! {
    // The verdict rules (steps/checks.rs, README "How the suite decides").
    Accepted => "accepted": "an operation the scenario needs is answered with one of its accepted statuses",
    Refused => "refused": "a request the requirement forbids is answered with one of the operation's declared refusals",
    TargetBroke => "target-broke": "the target answers no 5xx where the scenario expects an answer",
    Control => "control": "every refusal stands beside its positive control: the same operation accepted in the scenario",
    // OTP sign-up and sign-in.
    CodeLength => "otp.code-length": "the mailed or texted code has the digits the process asked for (6 when none)",
    NoMessage => "otp.no-message": "a refused start sends no e-mail or SMS",
    CodeStrength => "otp.code-strength": "a code carries at least 20 bits, as 6 decimal digits do",
    SameAnswer => "reply.same-answer": "two answers the requirement says must not differ have the same status, shape and headers",
    // Tokens and sessions.
    KeyListed => "session.key-listed": "the actor's data owner lists the actor's public key",
    OnlyKey => "session.only-key": "the data owner lists exactly the actor's one key",
    NewToken => "session.new-token": "a new sign-in gets a new token, not the previous one",
    StoredTokenAccepted => "session.token-accepted": "a still-valid stored token is accepted without a code",
    SameUser => "session.same-user": "a stored token authenticates the user it was issued to",
    NotPresenter => "session.not-presenter": "another user's token never authenticates the one who presents it",
    OnceAtOnce => "code.once-at-once": "of two simultaneous submits of one single-use code, exactly one is accepted",
    GuessCap => "guess.cap": "after the bound of wrong codes over new processes, a new process's right code does not sign in at once",
    Throttled => "guess.throttled": "a series past the bound is slowed down: a 429, a Retry-After, a refused start or a growing delay",
    NoLockout => "guess.no-lockout": "a throttled owner is asked to wait no longer than the profile's `throttling.max_wait`",
    Timing => "timing.no-account-state": "an operation answers known accounts and unknown e-mails in times a rank test cannot tell apart by more than the threshold",
    TokenCap => "session.token-cap": "a token asked to outlive the target's cap is refused, or stops authenticating just past the cap",
    ForgeryRefused => "jwt.forgery-refused": "a forgery of the target's own session JWT is refused with a declared refusal, and the refusal carries no token",
    NoFetch => "jwt.no-fetch": "the target fetches no URL a forged token's header names (jku, x5u)",
    // End-to-end data and keys.
    Decrypts => "e2e.decrypts": "a data sample decrypts, with the reader's key, to what its author stored",
    ReadsBack => "data.reads-back": "a plain record (no e2e_keys) reads back as exactly what its author stored",
    NoPlaintext => "e2e.no-plaintext": "no request or reply carries a sample's content in clear",
    ErrorHygiene => "errors.no-internals": "no error reply shows a stack trace, an SQL error, a source path or a framework's debug page",
    OwnerUnchanged => "owner.unchanged": "a data owner's sharing is as its owner left it after another user's request",
    KeyCount => "keys.count": "the data owner lists the expected number of public keys, the actor's current one among them",
    Listed => "data.listed": "a user's list of data samples holds every sample she stored",
    NotListed => "data.not-listed": "a list a user gets holds no data sample of another user",
    SampleCount => "data.sample-count": "the actor sees the expected number of data samples",
    Notified => "keys.notified": "a delegate is notified (KEY_PAIR_UPDATE) of the owner's new key",
    NotSelfNotified => "keys.not-self-notified": "an owner is not notified of their own new key",
    PendingUpdate => "keys.pending-update": "the delegate has a pending KEY_PAIR_UPDATE for the owner",
    GivesBack => "keys.gives-back": "the delegate finds the owner's data to give access back to",
    StillListed => "keys.still-listed": "a sample the actor can no longer decrypt is still theirs to list and read",
    Undecryptable => "keys.undecryptable": "a sample whose key was lost opens with none of the actor's remaining keys",
    Revoked => "keys.revoked": "after stopping sharing, no wrapped key of the sample opens with a key its holder keeps",
    NotShared => "keys.not-shared": "data created after sharing stopped is not readable by the former delegate",
    TransferKeyFound => "device.transfer-key-found": "a new device finds a transfer key for its key",
    DeviceGivesAccess => "device.gives-access": "a device with access can give it to the other device",
    // Partner SSO.
    FieldError => "sso.field-error": "a registration refused for a bad field names that field in its error",
    TokenPresent => "sso.token-present": "the login reply holds a token where the profile says",
    TokenFields => "sso.token-fields": "the login reply holds only the allowed token fields",
    NoStore => "sso.no-store": "the login reply is marked Cache-Control: no-store",
    TokenFromPlatform => "sso.token-from-platform": "the token the app got is one the platform issued for that user",
    JwtPerLogin => "sso.jwt-per-login": "each accepted login was obtained with its own JWT, handed to the platform",
    PlatformKeys => "sso.platform-keys": "the partner calls the platform, every call with X-Developer-Id and X-Api-Key",
    AdminToken => "sso.admin-token": "admin token requests are made as userTypeId 2 of the partner's hospital",
    OnePatient => "sso.one-patient": "the platform holds exactly one patient per registered user",
    ErrorStatus => "sso.error-status": "a platform failure reaches the app as an error status",
    NoPlatformText => "sso.no-platform-text": "a platform failure reaches the app without the platform's own text",
    // The partner's JWT, claim by claim (crypto::Registration::verify).
    JwtAlg => "jwt.alg": "the partner's JWT is signed with RS256",
    JwtNoEmbeddedKey => "jwt.no-embedded-key": "the JWT header carries no jwk, jku, x5u or x5c",
    JwtSignature => "jwt.signature": "the JWT's signature verifies with the partner's registered key",
    JwtIss => "jwt.iss": "iss is the partner's registered issuer",
    JwtAud => "jwt.aud": "aud names the platform",
    JwtLifetime => "jwt.lifetime": "exp - iat is at most 300 s",
    JwtNotExpired => "jwt.not-expired": "the JWT has not expired when the platform gets it",
    JwtIat => "jwt.iat": "iat is not in the future",
    JwtDates => "jwt.dates": "exp and iat are numeric dates",
    JwtNbf => "jwt.nbf": "nbf, when present, is not in the future",
    JwtJti => "jwt.jti": "jti is a GUID",
    JwtJtiFresh => "jwt.jti-fresh": "a jti is never used twice",
    JwtEmail => "jwt.email": "the JWT's email is the e-mail of the user who signed in",
    JwtRole => "jwt.role": "role is patient",
    JwtNoSecret => "jwt.no-secret": "the payload carries no password or secret",
    // Deep links.
    DeepLinkOpens => "deeplink.opens": "a deep link's JWT, handed to the platform, names the user and gets the app that user's token",
    DeepLinkCount => "deeplink.count": "each deep-link request hands out a link",
    DeepLinkJti => "deeplink.jti": "a deep link's JWT has a jti",
    DeepLinkLifetime => "deeplink.lifetime": "a deep link's JWT lives at most 300 s",
    DeepLinkDistinct => "deeplink.distinct-jti": "no two deep links carry the same jti",
    DeepLinkWithheld => "deeplink.withheld": "wrong credentials get no deep link",
    // Password reset.
    NoResetMail => "reset.no-mail": "a reset for an e-mail with no account mails no reset link or token",
    ResetOrigin => "reset.origin": "the reset link points at the partner's public address, whatever Host the request carried",
    ResetCount => "reset.count": "each reset request mails a link",
    ResetTokenBits => "reset.token-bits": "a reset token carries at least 128 bits",
    ResetDistinct => "reset.distinct": "no two reset requests mail the same token",
}

impl Assertion {
    /// The check a JWT verdict's check id names (`crypto::Check::id`).
    pub fn from_id(id: &str) -> Option<Assertion> {
        Assertion::ALL.iter().copied().find(|a| a.id() == id)
    }

    /// The checks whose ids a failure message carries, in catalogue order.
    pub fn named_in(text: &str) -> Vec<Assertion> {
        Assertion::ALL.iter().copied().filter(|a| text.contains(&a.tag())).collect()
    }

    /// How a failure message names the check: `[id]`.
    pub fn tag(self) -> String {
        format!("[{}]", self.id())
    }
}

impl fmt::Display for Assertion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_found_in_messages() {
        let mut seen = std::collections::HashSet::new();
        for a in Assertion::ALL {
            assert!(seen.insert(a.id()), "duplicate id {a}");
            assert_eq!(Assertion::from_id(a.id()), Some(*a));
        }
        assert_eq!(
            Assertion::named_in("the reply carries more than the token [sso.token-fields]; alg [jwt.alg]"),
            vec![Assertion::TokenFields, Assertion::JwtAlg]
        );
    }
}
