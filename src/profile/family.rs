//! What a target offers, in the words a profile declares it: families
//! (independent parts, each with its own operations and requirements) and
//! extras (options inside them). A scenario names what it needs with
//! `@needs:<family or extra>` tags; it runs only against a target that
//! declares all of them, and every scenario names at least one family, so
//! nothing runs against a target that never said it has the part.
use std::collections::BTreeSet;

use serde::Deserialize;

/// An independent part of what a target offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// One-time codes: start a process, a code is sent, validate it.
    Otp,
    /// End-to-end keys (iCure-style): public keys on data owners, key loss,
    /// new devices, transfer keys, giving access back.
    E2eKeys,
    /// Per-user data: create, read, list; one user cannot read another's.
    Records,
    /// Session tokens: who a token authenticates, reuse, expiry, tampering.
    Sessions,
    /// Password accounts: register, sign in, sign out.
    Password,
    /// Password reset by a mailed link or token.
    PasswordReset,
    /// A SnapMD-style partner backend: the platform double, partner JWTs,
    /// patient administration, the seed's `{access_token, expires}` reply.
    SsoPlatform,
}

/// An option inside the families.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Extra {
    /// Codes (and reset mails) delivered by e-mail.
    Email,
    /// Codes delivered by SMS.
    Sms,
    /// Starting a process checks a captcha token.
    Captcha,
    /// Patients register under a master HCP (iCure).
    MasterHcp,
    /// A start can ask for the code's length (iCure's `codeLength`).
    CodeLength,
    /// The target documents five tries per code (the iCure gateway): a
    /// process must survive four wrong codes.
    FiveTries,
    /// Test hooks that age a process, a token or a reset link, so lifetimes
    /// are checked without waiting.
    TimeTravel,
    /// The partner hands out `snapmdconnectedcare://?jwt=` deep links.
    DeepLink,
    /// A partner account can be disabled for a test.
    AccountAdmin,
    /// Session tokens are JWTs the target signs: the harness forges
    /// variants of one it was issued (the JWT attack scenarios).
    Jwt,
    /// The target publishes the keys its JWTs verify with, as a JWKS
    /// (`session.jwks`): the algorithm-confusion forgery needs the key.
    Jwks,
}

impl Family {
    pub const ALL: &'static [Family] = &[
        Family::Otp,
        Family::E2eKeys,
        Family::Records,
        Family::Sessions,
        Family::Password,
        Family::PasswordReset,
        Family::SsoPlatform,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Family::Otp => "otp",
            Family::E2eKeys => "e2e_keys",
            Family::Records => "records",
            Family::Sessions => "sessions",
            Family::Password => "password",
            Family::PasswordReset => "password_reset",
            Family::SsoPlatform => "sso_platform",
        }
    }

    /// One line for listings.
    pub fn what(self) -> &'static str {
        match self {
            Family::Otp => "one-time codes: start a process, a code is sent, validate it",
            Family::E2eKeys => "end-to-end keys: public keys on data owners, key loss, new devices, giving access back",
            Family::Records => "per-user data: create, read, list",
            Family::Sessions => "session tokens: who a token authenticates, reuse, expiry, tampering",
            Family::Password => "password accounts: register, sign in, sign out",
            Family::PasswordReset => "password reset by a mailed link or token",
            Family::SsoPlatform => "a SnapMD-style partner backend and the platform double it calls",
        }
    }
}

impl Extra {
    pub const ALL: &'static [Extra] = &[
        Extra::Email,
        Extra::Sms,
        Extra::Captcha,
        Extra::MasterHcp,
        Extra::CodeLength,
        Extra::FiveTries,
        Extra::TimeTravel,
        Extra::DeepLink,
        Extra::AccountAdmin,
        Extra::Jwt,
        Extra::Jwks,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Extra::Email => "email",
            Extra::Sms => "sms",
            Extra::Captcha => "captcha",
            Extra::MasterHcp => "master_hcp",
            Extra::CodeLength => "code_length",
            Extra::FiveTries => "five_tries",
            Extra::TimeTravel => "time_travel",
            Extra::DeepLink => "deep_link",
            Extra::AccountAdmin => "account_admin",
            Extra::Jwt => "jwt",
            Extra::Jwks => "jwks",
        }
    }
}

/// A lifetime a scenario checks expiry of. It is checkable when the
/// target has the `time_travel` hooks (fast: the harness ages the thing),
/// or when the profile declares the lifetime the target was started with
/// (`lifetimes:`; the harness waits, in real time): a need no profile
/// declares by name, derived from those two.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lifetime {
    Code,
    Token,
    ResetLink,
    /// The longest validity the target grants a token, whatever a client
    /// asks (`lifetimes.token_cap`). Unlike the others it has no stated
    /// default: only the profile can say it, so `time_travel` alone does not
    /// make it checkable.
    TokenCap,
}

impl Lifetime {
    pub const ALL: &'static [Lifetime] = &[Lifetime::Code, Lifetime::Token, Lifetime::ResetLink, Lifetime::TokenCap];

    /// The tag name: `@needs:code_lifetime`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifetime::Code => "code_lifetime",
            Lifetime::Token => "token_lifetime",
            Lifetime::ResetLink => "reset_lifetime",
            Lifetime::TokenCap => "token_cap",
        }
    }

    /// Its key under the profile's `lifetimes:`.
    pub fn key(self) -> &'static str {
        match self {
            Lifetime::Code => "code",
            Lifetime::Token => "token",
            Lifetime::ResetLink => "reset_link",
            Lifetime::TokenCap => "token_cap",
        }
    }
}

