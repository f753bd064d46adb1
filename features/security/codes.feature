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

  @req:SEC-CODE-02 @needs:email
  Scenario: After a newer code is sent, the older one is refused
    Given Catelyn has signed up by email
    When Catelyn starts signing in by email
    Then Catelyn receives a code by email
    When Catelyn asks for another sign-in code, keeping the first
    And Catelyn submits her first code to its own process
    Then the target refuses the request
    When Catelyn completes the sign-in with the code
    Then Catelyn is signed in with a token

  @req:SEC-CODE-03 @needs:email
  Scenario: A code completes only the process it was sent for
    Given Catelyn has signed up by email
    And Cersei has signed up by email
    When Catelyn starts signing in by email
    And Cersei starts signing in by email
    Then Catelyn receives a code by email
    And Cersei receives a code by email
    When Cersei submits Catelyn's code to her own process
    Then the target refuses the request
    When Cersei completes the sign-in with the code
    Then Cersei is signed in with a token

  @req:SEC-CODE-04 @needs:email
  Scenario: A code sent twice at the same moment is accepted once
    Given Brienne has started signing up by email
    When Brienne submits the code twice at once
    Then exactly one of the two was accepted
