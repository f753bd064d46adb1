@security @timing @needs:password
Feature: Answer times that tell who has an account
  An attacker who cannot read the answer can still time it: a sign-in that
  hashes the password only for known accounts, or a reset request that
  sends its mail before answering, tells which e-mails have an account.
  Answers for known accounts and unknown e-mails are timed in interleaved
  pairs (the profile's `timing.samples`, 30 each) and compared with a rank
  test; a difference is flagged when it is significant (p below
  `timing.alpha`, 0.01) and larger than `timing.threshold` (5 ms)
  (docs/security-checklist.md §10).

  @req:SEC-TIME-01
  Scenario: Signing in takes as long for an unknown e-mail as for a known account
    When sign-in answers are timed for known and unknown e-mails
    Then the answer times tell no account state

  @req:SEC-TIME-02 @needs:password_reset
  Scenario: Asking for a reset takes as long for an unknown e-mail as for a known account
    When reset request answers are timed for known and unknown e-mails
    Then the answer times tell no account state