/// A shape of the target's API that its profile shows, which some attacks
/// need to be expressible at all: a need no profile declares by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Shape {
    /// The reset completion names the account (`email` or `login` in its
    /// request, as Laravel's and ASP.NET Identity's do), so a token can be
    /// sent for an account it was not mailed for. Where the token alone
    /// names it (Django's links), there is no such request to make.
    ResetNamesAccount,
}

impl Shape {
    pub const ALL: &'static [Shape] = &[Shape::ResetNamesAccount];

    pub fn as_str(self) -> &'static str {
        match self {
            Shape::ResetNamesAccount => "reset_names_account",
        }
    }
}

/// What a `@needs:` tag or a plan names: a family, an extra, a lifetime
/// the harness can check, or a shape of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Need {
    Family(Family),
    Extra(Extra),
    Lifetime(Lifetime),
    Shape(Shape),
}

impl Need {
    pub fn parse(s: &str) -> Option<Need> {
        Family::ALL
            .iter()
            .find(|f| f.as_str() == s)
            .map(|f| Need::Family(*f))
            .or_else(|| Extra::ALL.iter().find(|e| e.as_str() == s).map(|e| Need::Extra(*e)))
            .or_else(|| Lifetime::ALL.iter().find(|l| l.as_str() == s).map(|l| Need::Lifetime(*l)))
            .or_else(|| Shape::ALL.iter().find(|x| x.as_str() == s).map(|x| Need::Shape(*x)))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Need::Family(f) => f.as_str(),
            Need::Extra(e) => e.as_str(),
            Need::Lifetime(l) => l.as_str(),
            Need::Shape(x) => x.as_str(),
        }
    }

    /// Every name a tag may use, for an error that lists them.
    pub fn known() -> String {
        let families: Vec<&str> = Family::ALL.iter().map(|f| f.as_str()).collect();
        let extras: Vec<&str> = Extra::ALL.iter().map(|e| e.as_str()).collect();
        let lifetimes: Vec<&str> = Lifetime::ALL.iter().map(|l| l.as_str()).collect();
        let shapes: Vec<&str> = Shape::ALL.iter().map(|x| x.as_str()).collect();
        format!(
            "families {}; extras {}; lifetimes (time_travel or `lifetimes:`) {}; shapes (seen in the operations) {}",
            families.join(", "),
            extras.join(", "),
            lifetimes.join(", "),
            shapes.join(", ")
        )
    }
}

/// What one target declares: its families and extras, the lifetimes
/// those make checkable, and the shapes its operations show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declared {
    pub families: BTreeSet<Family>,
    pub extras: BTreeSet<Extra>,
    pub lifetimes: BTreeSet<Lifetime>,
    pub shapes: BTreeSet<Shape>,
}

impl Declared {
    pub fn has(&self, need: Need) -> bool {
        match need {
            Need::Family(f) => self.families.contains(&f),
            Need::Extra(e) => self.extras.contains(&e),
            Need::Lifetime(Lifetime::TokenCap) => self.lifetimes.contains(&Lifetime::TokenCap),
            Need::Lifetime(l) => self.lifetimes.contains(&l) || self.extras.contains(&Extra::TimeTravel),
            Need::Shape(x) => self.shapes.contains(&x),
        }
    }

    /// The names among `needs` this target lacks (an unknown name is lacked too).
    pub fn missing<'a>(&self, needs: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        needs.into_iter().filter(|n| Need::parse(n).is_none_or(|need| !self.has(need))).map(str::to_string).collect()
    }

    /// Drops a family and the extras that live only inside it.
    pub fn drop_family(&mut self, family: Family) {
        self.families.remove(&family);
        for e in Extra::ALL.iter().filter(|e| e.lives_in() == Some(family)) {
            self.extras.remove(e);
        }
    }
}

impl Extra {
    /// The one family an extra belongs to, where it has one (`email`
    /// serves codes and reset mails alike, `time_travel` every lifetime).
    pub fn lives_in(self) -> Option<Family> {
        match self {
            Extra::Captcha | Extra::MasterHcp | Extra::CodeLength | Extra::FiveTries | Extra::Sms => Some(Family::Otp),
            Extra::DeepLink | Extra::AccountAdmin => Some(Family::SsoPlatform),
            Extra::Jwt | Extra::Jwks => Some(Family::Sessions),
            Extra::Email | Extra::TimeTravel => None,
        }
    }
}

/// The `@needs:` names among a scenario's tags (cucumber strips the `@`).
pub fn needs_of<'a>(tags: impl IntoIterator<Item = &'a String>) -> Vec<String> {
    tags.into_iter().filter_map(|t| t.strip_prefix("needs:")).map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_back_and_families_and_extras_do_not_collide() {
        for f in Family::ALL {
            assert_eq!(Need::parse(f.as_str()), Some(Need::Family(*f)));
            let yaml: Family = serde_yaml::from_str(f.as_str()).unwrap();
            assert_eq!(yaml, *f);
        }
        for e in Extra::ALL {
            assert_eq!(Need::parse(e.as_str()), Some(Need::Extra(*e)));
            let yaml: Extra = serde_yaml::from_str(e.as_str()).unwrap();
            assert_eq!(yaml, *e);
        }
        assert_eq!(Need::parse("key_recovery"), None);
    }

    #[test]
    fn missing_names_what_is_not_declared_and_what_is_unknown() {
        let mut d = Declared::default();
        d.families.insert(Family::SsoPlatform);
        d.extras.extend([Extra::DeepLink, Extra::Email]);
        let needs = ["sso_platform".to_string(), "deep_link".into(), "otp".into(), "nope".into()];
        assert_eq!(d.missing(needs.iter().map(String::as_str)), ["otp", "nope"]);
        d.drop_family(Family::SsoPlatform);
        assert_eq!(d.extras, BTreeSet::from([Extra::Email]));
    }
}
