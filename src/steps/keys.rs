//! Key loss, new devices and giving access back (issue: key recovery).
use cucumber::{given, then, when};

use super::actors::{actor, new_actor};
use super::data::{expect_decrypts, read_as, sample_id};
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::check;
use crate::client::ActorKind;
use crate::client::{self, ClientError};
use crate::crypto::EnvelopeError;
use crate::world::AuthWorld;

/// Given Samwell has signed up by email as a healthcare professional
///
/// Signs a healthcare professional up by code and key pair, ready to be a master HCP.
#[given(regex = r"^([^\s']+) has signed up by (email|SMS) as a healthcare professional$")]
async fn hcp_signed_up(w: &mut AuthWorld, name: String, via: String) -> StepResult {
    let a = new_actor(w, &name, ActorKind::Hcp);
    w.actors.insert(name.clone(), a);
    super::otp::has_signed_up(w, name, via).await
}

/// Given Daenerys has signed up by email under Samwell
///
/// Signs a patient up under the given healthcare professional as master HCP.
#[given(regex = r"^([^\s']+) has signed up by (email|SMS) under ([^\s']+)$")]
async fn signed_up_under(w: &mut AuthWorld, name: String, via: String, master: String) -> StepResult {
    let master_id = actor(w, &master)?
        .data_owner_id
        .clone()
        .ok_or_else(|| ClientError::Expectation(format!("{master} has not signed up")))?;
    let mut a = new_actor(w, &name, ActorKind::Patient);
    a.master = Some(master_id);
    w.actors.insert(name.clone(), a);
    super::otp::has_signed_up(w, name, via).await
}

/// When Daenerys loses her key pair
///
/// Forgets the actor's key pair on every device (a lost phone, a wiped browser).
#[when(regex = r"^([^\s']+) loses (?:her|his|their) key pair$")]
async fn loses_key(w: &mut AuthWorld, name: String) -> StepResult {
    actor(w, &name)?.lose_device_storage();
    Ok(())
}

/// When Daenerys signs in again by email with a new key pair
///
/// Signs in by a new code with a freshly generated key pair, on the current device or a named one, and publishes the new key.
///
/// When Daenerys signs in on her tablet with a new key pair
#[when(regex = r"^([^\s']+) signs in (?:again|on (?:her|his|their) ([^\s']+)) by (email|SMS) with a new key pair$")]
async fn sign_in_new_key(w: &mut AuthWorld, name: String, device: String, via: String) -> StepResult {
    if !device.is_empty() {
        actor(w, &name)?.switch_device(&device);
    }
    super::otp::signs_up_with_a_new_key(w, name.clone(), via).await?;
    // The SDK's new-key flow: publish transfer keys for the owner's other keys.
    let ctx = w.ctx();
    for ex in client::publish_transfer_keys(&ctx.client, actor(w, &name)?).await? {
        w.record(ex);
    }
    Ok(())
}

/// Then Daenerys's data owner has 2 public keys
///
/// Counts the public keys on the actor's data owner.
#[then(regex = r"^([^\s']+)'s data owner has (\d+) public keys?$")]
async fn key_count(w: &mut AuthWorld, name: String, n: usize) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let id = a.data_owner_id.clone().unwrap_or_default();
    let view = client::owner_view(&ctx.client, a, &id).await?;
    let count = view.public_keys.len();
    let mine = a.key.as_ref().map(|k| k.public_hex().to_string()).unwrap_or_default();
    let has_mine = view.public_keys.contains(&mine);
    w.record(view.exchange);
    check(Assertion::KeyCount, count == n, || {
        format!("{name}'s data owner lists {count} public key(s), expected {n}")
    })?;
    check(Assertion::KeyCount, has_mine, || format!("{name}'s current key is not among them"))
}

