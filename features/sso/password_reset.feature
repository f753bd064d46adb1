@sso @needs:sso_platform @needs:password_reset
Feature: Partner password reset links
  The app asks the partner to reset a password by e-mail (SnapMD wiki "Mobile SSO",
  "Password Reset"). Its shape is the partner's choice; what it must do is
  the OWASP Forgot Password cheat sheet's.

  @req:SSO-RESET-06
  Scenario: Forged Host, X-Forwarded-Host and Forwarded headers do not end up in the link
    Given Arya has a partner account
    When Arya asks the partner to reset her password through forged hosts
    Then every link Arya received points at the partner's public address
