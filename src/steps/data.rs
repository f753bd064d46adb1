//! Per-user data: store, read back, keep other users out; sealed end to
//! end where the target has `e2e_keys` (then clear content is refused and
//! nothing travels in clear), plain text otherwise.
use cucumber::{given, then, when};
use serde_json::json;

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::{self, ClientError};
use crate::world::AuthWorld;

/// Given Daenerys has stored the data sample "Hello world"
/// When Daenerys stores the data sample "Hello world"
///
/// Encrypts the text client-side (AES-256-GCM, key wrapped with RSA-OAEP for every reader) and stores it as a data sample; a target without e2e_keys gets the text as it is (`sample.text`).
#[given(regex = r#"^([^\s']+) has stored the data sample "([^"]*)"$"#)]
#[when(regex = r#"^([^\s']+) stores the data sample "([^"]*)"$"#)]
async fn store(w: &mut AuthWorld, name: String, text: String) -> StepResult {
    let ctx = w.ctx();
    let log = client::store_sample(&ctx.client, actor(w, &name)?, &text).await?;
    for ex in log {
        w.record(ex);
    }
    Ok(())
}

/// The id of the sample `owner` stored with plaintext `text`.
pub(super) fn sample_id(w: &mut AuthWorld, owner: &str, text: &str) -> Result<String, ClientError> {
    actor(w, owner)?
        .samples
        .iter()
        .find(|s| s.plaintext == text)
        .map(|s| s.id.clone())
        .ok_or_else(|| ClientError::Expectation(format!("{owner} stored no data sample {text:?}")))
}

/// Reads sample `id` as `reader` (recording the exchange); the plaintext when
/// the read was accepted, or a description of the refusal.
pub(super) async fn read_as(
    w: &mut AuthWorld,
    reader: &str,
    id: &str,
) -> Result<Result<Result<String, ClientError>, String>, ClientError> {
    let ctx = w.ctx();
    let (ex, plain) = client::read_sample(&ctx.client, actor(w, reader)?, id).await?;
    let summary = ex.summary(&ctx.client.redactor);
    w.record(ex);
    Ok(plain.ok_or(summary))
}

/// Reads sample `id` as `reader` and requires it to decrypt (or, a plain
/// record, to read back) to `text`.
pub(super) async fn expect_decrypts(w: &mut AuthWorld, reader: &str, id: &str, text: &str) -> StepResult {
    let sealed = client::sealed(&w.ctx().client);
    let (assertion, verb) = if sealed { (Assertion::Decrypts, "decrypt") } else { (Assertion::ReadsBack, "read") };
    let named = |message: String| assertion.fail(message);
    let plain = read_as(w, reader, id)
        .await?
        .map_err(|refusal| named(format!("{reader} may not read the sample: {refusal}")))?;
    // A record that does not open (GCM refuses a changed byte) is the verdict, not a harness error.
    let plain = plain.map_err(|e| named(format!("{reader} could not {verb} the sample: {e}")))?;
    let what = if sealed { "decrypted to" } else { "reads back as" };
    check(assertion, plain == text, || format!("the sample {what} {plain:?}, expected {text:?}"))
}

/// Then Daenerys reads the data sample back as "Hello world"
///
/// Fetches the actor's last data sample and decrypts it with the keys the actor's device holds (a target without e2e_keys: compares the text it reads back).
#[then(regex = r#"^([^\s']+) reads the data sample back as "([^"]*)"$"#)]
async fn read_back(w: &mut AuthWorld, name: String, text: String) -> StepResult {
    let id = actor(w, &name)?
        .samples
        .last()
        .map(|s| s.id.clone())
        .ok_or_else(|| ClientError::Expectation(format!("{name} stored no data sample")))?;
    expect_decrypts(w, &name, &id, &text).await
}

/// When Cersei tries to read Daenerys's data sample
///
/// Makes the first actor ask for the second actor's data sample with their own token.
#[when(regex = r"^([^\s']+) tries to read ([^\s']+)'s data sample$")]
async fn read_other(w: &mut AuthWorld, reader: String, owner: String) -> StepResult {
    let ctx = w.ctx();
    let id = actor(w, &owner)?
        .samples
        .last()
        .map(|s| s.id.clone())
        .ok_or_else(|| ClientError::Expectation(format!("{owner} stored no data sample")))?;
    let (ex, _) = client::read_sample(&ctx.client, actor(w, &reader)?, &id).await?;
    w.record(ex);
    Ok(())
}

