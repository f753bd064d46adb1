//! Who takes part: named actors with unique addresses per scenario, so
//! concurrent scenarios never read each other's mail.
use cucumber::given;
use rand::Rng;

use super::StepResult;
use crate::client::ClientError;
use crate::client::{Actor, ActorKind, Channel};
use crate::world::AuthWorld;

pub fn new_actor(w: &AuthWorld, name: &str, kind: ActorKind) -> Actor {
    let domain = w.ctx().client.target.profile().defaults.mail_domain.clone();
    let tag = &uuid::Uuid::new_v4().simple().to_string()[..10];
    let digits: u32 = rand::thread_rng().gen_range(1_000_000..9_999_999);
    let (email, phone) = (format!("{}.{tag}@{domain}", name.to_lowercase()), format!("+32470{digits}"));
    Actor {
        name: name.to_string(),
        kind,
        minted: [email.clone(), phone.clone()],
        email,
        phone,
        channel: Channel::Email,
        request_id: None,
        purpose: "sign_up",
        codes: Vec::new(),
        earlier: None,
        user_id: None,
        group_id: None,
        data_owner_id: None,
        tokens: Vec::new(),
        key: None,
        extra_keys: Vec::new(),
        previous_password: None,
        reset_links: Vec::new(),
        deep_links: Vec::new(),
        sso_tokens: Vec::new(),
        samples: Vec::new(),
        master: None,
        password: None,
        device: "phone".into(),
        parked: Default::default(),
        values: Default::default(),
        born: Default::default(),
    }
}

pub fn actor<'a>(w: &'a mut AuthWorld, name: &str) -> Result<&'a mut Actor, ClientError> {
    w.actors.get_mut(name).ok_or_else(|| {
        ClientError::Expectation(format!(
            "no actor named {name} in this scenario; introduce them with `Given {name} is a new patient`"
        ))
    })
}

/// Given Daenerys is a new patient
///
/// Introduces a patient with a unique e-mail address and phone number for this scenario.
#[given(regex = r"^([^\s']+) is a new patient$")]
async fn new_patient(w: &mut AuthWorld, name: String) -> StepResult {
    let a = new_actor(w, &name, ActorKind::Patient);
    w.actors.insert(name, a);
    Ok(())
}

/// Given Samwell is a new healthcare professional
///
/// Introduces a healthcare professional with a unique e-mail address and phone number.
#[given(regex = r"^([^\s']+) is a new healthcare professional$")]
async fn new_hcp(w: &mut AuthWorld, name: String) -> StepResult {
    let a = new_actor(w, &name, ActorKind::Hcp);
    w.actors.insert(name, a);
    Ok(())
}
