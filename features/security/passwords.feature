@security @password @needs:password
Feature: Passwords a security reviewer tries
  Long passwords in any script are accepted and compared whole, and an
  e-mail that is taken cannot be registered again over its account
  (docs/security-checklist.md §2).

  @req:SEC-PWD-01
  Scenario: A 64-character password in several scripts is accepted and signs in
    When Arya registers with a long password in several scripts
    Then the target accepts the request
    When Arya signs in with her password
    Then Arya is signed in

  @req:SEC-PWD-02
  Scenario: A long password is compared whole, never cut short
    Given Arya has an account with a long password in several scripts
    When Arya signs in with her password
    Then Arya is signed in
    When Arya signs in with her password with its last character changed
    Then the target refuses the request
    When Arya signs in with the first half of her password
    Then the target refuses the request

  @req:SEC-REG-01
  Scenario: Registering a taken e-mail again changes nothing of its account
    Given Arya has an account
    When Mallory registers with Arya's e-mail and a password of his own
    Then the target does not break
    When Arya signs in with her password
    Then Arya is signed in
    When Mallory signs in with his password
    Then the target refuses the request