/// Then Daenerys still sees 2 data samples
///
/// Counts the data samples the actor can list.
#[then(regex = r"^([^\s']+) still sees (\d+) data samples?$")]
async fn sees_samples(w: &mut AuthWorld, name: String, n: usize) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let id = a.data_owner_id.clone().unwrap_or_default();
    let (ex, ids) = client::list_samples(&ctx.client, a, &id).await?;
    w.record(ex);
    check(Assertion::SampleCount, ids.len() == n, || format!("{name} sees {} data sample(s), expected {n}", ids.len()))
}

/// Then Daenerys cannot decrypt the data sample "Before the loss"
///
/// Checks that none of the actor's keys opens the data sample.
#[then(regex = r#"^([^\s']+) cannot decrypt (?:([^\s']+)'s|the) data sample "([^"]*)"$"#)]
async fn cannot_decrypt(w: &mut AuthWorld, reader: String, owner: String, text: String) -> StepResult {
    let owner = if owner.is_empty() { reader.clone() } else { owner };
    let id = sample_id(w, &owner, &text)?;
    match read_as(w, &reader, &id).await? {
        Err(refusal) => {
            Err(Assertion::StillListed.fail(format!("the sample is no longer readable for {reader}: {refusal}")))
        }
        Ok(Err(ClientError::Envelope(EnvelopeError::NoKeyForRecord { .. }))) => Ok(()),
        Ok(Err(other)) => {
            Err(Assertion::Undecryptable.fail(format!("expected \"no key for this record\", got: {other}")))
        }
        Ok(Ok(_)) => Err(Assertion::Undecryptable.fail(format!("{reader} could decrypt the sample"))),
    }
}

/// Then Daenerys decrypts the data sample "Before the loss"
///
/// Checks that the actor decrypts the data sample (their own, or another actor's) to the given text.
#[then(regex = r#"^([^\s']+) decrypts (?:([^\s']+)'s|the) data sample "([^"]*)"$"#)]
async fn decrypts(w: &mut AuthWorld, reader: String, owner: String, text: String) -> StepResult {
    let owner = if owner.is_empty() { reader.clone() } else { owner };
    let id = sample_id(w, &owner, &text)?;
    expect_decrypts(w, &reader, &id, &text).await
}

/// Then Samwell has a pending key pair update naming Daenerys's new key
///
/// Checks the actor's pending notifications for a KEY_PAIR_UPDATE naming the other actor's newest key.
#[then(regex = r"^([^\s']+) has a pending key pair update naming ([^\s']+)'s new key$")]
async fn pending_update(w: &mut AuthWorld, delegate: String, owner: String) -> StepResult {
    let ctx = w.ctx();
    let o = actor(w, &owner)?;
    let (owner_id, new_key) = (
        o.data_owner_id.clone().unwrap_or_default(),
        o.key.as_ref().map(|k| k.public_hex().to_string()).unwrap_or_default(),
    );
    let (ex, list) = client::pending_notifications(&ctx.client, actor(w, &delegate)?).await?;
    w.record(ex);
    let found =
        list.iter().any(|n| n.kind == "KEY_PAIR_UPDATE" && n.concerned_id == owner_id && n.concerned_key == new_key);
    check(Assertion::Notified, found, || {
        format!(
            "{delegate} has {} pending notification(s), none a KEY_PAIR_UPDATE naming {owner}'s new key",
            list.len()
        )
    })
}

/// Then Jon gets no key pair update about himself
///
/// Checks that no KEY_PAIR_UPDATE notification names the actor's own keys.
#[then(regex = r"^([^\s']+) gets no key pair update about (?:herself|himself|themselves)$")]
async fn no_self_update(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let id = a.data_owner_id.clone().unwrap_or_default();
    let (ex, list) = client::pending_notifications(&ctx.client, a).await?;
    w.record(ex);
    check(Assertion::NotSelfNotified, !list.iter().any(|n| n.concerned_id == id), || {
        format!("{name} was notified about their own new key")
    })
}

