@sso @needs:sso_platform
Feature: Partner SSO login
  The app signs in at the partner's own endpoint; the partner authenticates
  the user, finds or creates the patient on the platform, builds a signed JWT
  and exchanges it for a platform token (SnapMD wiki "Mobile SSO", "SSO Authentication").

  @req:SSO-LOGIN-01 @req:SSO-JWT-01 @req:SSO-PLAT-01
  Scenario: A patient signs in and gets the platform's token
    Given Arya has a partner account
    When Arya signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    And the token is the one the platform issued for Arya
    And every JWT the partner built for Arya passed the platform's checks
    And the partner called the platform with its keys and as an admin of its hospital

  @req:SSO-JWT-01
  Scenario: Every login builds a new JWT
    Given Arya has a partner account
    When Arya signs in at the partner
    And Arya signs in at the partner
    Then every JWT the partner built for Arya passed the platform's checks

  @req:SSO-LOGIN-02
  Scenario: A wrong password and an unknown e-mail get the same answer
    Given Arya has a partner account
    When Arya signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    When Arya signs in at the partner with a wrong password
    Then the target refuses the request
    When Gendry signs in at the partner
    Then the partner's answers to Arya and Gendry were the same

  @req:SSO-LOGIN-03 @needs:account_admin
  Scenario: A disabled account gets the same answer as a wrong password
    Given Arya has a partner account
    And Jaqen has a partner account
    When Jaqen signs in at the partner
    Then the partner answers with only the token fields, not to be cached
    When Jaqen's partner account is disabled
    When Jaqen signs in at the partner
    Then the target refuses the request
    When Arya signs in at the partner with a wrong password
    Then the partner's answers to Arya and Jaqen were the same

  @req:SSO-PLAT-02
  Scenario Outline: A platform failure reaches the app as a generic error
    Given Arya has a partner account
    When the platform answers Arya's calls with <failure>
    And Arya signs in at the partner
    Then the partner answers with a generic error, not the platform's

    Examples:
      | failure |
      | 401     |
      | 500     |
      | no data |
