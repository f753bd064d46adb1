@security @jwt @password @needs:password @needs:sessions @needs:jwt
Feature: The target's own session JWTs, forged as an attacker would
  A user who was issued a session JWT holds everything an attacker needs
  to forge one: its header, its claims, and often the target's public key.
  Each forgery below is presented to `user.current` in place of her token,
  beside her real token accepted (the positive control), and each must be
  refused with no token in the refusal (RFC 8725 §2-3, OWASP JWT Cheat
  Sheet, docs/security-checklist.md §5).

  @req:SEC-JWT-01
  Scenario: A token with alg "none" or without its signature is refused
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    When Arya presents her token with alg "none"
    And Arya presents her token without its signature
    Then the target refuses every forged token

  @req:SEC-JWT-02 @needs:jwks
  Scenario: A token re-signed with HS256 and the target's public key is refused
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    When Arya presents her token re-signed with HS256 and the target's public key
    Then the target refuses every forged token

  @req:SEC-JWT-03
  Scenario: A token signed with a key its own header names is refused, and nothing is fetched
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    When Arya presents her token signed with a key its own header names
    Then the target refuses every forged token
    And the target fetched none of the URLs the forged headers named

  @req:SEC-JWT-04
  Scenario: A token whose kid is a path or SQL is refused
    Given Arya has an account
    When Arya signs in with her password
    Then Arya's token is accepted
    When Arya presents her token with its kid set to a path and to SQL
    Then the target refuses every forged token

  @req:SEC-JWT-05
  Scenario: A token whose claims were edited without signing again is refused
    Given Arya has an account
    And Gendry has an account
    When Arya signs in with her password
    And Gendry signs in with his password
    Then Arya's token is accepted
    When Arya presents her token naming Gendry as its subject
    And Arya presents her token with its expiry a year later
    Then the target refuses every forged token
