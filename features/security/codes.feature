@security @otp @needs:otp @needs:sessions
Feature: One-time codes a security reviewer tries
  A one-time code opens one door once: after the token it was exchanged
  for is issued, it authenticates nothing (docs/security-checklist.md §3).

  @req:SEC-CODE-01 @needs:email
  Scenario: Once the token is issued, the one-time code authenticates nothing
    Given Daenerys has signed up by email
    Then Daenerys's token is accepted
    When Daenerys presents her one-time code as her credential
    Then the target refuses the request
