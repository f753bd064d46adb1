@security
Feature: Error replies a security reviewer provokes
  Hostile input gets a plain refusal: no stack trace, SQL error, source path
  or framework debug page (docs/security-checklist.md §7). Every error reply
  of every other scenario is scanned against the same patterns when the run
  records it (README, "Error hygiene").

  @req:SEC-ERR-01 @otp @needs:otp @needs:email
  Scenario: A hostile address at the start of a sign-up gets a clean refusal
    Given Daenerys is a new patient
    When Daenerys starts signing up by email
    Then the target accepts the request
    When Daenerys starts signing up with the address "daenerys'--<script>@@example"
    Then the target refuses the request
    And no error reply of the scenario shows internals

  @req:SEC-ERR-01 @password @needs:password
  Scenario: A hostile e-mail at sign-in gets a clean refusal
    Given Arya has an account
    When Arya signs in with her password
    Then Arya is signed in
    When Arya signs in with a quote and an SQL comment after her e-mail
    Then the target refuses the request
    And no error reply of the scenario shows internals