/// When Samwell gives Daenerys access back
///
/// Wraps the content key of the other actor's data samples for their new key (giving access back).
#[when(regex = r"^([^\s']+) gives ([^\s']+) access back$")]
async fn give_back(w: &mut AuthWorld, delegate: String, owner: String) -> StepResult {
    let ctx = w.ctx();
    let owner_id = actor(w, &owner)?.data_owner_id.clone().unwrap_or_default();
    let d = actor(w, &delegate)?.clone();
    let (ex, list) = client::pending_notifications(&ctx.client, &d).await?;
    w.record(ex);
    let mine: Vec<_> = list.into_iter().filter(|n| n.kind == "KEY_PAIR_UPDATE" && n.concerned_id == owner_id).collect();
    check(Assertion::PendingUpdate, !mine.is_empty(), || {
        format!("{delegate} has no pending KEY_PAIR_UPDATE for {owner}")
    })?;
    for n in mine {
        let (log, given) = client::give_access_back(&ctx.client, &d, &owner_id, &n.concerned_key).await?;
        log.into_iter().for_each(|ex| {
            w.record(ex);
        });
        check(Assertion::GivesBack, given > 0, || format!("{delegate} found nothing of {owner}'s to give back"))?;
        w.record(client::complete_notification(&ctx.client, &d, &n.id).await?);
    }
    Ok(())
}

/// When Cersei tries to give Daenerys access back to "Before the loss"
///
/// Tries to add a wrapped key to another actor's data sample without being its owner or delegate.
#[when(regex = r#"^([^\s']+) tries to give ([^\s']+) access back to "([^"]*)"$"#)]
async fn stranger_gives(w: &mut AuthWorld, stranger: String, owner: String, text: String) -> StepResult {
    let ctx = w.ctx();
    let id = sample_id(w, &owner, &text)?;
    let o = actor(w, &owner)?;
    let owner_id = o.data_owner_id.clone().unwrap_or_default();
    let new_key = o
        .key
        .as_ref()
        .map(|k| k.public_hex().to_string())
        .ok_or_else(|| ClientError::Expectation(format!("{owner} has no key")))?;
    // The stranger cannot unwrap anything; it wraps a key of its own choosing.
    let bogus = crate::crypto::encrypt_for_hex(&new_key, Default::default(), &crate::crypto::new_aes_key())?;
    let mut vars = actor(w, &stranger)?.context();
    vars.insert("sample_id".into(), id.into());
    vars.insert("data_owner_id".into(), owner_id.into());
    vars.insert("fingerprint".into(), crate::crypto::fingerprint_of(&new_key).into());
    vars.insert("wrapped_key".into(), hex::encode(bogus).into());
    let creds = client::session(actor(w, &stranger)?)?;
    let ex = ctx.client.target.call("data_sample.add_key", &vars, Some(&creds)).await?;
    w.record(ex);
    Ok(())
}

/// Then the data sample "Only mine" of Jon is lost for good: nobody holds a key for it
///
/// Checks that no key held by anyone in the scenario opens the data sample.
#[then(regex = r#"^the data sample "([^"]*)" of ([^\s']+) is lost for good: nobody holds a key for it$"#)]
async fn lost_for_good(w: &mut AuthWorld, text: String, owner: String) -> StepResult {
    let ctx = w.ctx();
    let id = sample_id(w, &owner, &text)?;
    let (ex, envelope) = client::fetch_sample(&ctx.client, actor(w, &owner)?, &id).await?;
    w.record(ex);
    let envelope =
        envelope.ok_or_else(|| ClientError::Expectation(format!("{owner} can no longer list the sample")))?;
    let held: Vec<String> = w
        .actors
        .values()
        .flat_map(|a| a.keyring().into_iter().map(|k| k.fingerprint().to_string()).collect::<Vec<_>>())
        .collect();
    let openable = envelope.encryption_keys.values().flat_map(|m| m.keys()).filter(|fp| held.contains(fp)).count();
    check(Assertion::Revoked, openable == 0, || {
        format!("{openable} wrapped key(s) of the sample open with a key someone still holds")
    })
}
