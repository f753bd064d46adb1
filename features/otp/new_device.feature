@otp @keys @needs:otp @needs:email @needs:master_hcp @needs:e2e_keys
Feature: A second device
  A user signs in on another device: each device has its own stored key pair
  and token. The device that still holds the old key can hand the new one
  over (iCure tutorial "Authenticating a user", "starts your app on another device";
  docs/icure-protocol.md §4, transfer keys).

  Background:
    Given Samwell has signed up by email as a healthcare professional
    And Daenerys has signed up by email under Samwell

  @req:KEY-09
  Scenario: Coming back with the stored token and key leaves the key list unchanged
    When Daenerys comes back with her stored token and key pair
    Then Daenerys's data owner has 1 public key

  @req:KEY-08 @needs:records
  Scenario: The old device hands over access through a transfer key
    Given Daenerys has stored the data sample "From the phone"
    When Daenerys signs in on her tablet by email with a new key pair
    Then Daenerys's data owner has 2 public keys
    When Daenerys's phone takes the new key from the transfer key
    And Daenerys's phone gives her tablet access to her data
    Then Daenerys's tablet decrypts the data sample "From the phone"
