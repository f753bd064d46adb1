//! Deliberate defects the reference can be started with (`--fault NAME`).
//! The fault matrix runs the suite against each one and checks that the
//! requirements claiming to catch it do fail.
use std::fmt;
use std::str::FromStr;

macro_rules! faults {
    ($($variant:ident => $name:literal : $doc:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Fault { $($variant,)* }

        impl Fault {
            pub const ALL: &'static [Fault] = &[$(Fault::$variant,)*];

            pub fn name(self) -> &'static str {
                match self { $(Fault::$variant => $name,)* }
            }

            /// One line: what the defect does.
            pub fn describe(self) -> &'static str {
                match self { $(Fault::$variant => $doc,)* }
            }
        }
    };
}

faults! {
    CaptchaIgnored => "captcha-ignored": "the start of a process accepts any captcha token",
    EmailUnchecked => "email-unchecked": "malformed e-mail addresses are accepted at start",
    PhoneUnchecked => "phone-unchecked": "malformed phone numbers are accepted at start",
    PatientWithoutMaster => "patient-without-master": "patients may register without a master HCP",
    StartEnumerates => "start-enumerates": "the start reply tells a known login from an unknown one",
    OtpShortCode => "otp-short-code": "codes have 4 digits whatever codeLength asks",
    OtpUnchecked => "otp-unchecked": "any code of the right length validates the process",
    OtpReusable => "otp-reusable": "a validated code can be validated again",
    ProcessTableFills => "process-table-fills": "finished processes are never cleaned up: starts answer 503 once 200 were made (found only under load)",
    CodeRace => "code-race": "a code is marked used only after a 20 ms write, so two submits sent together both pass",
    OtpNeverExpires => "otp-never-expires": "codes never expire",
    OtpShortLifetime => "otp-short-lifetime": "codes expire after 5 minutes instead of 10",
    OtpUnlimitedTries => "otp-unlimited-tries": "a process survives any number of wrong codes",
    HcpNeedsMaster => "hcp-needs-master": "a healthcare professional is refused without a master HCP, as a patient is",
    OtpThreeTries => "otp-three-tries": "a process dies at the third wrong code, not the fifth its gateway documents",
    SmsNotSent => "sms-not-sent": "SMS processes never send the code",
    SmtpPlaintext => "smtp-plaintext": "code mails go out in plain text even where the SMTP server offers STARTTLS",
    KeyNotPublished => "key-not-published": "publishing a public key answers 200 but stores nothing",
    TokenReissued => "token-reissued": "a new sign-in gets the user's first token again",
    TokenNeverExpires => "token-never-expires": "token validity is not enforced",
    TokenShortLifetime => "token-short-lifetime": "tokens expire after half the validity they were created with",
    TokenPrefixCheck => "token-prefix-check": "tokens are compared on their first 8 characters only (the accounts API's JWTs on their signature's)",
    PlaintextAccepted => "plaintext-accepted": "data samples with clear content are stored and returned",
    NoAccessCheck => "no-access-check": "any authenticated user can read any data sample",
    KeysDropped => "keys-dropped": "wrapped content keys are dropped when a data sample is stored",
    KeyReplaces => "key-replaces": "a new public key replaces the owner's old ones",
    NoKeyNotification => "no-key-notification": "a new key sends no KEY_PAIR_UPDATE notification",
    NotifyOwnerOnly => "notify-owner-only": "the KEY_PAIR_UPDATE notification goes to the owner only",
    StrangerGivesAccess => "stranger-gives-access": "anyone may add wrapped keys to any data sample",
    TransferKeysIgnored => "transfer-keys-ignored": "transfer keys are accepted but not stored",
    StopSharingIgnored => "stop-sharing-ignored": "stopping sharing with a data owner changes nothing",
    NoAutoShare => "no-auto-share": "new data is not delegated to the data owners the author shares with",
    SsoAnyPassword => "sso-any-password": "SSO login accepts any password for a known e-mail",
    SsoUnknownEmailDistinct => "sso-unknown-email-distinct": "SSO login answers an unknown e-mail differently from a wrong password",
    JwtHs256 => "jwt-hs256": "the partner signs its JWT with HS256, the public key as secret",
    JwtNoJti => "jwt-no-jti": "the partner's JWT has no jti",
    JwtWrongAud => "jwt-wrong-aud": "the partner's JWT names another audience",
    JwtLongExp => "jwt-long-exp": "the partner's JWT lives an hour",
    SsoNullToken => "sso-null-token": "a platform failure reaches the app as 200 with a null token",
    PlatformNoApiKey => "platform-no-api-key": "the partner calls the platform without X-Api-Key",
    SsoRegistrationUnvalidated => "sso-registration-unvalidated": "registration passes any field values on to the platform",
    SsoRegisterEnumerates => "sso-register-enumerates": "registration answers 409 for a taken e-mail",
    SsoRoleFromRequest => "sso-role-from-request": "registration keeps the Role the client sent, and the JWT carries it",
    SsoDuplicatePatient => "sso-duplicate-patient": "registration creates the platform patient without looking for an existing one",
    SsoDisabledDistinct => "sso-disabled-distinct": "SSO login tells a disabled account apart (403 account_disabled)",
    SsoResetEnumerates => "sso-reset-enumerates": "password reset answers 404 for an unknown e-mail",
    SsoResetLinkReusable => "sso-reset-link-reusable": "a reset link can be used more than once",
    SsoResetLinkNeverExpires => "sso-reset-link-never-expires": "a reset link works however old it is",
    SsoResetWeakToken => "sso-reset-weak-token": "the reset link carries a 6-digit token",
    SsoResetClearsPassword => "sso-reset-clears-password": "asking for a reset disables the current password before the reset completes",
    SsoResetKeepsOldPassword => "sso-reset-keeps-old-password": "the old password still works after a completed reset",
    SsoResetLinkFromHost => "sso-reset-link-from-host": "the reset link is built from the request's Host header",
    SsoDeepLinkReusedJwt => "sso-deeplink-reused-jwt": "the deep link hands out the same JWT again",
    SsoCommonPasswordAccepted => "sso-common-password-accepted": "registration accepts passwords from the common-password list",
    KeyEntriesCopied => "key-entries-copied": "on a new key, the server copies every wrapped key of the owner to the new fingerprint",
    JwtRemoteKey => "jwt-remote-key": "the partner's JWT header names a jku the platform could fetch a key from",
    JwtWrongIss => "jwt-wrong-iss": "the partner's JWT names its host as issuer, not its registered issuer",
    JwtExpired => "jwt-expired": "the partner's JWT was built for a window that has already ended",
    JwtFutureIat => "jwt-future-iat": "the partner's JWT is issued a minute in the future",
    JwtFutureNbf => "jwt-future-nbf": "the partner's JWT is not valid before a minute from now",
    JwtStringDates => "jwt-string-dates": "the partner's JWT carries iat and exp as strings",
    JwtStaffRole => "jwt-staff-role": "the partner's JWT gives patients the role provider",
    JwtPasswordHash => "jwt-password-hash": "the partner's JWT carries the user's password hash",
    JwtOtherUser => "jwt-other-user": "the partner builds every JWT for a hard-coded test account, not the user who signed in",
    PlatformKeysOnRetry => "platform-keys-on-retry": "the partner looks patients up without its keys first, and retries with them when refused",
    AdminTokenPatientFirst => "admin-token-patient-first": "the partner asks for its admin token as userTypeId 1 first, then 2",
    SsoPlatformTextLeaks => "sso-platform-text-leaks": "a platform failure reaches the app with the platform's own message",
    SsoTokenRenamed => "sso-token-renamed": "the login reply names the token `token`, not `access_token`",
    SsoLoginLeaksProfile => "sso-login-leaks-profile": "the login reply carries the user's e-mail and name beside the token",
    SsoLoginCacheable => "sso-login-cacheable": "the login reply carries no Cache-Control: no-store",
    SsoOwnToken => "sso-own-token": "the partner hands the app a token of its own, not the platform's",
    SsoFieldErrorsGeneric => "sso-field-errors-generic": "a refused registration names no field",
    MasterForNewOnly => "master-for-new-only": "only an unknown patient login is refused without a master HCP, which tells known logins apart",
    TokenAnyUser => "token-any-user": "a token is looked up among every user's tokens, not the login's own",
    CaptchaCheckedAfterSend => "captcha-checked-after-send": "the code is sent before the captcha is checked, so a refused start still mails it",
    TokensRevokedOnWrite => "tokens-revoked-on-write": "storing a data sample revokes the author's tokens",
    CurrentUserOwnerId => "current-user-owner-id": "authenticated by token, the current user is answered with the data owner's id as its id",
    CiphertextCorrupted => "ciphertext-corrupted": "a data sample's encrypted content comes back with one character changed",
    UnreadableHidden => "unreadable-hidden": "a data sample with no wrapped key for the caller's newest public key is answered 404",
    SsoDeepLinkOnce => "sso-deeplink-once": "a second deep-link request for an account is refused while the first link is unused",
    ListFirstPageOnly => "list-first-page-only": "the data sample list answers only the newest sample",
    SsoResetMailsUnknown => "sso-reset-mails-unknown": "a reset for an unknown e-mail mails a link anyway",
    SsoResetMailsOnce => "sso-reset-mails-once": "while a reset link is pending, a new request mails nothing",
    SsoResetTokenRepeated => "sso-reset-token-repeated": "a new reset request mails the pending link's token again",
    RegisterIgnored => "register-ignored": "the accounts API answers a registration 201 but stores nothing",
    LoginAnyPassword => "login-any-password": "the accounts API's login accepts any password for a known e-mail",
    LoginEnumerates => "login-enumerates": "the accounts API's login answers an unknown e-mail 404, a wrong password 400",
    LogoutKeepsToken => "logout-keeps-token": "signing out answers 204 but the session token still works",
    ResetAnyToken => "reset-any-token": "a reset token the accounts API never issued is answered 204 (and changes nothing)",
    ResetKeepsSessions => "reset-keeps-sessions": "a completed password reset leaves the account's sessions open",
    ChangeIgnored => "change-ignored": "a password change answers 204 but keeps the old password",
    ChangeKeepsSessions => "change-keeps-sessions": "a password change leaves the account's other sessions open",
    SsoResetTokenAnyAccount => "sso-reset-token-any-account": "the partner's valid reset link resets whichever account the completion names",
    ResetTokenAnyAccount => "reset-token-any-account": "a valid reset token resets whichever account the completion names",
    RecordsAnyReader => "records-any-reader": "any signed-in user of the accounts API reads any record by its id",
    RecordsListAll => "records-list-all": "the accounts API's record list holds every user's records",
    RecordsTruncated => "records-truncated": "the accounts API keeps the first 16 characters of a record's text",
    ListNoAccessCheck => "list-no-access-check": "the data sample list of an owner holds its samples whoever asks",
    CodeOutlivesToken => "code-outlives-token": "a validated code still authenticates after the token was issued with it, for the rest of its lifetime",
    ForeignKeyAccepted => "foreign-key-accepted": "any signed-in user may add a public key to any data owner (end-to-end key injection)",
    ForeignSharingChange => "foreign-sharing-change": "stopping a data owner's sharing takes effect before the caller is checked: another user's request is refused, yet applied",
    TokenForAnyUser => "token-for-any-user": "a signed-in user may create a token for any user id",
    ForeignTransferKey => "foreign-transfer-key": "anyone signed in may add a transfer key to any data owner",
    ForeignTaskComplete => "foreign-task-complete": "anyone signed in may complete any notification, whoever it was for",
    TokenCapIgnored => "token-cap-ignored": "a token lives as long as its client asks, beyond the ten-year cap",
    GuessesPerProcessOnly => "guesses-per-process-only": "wrong codes are capped per process only: each new process gives a guesser five fresh tries",
    StartsUnthrottled => "starts-unthrottled": "any number of processes may be started for one login, each sending a message",
    OlderCodeValid => "older-code-valid": "a process's code still validates after a newer process was started for the same login",
    CodeAnyProcess => "code-any-process": "a code validates any process, as long as some live process was sent it",
    PasswordsUnthrottled => "passwords-unthrottled": "wrong passwords are answered at once however many come",
    LoginSkipsHash => "login-skips-hash": "a sign-in for an unknown e-mail is refused at once, without the password hash a known account costs",
    ResetMailSynchronous => "reset-mail-synchronous": "a reset request for a known account waits for its mail to be sent before answering",
    PasswordLockout => "password-lockout": "after too many wrong passwords the account is locked for an hour, its owner with it",
    ErrorsVerbose => "errors-verbose": "a refused malformed e-mail (gateway) and a refused sign-in (accounts API) carry a debug trace naming the source line",
    PasswordTruncated => "password-truncated": "the accounts API hashes only the first 72 bytes of a password, as bcrypt does silently",
    PasswordAsciiOnly => "password-ascii-only": "the accounts API refuses passwords with characters outside ASCII",
    JwtSignatureUnchecked => "jwt-signature-unchecked": "the accounts API reads a session token's claims without checking its signature",
    JwtAlgNone => "jwt-alg-none": "the accounts API takes a session token whose header says alg none, in any case, without a signature",
    JwtSignatureOptional => "jwt-signature-optional": "the accounts API takes a session token with an empty signature as unsigned and valid",
    JwtAlgConfusion => "jwt-alg-confusion": "the accounts API verifies session tokens with the algorithm their header names: HS256 with its RSA public key's PEM as the secret",
    JwtEmbeddedKey => "jwt-embedded-key": "the accounts API verifies a session token with the jwk its own header embeds",
    JwtJkuFetched => "jwt-jku-fetched": "the accounts API fetches the jku a session token's header names (then refuses the key, not its own): a request to wherever a token points",
    JwtKidPath => "jwt-kid-path": "the accounts API reads an HS256 session token's kid as a key file path (../../dev/null: an empty secret)",
    RegisterOverwrites => "register-overwrites": "registering a taken e-mail with the accounts API replaces that account's password",
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Fault::ALL.iter().copied().find(|f| f.name() == s).ok_or_else(|| {
            let names: Vec<_> = Fault::ALL.iter().map(|f| f.name()).collect();
            format!("unknown fault `{s}`; known: {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for f in Fault::ALL {
            assert_eq!(f.name().parse::<Fault>().unwrap(), *f);
            assert!(seen.insert(f.name()));
        }
        assert!("nope".parse::<Fault>().unwrap_err().contains("known:"));
    }
}
