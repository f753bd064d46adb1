//! The operations features speak of: what each one does, which family
//! it belongs to (and so when a profile must bind it), and the variables the harness gives its
//! templates. The variable lists are a contract in both directions: the
//! profile check refuses a template naming anything else (so a typo is found
//! when the profile loads, with its line), and the target refuses a step
//! passing a variable its operation does not declare (so the list cannot
//! drift from what the steps really send).
use super::family::{Declared, Extra, Family};

/// Variables every template sees, whatever its operation: the profile's own
/// `variables:` come on top of these.
pub const BASE_VARIABLES: &[&str] = &["base_url"];

/// What the harness adds when it presents an actor's credentials (the
/// operations with `credentials: true`), for the `auth:` scheme and any
/// template that wants them.
pub const CREDENTIAL_VARIABLES: &[&str] = &["login", "secret"];

/// What every operation sees of the actor it acts for, when known (a
/// step's own variable of the same name wins): on top of these, every value
/// an operation of the profile extracted for that actor earlier in the
/// scenario, by its `extract:` name (a flow id, a session token).
pub const ACTOR_VARIABLES: &[&str] = &["login", "email", "phone", "password", "code"];

/// One operation of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct OperationDef {
    pub name: &'static str,
    /// The family it belongs to first, then any other family that uses it:
    /// a profile declaring any of them binds it.
    pub families: &'static [Family],
    /// The extras it also needs (a test hook needs `time_travel`).
    pub extras: &'static [Extra],
    pub what: &'static str,
    /// The variables its templates get. A trailing `?` marks one that is
    /// only sometimes given (a scenario asks for it), which a `$value`
    /// field then leaves out.
    pub variables: &'static [&'static str],
    /// The harness presents the actor's login and secret with it.
    pub credentials: bool,
    /// Part of the OTP flow only where the code exchange does not itself
    /// give the session token (iCure: learn the user with the code, then
    /// create a token): not required by `otp` when `otp.validate` extracts `token`.
    pub token_chain: bool,
}

impl OperationDef {
    /// Variable names without their `?` mark, with the credential, actor
    /// and base ones.
    pub fn scope(&self) -> impl Iterator<Item = &'static str> + '_ {
        let creds = if self.credentials { CREDENTIAL_VARIABLES } else { &[] };
        self.variables
            .iter()
            .map(|v| v.trim_end_matches('?'))
            .chain(creds.iter().copied())
            .chain(ACTOR_VARIABLES.iter().copied())
            .chain(BASE_VARIABLES.iter().copied())
    }

    pub fn gets(&self, variable: &str) -> bool {
        self.scope().any(|v| v == variable)
    }

    /// The family it belongs to.
    pub fn family(&self) -> Family {
        self.families[0]
    }

    /// A target declaring `d` must bind it; `validate_gives_token`: the
    /// profile's `otp.validate` extracts the session token itself.
    pub fn required_by(&self, d: &Declared, validate_gives_token: bool) -> bool {
        let chain_done = self.token_chain && validate_gives_token;
        self.families.iter().any(|f| d.families.contains(f) && !(chain_done && *f == Family::Otp))
            && self.extras.iter().all(|e| d.extras.contains(e))
    }

    /// "family `otp`", "family `sessions` (also used by `otp`) with extra `time_travel`".
    pub fn describe_needs(&self) -> String {
        let mut out = format!("family `{}`", self.family().as_str());
        if self.families.len() > 1 {
            let others: Vec<String> = self.families[1..].iter().map(|f| format!("`{}`", f.as_str())).collect();
            out.push_str(&format!(", also used by {}", others.join(", ")));
        }
        if !self.extras.is_empty() {
            let extras: Vec<String> = self.extras.iter().map(|e| format!("`{}`", e.as_str())).collect();
            out.push_str(&format!(", with extra {}", extras.join(" and ")));
        }
        out
    }
}

const fn op(
    name: &'static str,
    (families, extras): (&'static [Family], &'static [Extra]),
    what: &'static str,
    variables: &'static [&'static str],
    credentials: bool,
) -> OperationDef {
    OperationDef { name, families, extras, what, variables, credentials, token_chain: false }
}

