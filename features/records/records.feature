@records @needs:records
Feature: Per-user records
  A signed-in user stores records of her own and reads them back; nobody
  else reads or lists them (object-level authorization). Where the target
  has e2e_keys the records are sealed on the device (features/otp/ checks
  that); here only who may see them matters, so a plain notes or records
  API of any framework is certified by the same scenarios. Users sign in
  the way the target offers: by one-time code or with a password.

  @req:REC-01
  Scenario: A user reads back what she stored
    Given Daenerys has signed in
    When Daenerys stores the data sample "Blood type O+, allergic to penicillin"
    Then Daenerys reads the data sample back as "Blood type O+, allergic to penicillin"

  @req:REC-02
  Scenario: One user cannot read another user's record
    Given Daenerys has signed in
    And Daenerys has stored the data sample "private"
    And Cersei has signed in
    Then Daenerys reads the data sample back as "private"
    When Cersei tries to read Daenerys's data sample
    Then the target refuses the request

  @req:REC-03
  Scenario: A user's list holds her records and none of another user's
    Given Daenerys has signed in
    And Daenerys has stored the data sample "mine"
    And Daenerys has stored the data sample "also mine"
    And Cersei has signed in
    And Cersei has stored the data sample "hers"
    Then Daenerys's list of data samples holds hers
    And the list holds none of Cersei's data samples
    When Cersei lists Daenerys's data samples
    Then the list holds none of Daenerys's data samples
