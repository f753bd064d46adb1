@reset @needs:password_reset
Feature: Password reset
  A user who forgot her password asks for a reset by e-mail and sets a new
  one with the mailed link or token (SnapMD wiki "Mobile SSO", "Password Reset"). Its shape
  is the target's choice; what it must do is the OWASP Forgot Password cheat
  sheet's. The accounts are the target's own (`password` family) or a
  partner's (`sso_platform`).

  @req:RESET-01
  Scenario: Known and unknown e-mails get the same answer, and only the known one a mail
    Given Arya has an account
    When Gendry asks to reset his password
    And Arya asks to reset her password
    Then the reset answers to Arya and Gendry were the same
    And Arya receives a password-reset link by email
    And Gendry receives no password-reset mail

  @req:RESET-04
  Scenario: A reset token cannot be guessed
    Given Arya has an account
    When Arya asks to reset her password
    Then Arya receives a password-reset link by email
    And Arya's reset links carry tokens of at least 128 bits

  @req:RESET-09
  Scenario: Every reset request mails a new token
    Given Arya has an account
    When Arya asks to reset her password
    Then Arya receives a password-reset link by email
    When Arya asks to reset her password
    Then Arya receives a password-reset link by email
    And Arya's reset links carry a new token each

  @req:RESET-05
  Scenario: Asking for a reset locks nobody out
    Given Arya has an account
    And Arya has received a password-reset link
    When Arya signs in with her password
    Then Arya is signed in

  @req:RESET-02
  Scenario: A reset link works once, and the old password is gone after it
    Given Arya has an account
    And Arya has received a password-reset link
    When Arya sets a new password with the link
    Then the target accepts the request
    When Arya sets a new password with the link again
    Then the target refuses the request
    When Arya signs in with her password
    Then Arya is signed in
    When Arya signs in with her old password
    Then the target refuses the request

  @req:RESET-07
  Scenario: A reset token the target never issued is refused
    Given Arya has an account
    And Arya has received a password-reset link
    When Arya sets a new password with a made-up token
    Then the target refuses the request
    When Arya sets a new password with the link
    Then the target accepts the request
    When Arya signs in with her password
    Then Arya is signed in

  @req:RESET-03 @needs:reset_lifetime
  Scenario: A reset link expires at the end of its lifetime
    Given Arya has an account
    And Arya has received a password-reset link
    When Arya's reset link is just past its lifetime
    And Arya sets a new password with the link
    Then the target refuses the request
    When Arya signs in with her password
    Then Arya is signed in
    When Arya asks to reset her password
    Then Arya receives a password-reset link by email
    When Arya sets a new password with the link
    Then the target accepts the request

  @req:RESET-08 @needs:password @needs:sessions
  Scenario: Sessions opened before a reset end with it
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    Given Arya has received a password-reset link
    When Arya sets a new password with the link
    Then the target accepts the request
    And Arya's token is refused

  @req:RESET-10 @needs:reset_names_account
  Scenario: A reset token works only for the account it was mailed for
    Given Arya has an account
    And Gendry has an account
    And Gendry has received a password-reset link
    When Gendry sets a new password for Arya with his link
    Then the target refuses the request
    When Arya signs in with her password
    Then Arya is signed in
    When Gendry sets a new password with the link
    Then the target accepts the request
