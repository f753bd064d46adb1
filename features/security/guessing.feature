@security
Feature: Guessing codes and passwords
  A guesser who is refused tries again: with a new process for fresh tries
  at a code, with code after code sent to one login, with password after
  password on one account. Past a bound the target slows them down (a 429,
  a Retry-After, a growing delay), and the real owner still gets in once
  the announced wait is over (docs/security-checklist.md §9). The bounds
  are the profile's `throttling:`; the defaults are the checklist's.

  @req:SEC-GUESS-01 @otp @needs:otp @needs:email
  Scenario: New processes give a guesser no fresh tries beyond a bound
    Given Catelyn has signed up by email
    When someone guesses Catelyn's code wrong over new sign-in processes, past the bound
    Then a new process's right code does not sign Catelyn in at once

  @req:SEC-GUESS-02 @otp @needs:otp @needs:email
  Scenario: Codes asked for one login again and again are throttled
    Given Catelyn has signed up by email
    When someone asks for Catelyn's sign-in code again and again, past the bound
    Then the code requests were throttled

  @req:SEC-GUESS-03 @needs:password
  Scenario: Wrong passwords are throttled, and the owner gets back in after the wait
    Given Arya has an account
    When someone signs in as Arya with wrong passwords, past the bound
    Then the wrong passwords were throttled
    When Arya waits as long as the target asked
    And Arya signs in with her password
    Then Arya is signed in
