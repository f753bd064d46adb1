@security @otp @needs:otp @needs:sessions @needs:e2e_keys @needs:email
Feature: Another user's objects, as a security reviewer tries them
  Every operation that names an object is tried by a second signed-in user
  on the first user's object, with her own valid token: each is refused,
  and the object is read back by its owner unchanged (OWASP API Security
  Top 10 2023 API1, docs/security-checklist.md §6).

  @req:SEC-OBJ-01
  Scenario: Nobody adds a key to another user's data owner
    Given Daenerys has signed up by email
    And Cersei has signed up by email
    When Cersei adds a key of her own to Daenerys's data owner
    Then the target refuses the request
    And Daenerys's data owner still has exactly her one public key

  @req:SEC-OBJ-02 @needs:master_hcp
  Scenario: Nobody stops another user's sharing
    Given Samwell has signed up by email as a healthcare professional
    And Daenerys has signed up by email under Samwell
    And Cersei has signed up by email
    When Cersei stops Daenerys's sharing with Samwell
    Then the target refuses the request
    And Daenerys's data owner still shares with Samwell
    When Daenerys stops sharing her data with Samwell
    Then the target accepts the request

  @req:SEC-OBJ-03
  Scenario: Nobody gets a token for another user
    Given Daenerys has signed up by email
    And Cersei has signed up by email
    When Cersei asks for a token for Daenerys's user id
    Then the target refuses the request
    And Daenerys's token is accepted

  @req:SEC-OBJ-04
  Scenario: Nobody adds a transfer key to another user's data owner
    Given Daenerys has signed up by email
    And Cersei has signed up by email
    When Daenerys signs in on her tablet by email with a new key pair
    And Cersei adds a transfer key of her own to Daenerys's data owner
    Then the target refuses the request
    And Daenerys's data owner holds no transfer key of Cersei's

  @req:SEC-OBJ-05 @needs:master_hcp
  Scenario: Nobody completes another user's notifications
    Given Samwell has signed up by email as a healthcare professional
    And Daenerys has signed up by email under Samwell
    And Cersei has signed up by email
    When Daenerys signs in again by email with a new key pair
    Then Samwell has a pending key pair update naming Daenerys's new key
    When Cersei completes Samwell's key pair update
    Then the target refuses the request
    And Samwell has a pending key pair update naming Daenerys's new key
    When Samwell completes his key pair update
    Then the target accepts the request