/// When Daenerys tries to store the data sample "Hello world" in clear
///
/// Tries to store a data sample whose content is plain text, not encrypted, and checks the request really carried it.
///
/// The attack is the harness's: the clear content goes in `sample`, and the
/// recorded request must show it. A profile whose body template leaves it
/// out would make the refusal prove nothing, so that is a profile error.
#[when(regex = r#"^([^\s']+) tries to store the data sample "([^"]*)" in clear$"#)]
async fn store_clear(w: &mut AuthWorld, name: String, text: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let creds = client::session(a)?;
    let mut vars = a.context();
    vars.insert(
        "sample".into(),
        json!({"id": uuid::Uuid::new_v4().to_string(), "content": {"en": {"stringValue": text}}}),
    );
    let ex = ctx.client.target.call("data_sample.create", &vars, Some(&creds)).await?;
    let sent = ex.request_body.as_deref().is_some_and(|b| b.contains(&text));
    w.record(ex);
    super::checks::attack_sent(sent, "data_sample.create", "the clear content (`sample.content`)")
}

/// Then the data sample "Hello world" travelled and rests only as ciphertext
///
/// Checks that no request or reply of the scenario carried the plaintext, and that the stored record opens with the owner's key, and not once a byte of it is changed.
#[then(regex = r#"^the data sample "([^"]*)" travelled and rests only as ciphertext$"#)]
async fn only_ciphertext(w: &mut AuthWorld, text: String) -> StepResult {
    let owner = w.actors.values().find(|a| a.samples.iter().any(|s| s.plaintext == text)).map(|a| a.name.clone());
    let owner = owner.ok_or_else(|| ClientError::Expectation(format!("nobody in the scenario stored {text:?}")))?;
    let id = sample_id(w, &owner, &text)?;
    let sent: Vec<String> = w
        .exchanges
        .iter()
        .filter(|e| e.url.contains(&text) || e.request_body.as_deref().is_some_and(|b| b.contains(&text)))
        .map(|e| e.operation.clone())
        .collect();
    check(Assertion::NoPlaintext, sent.is_empty(), || {
        format!("the plaintext went out in the request of: {}", sent.join(", "))
    })?;
    let ctx = w.ctx();
    let (ex, envelope) = client::fetch_sample(&ctx.client, actor(w, &owner)?, &id).await?;
    let summary = ex.summary(&ctx.client.redactor);
    let echoed = ex.response_body.contains(&text);
    w.record(ex);
    check(Assertion::NoPlaintext, !echoed, || format!("the stored sample comes back with its plaintext: {summary}"))?;
    let named = |message: String| Assertion::Decrypts.fail(message);
    let envelope = envelope.ok_or_else(|| named(format!("{owner} may not read the sample: {summary}")))?;
    let a = actor(w, &owner)?;
    let plain = crate::crypto::open(&envelope, &a.keyring())
        .map_err(|e| named(format!("{owner} could not decrypt the sample: {e}")))?;
    check(Assertion::Decrypts, plain == text.as_bytes(), || "the sample decrypted to another text".into())?;
    // The harness's own guarantees, which make the verdicts above mean
    // something: the record is authenticated ciphertext, bound to its readers.
    let mut tampered = envelope.clone();
    tampered.encrypted_self = crate::crypto::tamper_blob(&envelope.encrypted_self).unwrap_or_default();
    if crate::crypto::open(&tampered, &a.keyring()).is_ok() {
        return Err(ClientError::Expectation(
            "a changed byte still opened: the stored content is not authenticated ciphertext".into(),
        ));
    }
    Ok(())
}

/// Then no reply from the target contained "Hello world"
///
/// Checks that no HTTP reply of the scenario carried the given plaintext.
#[then(regex = r#"^no reply from the target contained "([^"]*)"$"#)]
async fn never_plaintext(w: &mut AuthWorld, text: String) -> StepResult {
    let hits: Vec<String> = w
        .exchanges
        .iter()
        .filter(|e| e.response_body.contains(&text))
        .map(|e| format!("{} {}", e.operation, e.status))
        .collect();
    check(Assertion::NoPlaintext, !w.exchanges.is_empty(), || "no exchange was made, so nothing was checked".into())?;
    check(Assertion::NoPlaintext, hits.is_empty(), || {
        format!("the target returned the plaintext in: {}", hits.join(", "))
    })
}
