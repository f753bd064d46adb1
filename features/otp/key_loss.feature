@otp @keys @needs:otp @needs:email @needs:master_hcp @needs:e2e_keys @needs:records
Feature: Losing the private key
  A user whose device lost her private key signs in again with a new key.
  Her old data is still there but needs someone who can read it to give
  access back; data nobody else could read is gone for good
  (iCure tutorial "Authenticating a user", "what happens if the user lost her RSA key pair?";
  docs/icure-protocol.md §4).

  Background:
    Given Samwell has signed up by email as a healthcare professional
    And Daenerys has signed up by email under Samwell
    And Daenerys has stored the data sample "Before the loss"

  @req:KEY-01
  Scenario: After sign-up the data owner has one key
    Then Daenerys's data owner has 1 public key
    And the last reply matches the snapshot "key-list"

  @req:KEY-02 @req:KEY-03 @req:KEY-04
  Scenario: A new key after the loss: new data works, old data stays ciphertext
    When Daenerys loses her key pair
    And Daenerys signs in again by email with a new key pair
    Then Daenerys's data owner has 2 public keys
    When Daenerys stores the data sample "After the loss"
    Then Daenerys reads the data sample back as "After the loss"
    And Daenerys still sees 2 data samples
    And Daenerys cannot decrypt the data sample "Before the loss"
    And no reply from the target contained "Before the loss"

  @req:KEY-05 @req:KEY-06
  Scenario: The master HCP is notified and gives access back
    When Daenerys loses her key pair
    And Daenerys signs in again by email with a new key pair
    Then Samwell has a pending key pair update naming Daenerys's new key
    And the last reply matches the snapshot "notifications"
    And Daenerys gets no key pair update about herself
    When Samwell gives Daenerys access back
    Then Daenerys decrypts the data sample "Before the loss"

  @req:KEY-07
  Scenario: A stranger cannot give access back
    Given Cersei has signed up by email as a healthcare professional
    When Daenerys loses her key pair
    And Daenerys signs in again by email with a new key pair
    And Cersei tries to give Daenerys access back to "Before the loss"
    Then the target refuses the request
    When Samwell gives Daenerys access back
    Then Daenerys decrypts the data sample "Before the loss"

  @req:KEY-10
  Scenario: Data nobody else could read is lost for good
    Given Jon has signed up by email as a healthcare professional
    And Jon has stored the data sample "Only mine"
    When Jon loses his key pair
    And Jon signs in again by email with a new key pair
    Then the data sample "Only mine" of Jon is lost for good: nobody holds a key for it
    And Jon cannot decrypt the data sample "Only mine"
    And Jon gets no key pair update about himself
