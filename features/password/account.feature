@password @needs:password
Feature: Password accounts
  A user registers with an e-mail and a password, signs in with them and
  signs out (the `password` family: a Django, ASP.NET Identity, Express or
  FastAPI backend as much as a partner's own accounts).

  @req:PWD-REG-01
  Scenario: A user registers and signs in with her password
    When Arya registers with a password
    Then the target accepts the request
    When Arya signs in with her password
    Then Arya is signed in

  @req:PWD-LOGIN-01
  Scenario: A wrong password is refused and the right one still works
    Given Arya has an account
    When Arya signs in with a wrong password
    Then the target refuses the request
    When Arya signs in with her password
    Then Arya is signed in

  @req:PWD-LOGIN-02
  Scenario: A wrong password and an unknown e-mail get the same answer
    Given Arya has an account
    When Arya signs in with her password
    Then Arya is signed in
    When Arya signs in with a wrong password
    Then the target refuses the request
    When Gendry signs in with his password
    Then the sign-in answers to Arya and Gendry were the same

  @req:PWD-SESSION-01 @needs:sessions
  Scenario: The session token authenticates its user
    Given Arya has an account
    When Arya signs in with her password
    Then Arya is signed in
    And Arya's token is accepted
    When Arya presents her token with its last character changed
    Then the target refuses the request

  @req:SESSION-REVOKE-01 @needs:sessions
  Scenario: After signing out the token is refused
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    When Arya signs out
    Then the target accepts the request
    And Arya's token is refused

  @req:PWD-CHANGE-01
  Scenario: A changed password replaces the old one
    Given Arya has an account
    When Arya signs in with her password
    And Arya changes her password
    Then the target accepts the request
    When Arya signs in with her old password
    Then the target refuses the request
    When Arya signs in with her password
    Then Arya is signed in

  @req:SESSION-REVOKE-02 @needs:sessions
  Scenario: Other sessions end when the password changes
    Given Arya has an account
    When Arya signs in with her password
    And Arya signs in with her password
    Then Arya's token is accepted
    When Arya changes her password
    Then the target accepts the request
    And Arya's first token is refused
    And Arya's token is accepted
