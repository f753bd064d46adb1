@otp @token @needs:otp @needs:sessions
Feature: Reusing a still-valid token
  A device that stored the token and the key pair comes back without a new
  code (iCure tutorial "Authenticating a user", "Reusing existing credentials"); a token past its validity,
  or altered, is refused; a token only opens its own user's data.

  @req:OTP-TOKEN-01 @needs:e2e_keys @needs:records @needs:email
  Scenario: A stored token and key pair read data without a new code
    Given Daenerys has signed up by email
    And Daenerys has stored the data sample "Hello world"
    When Daenerys comes back with her stored token and key pair
    Then Daenerys reads the data sample back as "Hello world"
    And Daenerys's data owner still has exactly her one public key

  @req:OTP-TOKEN-02 @needs:token_lifetime @needs:email
  Scenario: A token is refused once its lifetime has passed
    Given Daenerys has signed up by email
    Then Daenerys's token is accepted
    When Daenerys's token is just short of its lifetime
    Then Daenerys's token is accepted
    When Daenerys's token is just past its lifetime
    Then Daenerys's token is refused

  @req:OTP-TOKEN-03 @needs:email
  Scenario: A tampered token, or another user's, is refused
    Given Daenerys has signed up by email
    Then Daenerys's token is accepted
    When Daenerys presents her token with its last character changed
    Then the target refuses the request
    Given Cersei has signed up by email
    When Daenerys presents Cersei's token with her own login
    Then the token does not authenticate Daenerys

  @req:OTP-DATA-02 @needs:e2e_keys @needs:records @needs:email
  Scenario: Clear content is refused
    Given Daenerys has signed up by email
    And Daenerys has stored the data sample "Sealed first"
    When Daenerys tries to store the data sample "Hello world" in clear
    Then no reply from the target contained "Hello world"
    And the target refuses the request
