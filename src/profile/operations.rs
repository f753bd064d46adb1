//! The operations features speak of: what each one does, which
//! capabilities make it required, and the variables the harness gives its
//! templates. The variable lists are a contract in both directions: the
//! profile check refuses a template naming anything else (so a typo is found
//! when the profile loads, with its line), and the target refuses a step
//! passing a variable its operation does not declare (so the list cannot
//! drift from what the steps really send).
use super::model::Capability;

/// Variables every template sees, whatever its operation: the profile's own
/// `variables:` come on top of these.
pub const BASE_VARIABLES: &[&str] = &["base_url"];

/// What the harness adds when it presents an actor's credentials (the
/// operations with `credentials: true`), for the `auth:` scheme and any
/// template that wants them.
pub const CREDENTIAL_VARIABLES: &[&str] = &["login", "secret"];

/// One operation of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct OperationDef {
    pub name: &'static str,
    /// The capabilities that together make it required (none: every target binds it).
    pub needs: &'static [Capability],
    pub what: &'static str,
    /// The variables its templates get. A trailing `?` marks one that is
    /// only sometimes given (a scenario asks for it), which a `$value`
    /// field then leaves out.
    pub variables: &'static [&'static str],
    /// The harness presents the actor's login and secret with it.
    pub credentials: bool,
}

impl OperationDef {
    /// Variable names without their `?` mark, with the credential ones.
    pub fn scope(&self) -> impl Iterator<Item = &'static str> + '_ {
        let creds = if self.credentials { CREDENTIAL_VARIABLES } else { &[] };
        self.variables
            .iter()
            .map(|v| v.trim_end_matches('?'))
            .chain(creds.iter().copied())
            .chain(BASE_VARIABLES.iter().copied())
    }

    pub fn gets(&self, variable: &str) -> bool {
        self.scope().any(|v| v == variable)
    }
}

const fn op(
    name: &'static str,
    needs: &'static [Capability],
    what: &'static str,
    variables: &'static [&'static str],
    credentials: bool,
) -> OperationDef {
    OperationDef { name, needs, what, variables, credentials }
}

use Capability::*;

/// Every operation, in the order a reader meets them.
pub const OPERATIONS: &[OperationDef] = &[
    op(
        "otp.start",
        &[],
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
            "code_length?",
        ],
        false,
    ),
    op("otp.validate", &[], "submit the code of a process", &["request_id", "code"], false),
    op("user.current", &[], "who the presented secret authenticates", &[], true),
    op("token.create", &[], "create a long-lived token for the user", &["user_id", "device_key"], true),
    op("data_owner.get", &[], "read the data owner and its public keys", &["data_owner_id"], true),
    op("data_owner.add_key", &[], "publish a public key on the data owner", &["data_owner_id", "public_key"], true),
    op("data_sample.create", &[E2eData], "store an encrypted data sample", &["sample"], true),
    op("data_sample.get", &[E2eData], "read a data sample back", &["sample_id"], true),
    op("test.age_process", &[TimeTravel], "test hook: make a process older", &["request_id", "seconds"], false),
    op("test.age_token", &[TimeTravel], "test hook: make a token older", &["token", "seconds"], false),
    op(
        "data_owner.add_transfer_key",
        &[KeyRecovery],
        "publish a transfer key (new private key for holders of an old one)",
        &["data_owner_id", "from_fingerprint", "to_fingerprint", "wrapped_key", "encrypted_private_key"],
        true,
    ),
    op(
        "data_owner.stop_sharing",
        &[KeyRecovery],
        "stop sharing new data with a data owner",
        &["data_owner_id", "delegate_id"],
        true,
    ),
    op("notifications.pending", &[KeyRecovery], "the caller's pending notifications (KEY_PAIR_UPDATE)", &[], true),
    op("notifications.complete", &[KeyRecovery], "mark a notification done", &["task_id"], true),
    op(
        "data_sample.list",
        &[KeyRecovery],
        "list the data samples of a data owner the caller can read",
        &["data_owner_id"],
        true,
    ),
    op("sso.login", &[Sso], "the partner's SSO login (Email, Password)", &["email", "password"], false),
    op(
        "sso.register",
        &[Sso],
        "the partner's registration",
        &["first_name", "last_name", "email", "address", "mobile", "gender", "password"],
        false,
    ),
    op(
        "data_sample.add_key",
        &[KeyRecovery],
        "add a wrapped content key to a data sample (give access back)",
        &["sample_id", "data_owner_id", "fingerprint", "wrapped_key"],
        true,
    ),
    op("sso.reset.start", &[PasswordReset], "ask the partner for a password-reset mail (Email)", &["email"], false),
    op(
        "sso.reset.complete",
        &[ResetCompletion],
        "set a new password with the mailed link's token",
        &["link", "reset_token", "password"],
        false,
    ),
    op(
        "test.age_reset_link",
        &[ResetCompletion, TimeTravel],
        "test hook: make a reset link older",
        &["reset_token", "seconds"],
        false,
    ),
    op(
        "sso.deep_link",
        &[DeepLink],
        "the partner's deep link snapmdconnectedcare://?jwt= (Email, Password)",
        &["email", "password"],
        false,
    ),
    op(
        "sso.disable_account",
        &[AccountAdmin],
        "disable a partner account (admin endpoint or test hook)",
        &["email"],
        false,
    ),
];

pub fn operation(name: &str) -> Option<&'static OperationDef> {
    OPERATIONS.iter().find(|o| o.name == name)
}

/// The `authconform operations` listing: each operation, what it does,
/// when it is required and what its templates see.
pub fn render_operations() -> String {
    let mut out = String::new();
    for o in OPERATIONS {
        let needs = if o.needs.is_empty() {
            "always".to_string()
        } else {
            o.needs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" + ")
        };
        out.push_str(&format!("{}  ({needs})\n    {}\n", o.name, o.what));
        let mut vars: Vec<&str> = o.variables.to_vec();
        if o.credentials {
            vars.extend(CREDENTIAL_VARIABLES);
        }
        vars.extend(BASE_VARIABLES);
        out.push_str(&format!("    variables: {}\n", vars.join(", ")));
    }
    out.push_str(
        "\nEvery template also sees the profile's own `variables:`. `?`: given only when a scenario asks for it.\n",
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
                "otp.validate  (always)\n    submit the code of a process\n    variables: request_id, code, base_url\n"
            ),
            "{text}"
        );
    }
}
