@security @otp @needs:otp @needs:sessions
Feature: Token lifetimes a security reviewer tries
  A client chooses how long the token it asks for lives, up to the
  target's cap: a token asked to live longer is refused, or dies at the
  cap, never at the time the client asked for (docs/security-checklist.md §8).

  @req:SEC-TOKEN-01 @needs:token_cap @needs:email
  Scenario: A token asked to outlive the target's cap gets the cap or a refusal
    Given Daenerys has signed up by email
    Then Daenerys's token is accepted
    When Daenerys asks for a token valid for twice the target's cap
    Then Daenerys's token lives no longer than the target's cap
