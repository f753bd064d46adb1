@otp @login @needs:otp
Feature: Signing in again with a new code
  A registered user whose token expired starts a new process, receives a new
  code and completes it with the key pair her device stored
  (iCure tutorial "Authenticating a user", "Login a user").

  @req:OTP-LOGIN-01 @needs:e2e_keys @needs:records @needs:email
  Scenario: Signing in again keeps the key pair and the data
    Given Daenerys has signed up by email
    And Daenerys has stored the data sample "Dragon eggs: 3"
    When Daenerys starts signing in by email
    Then the target accepts the request
    And Daenerys receives a code by email
    When Daenerys completes the sign-in with the code and her stored key pair
    Then Daenerys has a new token, different from the previous one
    And Daenerys's data owner still has exactly her one public key
    And Daenerys reads the data sample back as "Dragon eggs: 3"

  @req:OTP-LOGIN-02 @needs:email
  Scenario: Starting for an unknown login gets the same answer as for a known one
    Given Daenerys has signed up by email
    And Viserys is a new patient
    When Daenerys starts signing in by email
    And Viserys starts signing in by email
    Then the answers to Daenerys and Viserys were the same

  @req:OTP-LOGIN-02 @needs:master_hcp @needs:email
  Scenario: A patient start without a master HCP gets the same answer, known login or not
    Given Daenerys has signed up by email
    And Viserys is a new patient
    When Daenerys starts signing in by email without a master HCP
    And Viserys starts signing in by email without a master HCP
    Then the answers to Daenerys and Viserys were the same
