@otp @sharing @needs:otp @needs:email @needs:master_hcp @needs:e2e_keys @needs:records
Feature: Sharing with the master HCP
  A patient's data is shared automatically with the master HCP chosen at
  sign-up, until she stops sharing (iCure tutorial "Authenticating a user", "share all their future data
  with this responsible ... userApi.stopSharingDataWith").

  Background:
    Given Samwell has signed up by email as a healthcare professional
    And Daenerys has signed up by email under Samwell

  @req:SHARE-01
  Scenario: Data is shared automatically with the master HCP
    When Daenerys stores the data sample "Shared with my doctor"
    Then Samwell decrypts Daenerys's data sample "Shared with my doctor"

  @req:SHARE-02
  Scenario: After stopping sharing, the master HCP reads old data but not new
    Given Daenerys has stored the data sample "Old"
    When Daenerys stops sharing her data with Samwell
    And Daenerys stores the data sample "New"
    Then Samwell decrypts Daenerys's data sample "Old"
    And Samwell cannot read Daenerys's data sample "New"