/// An operation of the iCure token chain (see `OperationDef::token_chain`).
const fn chain(op: OperationDef) -> OperationDef {
    OperationDef { token_chain: true, ..op }
}

/// One family, no extra.
const fn only(f: &'static [Family]) -> (&'static [Family], &'static [Extra]) {
    (f, &[])
}

use Extra::*;
use Family::*;

/// Every operation, in the order a reader meets them.
pub const OPERATIONS: &[OperationDef] = &[
    op(
        "otp.start",
        only(&[Otp]),
        "start a sign-up/sign-in process; a code is sent",
        &[
            "process",
            "request_id",
            "captcha",
            "first_name",
            "last_name",
            "email",
            "mobile_phone",
            "hcp_id",
            "purpose",
            "code_length?",
        ],
        false,
    ),
    op(
        "otp.validate",
        only(&[Otp]),
        "submit the code of a process (`purpose`: sign_up or sign_in, as its start)",
        &["request_id", "code", "purpose"],
        false,
    ),
    chain(op("user.current", only(&[Sessions, Otp]), "who the presented secret authenticates", &[], true)),
    chain(op(
        "token.create",
        only(&[Otp]),
        "create a long-lived token for the user (where otp.validate gives none)",
        &["user_id", "device_key", "token_validity"],
        true,
    )),
    op("data_owner.get", only(&[E2eKeys]), "read the data owner and its public keys", &["data_owner_id"], true),
    op(
        "data_owner.add_key",
        only(&[E2eKeys]),
        "publish a public key on the data owner",
        &["data_owner_id", "public_key"],
        true,
    ),
    op(
        "data_sample.create",
        only(&[Records]),
        "store a data sample (`sample.id`; sealed: `sample.encrypted_self`, `sample.encryption_keys`; plain: `sample.text`); may extract `sample_id`",
        &["sample"],
        true,
    ),
    op(
        "data_sample.get",
        only(&[Records]),
        "read a data sample back: extract `encrypted_self` and `encryption_keys` (sealed) or `text` (plain)",
        &["sample_id"],
        true,
    ),
    op(
        "test.age_process",
        (&[Otp], &[TimeTravel]),
        "test hook: make a process older",
        &["request_id", "seconds"],
        false,
    ),
    op("test.age_token", (&[Sessions], &[TimeTravel]), "test hook: make a token older", &["token", "seconds"], false),
    op(
        "session.jwks",
        (&[Sessions], &[Jwks]),
        "the JSON Web Key Set the target's session JWTs verify with (RFC 7517 §5); extract nothing, the reply is the set",
        &[],
        false,
    ),
    op(
        "data_owner.add_transfer_key",
        only(&[E2eKeys]),
        "publish a transfer key (new private key for holders of an old one)",
        &["data_owner_id", "from_fingerprint", "to_fingerprint", "wrapped_key", "encrypted_private_key"],
        true,
    ),
    op(
        "data_owner.stop_sharing",
        only(&[E2eKeys]),
        "stop sharing new data with a data owner",
        &["data_owner_id", "delegate_id"],
        true,
    ),
    op("notifications.pending", only(&[E2eKeys]), "the caller's pending notifications (KEY_PAIR_UPDATE)", &[], true),
    op("notifications.complete", only(&[E2eKeys]), "mark a notification done", &["task_id"], true),
    op(
        "data_sample.list",
        only(&[Records]),
        "list the data samples the caller can read (of a data owner, where the target has them); extract `sample_ids`",
        &["data_owner_id?"],
        true,
    ),
    op("sso.login", only(&[SsoPlatform]), "the partner's SSO login (Email, Password)", &["email", "password"], false),
    op(
        "sso.register",
        only(&[SsoPlatform]),
        "the partner's registration",
        &["first_name", "last_name", "email", "address", "mobile", "gender", "password"],
        false,
    ),
    op(
        "data_sample.add_key",
        only(&[E2eKeys]),
        "add a wrapped content key to a data sample (give access back)",
        &["sample_id", "data_owner_id", "fingerprint", "wrapped_key"],
        true,
    ),
    op(
        "password.register",
        only(&[Password]),
        "create an account with an e-mail and a password",
        &["email", "password", "first_name", "last_name"],
        false,
    ),
    op(
        "password.login",
        only(&[Password]),
        "sign in with an e-mail and a password; extract the session `token`",
        &["email", "password"],
        false,
    ),
    op("password.logout", only(&[Password]), "sign out: end the presented session", &[], true),
    op(
        "password.change",
        only(&[Password]),
        "change the password, signed in (`current_password`, the new `password`); may extract a renewed session `token`",
        &["current_password", "password"],
        true,
    ),
    op("password_reset.start", only(&[PasswordReset]), "ask for a password-reset mail", &["email"], false),
    op(
        "password_reset.complete",
        only(&[PasswordReset]),
        "set a new password with the mailed link or token",
        &["link", "reset_token", "password"],
        false,
    ),
    op(
        "test.age_reset_link",
        (&[PasswordReset], &[TimeTravel]),
        "test hook: make a reset link older",
        &["reset_token", "seconds"],
        false,
    ),
    op(
        "sso.deep_link",
        (&[SsoPlatform], &[DeepLink]),
        "the partner's deep link snapmdconnectedcare://?jwt= (Email, Password)",
        &["email", "password"],
        false,
    ),
    op(
        "sso.disable_account",
        (&[SsoPlatform], &[AccountAdmin]),
        "disable a partner account (admin endpoint or test hook)",
        &["email"],
        false,
    ),
];

