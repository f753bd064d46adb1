@sso @needs:sso_platform
Feature: Partner password reset
  The app asks the partner to reset a password by e-mail (seed 004,
  "Password Reset"). Its shape is the partner's choice; what it must do is
  the OWASP Forgot Password cheat sheet's.

  @req:SSO-RESET-01 @needs:password_reset
  Scenario: Known and unknown e-mails get the same answer, and only the known one a mail
    Given Arya has a partner account
    When Gendry asks the partner to reset his password
    And Arya asks the partner to reset her password
    Then the partner's reset answers to Arya and Gendry were the same
    And Arya receives a password-reset link by email
    And Gendry receives no password-reset mail

  @req:SSO-RESET-04 @needs:password_reset
  Scenario: Every reset link carries a new, unguessable token
    Given Arya has a partner account
    When Arya asks the partner to reset her password
    Then Arya receives a password-reset link by email
    When Arya asks the partner to reset her password
    Then Arya receives a password-reset link by email
    And Arya's reset links carry tokens of at least 128 bits, each new

  @req:SSO-RESET-06 @needs:password_reset
  Scenario: Forged Host, X-Forwarded-Host and Forwarded headers do not end up in the link
    Given Arya has a partner account
    When Arya asks the partner to reset her password through forged hosts
    Then every link Arya received points at the partner's public address

  @req:SSO-RESET-05 @needs:password_reset
  Scenario: Asking for a reset locks nobody out
    Given Arya has a partner account
    And Arya has received a password-reset link
    When Arya signs in at the partner
    Then the partner answers with only the token fields, not to be cached

  @req:SSO-RESET-02 @needs:password_reset
  Scenario: A reset link works once, and the old password is gone after it
    Given Arya has a partner account
    And Arya has received a password-reset link
    When Arya sets a new password with the link
    Then the target accepts the request
    When Arya sets a new password with the link again
    Then the target refuses the request
    When Arya signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    When Arya signs in at the partner with her old password
    Then the target refuses the request

  @req:SSO-RESET-03 @needs:password_reset @needs:time_travel
  Scenario: A reset link expires within an hour
    Given Arya has a partner account
    And Arya has received a password-reset link
    When Arya's reset link is 61 minutes old
    And Arya sets a new password with the link
    Then the target refuses the request
    When Arya signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    When Arya asks the partner to reset her password
    Then Arya receives a password-reset link by email
    When Arya sets a new password with the link
    Then the target accepts the request
