@otp @register @needs:otp
Feature: Sign-up by one-time code with an end-to-end key pair
  A new user starts an authentication process, receives a one-time code by
  e-mail or SMS, and completes it with a fresh RSA key pair
  (iCure tutorial "Authenticating a user", "Register a user").

  @req:OTP-REG-01 @req:OTP-REG-06 @req:OTP-DATA-01 @req:OTP-DATA-02 @needs:email @needs:e2e_keys @needs:records
  Scenario: A patient registers by e-mail and keeps her data encrypted
    Given Daenerys is a new patient
    When Daenerys starts signing up by email under the master HCP
    Then the target accepts the request
    And the last reply matches the snapshot "start"
    And Daenerys receives a code by email
    When Daenerys completes the sign-up with the code and a new key pair
    Then Daenerys is signed in with a user id, a group id and a token
    And Daenerys's public key is published on her data owner
    And the last reply matches the snapshot "data-owner"
    When Daenerys stores the data sample "Hello world"
    Then Daenerys reads the data sample back as "Hello world"
    And the last reply matches the snapshot "data-sample"
    And the data sample "Hello world" travelled and rests only as ciphertext

  @req:OTP-REG-02 @needs:sms
  Scenario: A patient registers by SMS
    Given Jon is a new patient
    When Jon starts signing up by SMS under the master HCP
    Then the target accepts the request
    And Jon receives a code by SMS
    When Jon completes the sign-up with the code and a new key pair
    Then Jon is signed in with a token

  @req:OTP-REG-03 @needs:master_hcp @needs:email
  Scenario: A patient cannot register without a master HCP
    Given Arya is a new patient
    When Arya starts signing up by email without a master HCP
    Then the target refuses the request
    And Arya receives no email
    When Arya starts signing up by email under the master HCP
    Then the target accepts the request
    And Arya receives a code by email

  @req:OTP-REG-03 @needs:email @needs:master_hcp
  Scenario: A healthcare professional registers without a master HCP
    Given Samwell is a new healthcare professional
    When Samwell starts signing up by email without a master HCP
    Then the target accepts the request
    And Samwell receives a code by email
    When Samwell completes the sign-up with the code and a new key pair
    Then Samwell is signed in with a user id, a group id and a token

  @req:OTP-REG-04 @needs:captcha @needs:email
  Scenario: A start with a bad captcha is refused
    Given Tyrion is a new patient
    When Tyrion starts signing up by email with the captcha "not-a-valid-captcha"
    Then the target refuses the request
    And Tyrion receives no email
    When Tyrion starts signing up by email under the master HCP
    Then the target accepts the request

  @req:OTP-REG-05 @needs:email
  Scenario Outline: A malformed e-mail address is refused at start
    Given Bran is a new patient
    When Bran starts signing up by email under the master HCP
    Then the target accepts the request
    When Bran starts signing up with the address "<address>"
    Then the target refuses the request

    Examples:
      | address           |
      | not-an-email      |
      | two@@signs.test   |
      | no-domain@        |

  @req:OTP-REG-05 @needs:sms
  Scenario Outline: A malformed phone number is refused at start
    Given Rickon is a new patient
    When Rickon starts signing up by SMS under the master HCP
    Then the target accepts the request
    When Rickon starts signing up with the number "<number>"
    Then the target refuses the request

    Examples:
      | number      |
      | 0470123456  |
      | +0123456789 |
      | +32abc45678 |

  @req:OTP-CODE-01 @needs:email @needs:code_length
  Scenario: Codes have the requested number of digits
    Given Sansa is a new patient
    When Sansa starts signing up by email asking for 8-digit codes
    Then the target accepts the request
    And Sansa receives an 8-digit code by email

  @req:OTP-CODE-02 @needs:email
  Scenario: A wrong code is refused and the right one still works
    Given Robb has started signing up by email
    When Robb submits a wrong code
    Then the target refuses the request
    When Robb submits the code
    Then the target accepts the request

  @req:OTP-CODE-03 @needs:email
  Scenario: A code works once
    Given Brienne has started signing up by email
    When Brienne submits the code
    Then the target accepts the request
    When Brienne submits the code again
    Then the target refuses the request

  @req:OTP-CODE-01 @needs:email
  Scenario: Codes are at least as strong as 6 digits when no length is asked for
    Given Gilly is a new patient
    When Gilly starts signing up by email under the master HCP
    Then the target accepts the request
    And Gilly receives a code by email
    And Gilly's code carries at least 20 bits

  @req:OTP-CODE-04 @needs:code_lifetime @needs:email
  Scenario: A code expires at the end of its lifetime
    Given Catelyn has started signing up by email
    And Lysa has started signing up by email
    When Catelyn's code is just short of its lifetime
    And Catelyn submits the code
    Then the target accepts the request
    When Lysa's code is just past its lifetime
    And Lysa submits the code
    Then the target refuses the request

  @req:OTP-CODE-05 @needs:email
  Scenario: A process dies after at most five wrong codes
    Given Theon has started signing up by email
    And Yara has started signing up by email
    When Yara submits a wrong code 5 times
    And Yara submits the code
    Then the target refuses the request
    When Theon submits the code
    Then the target accepts the request

  @req:OTP-CODE-06 @needs:email @needs:five_tries
  Scenario: A process survives four wrong codes
    Given Theon has started signing up by email
    When Theon submits a wrong code 4 times
    And Theon submits the code
    Then the target accepts the request