pub fn operation(name: &str) -> Option<&'static OperationDef> {
    OPERATIONS.iter().find(|o| o.name == name)
}

/// The `authconform operations` listing: by family, each operation, what
/// it does, what else it needs and what its templates see.
pub fn render_operations() -> String {
    let mut out = String::new();
    for family in Family::ALL {
        out.push_str(&format!("{}: {}\n", family.as_str(), family.what()));
        for o in OPERATIONS.iter().filter(|o| o.family() == *family) {
            out.push_str(&format!("  {}\n      {}\n", o.name, o.what));
            if o.families.len() > 1 || !o.extras.is_empty() {
                out.push_str(&format!("      required with {}\n", o.describe_needs()));
            }
            if o.token_chain {
                out.push_str("      not required by `otp` when `otp.validate` extracts `token`\n");
            }
            let mut vars: Vec<&str> = o.variables.to_vec();
            if o.credentials {
                vars.extend(CREDENTIAL_VARIABLES);
            }
            vars.extend(BASE_VARIABLES);
            out.push_str(&format!("      variables: {}\n", vars.join(", ")));
        }
        out.push('\n');
    }
    out.push_str(
        "A profile binds the operations of the families it declares (`families:`), and those needing an extra \
         when it also declares the extra (`extras:`).\nEvery operation also sees the actor it acts for: \
         login, email, phone, password, code (the last received), when known, and every value an operation \
         extracted for that actor earlier in the scenario, by its `extract:` name.\nEvery template also sees \
         the profile's own `variables:`. `?`: given only when a scenario asks for it.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_scopes_include_the_base() {
        for (i, o) in OPERATIONS.iter().enumerate() {
            assert!(OPERATIONS[i + 1..].iter().all(|p| p.name != o.name), "{} twice", o.name);
            assert!(o.gets("base_url"));
        }
        let v = operation("otp.validate").unwrap();
        assert!(v.gets("code") && !v.gets("secret"));
        let c = operation("user.current").unwrap();
        assert!(c.gets("login") && c.gets("secret"));
        assert!(operation("otp.start").unwrap().gets("code_length"));
    }

    #[test]
    fn the_listing_names_every_operation() {
        let text = render_operations();
        assert!(OPERATIONS.iter().all(|o| text.contains(o.name)));
        assert!(
            text.contains(
                "  otp.validate\n      submit the code of a process (`purpose`: sign_up or sign_in, as its start)\n      variables: request_id, code, purpose, base_url\n"
            ),
            "{text}"
        );
    }
}
