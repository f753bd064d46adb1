//! Per-user records as any family signs their users in: a generic
//! "has signed in", and the lists that show a user her own records and
//! nobody else's. Storing and reading back are `data.rs`'s steps, which
//! seal the records where the target has `e2e_keys` and send the text as
//! it is where it does not.
use cucumber::{given, then, when};

use super::actors::actor;
use super::StepResult;
use crate::assertion::Assertion;
use crate::client::{self, check, ClientError};
use crate::profile::{Extra, Family};
use crate::world::AuthWorld;

/// Given Daenerys has signed in
///
/// Gets the actor a session the way the target offers one: the OTP sign-up (by e-mail, else SMS; with a key pair as `has signed up` makes one) when it has `otp` and either e2e_keys or no `password` family, else a password account (register, then sign in).
#[given(regex = r"^([^\s']+) has signed in$")]
async fn has_signed_in(w: &mut AuthWorld, name: String) -> StepResult {
    let ctx = w.ctx();
    let profile = ctx.client.target.profile();
    let has = |f: Family| profile.families.contains(&f);
    let by_email = profile.extras.contains(&Extra::Email);
    let (otp, sealed, password) = (has(Family::Otp), has(Family::E2eKeys), has(Family::Password));
    // Sealed records need the data owner and key pair only the OTP sign-up makes.
    if otp && (sealed || !password) {
        let via = if by_email { "email" } else { "SMS" };
        return super::otp::has_signed_up(w, name, via.into()).await;
    }
    if !password {
        return Err(ClientError::Expectation("the target signs nobody in: it has neither `otp` nor `password`".into()));
    }
    super::password::registers(w, name.clone()).await?;
    super::checks::accepted(w, "the registration")?;
    let pw = actor(w, &name)?.password.clone().unwrap_or_default();
    super::password::sign_in(w, &name, pw).await?;
    super::checks::accepted(w, &format!("{name}'s sign-in"))?;
    client::session(actor(w, &name)?).map(|_| ())
}

/// The ids of the samples `owner` stored in the scenario.
fn stored_ids(w: &mut AuthWorld, owner: &str) -> Result<Vec<String>, ClientError> {
    let ids: Vec<String> = actor(w, owner)?.samples.iter().map(|s| s.id.clone()).collect();
    if ids.is_empty() {
        return Err(ClientError::Expectation(format!("{owner} stored no data sample")));
    }
    Ok(ids)
}

/// Then Daenerys's list of data samples holds hers
///
/// Lists the actor's data samples (`data_sample.list`, of their own data owner where they have one) and checks every sample they stored in the scenario is there.
#[then(regex = r"^([^\s']+)'s list of data samples holds (?:hers|his|theirs)$")]
async fn own_list(w: &mut AuthWorld, name: String) -> StepResult {
    let mine = stored_ids(w, &name)?;
    let ctx = w.ctx();
    let a = actor(w, &name)?;
    let owner = a.data_owner_id.clone();
    let (ex, listed) = client::try_list_samples(&ctx.client, a, owner.as_deref()).await?;
    w.record(ex);
    super::checks::accepted(w, &format!("{name}'s list"))?;
    let listed = listed.unwrap_or_default();
    let missing = mine.iter().filter(|id| !listed.contains(id)).count();
    check(Assertion::Listed, missing == 0, || {
        format!("{missing} of the {} data sample(s) {name} stored are not in her list of {}", mine.len(), listed.len())
    })
}

/// When Cersei lists Daenerys's data samples
///
/// Asks for the second actor's data samples as the first actor, with the first actor's token (`data_sample.list`, naming the owner's data owner where there is one).
#[when(regex = r"^([^\s']+) lists ([^\s']+)'s data samples$")]
async fn list_other(w: &mut AuthWorld, reader: String, owner: String) -> StepResult {
    let ctx = w.ctx();
    let owner_id = actor(w, &owner)?.data_owner_id.clone();
    let (ex, _) = client::try_list_samples(&ctx.client, actor(w, &reader)?, owner_id.as_deref()).await?;
    w.record(ex);
    Ok(())
}

/// Then the list holds none of Daenerys's data samples
///
/// Checks the last list: refused (a declared refusal, beside an accepted list), or accepted without any sample the named actor stored.
#[then(regex = r"^the list holds none of ([^\s']+)'s data samples$")]
async fn none_of(w: &mut AuthWorld, owner: String) -> StepResult {
    let theirs = stored_ids(w, &owner)?;
    let ex = super::checks::last(w)?;
    if ex.broke() {
        return Err(super::checks::broke(w, ex, "a list or a refusal"));
    }
    if !ex.accepted {
        return super::checks::refused(w, "the list of another user's data samples");
    }
    let listed = client::listed_ids(ex);
    let leaked = theirs.iter().filter(|id| listed.contains(id)).count();
    check(Assertion::NotListed, leaked == 0, || {
        format!("the list shows {leaked} of {owner}'s data samples to another user")
    })
}
